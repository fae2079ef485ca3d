package dev.portcullis.internal.access;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.AuthResult.SmtpReply;
import dev.portcullis.Channel;
import dev.portcullis.Check;
import dev.portcullis.ClientAddress;
import dev.portcullis.DenyReason;
import dev.portcullis.Grant;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeyInfo;
import dev.portcullis.KeySpec;
import dev.portcullis.KeyUpdate;
import dev.portcullis.Principal;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.SaslExchange.SaslStep;
import dev.portcullis.internal.pipeline.Identity;
import dev.portcullis.spi.RateLimiter;

import inet.ipaddr.IPAddress;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What the internal packages may do with the API types that their public methods do not offer:
 * read a request, make a result or a principal, read a key format's byte-level check. Implemented
 * once, in {@code dev.portcullis}, and reached through {@link Api#get()} held in a
 * {@code static final} field, so every call is monomorphic and inlined (the JDK's
 * {@code SharedSecrets}, OkHttp's former {@code Internal.instance}). Not for users: the package is
 * not exported.
 */
public interface ApiAccess {
    // ---- AuthRequest ----------------------------------------------------------------------

    /** The one Authorization value, or {@code null} (then {@link #headers} or {@link #token}). */
    String header(AuthRequest r);

    List<String> headers(AuthRequest r);

    String token(AuthRequest r);

    /** As given: a {@code String}, {@code InetAddress}, {@code ClientAddress} or {@code null}. */
    Object client(AuthRequest r);

    String permission(AuthRequest r);

    /** Canonical, or {@code null} for a collection request. */
    String resource(AuthRequest r);

    /** 0 to {@code AuthRequest.MAX_COST}; 1 unless set. */
    long cost(AuthRequest r);

    // ---- results and principals -----------------------------------------------------------

    AuthResult allow(Principal p, RateLimiter.Take rate, AuthResult.CreditStatus credits, boolean atMail, String realm);

    AuthResult deny(DenyReason reason, Duration retryAfter, RateLimiter.Take rate, AuthResult.CreditStatus credits,
            boolean atMail, String realm);

    Principal principal(Identity who, ClientAddress client, Channel channel, String verifiedHash);

    Identity identity(Principal p);

    /** Whether {@code p} is the principal these would make: the same identity, client, channel and hash. */
    boolean isFor(Principal p, Identity who, ClientAddress client, Channel channel, String verifiedHash);

    /** The stored hash the principal's secret was verified against. */
    String verifiedHash(Principal p);

    SaslStep saslChallenge(String base64);

    SaslStep saslDone(AuthResult result, SmtpReply replyOrNull);

    /** An error challenge that already carries the denial (RFC 7628 §3.2.2). */
    SaslStep saslFailing(String base64, AuthResult denial);

    // ---- keys -----------------------------------------------------------------------------

    IssuedKey issuedKey(String secret, KeyInfo info);

    /** {@link KeyFormat#parse} of a native format over ASCII bytes, allocation-free; {@code null} if valid. */
    KeyFormat.Failure check(KeyFormat format, byte[] b, int from, int to);

    /** Where the key id starts in a native token. */
    int idOffset(KeyFormat format);

    /** The length of every native token of the format. */
    int tokenLength(KeyFormat format);

    Spec spec(KeySpec spec);

    Update update(KeyUpdate update);

    /** What a {@link KeySpec} holds, as checked when it was built. */
    record Spec(String account, String name, List<Grant> grants, List<String> allowlist, RateLimitPolicy rateLimit,
            Instant expiresAt, Duration lifetime, Set<Channel> channels, Set<Check> reportOnly, String username,
            String password, Long credits, dev.portcullis.Limit.Refill refill) {
        public boolean isLogin() {
            return username != null;
        }
    }

    /** What a {@link KeyUpdate} changes: a {@code null} (or unset) part changes nothing. */
    record Update(String name, List<Grant> grants, List<String> allowlist, RateLimitPolicy rateLimit, boolean rateLimitSet,
            Instant expiresAt, Duration lifetime, boolean expirySet, Set<Check> reportOnly) {}

    // ---- client addresses -----------------------------------------------------------------

    /** The IPv4 address as 32 bits; only for an IPv4 client. */
    int v4(ClientAddress a);

    /** The high 64 bits of an IPv6 client. */
    long v6High(ClientAddress a);

    /** The low 64 bits of an IPv6 client. */
    long v6Low(ClientAddress a);

    /** The IPAddress form; IPAddress types never leave the library. */
    IPAddress ip(ClientAddress a);

    /** Whether both are in one IPv4 /{@code v4Bits} or IPv6 /{@code v6Bits} network; allocation-free. */
    boolean sameNetwork(ClientAddress a, ClientAddress b, int v4Bits, int v6Bits);
}
