package dev.portcullis;

/**
 * Why a request was denied. The fine reasons are for audit; on the wire every credential
 * problem renders the same (see {@link AuthResult#http()} and {@link AuthResult#smtp()}).
 */
public enum DenyReason {
    /** No credentials in a form this authenticator reads. */
    MISSING_CREDENTIALS(401, 530, "5.7.0", 530, "5.7.0"),
    /** Credentials in a known scheme, but malformed (bad base64, no colon, control characters, …). */
    MALFORMED_CREDENTIALS(401, 501, "5.5.2", 501, "5.5.2"),
    /** Not a key of the configured format, or no record with its id or username. */
    UNKNOWN_KEY(401, 535, "5.7.8", 535, "5.7.8"),
    /** The record exists; the secret or password does not match. */
    WRONG_SECRET(401, 535, "5.7.8", 535, "5.7.8"),
    REVOKED(401, 535, "5.7.8", 535, "5.7.8"),
    EXPIRED(401, 535, "5.7.8", 535, "5.7.8"),
    /** The credential may not be used from this client address. */
    IP_NOT_ALLOWED(403, 535, "5.7.8", 550, "5.7.1"),
    /** The credential lacks the permission on the resource, or the resource is another account's. */
    PERMISSION_DENIED(403, 550, "5.7.1", 550, "5.7.1"),
    RATE_LIMITED(429, 450, "4.7.1", 450, "4.7.1"),
    /**
     * The key's or its account's credits cannot pay the request's cost (HTTP 429, with
     * {@code Retry-After} only when a refill is due). Over SMTP, at {@code RCPT}: {@code 452 4.5.3},
     * a transient refusal of this recipient (RFC 5321 §4.5.3.1.10: a client that gets 452 for a
     * recipient keeps the ones accepted and sends the rest later; RFC 3463 X.5.3 "too many
     * recipients"), so the message goes to the recipients already paid for.
     */
    CREDITS_EXHAUSTED(429, 452, "4.5.3", 452, "4.5.3"),
    /** The client (network, username or account) spent its failure budget. */
    TOO_MANY_FAILURES(429, 454, "4.7.0", 454, "4.7.0"),
    ACCOUNT_SUSPENDED(403, 535, "5.7.8", 535, "5.7.8"),
    /** All password-hashing slots stayed busy; try again shortly. */
    BUSY(503, 454, "4.7.0", 454, "4.7.0"),
    /** The credential store could not answer and the cache had no answer either. */
    STORE_UNAVAILABLE(503, 454, "4.7.0", 454, "4.7.0");

    private final int httpStatus;
    private final int smtpAuthCode;
    private final String smtpAuthEnhanced;
    private final int smtpMailCode;
    private final String smtpMailEnhanced;

    DenyReason(int httpStatus, int smtpAuthCode, String smtpAuthEnhanced, int smtpMailCode, String smtpMailEnhanced) {
        this.httpStatus = httpStatus;
        this.smtpAuthCode = smtpAuthCode;
        this.smtpAuthEnhanced = smtpAuthEnhanced;
        this.smtpMailCode = smtpMailCode;
        this.smtpMailEnhanced = smtpMailEnhanced;
    }

    public int httpStatus() {
        return httpStatus;
    }

    int smtpCode(boolean atMail) {
        return atMail ? smtpMailCode : smtpAuthCode;
    }

    String smtpEnhanced(boolean atMail) {
        return atMail ? smtpMailEnhanced : smtpAuthEnhanced;
    }

    /** Whether this is a problem with the credentials themselves (the same 401 for all of them). */
    public boolean isCredentialProblem() {
        return httpStatus == 401;
    }
}
