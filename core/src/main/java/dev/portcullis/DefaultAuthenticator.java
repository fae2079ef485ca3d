package dev.portcullis;

import dev.portcullis.internal.crypto.PasswordHasher;
import dev.portcullis.internal.wire.ApiKeyCredential;
import dev.portcullis.internal.wire.AuthorizationParser;
import dev.portcullis.internal.wire.KeyBytes;
import dev.portcullis.internal.wire.ParseResult;
import dev.portcullis.internal.wire.PasswordCredential;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.StoreException;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.spi.ResourceOwners;

/**
 * The request pipeline of DESIGN §2, cheapest stage first. Every exit goes through
 * {@link #deny}, {@link #fail} or {@link #allow}, which emit the one event of the attempt.
 */
final class DefaultAuthenticator implements Authenticator {
    private static final System.Logger LOG = System.getLogger(Authenticator.class.getName());
    private static final Duration BUSY_RETRY = Duration.ofSeconds(1);
    private static final Duration STORE_RETRY = Duration.ofSeconds(5);
    private final Portcullis.Settings s;
    private final RecordCache cache;
    private final AuthorizationParser parser;
    /** The password check of a username that cannot be a login. */
    private final CachedCredential.Login noLogin;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Per thread: where a presented key is decoded to and looked up from, so a request copies none of it. */
    private static final class Scratch {
        final KeyBytes key = new KeyBytes();
        final KeyId id = KeyId.probe();
    }

    /** @param noLogin the password check of a username that cannot be a login ({@link CachedCredential.Compiler#none}) */
    DefaultAuthenticator(Portcullis.Settings settings, RecordCache cache, CachedCredential.Login noLogin) {
        this.s = settings;
        this.cache = cache;
        this.noLogin = noLogin;
        this.parser = AuthorizationParser.builder()
                .keyUsernames(settings.keyUsernames())
                .allowBareKey(settings.bareKeys())
                .build();
    }

    @Override
    public AuthResult authenticate(AuthRequest request) {
        Attempt a = new Attempt(Channel.HTTP, request, false).timed(s.metrics());
        if (request.token() != null) {
            return checkToken(a, request.token());
        }
        Scratch sc = scratch.get();
        KeyBytes key = sc.key;
        try {
            ParseResult parsed = parse(request, key);
            if (parsed == ParseResult.KEY_IN_BUFFER) {
                KeyFormat.Failure failure = s.format().check(key.bytes(), key.from(), key.to());
                if (failure == null || key.printableAscii()) {
                    return checkToken(a, sc, failure);
                }
                parsed = parse(request, null); // not a key of any format: the exact parse tells why
            }
            switch (parsed.kind()) {
                case NOT_THIS_SCHEME:
                    return deny(a, DenyReason.MISSING_CREDENTIALS, null);
                case MALFORMED:
                    return fail(a, DenyReason.MALFORMED_CREDENTIALS, parsed.reason().name());
                default:
                    if (parsed.credential() instanceof ApiKeyCredential k) {
                        return checkToken(a, k.token());
                    }
                    PasswordCredential login = (PasswordCredential) parsed.credential();
                    return checkPassword(a, login.username(), login.password());
            }
        } finally {
            key.wipe();
        }
    }

    private ParseResult parse(AuthRequest request, KeyBytes into) {
        return request.headers() == null ? parser.parse(request.header(), into) : parser.parse(request.headers(), into);
    }

    /** {@link #checkToken(Attempt, Scratch, KeyFormat.Failure)} for a token given as text. */
    AuthResult checkToken(Attempt a, String token) {
        Scratch sc = scratch.get();
        KeyBytes key = sc.key;
        try {
            if (token.length() > s.longestToken() || !key.setAscii(token)) {
                // Longer than any format allows (so never copied: the cost stays bounded by the format),
                // or not ASCII, which no format accepts; the text parse names the rule it broke.
                return fail(a, DenyReason.UNKNOWN_KEY, "FORMAT_" + s.format().parse(token).failure().name());
            }
            return checkToken(a, sc, s.format().check(key.bytes(), key.from(), key.to()));
        } finally {
            key.wipe();
        }
    }

    /**
     * Identify → Throttle (misses only) → Lookup → Verify for the API key in {@code sc.key} (ASCII),
     * then the record stages; {@code failure} is what the native format said of it.
     */
    private AuthResult checkToken(Attempt a, Scratch sc, KeyFormat.Failure failure) {
        KeyId id = identify(sc, failure);
        if (id == null) {
            return fail(a, DenyReason.UNKNOWN_KEY, "FORMAT_" + failure.name());
        }
        long now = s.clock().millis(); // read once: cache ages, expiry, last use in the usage tally
        CachedCredential c = cache.cachedById(id, now);
        if (c == null) {
            String idText = id.toString();
            a.subject = Subject.unknownKey(idText);
            // Only a store miss is throttled: a cached record costs a digest, and a 190-bit secret cannot be guessed.
            long blocked = s.budgets().networkBlocked(a.network());
            if (blocked > 0) {
                a.retryAfter = Duration.ofNanos(blocked);
                return deny(a, DenyReason.TOO_MANY_FAILURES, "NETWORK_BUDGET");
            }
            try {
                c = cache.byId(idText, now);
                now = s.clock().millis(); // a store round-trip later: the account and expiry are checked now
            } catch (StoreException e) {
                a.retryAfter = STORE_RETRY;
                return deny(a, DenyReason.STORE_UNAVAILABLE, null);
            }
        }
        // One path for known and unknown ids up to a single denial (checklist I49; TimingLeakTest): an
        // unknown id, or an unreadable digest, has a placeholder digest of its own, checked the same way.
        a.subject = c.subject; // made with the entry: a hit, known or not, makes nothing
        if (!verifies(c, sc.key)) {
            return fail(a, c.mismatch, c.mismatchDetail);
        }
        return admit(a, c, true, now);
    }

    /**
     * Identify: the id a key in {@code sc.key} names, native (its checksum held: {@code failure}
     * is {@code null}) or derived for an imported key; {@code null} if it is neither.
     */
    private KeyId identify(Scratch sc, KeyFormat.Failure failure) {
        byte[] b = sc.key.bytes();
        int from = sc.key.from();
        if (failure == null) {
            return sc.id.set(b, from + s.format().idOffset(), KeyFormat.ID_LENGTH); // safe to name: the checksum held
        }
        String imported = s.imported() == null ? null : new String(b, from, sc.key.to() - from, StandardCharsets.ISO_8859_1);
        if (imported == null || !s.imported().parse(imported).valid()) {
            return null;
        }
        return KeyId.of(s.importedIdOf(imported)); // derived through the pepper: not attacker-chosen text
    }

    /**
     * Verify, the one token check every caller uses: the whole token's digest against the
     * entry's (a placeholder for anything that is not a readable API key), in constant time.
     */
    private boolean verifies(CachedCredential c, KeyBytes key) {
        return s.digests().matches(c.digest, key.bytes(), key.from(), key.to()) & c.verifiable;
    }

    /**
     * Identify → Lookup → Verify for a token given as text, with no event and no budget spent:
     * what {@link KeyManager#whoami} and leak reports verify with, so a token is verified in one
     * place. The record whose secret the token is, whatever its status; {@code null} if none.
     *
     * @throws StoreException if the store cannot be read for an uncached id
     */
    KeyRecord verifiedRecord(String token) {
        if (token == null) {
            return null;
        }
        Scratch sc = scratch.get();
        KeyBytes key = sc.key;
        try {
            if (token.length() > s.longestToken() || !key.setAscii(token)) {
                return null;
            }
            KeyId id = identify(sc, s.format().check(key.bytes(), key.from(), key.to()));
            if (id == null) {
                return null;
            }
            long now = s.clock().millis();
            CachedCredential c = cache.cachedById(id, now);
            if (c == null) {
                c = cache.byId(id.toString(), now);
            }
            return verifies(c, key) ? c.record : null;
        } finally {
            key.wipe();
        }
    }

    /** Throttle → Lookup → Verify for a username and password, then the record stages. */
    AuthResult checkPassword(Attempt a, String username, String password) {
        String net = a.network();
        String login = canonicalLogin(username);
        // The budget is the login's, however it was spelled: every spelling the lookup folds into
        // one login spends one budget. A name that cannot be a login keeps its own (it reaches no one).
        String budgetName = login != null ? login : username;
        long blocked = s.budgets().loginBlocked(budgetName, net);
        if (blocked > 0) {
            a.retryAfter = Duration.ofNanos(blocked);
            return deny(a, DenyReason.TOO_MANY_FAILURES, "LOGIN_BUDGET");
        }
        long now = s.clock().millis();
        CachedCredential c = null;
        if (login != null) {
            try {
                c = cache.byUsername(login, now);
            } catch (StoreException e) {
                a.retryAfter = STORE_RETRY;
                return deny(a, DenyReason.STORE_UNAVAILABLE, null);
            }
        }
        // One path for known and unknown usernames up to a single denial (checklist I49; TimingLeakTest):
        // every entry carries a Login with the same fields; an unknown username's is checked against no
        // account (its budget is spent and read, but never refuses, so it blocks nobody) and verified
        // against the hasher's dummy hash, which nothing matches, at the default cost.
        CachedCredential.Login l = c == null ? noLogin : c.login;
        a.subject = l.subject;
        boolean known = s.budgets().isKnown(l.budgetAccount, net);
        if (!known) {
            long accountBlocked = s.budgets().accountBlocked(l.accountBudget);
            if (accountBlocked > 0 & l.exists()) {
                a.retryAfter = Duration.ofNanos(accountBlocked);
                return deny(a, DenyReason.TOO_MANY_FAILURES, "ACCOUNT_BUDGET");
            }
        }
        LoginCache.Fingerprint fingerprint = s.logins().fingerprint(username, password);
        if (s.logins().matches(fingerprint, l.record)) {
            return admit(a, c, true, now); // verified before, for this very record version: one HMAC instead of Argon2
        }
        PasswordHasher.Result v = s.hasher().verify(l.hash, l.profile, password, s.legacy());
        // The dummy hash matches nothing; were it ever to, it would still be a failure.
        PasswordHasher.Outcome outcome = v.outcome() == PasswordHasher.Outcome.MATCH & !l.exists()
                ? PasswordHasher.Outcome.MISMATCH : v.outcome();
        switch (outcome) {
            case BUSY:
                a.retryAfter = BUSY_RETRY;
                return deny(a, DenyReason.BUSY, null);
            case MISMATCH:
                s.budgets().loginFailed(budgetName, net, l.accountBudget, known);
                return deny(a, l.mismatch, l.mismatchDetail);
            default:
                KeyRecord r = l.record;
                s.budgets().loginSucceeded(l.budgetAccount, net);
                KeyRecord current = v.needsRehash() ? rehash(r, password) : r;
                s.logins().remember(fingerprint, current);
                a.verifiedHash = current.secretHash(); // a rehash changed the hash, not the secret
                return admit(a, c, true, s.clock().millis()); // after a hash: the time it ends
        }
    }

    /**
     * Writes an Argon2id hash at the current parameters back through the store, if a slot is
     * free and nobody changed the record meanwhile; otherwise the next login tries again.
     */
    private KeyRecord rehash(KeyRecord r, String password) {
        String hash = s.hasher().rehash(password);
        if (hash == null) {
            return r;
        }
        try {
            return s.store().save(r.toBuilder().secretHash(hash).passwordProfile(s.hasher().profile().id()).build(), r.version());
        } catch (RuntimeException e) { // a conflict or a store failure: the login itself stands
            LOG.log(System.Logger.Level.INFO, "rehash of " + r.id() + " not saved: " + e.getClass().getSimpleName());
            return r;
        }
    }

    @Override
    public SaslExchange sasl(String mechanism, Object clientIp, boolean tlsActive) {
        return new DefaultSaslExchange(this, mechanism, Attempt.clientOf(AuthRequest.checkClient(clientIp)),
                tlsActive || s.plaintextSasl());
    }

    /** Decides on a credential that a SASL exchange produced: an API key under a key username, or a login. */
    AuthResult saslCredential(ClientAddress client, String username, String password) {
        Attempt a = new Attempt(Channel.SMTP, client).timed(s.metrics());
        return s.keyUsernames().contains(username) ? checkToken(a, password) : checkPassword(a, username, password);
    }

    /** A SASL exchange that ended before any credential: cancelled, malformed, refused. */
    AuthResult saslRefused(ClientAddress client, DenyReason reason, String detail, boolean spendsBudget) {
        Attempt a = new Attempt(Channel.SMTP, client);
        return spendsBudget ? fail(a, reason, detail) : deny(a, reason, detail);
    }

    @Override
    public AuthResult authorize(Principal principal, String permission, String resource) {
        return authorizeAgain(principal, AuthRequest.validRequired(permission), AuthRequest.validResource(resource));
    }

    @Override
    public AuthResult authorize(Principal principal, String permission) {
        return authorizeAgain(principal, AuthRequest.validRequired(permission), null);
    }

    /** Everything a new authentication would check but the secret, which must not have changed since. */
    private AuthResult authorizeAgain(Principal principal, String permission, String canonicalResource) {
        Objects.requireNonNull(principal, "principal");
        Attempt a = new Attempt(principal.channel(), null, true).timed(s.metrics());
        a.client = principal.clientAddress();
        a.subject = principal.subject();
        a.permission = permission;
        a.resource = canonicalResource;
        a.verifiedHash = principal.verifiedHash();
        long now = s.clock().millis();
        CachedCredential c;
        try {
            c = cache.byId(principal.keyId(), now);
        } catch (StoreException e) {
            a.retryAfter = STORE_RETRY;
            return deny(a, DenyReason.STORE_UNAVAILABLE, null);
        }
        if (!c.present() || !c.record.account().equals(principal.account())) {
            return deny(a, DenyReason.REVOKED, "RECORD_GONE");
        }
        if (!c.record.secretHash().equals(principal.verifiedHash())) {
            return deny(a, DenyReason.REVOKED, "SECRET_CHANGED"); // a new password ends the sessions of the old one
        }
        return admit(a, c, false, now);
    }

    /** Status → account → channel → Network → Authorize → Rate-limit, on a verified record, at {@code now}. */
    private AuthResult admit(Attempt a, CachedCredential c, boolean takeQuota, long now) {
        KeyRecord r = c.record;
        if (r.isRevoked()) {
            return deny(a, DenyReason.REVOKED, null);
        }
        if (now >= c.expiresAtMillis) {
            return deny(a, DenyReason.EXPIRED, null);
        }
        CachedAccount account;
        try {
            account = cache.account(r.account(), now);
        } catch (StoreException e) {
            a.retryAfter = STORE_RETRY;
            return deny(a, DenyReason.STORE_UNAVAILABLE, null);
        }
        if (account.suspended) {
            return deny(a, DenyReason.ACCOUNT_SUSPENDED, null);
        }
        if (!r.channels().contains(a.channel)) {
            return deny(a, DenyReason.PERMISSION_DENIED, "CHANNEL");
        }
        if (c.allowlist == null) {
            return deny(a, DenyReason.IP_NOT_ALLOWED, "UNREADABLE_ALLOWLIST");
        }
        if (!c.allowlist.permits(a.client)) {
            if (!account.reportAllowlist && !r.reportOnly().contains(Check.ALLOWLIST)) {
                return deny(a, DenyReason.IP_NOT_ALLOWED, null);
            }
            a.wouldDeny = DenyReason.IP_NOT_ALLOWED; // report-only: decided, reported, not enforced
        }
        if (a.permission != null) {
            String why = authorizeGrant(r, a.permission, a.resource);
            if (why != null) {
                return deny(a, DenyReason.PERMISSION_DENIED, why);
            }
        }
        RateLimiter.Take rate = null;
        if (takeQuota) {
            boolean keyReports = account.reportRate || r.reportOnly().contains(Check.RATE_LIMIT);
            // Enforced quotas first; report-only ones are taken after, and never deny.
            List<RateLimiter.Quota> enforced = keyReports ? (account.reportRate ? List.of() : account.quotas) : c.quotasWith(account);
            List<RateLimiter.Quota> reported = keyReports ? (account.reportRate ? c.quotasWith(account) : c.quotas) : List.of();
            if (!enforced.isEmpty()) {
                RateLimiter.Take take = s.limiter().tryTakeAll(enforced);
                if (!take.allowed()) {
                    a.retryAfter = Duration.ofNanos(Math.max(take.nanosToWait(), 1_000_000));
                    a.rate = take; // so a 429 carries RateLimit and RateLimit-Policy too
                    return deny(a, DenyReason.RATE_LIMITED, null);
                }
                rate = take;
            }
            if (!reported.isEmpty() && !s.limiter().tryTakeAll(reported).allowed() && a.wouldDeny == null) {
                a.wouldDeny = DenyReason.RATE_LIMITED;
            }
        }
        return allow(a, Principal.of(c.identity, a.client, a.channel,
                a.verifiedHash != null ? a.verifiedHash : r.secretHash()), rate, now);
    }

    /**
     * {@code null} if granted, else why not (a fixed word for the event). {@code canonical} was
     * checked where it was given ({@link AuthRequest#require}, {@link #authorize}); {@code null}
     * is a collection request.
     */
    private String authorizeGrant(KeyRecord r, String permission, String canonical) {
        ResourceOwners owners = s.owners();
        if (canonical != null && owners != null && !r.account().equals(owners.ownerOf(canonical))) {
            return "OTHER_ACCOUNT";
        }
        return Grant.allows(r.grants(), permission, canonical) ? null : "NO_GRANT";
    }

    /** The stored form of an SMTP username, or {@code null} if it cannot be one. */
    private static String canonicalLogin(String username) {
        try {
            return KeySpec.canonicalUsername(username);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A denial that spends the client network's failure budget. */
    private AuthResult fail(Attempt a, DenyReason reason, String detail) {
        s.budgets().keyFailed(a.network());
        return deny(a, reason, detail);
    }

    private AuthResult deny(Attempt a, DenyReason reason, String detail) {
        emit(a, false, reason, detail, 0);
        return AuthResult.deny(reason, a.retryAfter, a.rate, a.atMail, s.realm());
    }

    private AuthResult allow(Attempt a, Principal p, RateLimiter.Take rate, long nowMillis) {
        emit(a, true, null, null, nowMillis);
        return AuthResult.allow(p, rate, a.atMail, s.realm());
    }

    /** @param nowMillis the time of an allowed use (its last use); unused for a denial */
    private void emit(Attempt a, boolean allowed, DenyReason reason, String detail, long nowMillis) {
        // Only real credentials have usage; an attempt without one does the same tally work into
        // tallies that are never written (TimingLeakTest).
        Subject who = a.subject;
        boolean newNetwork = s.usage().record(who.usageKey(), who.counted(), reason, a.client, nowMillis);
        s.metrics().decided(a.channel, reason, a.wouldDeny, who.keyId(), a.startNanos);
        if (!s.listeners().isEmpty()) {
            s.emit(new AuthEvent(Instant.now(s.clock()), a.channel, allowed, reason, detail, who.keyId(), who.account(),
                    a.client == null ? null : a.client.toString(), newNetwork, allowed ? a.wouldDeny : null));
        }
    }

    /** What one attempt has learned so far; only safe values. */
    static final class Attempt {
        final Channel channel;
        final boolean atMail;
        /** The client as parsed, or {@code null} if its address was not a strict literal. */
        ClientAddress client;
        String permission;
        String resource;
        /** What it names so far; never {@code null}. */
        Subject subject = Subject.NONE;
        Duration retryAfter;
        DenyReason wouldDeny;
        RateLimiter.Take rate;
        /** The stored hash the secret was verified against, when it is not the cached record's. */
        String verifiedHash;
        /** For the latency metric; 0 when metrics are off, so the hot path reads no clock for it. */
        long startNanos;
        private String network;

        Attempt(Channel channel, ClientAddress client) {
            this.channel = channel;
            this.atMail = false;
            this.client = client;
        }

        Attempt timed(Metrics metrics) {
            startNanos = metrics.start();
            return this;
        }

        Attempt(Channel channel, AuthRequest request, boolean atMail) {
            this.channel = channel;
            this.atMail = atMail;
            if (request != null) {
                this.client = clientOf(request.client());
                this.permission = request.permission();
                this.resource = request.resource();
            }
        }

        static ClientAddress clientOf(Object c) {
            if (c instanceof ClientAddress a) {
                return a;
            }
            if (c instanceof InetAddress i) {
                return ClientAddress.of(i);
            }
            return c instanceof String s ? ClientAddress.parse(s) : null;
        }

        /** The failure-budget network, computed only on the paths that need it. */
        String network() {
            if (network == null) {
                network = FailureBudgets.networkOf(client);
            }
            return network;
        }
    }
}
