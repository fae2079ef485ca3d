package dev.portcullis;

import dev.portcullis.internal.crypto.PasswordHasher;
import dev.portcullis.internal.wire.ApiKeyCredential;
import dev.portcullis.internal.wire.AuthorizationParser;
import dev.portcullis.internal.wire.ParseResult;
import dev.portcullis.internal.wire.PasswordCredential;
import dev.portcullis.store.KeyRecord;
import dev.portcullis.store.StoreException;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;

/**
 * The request pipeline of DESIGN §2, cheapest stage first: Parse → Identify → Lookup → Verify →
 * Status → Authorize. Every exit goes through {@link #deny} or {@link #allow}, which emit the one
 * event of the attempt.
 */
final class DefaultAuthenticator implements Authenticator {
    private static final System.Logger LOG = System.getLogger(Authenticator.class.getName());
    private static final Duration BUSY_RETRY = Duration.ofSeconds(1);
    private static final Duration STORE_RETRY = Duration.ofSeconds(5);

    private final Portcullis.Settings s;
    private final RecordCache cache;
    private final AuthorizationParser parser;

    DefaultAuthenticator(Portcullis.Settings settings, RecordCache cache) {
        this.s = settings;
        this.cache = cache;
        this.parser = AuthorizationParser.builder()
                .keyUsernames(settings.keyUsernames())
                .allowBareKey(settings.bareKeys())
                .build();
    }

    @Override
    public AuthResult authenticate(AuthRequest request) {
        Attempt a = new Attempt(Channel.HTTP, request);
        if (request.token() != null) {
            return checkToken(a, request.token());
        }
        ParseResult parsed = parser.parse(request.authorization());
        switch (parsed.kind()) {
            case NOT_THIS_SCHEME:
                return deny(a, DenyReason.MISSING_CREDENTIALS, null);
            case MALFORMED:
                return deny(a, DenyReason.MALFORMED_CREDENTIALS, parsed.reason().name());
            default:
                if (parsed.credential() instanceof ApiKeyCredential key) {
                    return checkToken(a, key.token());
                }
                PasswordCredential login = (PasswordCredential) parsed.credential();
                return checkPassword(a, login.username(), login.password());
        }
    }

    /** Identify → Lookup → Verify for an API key, then the record stages. */
    AuthResult checkToken(Attempt a, String token) {
        KeyFormat.Parsed parsed = s.format().parse(token);
        if (!parsed.valid()) {
            return deny(a, DenyReason.UNKNOWN_KEY, "FORMAT_" + parsed.failure().name());
        }
        a.keyId = parsed.keyId(); // safe to name: the checksum held
        CachedCredential c;
        try {
            c = cache.byId(a.keyId);
        } catch (StoreException e) {
            a.retryAfter = STORE_RETRY;
            return deny(a, DenyReason.STORE_UNAVAILABLE, null);
        }
        if (!c.present() || c.record.kind() != CredentialKind.API_KEY) {
            s.digests().matchDummy(token); // the same digest and compare as a known id
            return deny(a, DenyReason.UNKNOWN_KEY, "UNKNOWN_ID");
        }
        a.account = c.record.account();
        if (c.digest == null) {
            s.digests().matchDummy(token);
            return deny(a, DenyReason.WRONG_SECRET, "UNREADABLE_DIGEST");
        }
        if (!s.digests().matches(c.digest, token)) {
            return deny(a, DenyReason.WRONG_SECRET, null);
        }
        return admit(a, c);
    }

    /** Lookup → Verify for a username and password, then the record stages. */
    AuthResult checkPassword(Attempt a, String username, String password) {
        String login = canonicalLogin(username);
        CachedCredential c = null;
        if (login != null) {
            try {
                c = cache.byUsername(login);
            } catch (StoreException e) {
                a.retryAfter = STORE_RETRY;
                return deny(a, DenyReason.STORE_UNAVAILABLE, null);
            }
        }
        if (c == null || !c.present() || c.record.kind() != CredentialKind.PASSWORD) {
            // One default-cost run, so an unknown username costs what a known one does.
            if (s.hasher().verifyDummy(password).outcome() == PasswordHasher.Outcome.BUSY) {
                a.retryAfter = BUSY_RETRY;
                return deny(a, DenyReason.BUSY, null);
            }
            return deny(a, DenyReason.UNKNOWN_KEY, "UNKNOWN_USERNAME");
        }
        KeyRecord r = c.record;
        a.keyId = r.id();
        a.account = r.account();
        PasswordHasher.Result v = s.hasher().verify(r.secretHash(), r.passwordProfile(), password);
        switch (v.outcome()) {
            case BUSY:
                a.retryAfter = BUSY_RETRY;
                return deny(a, DenyReason.BUSY, null);
            case MISMATCH:
                return deny(a, DenyReason.WRONG_SECRET, null);
            default:
                return admit(a, c);
        }
    }

    /** Status → channel → Authorize, on a verified record. */
    private AuthResult admit(Attempt a, CachedCredential c) {
        KeyRecord r = c.record;
        if (r.isRevoked()) {
            return deny(a, DenyReason.REVOKED, null);
        }
        if (s.clock().millis() >= c.expiresAtMillis) {
            return deny(a, DenyReason.EXPIRED, null);
        }
        if (!r.channels().contains(a.channel)) {
            return deny(a, DenyReason.PERMISSION_DENIED, "CHANNEL");
        }
        String permission = a.request == null ? null : a.request.permission();
        if (permission != null && !permits(c.principal, permission, a.request.resource())) {
            return deny(a, DenyReason.PERMISSION_DENIED, null);
        }
        return allow(a, c.principal);
    }

    /** A resource request needs a grant covering it; a collection request (no resource) any grant of the permission. */
    static boolean permits(Principal p, String permission, String resource) {
        if (resource == null) {
            return p.hasPermission(permission);
        }
        String canonical = Grant.canonicalResource(resource);
        if (canonical == null) {
            return false;
        }
        for (Grant g : p.grants()) {
            if (g.permits(permission) && g.covers(canonical)) {
                return true;
            }
        }
        return false;
    }

    /** The stored form of an SMTP username, or {@code null} if it cannot be one. */
    private static String canonicalLogin(String username) {
        try {
            return SmtpCredentialSpec.canonicalUsername(username);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private AuthResult deny(Attempt a, DenyReason reason, String detail) {
        emit(a, false, reason, detail);
        return AuthResult.deny(reason, a.retryAfter, null, a.atMail, s.realm());
    }

    private AuthResult allow(Attempt a, Principal p) {
        emit(a, true, null, null);
        return AuthResult.allow(p, null, a.atMail, s.realm());
    }

    private void emit(Attempt a, boolean allowed, DenyReason reason, String detail) {
        if (s.listeners().isEmpty()) {
            return;
        }
        AuthEvent e = new AuthEvent(Instant.now(s.clock()), a.channel, allowed, reason, detail, a.keyId, a.account, a.clientText());
        for (AuthListener l : s.listeners()) {
            try {
                l.onEvent(e);
            } catch (RuntimeException | LinkageError ex) {
                LOG.log(System.Logger.Level.WARNING, "AuthListener " + l.getClass().getName() + " threw; ignored: " + ex);
            }
        }
    }

    /** What one attempt has learned so far; only safe values. */
    static final class Attempt {
        final Channel channel;
        final AuthRequest request;
        /** The client as parsed, or {@code null} if its address was not a strict literal. */
        final ClientAddress client;
        boolean atMail;
        String keyId;
        String account;
        Duration retryAfter;

        Attempt(Channel channel, AuthRequest request) {
            this.channel = channel;
            this.request = request;
            this.client = request == null ? null : clientOf(request.client());
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

        String clientText() {
            return client == null ? null : client.toString();
        }
    }
}
