package dev.portcullis.internal.pipeline;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.Channel;
import dev.portcullis.ClientAddress;
import dev.portcullis.DenyReason;
import dev.portcullis.KeyFormat;
import dev.portcullis.Principal;
import dev.portcullis.SaslExchange;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;
import dev.portcullis.internal.rules.Names;
import dev.portcullis.internal.rules.Requests;
import dev.portcullis.internal.wire.ApiKeyCredential;
import dev.portcullis.internal.wire.AuthorizationParser;
import dev.portcullis.internal.wire.KeyBytes;
import dev.portcullis.internal.wire.ParseResult;
import dev.portcullis.internal.wire.PasswordCredential;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.StoreException;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The request pipeline of DESIGN §2 as a sequence of its stages, cheapest first: Parse
 * ({@link AuthorizationParser}) → {@link Identify} → {@link Throttle} → {@link Lookup} →
 * {@link Verify} → {@link Status} → {@link Network} → {@link Authorize} → {@link RateLimit} →
 * {@link Credits} → {@link Decision}. Every exit goes through the {@link Decision}, which emits the one event of the
 * attempt; {@link #fail} also spends the client network's failure budget.
 */
final class DefaultAuthenticator implements Authenticator {
    private static final ApiAccess API = Api.get();
    private static final Duration BUSY_RETRY = Duration.ofSeconds(1);

    private final AuthorizationParser parser;
    private final Identify identify;
    private final Throttle throttle;
    private final Lookup lookup;
    private final Verify verify;
    private final Authorize authorize;
    private final RateLimit rateLimit;
    private final Credits credits;
    private final Decision decision;
    /** The password check of a username that cannot be a login ({@link CachedCredential.Compiler#none}). */
    private final CachedCredential.Login noLogin;
    private final Clock clock;
    private final Set<String> keyUsernames;
    private final boolean plaintextSasl;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Per thread: where a presented key is decoded to and looked up from, so a request copies none of it. */
    private static final class Scratch {
        final KeyBytes key = new KeyBytes();
        final KeyId id = KeyId.probe();
    }

    DefaultAuthenticator(AuthorizationParser parser, Identify identify, Throttle throttle, Lookup lookup, Verify verify,
            Authorize authorize, RateLimit rateLimit, Credits credits, Decision decision, CachedCredential.Login noLogin, Clock clock,
            Set<String> keyUsernames, boolean plaintextSasl) {
        this.parser = parser;
        this.identify = identify;
        this.throttle = throttle;
        this.lookup = lookup;
        this.verify = verify;
        this.authorize = authorize;
        this.rateLimit = rateLimit;
        this.credits = credits;
        this.decision = decision;
        this.noLogin = noLogin;
        this.clock = clock;
        this.keyUsernames = keyUsernames;
        this.plaintextSasl = plaintextSasl;
    }

    @Override
    public AuthResult authenticate(AuthRequest request) {
        Attempt a = decision.timed(new Attempt(request));
        String token = API.token(request);
        if (token != null) {
            return checkToken(a, token);
        }
        Scratch sc = scratch.get();
        KeyBytes key = sc.key;
        try {
            ParseResult parsed = parse(request, key);
            if (parsed == ParseResult.KEY_IN_BUFFER) {
                KeyFormat.Failure failure = identify.check(key);
                if (failure == null || key.printableAscii()) {
                    return checkToken(a, sc, failure);
                }
                parsed = parse(request, null); // not a key of any format: the exact parse tells why
            }
            switch (parsed.kind()) {
                case NOT_THIS_SCHEME:
                    return decision.deny(a, DenyReason.MISSING_CREDENTIALS, null);
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
        java.util.List<String> headers = API.headers(request);
        return headers == null ? parser.parse(API.header(request), into) : parser.parse(headers, into);
    }

    /** {@link #checkToken(Attempt, Scratch, KeyFormat.Failure)} for a token given as text. */
    private AuthResult checkToken(Attempt a, String token) {
        Scratch sc = scratch.get();
        KeyBytes key = sc.key;
        try {
            if (token.length() > identify.longestToken() || !key.setAscii(token)) {
                // Longer than any format allows (so never copied: the cost stays bounded by the format),
                // or not ASCII, which no format accepts; the text parse names the rule it broke.
                return fail(a, DenyReason.UNKNOWN_KEY, "FORMAT_" + identify.failureOf(token).name());
            }
            return checkToken(a, sc, identify.check(key));
        } finally {
            key.wipe();
        }
    }

    /**
     * Identify → Throttle (misses only) → Lookup → Verify for the API key in {@code sc.key} (ASCII),
     * then the record stages; {@code failure} is what the native format said of it.
     */
    private AuthResult checkToken(Attempt a, Scratch sc, KeyFormat.Failure failure) {
        KeyId id = identify.identify(sc.key, sc.id, failure);
        if (id == null) {
            return fail(a, DenyReason.UNKNOWN_KEY, "FORMAT_" + failure.name());
        }
        long now = clock.millis(); // read once: cache ages, expiry, last use in the usage tally
        CachedCredential c = lookup.cached(id, now);
        if (c == null) {
            String idText = id.toString();
            a.subject = Subject.unknownKey(idText);
            // Only a store miss is throttled: a cached record costs a digest, and a 190-bit secret cannot be guessed.
            Denial d = throttle.keyMiss(a);
            if (d != null) {
                return decision.deny(a, d);
            }
            c = lookup.byId(a, idText, now);
            if (c == null) {
                return decision.deny(a, Denial.STORE_UNAVAILABLE);
            }
            now = clock.millis(); // a store round-trip later: the account and expiry are checked now
        }
        // One path for known and unknown ids up to a single denial (see the package note): an unknown
        // id, or an unreadable digest, has a placeholder digest of its own, checked the same way.
        a.subject = c.subject; // made with the entry: a hit, known or not, makes nothing
        if (!verify.token(c, sc.key)) {
            return fail(a, c.mismatch, c.mismatchDetail);
        }
        return admit(a, c, now, null);
    }

    /**
     * Identify → Lookup → Verify for a token given as text, with no event and no budget spent:
     * what {@code KeyManager.whoami} and leak reports verify with, so a token is verified in one
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
            if (token.length() > identify.longestToken() || !key.setAscii(token)) {
                return null;
            }
            KeyId id = identify.identify(key, sc.id, identify.check(key));
            if (id == null) {
                return null;
            }
            long now = clock.millis();
            CachedCredential c = lookup.cached(id, now);
            if (c == null) {
                c = lookup.byId(id.toString(), now);
            }
            return verify.token(c, key) ? c.record : null;
        } finally {
            key.wipe();
        }
    }

    /** Throttle → Lookup → Verify for a username and password, then the record stages. */
    private AuthResult checkPassword(Attempt a, String username, String password) {
        String login = canonicalLogin(username);
        // The budget is the login's, however it was spelled: every spelling the lookup folds into
        // one login spends one budget. A name that cannot be a login keeps its own (it reaches no one).
        String budgetName = login != null ? login : username;
        Denial d = throttle.login(a, budgetName);
        if (d != null) {
            return decision.deny(a, d);
        }
        long now = clock.millis();
        CachedCredential c = null;
        if (login != null) {
            c = lookup.byUsername(a, login, now);
            if (c == null) {
                return decision.deny(a, Denial.STORE_UNAVAILABLE);
            }
        }
        // One path for known and unknown usernames up to a single denial (see the package note):
        // every entry carries a Login with the same fields; an unknown username's is checked against no
        // account (its budget is spent and read, but never refuses, so it blocks nobody) and verified
        // against the hasher's dummy hash, which nothing matches, at the default cost.
        CachedCredential.Login l = c == null ? noLogin : c.login;
        a.subject = l.subject;
        boolean known = throttle.isKnown(l, a);
        d = throttle.account(a, l, known);
        if (d != null) {
            return decision.deny(a, d);
        }
        // The pair as the budget knows the login: every spelling of a login is one pair.
        LoginCache.Fingerprint fingerprint = verify.fingerprint(budgetName, password);
        String network = throttle.network(a);
        LoginCache.Seen seen = verify.remembered(fingerprint, network, l);
        if (seen == LoginCache.Seen.VERIFIED) {
            return admit(a, c, now, null); // verified before, for this very record version: one HMAC instead of Argon2
        }
        if (seen == LoginCache.Seen.FAILED) {
            // This very pair failed from this network at this record version: a client retrying a wrong
            // password is denied as before, without Argon2 and without spending its budgets again.
            return decision.deny(a, l.mismatch, l.mismatchDetail);
        }
        Verify.Checked v = verify.password(fingerprint, network, l, password);
        switch (v.outcome()) {
            case BUSY:
                a.retryAfter = BUSY_RETRY;
                return decision.deny(a, DenyReason.BUSY, null);
            case MISMATCH:
                if (v.firstFailure()) {
                    throttle.loginFailed(a, budgetName, l, known);
                }
                return decision.deny(a, l.mismatch, l.mismatchDetail);
            default:
                throttle.loginSucceeded(a, l);
                // A rehash changed the hash, not the secret; a match always carries the record it matched.
                return admit(a, c, clock.millis(), Objects.requireNonNull(v.current()).secretHash()); // after a hash: the time it ends
        }
    }

    @Override
    public SaslExchange sasl(String mechanism, Object clientIp, boolean tlsActive) {
        return new DefaultSaslExchange(this, mechanism, Attempt.clientOf(Requests.checkClient(clientIp)),
                tlsActive || plaintextSasl);
    }

    /** Decides on a credential that a SASL exchange produced: an API key under a key username, or a login. */
    AuthResult saslCredential(ClientAddress client, String username, String password) {
        Attempt a = decision.timed(new Attempt(client));
        a.cost = 0; // logging in is free: an SMTP session pays per recipient, through authorize(…, cost)
        return keyUsernames.contains(username) ? checkToken(a, password) : checkPassword(a, username, password);
    }

    /**
     * Decides on an API key that an OAUTHBEARER or XOAUTH2 exchange carried as its bearer token, on
     * the same path as a key under a key username. The authorization identity the client asked to
     * act as must be absent, a key username, or a mailbox the key may send as ({@code messages:send}
     * on its domain, checked by the Authorize stage); anything else is refused before the key is
     * looked at.
     */
    AuthResult saslBearer(ClientAddress client, String token, String authzid) {
        Attempt a = decision.timed(new Attempt(client));
        a.cost = 0; // as saslCredential: logging in is free
        if (authzid != null && !keyUsernames.contains(authzid)) {
            String domain = ActAs.mailboxDomain(authzid);
            if (domain == null) {
                return fail(a, ActAs.NOT_AN_IDENTITY.reason, ActAs.NOT_AN_IDENTITY.detail);
            }
            a.permission = ActAs.SEND;
            a.resource = domain;
        }
        return checkToken(a, token);
    }

    /** A SASL exchange that ended before any credential: cancelled, malformed, refused. */
    AuthResult saslRefused(ClientAddress client, DenyReason reason, String detail, boolean spendsBudget) {
        Attempt a = new Attempt(client);
        return spendsBudget ? fail(a, reason, detail) : decision.deny(a, reason, detail);
    }

    @Override
    public AuthResult authorize(Principal principal, String permission, String resource) {
        return authorizeAgain(principal, Requests.validRequired(permission), Requests.validResource(resource), 0);
    }

    @Override
    public AuthResult authorize(Principal principal, String permission) {
        return authorizeAgain(principal, Requests.validRequired(permission), null, 0);
    }

    @Override
    public AuthResult authorize(Principal principal, String permission, long cost) {
        return authorizeAgain(principal, Requests.validRequired(permission), null, Requests.validCost(cost));
    }

    @Override
    public AuthResult authorize(Principal principal, String permission, String resource, long cost) {
        return authorizeAgain(principal, Requests.validRequired(permission), Requests.validResource(resource),
                Requests.validCost(cost));
    }

    private static final Denial RECORD_GONE = new Denial(DenyReason.REVOKED, "RECORD_GONE");
    private static final Denial SECRET_CHANGED = new Denial(DenyReason.REVOKED, "SECRET_CHANGED");

    /** Everything a new authentication would check but the secret, which must not have changed since. */
    private AuthResult authorizeAgain(Principal principal, String permission, String canonicalResource, long cost) {
        Objects.requireNonNull(principal, "principal");
        Attempt a = decision.timed(new Attempt(principal.channel(), (int) cost)); // validCost: at most MAX_COST
        a.client = principal.clientAddress();
        a.subject = API.identity(principal).subject;
        a.permission = permission;
        a.resource = canonicalResource;
        String verifiedHash = API.verifiedHash(principal);
        long now = clock.millis();
        CachedCredential c = lookup.byId(a, principal.keyId(), now);
        if (c == null) {
            return decision.deny(a, Denial.STORE_UNAVAILABLE);
        }
        if (!c.present() || !c.record.account().equals(principal.account())) {
            return decision.deny(a, RECORD_GONE);
        }
        if (!c.record.secretHash().equals(verifiedHash)) {
            return decision.deny(a, SECRET_CHANGED); // a new password ends the sessions of the old one
        }
        return admit(a, c, now, verifiedHash);
    }

    /**
     * Status → account → channel → Network → Authorize → Rate-limit → Credits, on a verified record,
     * at {@code now}; the request's cost is taken from limits and credits only once everything else
     * admitted it, and a credit refusal gives the limits their tokens back.
     *
     * @param verifiedHash the stored hash the secret was verified against, when it is not the cached record's
     */
    private AuthResult admit(Attempt a, CachedCredential c, long now, String verifiedHash) {
        Denial d = Status.ofRecord(c, now);
        if (d != null) {
            return decision.deny(a, d);
        }
        CachedAccount account = lookup.account(a, c, now);
        if (account == null) {
            return decision.deny(a, Denial.STORE_UNAVAILABLE);
        }
        if ((d = Status.ofAccount(account, c, a.channel())) != null
                || (d = Network.check(a, c, account)) != null
                || (d = authorize.check(c, a.permission, a.resource)) != null
                || (d = rateLimit.take(a, c, account)) != null) {
            return decision.deny(a, d);
        }
        if ((d = credits.take(a, c, account, now)) != null) {
            rateLimit.giveBack(a, c, account);
            return decision.deny(a, d);
        }
        return decision.allow(a, c, verifiedHash != null ? verifiedHash : c.secretHash, now);
    }

    /** The stored form of an SMTP username, or {@code null} if it cannot be one. */
    private static String canonicalLogin(String username) {
        try {
            return Names.canonicalUsername(username);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A denial that spends the client network's failure budget. */
    private AuthResult fail(Attempt a, DenyReason reason, String detail) {
        throttle.keyFailed(a);
        return decision.deny(a, reason, detail);
    }
}
