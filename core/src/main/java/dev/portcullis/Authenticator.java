package dev.portcullis;

/**
 * Decides on requests: the read half of {@link Portcullis}. Never throws for bad input or a
 * failing store; every problem is a denial with a {@link DenyReason}, and every attempt emits one
 * {@link AuthEvent}. Thread-safe.
 */
public interface Authenticator {

    /**
     * Runs the pipeline of DESIGN §2 on one request: Parse → Identify → Throttle → Lookup → Verify
     * → Status → Network → Authorize (if the request {@linkplain AuthRequest#require requires} a
     * permission) → Rate-limit.
     */
    AuthResult authenticate(AuthRequest request);

    /**
     * Checks an already authenticated principal again, e.g. at SMTP {@code MAIL FROM}, because a
     * session can outlive a revocation: the record as stored now (revoked, expired, suspended),
     * its allowlist against the address the principal authenticated from, and the grant of
     * {@code permission} on {@code resource} (ownership included, with {@link ResourceOwners}).
     * Takes no rate-limit token. The result renders as a MAIL/RCPT reply in {@link AuthResult#smtp()}.
     */
    AuthResult authorize(Principal principal, String permission, String resource);

    /**
     * Starts an SMTP AUTH exchange for {@code mechanism} ({@code PLAIN} or {@code LOGIN}, case
     * ignored) from {@code clientIp} (a {@code String}, {@link java.net.InetAddress} or
     * {@link ClientAddress}). Without TLS the exchange refuses at once with {@code 538 5.7.11},
     * unless Portcullis was built with {@code insecureAllowSaslWithoutTls()}: both mechanisms send
     * the password in the clear. The password of a configured key username ({@code api}, …) is
     * taken as an API key, SparkPost and SendGrid style.
     */
    SaslExchange sasl(String mechanism, Object clientIp, boolean tlsActive);
}
