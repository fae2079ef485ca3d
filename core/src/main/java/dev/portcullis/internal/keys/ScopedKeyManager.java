package dev.portcullis.internal.keys;

import dev.portcullis.Check;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyInfo;
import dev.portcullis.KeyManager;
import dev.portcullis.KeySpec;
import dev.portcullis.KeyUpdate;
import dev.portcullis.PortcullisException;
import dev.portcullis.Principal;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;

import dev.portcullis.spi.AccountRecord;
import dev.portcullis.spi.Page;
import dev.portcullis.spi.Usage;

import java.time.Duration;
import java.util.Optional;

/**
 * {@link KeyManager#actingAs}: a key managing its own account's credentials. Reads need
 * {@code keys:read}, changes {@code keys:write}; every change goes through a manager that
 * checks it against {@link ManagementScope}'s rule, on the record actually written: a credential
 * made or changed by a key can do nothing that key cannot do, and a stronger one cannot be
 * touched (rotated, re-passworded, updated, revoked).
 */
final class ScopedKeyManager implements KeyManager {
    private static final ApiAccess API = Api.get();

    /** Unscoped, named after the acting key: for reads and leak reports. */
    private final DefaultKeyManager keys;
    /** The same, each change checked against the scope. */
    private final DefaultKeyManager guarded;
    private final ManagementScope scope;

    ScopedKeyManager(DefaultKeyManager keys, ManagementScope scope) {
        this.keys = keys;
        this.guarded = keys.scopedTo(scope);
        this.scope = scope;
    }

    @Override
    public IssuedKey create(KeySpec spec) {
        scope.actor("keys:write");
        scope.ownAccount(API.spec(spec).account());
        return guarded.create(spec);
    }

    @Override
    public IssuedKey createSmtpCredential(KeySpec spec) {
        scope.actor("keys:write");
        scope.ownAccount(API.spec(spec).account());
        return guarded.createSmtpCredential(spec);
    }

    @Override
    public Optional<KeyInfo> get(String id) {
        scope.actor("keys:read");
        return keys.get(id).filter(k -> k.account().equals(scope.account()));
    }

    @Override
    public Page<KeyInfo> list(String account, String cursor, int limit) {
        scope.actor("keys:read");
        scope.ownAccount(account);
        return keys.list(account, cursor, limit);
    }

    @Override
    public KeyInfo revoke(String id) {
        ownTarget(id, "keys:write");
        return guarded.revoke(id);
    }

    @Override
    public IssuedKey rotate(String id, Duration grace) {
        ownTarget(id, "keys:write");
        return guarded.rotate(id, grace);
    }

    @Override
    public KeyInfo update(String id, KeyUpdate update) {
        ownTarget(id, "keys:write");
        return guarded.update(id, update);
    }

    @Override
    public KeyInfo setCredits(String id, Long remaining, dev.portcullis.Limit.Refill refill) {
        ownTarget(id, "keys:write");
        return guarded.setCredits(id, remaining, refill);
    }

    @Override
    public KeyInfo addCredits(String id, long delta) {
        ownTarget(id, "keys:write");
        return guarded.addCredits(id, delta);
    }

    @Override
    public AccountRecord setAccountCredits(String account, Long remaining, dev.portcullis.Limit.Refill refill) {
        throw new PortcullisException.Denied("a key cannot change account credits");
    }

    @Override
    public long addAccountCredits(String account, long delta) {
        throw new PortcullisException.Denied("a key cannot change account credits");
    }

    /** Refused as a whole, before any is revoked, if the account holds a live credential stronger than the key. */
    @Override
    public int revokeAll(String account) {
        scope.actor("keys:write");
        scope.ownAccount(account);
        return guarded.revokeAll(account);
    }

    @Override
    public Optional<KeyInfo> whoami(String token) {
        return keys.whoami(token).filter(k -> k.account().equals(scope.account()));
    }

    @Override
    public IssuedKey changePassword(String id) {
        ownTarget(id, "keys:write");
        return guarded.changePassword(id);
    }

    @Override
    public KeyInfo changePassword(String id, String newPassword) {
        ownTarget(id, "keys:write");
        return guarded.changePassword(id, newPassword);
    }

    @Override
    public KeyInfo importKey(String token, KeySpec spec) {
        throw new PortcullisException.Denied("importing keys is an administrative operation");
    }

    @Override
    public KeyInfo importSmtpCredential(KeySpec spec, String passwordHash) {
        throw new PortcullisException.Denied("importing logins is an administrative operation");
    }

    /** Anyone holding a token may report it leaked: verification is the whole check. */
    @Override
    public LeakReport reportLeaked(String token, String source) {
        return keys.reportLeaked(token, source);
    }

    /** Like a leak report: holding the token is the whole check, whichever key acts. */
    @Override
    public Optional<KeyInfo> revokeSelf(String token) {
        return keys.revokeSelf(token);
    }

    @Override
    public Optional<Usage> usage(String id) {
        ownTarget(id, "keys:read");
        return keys.usage(id);
    }

    @Override
    public KeyManager changedBy(String actorName, String reason) {
        return new ScopedKeyManager(keys.withActor(keys.actorName(), reason), scope);
    }

    /** The acting key may use {@code permission}, and {@code id} is in its account. */
    private void ownTarget(String id, String permission) {
        scope.actor(permission);
        KeyInfo target = keys.get(id).orElseThrow(() -> new PortcullisException.NotFound("no credential " + id));
        scope.ownAccount(target.account());
    }

    @Override
    public AccountRecord suspend(String account) {
        throw new PortcullisException.Denied("a key cannot suspend accounts");
    }

    @Override
    public AccountRecord resume(String account) {
        throw new PortcullisException.Denied("a key cannot resume accounts");
    }

    @Override
    public AccountRecord setAccountRateLimit(String account, RateLimitPolicy policy) {
        throw new PortcullisException.Denied("a key cannot change account limits");
    }

    @Override
    public AccountRecord setAccountReportOnly(String account, Check... checks) {
        throw new PortcullisException.Denied("a key cannot change account policies");
    }

    @Override
    public KeyManager actingAs(Principal principal) {
        throw new PortcullisException.Denied("a scoped key manager cannot act as another key");
    }
}
