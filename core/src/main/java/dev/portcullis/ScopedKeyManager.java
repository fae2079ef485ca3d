package dev.portcullis;

import dev.portcullis.store.AccountRecord;
import dev.portcullis.store.Page;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@link KeyManager#actingAs}: the escalation rule. A key manages keys only in its own account,
 * never beyond its own grants or its own expiry, so a leaked management key cannot mint a
 * stronger or longer-lived one.
 */
final class ScopedKeyManager implements KeyManager {
    private final DefaultKeyManager keys;
    private final Principal actor;

    ScopedKeyManager(DefaultKeyManager keys, Principal actor) {
        this.keys = keys;
        this.actor = actor;
    }

    private void require(String permission) {
        if (!actor.hasPermission(permission)) {
            throw new SecurityException("key " + actor.keyId() + " lacks " + permission);
        }
    }

    private void ownAccount(String account) {
        if (!actor.account().equals(account)) {
            throw new SecurityException("key " + actor.keyId() + " may manage only account " + actor.account());
        }
    }

    /** Every grant asked for must be covered by one the actor holds; the expiry must not outlive the actor's. */
    private void withinActor(List<Grant> grants, Instant expiresAt) {
        for (Grant wanted : grants) {
            if (actor.grants().stream().noneMatch(g -> covers(g, wanted))) {
                throw new SecurityException("key " + actor.keyId() + " cannot grant " + wanted + ", which it does not hold");
            }
        }
        Instant limit = actor.expiresAt();
        if (limit != null && (expiresAt == null || expiresAt.isAfter(limit))) {
            throw new SecurityException("key " + actor.keyId() + " cannot create a key that outlives it (" + limit + ")");
        }
    }

    /** Whether holding {@code held} implies holding {@code wanted}. */
    static boolean covers(Grant held, Grant wanted) {
        String hp = held.permission();
        String wp = wanted.permission();
        boolean permission = hp.equals("*") || hp.equals(wp)
                || (hp.endsWith(":*") && !wp.equals("*") && wp.startsWith(hp.substring(0, hp.length() - 1)));
        if (!permission) {
            return false;
        }
        String hr = held.resourcePattern();
        String wr = wanted.resourcePattern();
        if (hr.equals("*") || hr.equals(wr)) {
            return true;
        }
        if (wr.equals("*")) {
            return false;
        }
        // *.example.com covers a.example.com and *.a.example.com, never example.com; an exact name covers only itself.
        if (wr.startsWith("*.")) {
            return hr.startsWith("*.") && held.covers(wr.substring(2));
        }
        return held.covers(wr);
    }

    @Override
    public IssuedKey create(KeySpec spec) {
        require("keys:write");
        ownAccount(spec.account);
        withinActor(spec.grants, keys.expiryOf(spec.expiresAt, spec.lifetime));
        return keys.create(spec);
    }

    @Override
    public IssuedPassword createSmtpCredential(SmtpCredentialSpec spec) {
        require("keys:write");
        ownAccount(spec.account);
        withinActor(spec.grants, keys.expiryOf(spec.expiresAt, spec.lifetime));
        return keys.createSmtpCredential(spec);
    }

    @Override
    public Optional<KeyInfo> get(String id) {
        require("keys:read");
        return keys.get(id).filter(k -> k.account().equals(actor.account()));
    }

    @Override
    public Page<KeyInfo> list(String account, String cursor, int limit) {
        require("keys:read");
        ownAccount(account);
        return keys.list(account, cursor, limit);
    }

    @Override
    public KeyInfo revoke(String id) {
        require("keys:write");
        ownTarget(id);
        return keys.revoke(id);
    }

    @Override
    public IssuedKey rotate(String id, java.time.Duration grace) {
        require("keys:write");
        ownTarget(id);
        return keys.rotate(id, grace); // the successor has the same grants and expiry: nothing to escalate
    }

    @Override
    public KeyInfo update(String id, KeyUpdate update) {
        require("keys:write");
        KeyInfo target = ownTarget(id);
        List<Grant> grants = update.grants != null ? update.grants : target.grants();
        Instant expiry = update.expirySet ? keys.expiryOf(update.expiresAt, update.lifetime) : target.expiresAt();
        withinActor(grants, expiry);
        return keys.update(id, update);
    }

    @Override
    public int revokeAll(String account) {
        require("keys:write");
        ownAccount(account);
        return keys.revokeAll(account);
    }

    @Override
    public Optional<KeyInfo> whoami(String token) {
        return keys.whoami(token).filter(k -> k.account().equals(actor.account()));
    }

    @Override
    public IssuedPassword changePassword(String id) {
        require("keys:write");
        ownTarget(id);
        return keys.changePassword(id);
    }

    @Override
    public KeyInfo changePassword(String id, String newPassword) {
        require("keys:write");
        ownTarget(id);
        return keys.changePassword(id, newPassword);
    }

    @Override
    public KeyInfo importKey(String token, KeySpec spec) {
        throw new SecurityException("importing keys is an administrative operation");
    }

    @Override
    public KeyInfo importSmtpCredential(SmtpCredentialSpec spec, String passwordHash) {
        throw new SecurityException("importing logins is an administrative operation");
    }

    /** Anyone holding a token may report it leaked: verification is the whole check. */
    @Override
    public LeakReport reportLeaked(String token, String source) {
        return keys.reportLeaked(token, source);
    }

    @Override
    public Optional<dev.portcullis.store.Usage> usage(String id) {
        require("keys:read");
        ownTarget(id);
        return keys.usage(id);
    }

    @Override
    public KeyManager changedBy(String actorName, String reason) {
        return new ScopedKeyManager(keys.withActor("key:" + actor.keyId(), reason), actor);
    }

    private KeyInfo ownTarget(String id) {
        KeyInfo target = keys.get(id).orElseThrow(() -> new java.util.NoSuchElementException("no credential " + id));
        ownAccount(target.account());
        return target;
    }

    @Override
    public AccountRecord suspend(String account) {
        throw new SecurityException("a key cannot suspend accounts");
    }

    @Override
    public AccountRecord resume(String account) {
        throw new SecurityException("a key cannot resume accounts");
    }

    @Override
    public AccountRecord setAccountRateLimit(String account, RateLimitPolicy policy) {
        throw new SecurityException("a key cannot change account limits");
    }

    @Override
    public KeyManager actingAs(Principal principal) {
        throw new SecurityException("a scoped key manager cannot act as another key");
    }
}
