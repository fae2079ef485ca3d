package dev.portcullis;

/**
 * Decides on requests: the read half of {@link Portcullis}. Never throws for bad credentials,
 * bad client input or a failing store; every such problem is a denial with a {@link DenyReason},
 * and every attempt emits one {@link AuthEvent}. A programming error in what the application
 * asks for (a {@code null} or malformed permission or resource) is an exception at the call,
 * never an allow. Thread-safe.
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
     * session can outlive a change to its credential. It re-checks everything a new
     * authentication would except the secret itself, on the record as stored now: revoked,
     * expired, account suspended, the channel the principal authenticated on, its allowlist
     * against the address the principal authenticated from, and the grant of {@code permission}
     * on {@code resource} (ownership included, with {@link ResourceOwners}); and it denies
     * ({@link DenyReason#REVOKED}) once the credential's secret changed since the principal
     * authenticated (a password change ends the session). Takes no rate-limit token. The result
     * renders as a MAIL/RCPT reply in {@link AuthResult#smtp()}.
     *
     * @throws NullPointerException if an argument is {@code null} (a collection check is {@link #authorize(Principal, String)})
     * @throws IllegalArgumentException if the permission is not a concrete {@code noun:verb} or the
     *     resource cannot be a resource name: bad input is never an allow
     */
    AuthResult authorize(Principal principal, String permission, String resource);

    /**
     * {@link #authorize(Principal, String, String)} for a collection: {@code permission} granted on
     * some resource of the principal's account (an SMTP null sender, an address-literal domain).
     */
    AuthResult authorize(Principal principal, String permission);

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
