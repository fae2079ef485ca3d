package dev.portcullis.internal.keys;

import dev.portcullis.Channel;
import dev.portcullis.Check;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyEvent;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeyInfo;
import dev.portcullis.KeyManager;
import dev.portcullis.KeySpec;
import dev.portcullis.KeyUpdate;
import dev.portcullis.Limit;
import dev.portcullis.PortcullisException;
import dev.portcullis.Principal;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;
import dev.portcullis.internal.audit.Listeners;
import dev.portcullis.internal.crypto.PasswordHasher;
import dev.portcullis.internal.crypto.TokenDigests;
import dev.portcullis.internal.net.Cidrs;
import dev.portcullis.internal.rules.Names;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.LegacyPasswordVerifier;
import java.time.Clock;
import java.util.function.Function;

import dev.portcullis.internal.crypto.Base62;
import dev.portcullis.internal.crypto.PasswordProfile;
import dev.portcullis.spi.AccountRecord;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.Page;
import dev.portcullis.spi.StoreConflictException;
import dev.portcullis.spi.Usage;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import dev.portcullis.KeyInfo.CredentialKind;

/**
 * {@link KeyManager} on the store, with what key management needs of the configuration
 * ({@link Context}). Every change is a read, a pure
 * change of the record, and a save with the read version, retried on conflict; then one
 * {@link KeyEvent} naming the actor and the reason.
 */
public final class DefaultKeyManager implements KeyManager {
    /** Generated SMTP passwords: 24 base62 characters, about 142 bits. */
    private static final int PASSWORD_LENGTH = 24;
    private static final int MAX_ATTEMPTS = 5;

    private static final ApiAccess API = Api.get();

    /**
     * What key management needs: the store, the key formats and how tokens and passwords are
     * stored, the clock, the listeners, the default policy (for {@link ManagementScope}), and from
     * the authenticator its one token verifier (whoami and leak reports verify as authenticate
     * does) and the usage it has recorded.
     *
     * @param imported the imported key format, or {@code null}
     * @param legacy {@code null} if none
     * @param verifier the record whose secret a token is, whatever its status; {@code null} if none
     */
    public record Context(CredentialStore store, KeyFormat format, KeyFormat imported, TokenDigests digests,
            PasswordHasher hasher, LegacyPasswordVerifier legacy, Clock clock, Listeners listeners,
            RateLimitPolicy defaultPolicy, Function<String, KeyRecord> verifier, Function<String, Optional<Usage>> usage) {}

    private final Context s;
    private final SecureRandom random;
    private final String actor;
    private final String reason;
    /** {@code null} for the root manager; else every change is checked against the acting key. */
    private final ManagementScope scope;

    public DefaultKeyManager(Context context) {
        this(context, new SecureRandom(), null, null, null);
    }

    private DefaultKeyManager(Context context, SecureRandom random, String actor, String reason, ManagementScope scope) {
        this.s = context;
        this.random = random;
        this.actor = actor;
        this.reason = reason;
        this.scope = scope;
    }

    @Override
    public KeyManager changedBy(String actor, String reason) {
        return withActor(actor, reason);
    }

    DefaultKeyManager withActor(String actor, String reason) {
        return new DefaultKeyManager(s, random, checkText(actor, "actor"), checkText(reason, "reason"), scope);
    }

    /** Who its changes are recorded as made by. */
    String actorName() {
        return actor;
    }

    /** This manager with every change checked against {@code scope}. */
    DefaultKeyManager scopedTo(ManagementScope scope) {
        return new DefaultKeyManager(s, random, actor, reason, Objects.requireNonNull(scope));
    }

    /** Refuses, through the scope if there is one, changing {@code before} into {@code after}. */
    private void guard(KeyRecord before, KeyRecord after) {
        if (scope != null) {
            scope.check(before, after);
        }
    }

    private static String checkText(String t, String what) {
        if (t != null && (t.length() > 500 || t.chars().anyMatch(Character::isISOControl))) {
            throw new IllegalArgumentException(what + " must be at most 500 characters without control characters");
        }
        return t;
    }

    // ---- creation -------------------------------------------------------------------------

    @Override
    public IssuedKey create(KeySpec keySpec) {
        ApiAccess.Spec spec = API.spec(keySpec);
        if (spec.isLogin()) {
            throw new IllegalArgumentException("a spec with a username is an SMTP login: use createSmtpCredential");
        }
        for (int attempt = 0; ; attempt++) {
            String token = s.format().newToken();
            KeyRecord record = apiKeyRecord(spec, s.format().parse(token).keyId(), s.format().prefix(), token);
            guard(null, record);
            long paid = spec.credits() == null ? 0 : pay(record, spec.credits());
            try {
                KeyRecord saved = startCredits(s.store().save(record, 0), spec.credits());
                event(KeyEvent.Type.CREATED, saved, null);
                return API.issuedKey(token, info(saved));
            } catch (RuntimeException e) {
                refund(paid);
                if (!(e instanceof StoreConflictException) || attempt == MAX_ATTEMPTS - 1) {
                    throw e; // colliding 5 times, 12 random base62 characters: the store is lying
                }
            }
        }
    }

    @Override
    public KeyInfo importKey(String token, KeySpec keySpec) {
        Objects.requireNonNull(token, "token");
        ApiAccess.Spec spec = API.spec(keySpec);
        KeyFormat.Parsed parsed = s.format().parse(token);
        String id;
        String prefix;
        if (parsed.valid()) {
            id = parsed.keyId();
            prefix = s.format().prefix();
        } else if (s.imported() != null && s.imported().parse(token).valid()) {
            id = s.digests().importedId(token);
            prefix = null;
        } else {
            throw new IllegalArgumentException("the token is neither a " + s.format().prefix()
                    + " key nor of the imported key format" + (s.imported() == null ? " (none is configured)" : ""));
        }
        KeyRecord record = apiKeyRecord(spec, id, prefix, token);
        guard(null, record);
        long paid = spec.credits() == null ? 0 : pay(record, spec.credits());
        KeyRecord saved;
        try {
            saved = startCredits(s.store().save(record, 0), spec.credits());
        } catch (RuntimeException e) {
            refund(paid);
            throw e;
        }
        event(KeyEvent.Type.IMPORTED, saved, null);
        return info(saved);
    }

    private KeyRecord apiKeyRecord(ApiAccess.Spec spec, String id, String prefix, String token) {
        Instant now = s.clock().instant();
        return stamp(KeyRecord.builder()
                .id(id)
                .account(spec.account())
                .name(spec.name())
                .kind(CredentialKind.API_KEY)
                .prefix(prefix)
                .secretHash(s.digests().encode(token))
                .grants(spec.grants())
                .allowlist(canonicalAllowlist(spec.allowlist()))
                .rateLimit(spec.rateLimit())
                .channels(spec.channels())
                .reportOnly(spec.reportOnly())
                .creditBalance(spec.credits() == null ? null : balanceOf(id))
                .refill(spec.refill())
                .createdAt(now)
                .expiresAt(futureExpiry(now, spec.expiresAt(), spec.lifetime()))
                .lifetime(spec.lifetime()), now)
                .build();
    }

    @Override
    public IssuedKey createSmtpCredential(KeySpec keySpec) {
        ApiAccess.Spec spec = API.spec(keySpec);
        requireLogin(spec);
        String password = spec.password() != null ? spec.password() : randomBase62(PASSWORD_LENGTH);
        KeyRecord saved = saveLogin(spec, s.hasher().hash(password), s.hasher().profile().id());
        event(KeyEvent.Type.CREATED, saved, null);
        return API.issuedKey(password, info(saved));
    }

    @Override
    public KeyInfo importSmtpCredential(KeySpec keySpec, String passwordHash) {
        ApiAccess.Spec spec = API.spec(keySpec);
        requireLogin(spec);
        Objects.requireNonNull(passwordHash, "passwordHash");
        if (spec.password() != null) {
            throw new IllegalArgumentException("an imported login keeps its hash; give no password");
        }
        boolean argon2 = passwordHash.startsWith("$argon2id$");
        boolean legacy = !argon2 && s.legacy() != null && s.legacy().supports(passwordHash);
        if (!argon2 && !legacy) {
            throw new IllegalArgumentException("the hash is neither Argon2id nor read by the configured legacy verifier");
        }
        // Imported hashes were made from the password as typed: verify it unprepared, rehash on first login.
        KeyRecord saved = saveLogin(spec, passwordHash, PasswordProfile.RAW.id());
        event(KeyEvent.Type.IMPORTED, saved, null);
        return info(saved);
    }

    private static void requireLogin(ApiAccess.Spec spec) {
        if (!spec.isLogin()) {
            throw new IllegalArgumentException("an SMTP login needs a username: KeySpec.builder().username(…)");
        }
    }

    private KeyRecord saveLogin(ApiAccess.Spec spec, String hash, String profile) {
        Instant now = s.clock().instant();
        Set<Channel> channels = spec.channels();
        List<String> allowlist = canonicalAllowlist(spec.allowlist());
        Instant expiresAt = futureExpiry(now, spec.expiresAt(), spec.lifetime());
        for (int attempt = 0; ; attempt++) {
            KeyRecord record = stamp(KeyRecord.builder()
                    .id(randomBase62(KeyFormat.ID_LENGTH))
                    .account(spec.account())
                    .name(spec.name())
                    .kind(CredentialKind.PASSWORD)
                    .username(spec.username())
                    .secretHash(hash)
                    .passwordProfile(profile)
                    .grants(spec.grants())
                    .allowlist(allowlist)
                    .rateLimit(spec.rateLimit())
                    .channels(channels)
                    .reportOnly(spec.reportOnly())
                    .createdAt(now)
                    .expiresAt(expiresAt)
                    .lifetime(spec.lifetime()), now)
                    .build();
            record = spec.credits() == null ? record
                    : record.toBuilder().creditBalance(balanceOf(record.id())).refill(spec.refill()).build();
            guard(null, record);
            long paid = spec.credits() == null ? 0 : pay(record, spec.credits());
            try {
                return startCredits(s.store().save(record, 0), spec.credits());
            } catch (RuntimeException e) {
                refund(paid);
                if (!(e instanceof StoreConflictException)) {
                    throw e;
                }
                if (s.store().findByUsername(spec.username()).isPresent() || attempt == MAX_ATTEMPTS - 1) {
                    throw e;
                }
            }
        }
    }

    // ---- reading --------------------------------------------------------------------------

    @Override
    public Optional<KeyInfo> get(String id) {
        return s.store().findById(id).map(this::info);
    }

    @Override
    public Page<KeyInfo> list(String account, String cursor, int limit) {
        Page<KeyRecord> page = s.store().listByAccount(account, cursor, limit);
        return new Page<>(page.items().stream().map(this::info).toList(), page.nextCursor());
    }

    @Override
    public Optional<KeyInfo> whoami(String token) {
        return verified(token).map(this::info);
    }

    /**
     * The record a token is the secret of, through the authenticator's own Identify → Lookup →
     * Verify, then read fresh from the store (the cache may lag a change made on another node):
     * the same secret there, or nothing.
     */
    private Optional<KeyRecord> verified(String token) {
        KeyRecord r = s.verifier().apply(token);
        if (r == null) {
            return Optional.empty();
        }
        return s.store().findById(r.id()).filter(fresh -> fresh.secretHash().equals(r.secretHash()));
    }

    @Override
    public Optional<Usage> usage(String id) {
        return s.usage().apply(id);
    }

    // ---- changes --------------------------------------------------------------------------

    @Override
    public IssuedKey rotate(String id, Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be zero or positive");
        }
        for (int attempt = 0; ; attempt++) {
            KeyRecord old = find(id);
            Instant now = s.clock().instant();
            if (old.kind() != CredentialKind.API_KEY) {
                throw new IllegalArgumentException("only API keys rotate; change an SMTP password with changePassword");
            }
            checkRotatable(old, now);
            // Everything that can fail is decided before anything is saved.
            Instant graceEnd = plus(now, grace, "grace");
            Instant retiredExpiry = old.expiresAt() != null && old.expiresAt().isBefore(graceEnd) ? old.expiresAt() : graceEnd;
            String token = s.format().newToken();
            String newId = s.format().parse(token).keyId();
            KeyRecord successor = stamp(old.toBuilder()
                    .id(newId)
                    .prefix(s.format().prefix())
                    .secretHash(s.digests().encode(token))
                    .createdAt(now)
                    .expiresAt(old.lifetime() != null ? plus(now, old.lifetime(), "lifetime") : old.expiresAt())
                    .revokedAt(null)
                    .replacedBy(null), now).build();
            KeyRecord retiring = stamp(old.toBuilder().expiresAt(retiredExpiry).replacedBy(newId), now).build();
            guard(old, retiring);
            guard(null, successor);
            // The successor first: if anything below fails, the old key still works as before.
            KeyRecord saved = s.store().save(successor, 0);
            KeyRecord retired;
            try {
                // Only the version the successor copied may be retired: a change made meanwhile (a
                // narrowing of grants or networks) is copied again instead of lost.
                retired = s.store().save(retiring, old.version());
            } catch (RuntimeException e) {
                revokeQuietly(newId, now); // the successor must not outlive this failure
                if (e instanceof StoreConflictException && attempt < MAX_ATTEMPTS - 1) {
                    continue;
                }
                throw e;
            }
            event(KeyEvent.Type.ROTATED, retired, "successor=" + newId + " graceEnds=" + retired.expiresAt());
            event(KeyEvent.Type.CREATED, saved, "rotated from " + id);
            return API.issuedKey(token, info(saved));
        }
    }

    /** {@code now + d}, or an IllegalArgumentException naming {@code what} if that is past any instant. */
    private static Instant plus(Instant now, Duration d, String what) {
        try {
            return now.plus(d);
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException(what + " " + d + " is too long");
        }
    }

    /** Revokes a successor whose rotation failed; a store failure here is logged, the original failure thrown. */
    private void revokeQuietly(String id, Instant now) {
        try {
            KeyRecord r = s.store().findById(id).orElse(null);
            if (r != null && !r.isRevoked()) {
                s.store().save(stamp(r.toBuilder().revokedAt(now), now).build(), r.version());
            }
        } catch (RuntimeException e) {
            System.getLogger(KeyManager.class.getName()).log(System.Logger.Level.WARNING,
                    "successor " + id + " of a failed rotation could not be revoked: " + e.getClass().getSimpleName());
        }
    }

    private static void checkRotatable(KeyRecord r, Instant now) {
        if (r.replacedBy() != null) {
            throw new IllegalStateException("key " + r.id() + " was already rotated to " + r.replacedBy()
                    + "; it is in its grace period until " + r.expiresAt() + " — rotate " + r.replacedBy() + " instead");
        }
        if (r.isRevoked()) {
            throw new IllegalStateException("key " + r.id() + " is revoked");
        }
        if (r.isExpiredAt(now)) {
            throw new IllegalStateException("key " + r.id() + " expired at " + r.expiresAt());
        }
    }

    @Override
    public KeyInfo update(String id, KeyUpdate update) {
        ApiAccess.Update u = API.update(Objects.requireNonNull(update, "update"));
        List<String> allowlist = u.allowlist() == null ? null : canonicalAllowlist(u.allowlist());
        Instant now = s.clock().instant();
        Instant expiresAt = u.expirySet() ? futureExpiry(now, u.expiresAt(), u.lifetime()) : null;
        KeyRecord saved = change(id, r -> {
            if (r.isRevoked()) {
                throw new IllegalStateException("credential " + id + " is revoked; revoked credentials do not change");
            }
            KeyRecord.Builder b = r.toBuilder();
            if (u.name() != null) {
                b.name(u.name());
            }
            if (u.grants() != null) {
                b.grants(u.grants());
            }
            if (allowlist != null) {
                b.allowlist(allowlist);
            }
            if (u.rateLimitSet()) {
                b.rateLimit(u.rateLimit());
            }
            if (u.expirySet()) {
                b.expiresAt(expiresAt).lifetime(u.lifetime());
            }
            if (u.reportOnly() != null) {
                b.reportOnly(u.reportOnly());
            }
            return b;
        });
        event(KeyEvent.Type.UPDATED, saved, null);
        return info(saved);
    }

    @Override
    public KeyInfo revoke(String id) {
        KeyRecord r = find(id);
        guard(r, null);
        if (r.isRevoked()) {
            return info(r);
        }
        KeyRecord saved = change(id, x -> x.isRevoked() ? null : x.toBuilder().revokedAt(s.clock().instant()));
        event(KeyEvent.Type.REVOKED, saved, null);
        return info(saved);
    }

    @Override
    public int revokeAll(String account) {
        Names.checkAccount(account);
        if (scope != null) {
            forEach(account, r -> {
                if (!r.isRevoked()) {
                    guard(r, null); // all or nothing: refused before any is revoked
                }
            });
        }
        List<String> live = new java.util.ArrayList<>();
        forEach(account, r -> {
            if (!r.isRevoked()) {
                live.add(r.id());
            }
        });
        if (scope != null && live.remove(scope.actorId())) {
            live.add(scope.actorId()); // the acting key last: once revoked, it manages nothing
        }
        live.forEach(this::revoke);
        return live.size();
    }

    private void forEach(String account, java.util.function.Consumer<KeyRecord> action) {
        String cursor = null;
        do {
            Page<KeyRecord> page = s.store().listByAccount(account, cursor, 500);
            page.items().forEach(action);
            cursor = page.nextCursor();
        } while (cursor != null);
    }

    @Override
    public IssuedKey changePassword(String id) {
        String password = randomBase62(PASSWORD_LENGTH);
        return API.issuedKey(password, setPassword(id, password));
    }

    @Override
    public KeyInfo changePassword(String id, String newPassword) {
        if (newPassword == null || newPassword.codePointCount(0, newPassword.length()) < KeySpec.MIN_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("password must have at least " + KeySpec.MIN_PASSWORD_LENGTH + " characters");
        }
        return setPassword(id, newPassword);
    }

    private KeyInfo setPassword(String id, String password) {
        KeyRecord target = find(id);
        guard(target, target); // before the costly hash
        if (target.kind() != CredentialKind.PASSWORD) {
            throw new IllegalArgumentException("credential " + id + " is an API key; rotate it instead");
        }
        String hash = s.hasher().hash(password);
        KeyRecord saved = change(id, r -> {
            if (r.isRevoked()) {
                throw new IllegalStateException("credential " + id + " is revoked");
            }
            return r.toBuilder().secretHash(hash).passwordProfile(s.hasher().profile().id());
        });
        event(KeyEvent.Type.PASSWORD_CHANGED, saved, null);
        return info(saved);
    }

    @Override
    public LeakReport reportLeaked(String token, String source) {
        String from = checkText(source, "source");
        Optional<KeyRecord> r = verified(token);
        Instant now = s.clock().instant();
        if (r.isEmpty()) {
            // No id for an unverified token: it may be attacker-chosen text.
            s.listeners().emit(new KeyEvent(now, KeyEvent.Type.LEAK_REPORT_UNVERIFIED, null, null, actor, reason, "source=" + from));
            return LeakReport.UNVERIFIED;
        }
        if (r.get().isRevoked()) {
            event(KeyEvent.Type.LEAK_REPORT_ALREADY_REVOKED, r.get(), "source=" + from);
            return LeakReport.ALREADY_REVOKED;
        }
        KeyRecord saved = withActor(actor != null ? actor : "leak report", "leaked: " + from).revokeRecord(r.get().id());
        event(KeyEvent.Type.LEAK_REPORTED, saved, "source=" + from);
        return LeakReport.REVOKED;
    }

    @Override
    public Optional<KeyInfo> revokeSelf(String token) {
        Optional<KeyRecord> r = verified(token);
        if (r.isEmpty()) {
            return Optional.empty(); // nothing verified, nothing said: an unverified token may be anyone's guess
        }
        KeyRecord k = r.get();
        if (k.isRevoked()) {
            return Optional.of(info(k));
        }
        DefaultKeyManager holder = withActor(actor != null ? actor : "key:" + k.id(),
                reason != null ? reason : "revoked by its holder");
        KeyRecord saved = holder.revokeRecord(k.id());
        holder.event(KeyEvent.Type.REVOKED, saved, "self");
        return Optional.of(info(saved));
    }

    private KeyRecord revokeRecord(String id) {
        return change(id, x -> x.isRevoked() ? null : x.toBuilder().revokedAt(s.clock().instant()));
    }

    // ---- credits --------------------------------------------------------------------------

    /** The balance a new credential's credits live in; a rotated successor keeps its predecessor's. */
    private static String balanceOf(String id) {
        return "key:" + id;
    }

    /** After the record is saved (a colliding id must not touch another's balance): until then it is denied, never free. */
    private KeyRecord startCredits(KeyRecord saved, Long credits) {
        if (credits != null) {
            s.store().setCredits(saved.creditBalance(), new CredentialStore.CreditBalance(credits, s.clock().instant()));
        }
        return saved;
    }

    /** A balance as the store takes from it now: with its refill's amount and latest boundary. */
    private CredentialStore.CreditTake balance(String owner, Limit.Refill refill) {
        return refill == null ? new CredentialStore.CreditTake(owner, 0, null)
                : new CredentialStore.CreditTake(owner, refill.amount(), refill.lastBoundary(s.clock().instant()));
    }

    /**
     * For a scoped manager with credits giving {@code amount} to {@code target}: takes them from its
     * own balance first, atomically, so it gives only what it has. {@code 0}: nothing was owed.
     *
     * @throws PortcullisException.Denied if it has fewer left
     */
    private long pay(KeyRecord target, long amount) {
        if (scope == null || !scope.mustPay(target, amount)) {
            return 0;
        }
        KeyRecord payer = scope.payer();
        if (s.store().takeCredits(List.of(balance(payer.creditBalance(), payer.refill())), amount).isEmpty()) {
            throw new PortcullisException.Denied("key " + payer.id() + " has fewer than " + amount + " credits left to give");
        }
        return amount;
    }

    /** Gives a payment back when what it paid for failed. */
    private void refund(long paid) {
        if (paid > 0) {
            KeyRecord payer = scope.payer();
            s.store().addCredits(balance(payer.creditBalance(), payer.refill()), paid);
        }
    }

    /** What management shows: the record and its credits as of now. */
    private KeyInfo info(KeyRecord r) {
        return KeyInfos.of(r, r.creditBalance() == null ? null : remaining(r.creditBalance(), r.refill()));
    }

    /** A balance's credits now, a refill due counted as done; 0 if it has no balance (then it is denied). */
    long remaining(String owner, Limit.Refill refill) {
        return remaining(s.store(), owner, refill, s.clock().instant());
    }

    static long remaining(CredentialStore store, String owner, Limit.Refill refill, Instant now) {
        CredentialStore.CreditBalance b = store.credits(owner).orElse(null);
        if (b == null) {
            return 0;
        }
        return refill != null && b.refilledAt().isBefore(refill.lastBoundary(now)) ? refill.amount() : b.remaining();
    }

    private static Long checkedCredits(Long remaining, Limit.Refill refill) {
        if (remaining == null) {
            if (refill != null) {
                throw new IllegalArgumentException("a refill needs credits");
            }
            return null;
        }
        if (remaining < 0 || remaining > Limit.Refill.MAX_AMOUNT) {
            throw new IllegalArgumentException("credits are 0 to " + Limit.Refill.MAX_AMOUNT + ", got " + remaining);
        }
        return remaining;
    }

    @Override
    public KeyInfo setCredits(String id, Long remaining, Limit.Refill refill) {
        checkedCredits(remaining, refill);
        KeyRecord current = find(id);
        if (current.isRevoked()) {
            throw new IllegalStateException("credential " + id + " is revoked; revoked credentials do not change");
        }
        String owner = remaining == null ? null : current.creditBalance() != null ? current.creditBalance() : balanceOf(id);
        // Every rule is checked before anything is written: a refused change touches no balance.
        guard(current, stamp(current.toBuilder().creditBalance(owner).refill(refill), s.clock().instant()).build());
        if (scope != null) {
            scope.checkSet(current, remaining, refill,
                    current.creditBalance() == null ? Long.MAX_VALUE : remaining(current.creditBalance(), current.refill()));
        }
        boolean becomesMetered = current.creditBalance() == null && remaining != null;
        if (becomesMetered) { // the balance first, so the record finds it; alone, it is unused
            s.store().setCredits(owner, new CredentialStore.CreditBalance(remaining, s.clock().instant()));
        }
        KeyRecord saved = change(id, r -> {
            if (r.isRevoked()) {
                throw new IllegalStateException("credential " + id + " is revoked; revoked credentials do not change");
            }
            return Objects.equals(r.creditBalance(), owner) && Objects.equals(r.refill(), refill) ? null
                    : r.toBuilder().creditBalance(owner).refill(refill);
        });
        if (!becomesMetered && remaining != null) { // the record as wanted first: a refused change wrote no balance
            s.store().setCredits(owner, new CredentialStore.CreditBalance(remaining, s.clock().instant()));
        }
        event(KeyEvent.Type.CREDITS_CHANGED, saved, remaining == null ? "unlimited"
                : "set=" + remaining + (refill != null ? " refill=" + refill : ""));
        return info(saved);
    }

    @Override
    public KeyInfo addCredits(String id, long delta) {
        KeyRecord current = find(id);
        if (current.isRevoked()) {
            throw new IllegalStateException("credential " + id + " is revoked; revoked credentials do not change");
        }
        if (current.creditBalance() == null) {
            throw new IllegalStateException("credential " + id + " is unlimited: give it credits with setCredits");
        }
        guard(current, current);
        long paid = pay(current, delta); // a manager with credits gives from its own, first
        try {
            if (s.store().addCredits(balance(current.creditBalance(), current.refill()), delta).isEmpty()) {
                throw new IllegalStateException("credential " + id + " has no credit balance in the store");
            }
        } catch (RuntimeException e) {
            refund(paid);
            throw e;
        }
        event(KeyEvent.Type.CREDITS_CHANGED, current, "added=" + delta);
        return info(current);
    }

    @Override
    public AccountRecord setAccountCredits(String account, Long remaining, Limit.Refill refill) {
        checkedCredits(remaining, refill);
        String owner = remaining == null ? null : "account:" + Names.checkAccount(account);
        if (remaining != null) {
            s.store().setCredits(owner, new CredentialStore.CreditBalance(remaining, s.clock().instant()));
        }
        AccountRecord a = updateAccount(account, x -> Objects.equals(x.creditBalance(), owner) && Objects.equals(x.refill(), refill)
                ? null : x.withCredits(owner, refill));
        s.listeners().emit(new KeyEvent(s.clock().instant(), KeyEvent.Type.CREDITS_CHANGED, null, account, actor, reason,
                remaining == null ? "unlimited" : "set=" + remaining + (refill != null ? " refill=" + refill : "")));
        return a;
    }

    @Override
    public long addAccountCredits(String account, long delta) {
        AccountRecord a = s.store().findAccount(Names.checkAccount(account)).orElse(null);
        if (a == null || a.creditBalance() == null) {
            throw new IllegalStateException("account " + account + " has no credits: give it some with setAccountCredits");
        }
        long left = s.store().addCredits(balance(a.creditBalance(), a.refill()), delta)
                .orElseThrow(() -> new IllegalStateException("account " + account + " has no credit balance in the store"));
        s.listeners().emit(new KeyEvent(s.clock().instant(), KeyEvent.Type.CREDITS_CHANGED, null, account, actor, reason,
                "added=" + delta));
        return left;
    }

    // ---- accounts -------------------------------------------------------------------------

    @Override
    public AccountRecord suspend(String account) {
        AccountRecord a = updateAccount(account, x -> x.isSuspended() ? null : x.withSuspendedAt(s.clock().instant()));
        accountEvent(KeyEvent.Type.SUSPENDED, account);
        return a;
    }

    @Override
    public AccountRecord resume(String account) {
        AccountRecord a = updateAccount(account, x -> x.isSuspended() ? x.withSuspendedAt(null) : null);
        accountEvent(KeyEvent.Type.RESUMED, account);
        return a;
    }

    @Override
    public AccountRecord setAccountRateLimit(String account, RateLimitPolicy policy) {
        AccountRecord a = updateAccount(account, x -> Objects.equals(x.rateLimit(), policy) ? null : x.withRateLimit(policy));
        accountEvent(KeyEvent.Type.ACCOUNT_LIMITS_CHANGED, account);
        return a;
    }

    @Override
    public AccountRecord setAccountReportOnly(String account, Check... checks) {
        Set<Check> wanted = checks.length == 0 ? Set.of() : Set.copyOf(EnumSet.copyOf(List.of(checks)));
        AccountRecord a = updateAccount(account, x -> x.reportOnly().equals(wanted) ? null : x.withReportOnly(wanted));
        accountEvent(KeyEvent.Type.ACCOUNT_LIMITS_CHANGED, account);
        return a;
    }

    /** Read, change, save with the read version; retried on conflict. {@code change} returns null for "nothing to do". */
    private AccountRecord updateAccount(String account, UnaryOperator<AccountRecord> change) {
        Names.checkAccount(account);
        for (int attempt = 0; ; attempt++) {
            AccountRecord current = s.store().findAccount(account).orElse(AccountRecord.active(account));
            AccountRecord next = change.apply(current);
            if (next == null) {
                return current;
            }
            try {
                return s.store().saveAccount(next, current.version());
            } catch (StoreConflictException e) {
                if (attempt == MAX_ATTEMPTS - 1) {
                    throw e;
                }
            }
        }
    }

    @Override
    public KeyManager actingAs(Principal principal) {
        Objects.requireNonNull(principal, "principal");
        ManagementScope scope = new ManagementScope(principal.keyId(), principal.account(), s.store(), s.clock(), s.defaultPolicy());
        return new ScopedKeyManager(withActor("key:" + principal.keyId(), reason), scope);
    }

    // ---- helpers --------------------------------------------------------------------------

    private KeyRecord find(String id) {
        return s.store().findById(Objects.requireNonNull(id, "id"))
                .orElseThrow(() -> new PortcullisException.NotFound("no credential " + id));
    }

    /**
     * Applies {@code change} to the stored record and saves it with the version read, retrying on
     * conflict; {@code change} returns {@code null} when there is nothing to do.
     */
    private KeyRecord change(String id, java.util.function.Function<KeyRecord, KeyRecord.Builder> change) {
        for (int attempt = 0; ; attempt++) {
            KeyRecord current = find(id);
            KeyRecord.Builder next = change.apply(current);
            KeyRecord changed = next == null ? null : stamp(next, s.clock().instant()).build();
            guard(current, changed); // on the version read, inside the loop: the rule holds for what is written
            if (changed == null) {
                return current;
            }
            try {
                return s.store().save(changed, current.version());
            } catch (StoreConflictException e) {
                if (attempt == MAX_ATTEMPTS - 1) {
                    throw e;
                }
            }
        }
    }

    private KeyRecord.Builder stamp(KeyRecord.Builder b, Instant now) {
        return b.changedAt(now).changedBy(actor).changeReason(reason);
    }

    private void event(KeyEvent.Type type, KeyRecord r, String detail) {
        s.listeners().emit(new KeyEvent(s.clock().instant(), type, r.id(), r.account(), actor, reason, detail));
    }

    private void accountEvent(KeyEvent.Type type, String account) {
        s.listeners().emit(new KeyEvent(s.clock().instant(), type, null, account, actor, reason, null));
    }

    /** The absolute expiry a spec asks for, as of now; {@code null} for none. */
    Instant expiryOf(Instant at, Duration lifetime) {
        return at != null ? at : lifetime != null ? s.clock().instant().plus(lifetime) : null;
    }

    private static Instant futureExpiry(Instant now, Instant at, Duration lifetime) {
        Instant e = at != null ? at : lifetime != null ? now.plus(lifetime) : null;
        if (e != null && !e.isAfter(now)) {
            throw new IllegalArgumentException("expiry must be in the future");
        }
        return e;
    }

    /** Each CIDR checked strictly and stored in canonical form. */
    private static List<String> canonicalAllowlist(List<String> cidrs) {
        return cidrs.stream().map(Cidrs::canonical).toList();
    }

    private String randomBase62(int n) {
        StringBuilder sb = new StringBuilder(n);
        Base62.random(random, sb, n);
        return sb.toString();
    }
}
