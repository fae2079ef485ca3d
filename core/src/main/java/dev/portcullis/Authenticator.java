package dev.portcullis;

import org.jspecify.annotations.Nullable;

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
     * authenticated (a password change ends the session). Takes no rate-limit token and no credit. The result
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
     * {@link #authorize(Principal, String, String)} that also charges {@code cost} (0 to
     * {@link AuthRequest#MAX_COST}), exactly as {@link AuthRequest#cost} does: every rate limit of
     * the key and its account takes {@code cost} tokens, then its credits lose {@code cost}, all or
     * nothing, and only if every other check admitted it. The SMTP adapter charges 1 per accepted
     * {@code RCPT} with it; logging in through {@link #sasl} is free.
     *
     * @throws IllegalArgumentException as the three-argument form, or for a cost out of range
     */
    AuthResult authorize(Principal principal, String permission, String resource, long cost);

    /** {@link #authorize(Principal, String, String, long)} for a collection, as {@link #authorize(Principal, String)}. */
    AuthResult authorize(Principal principal, String permission, long cost);

    /**
     * Starts an SMTP AUTH exchange for {@code mechanism} ({@code PLAIN}, {@code LOGIN},
     * {@code OAUTHBEARER} or {@code XOAUTH2}, case ignored) from {@code clientIp} (a {@code String},
     * {@link java.net.InetAddress} or {@link ClientAddress}). Without TLS the exchange refuses at
     * once with {@code 538 5.7.11}, unless Portcullis was built with
     * {@code insecureAllowSaslWithoutTls()}: every mechanism sends its secret in the clear. The
     * password of a configured key username ({@code api}, …) is taken as an API key, SparkPost and
     * SendGrid style; OAUTHBEARER (RFC 7628) and XOAUTH2 carry an API key as the bearer token, with
     * an authorization identity ({@code a=}, {@code user=}) that is absent, a key username, or a
     * mailbox at a domain the key may send for. A refused bearer key gets the RFC 7628 error
     * challenge first ({@link SaslExchange.SaslStep#result()} is then already the denial), and the
     * refusal once the client answers it.
     */
    SaslExchange sasl(String mechanism, @Nullable Object clientIp, boolean tlsActive);
}
