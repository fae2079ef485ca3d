package dev.portcullis;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The decision on one request: allowed with a {@link Principal}, or denied with a
 * {@link DenyReason}; and its wire renderings, so adapters write no mapping of their own.
 * Immutable; holds no secret.
 */
public final class AuthResult {
    private final Principal principal;
    private final DenyReason reason;
    private final Duration retryAfter;
    /** The limiter's answer, kept as it came: its status is worked out only if someone reads it. */
    private final RateLimiter.Take rateLimit;
    private final boolean atMail;
    private final String realm;

    private AuthResult(Principal principal, DenyReason reason, Duration retryAfter,
            RateLimiter.Take rateLimit, boolean atMail, String realm) {
        this.principal = principal;
        this.reason = reason;
        this.retryAfter = retryAfter;
        this.rateLimit = rateLimit;
        this.atMail = atMail;
        this.realm = realm;
    }

    static AuthResult allow(Principal p, RateLimiter.Take rate, boolean atMail, String realm) {
        return new AuthResult(p, null, null, rate, atMail, realm);
    }

    static AuthResult deny(DenyReason reason, Duration retryAfter, RateLimiter.Take rate, boolean atMail, String realm) {
        return new AuthResult(null, reason, retryAfter, rate, atMail, realm);
    }

    public boolean allowed() {
        return reason == null;
    }

    /** Who was allowed; {@code null} when denied. */
    public Principal principal() {
        return principal;
    }

    /** Why it was denied; {@code null} when allowed. */
    public DenyReason reason() {
        return reason;
    }

    /** When to try again, for {@code RATE_LIMITED}, {@code TOO_MANY_FAILURES}, {@code BUSY} and {@code STORE_UNAVAILABLE}; else {@code null}. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The tightest rate limit's state, when a policy applied; else {@code null}. */
    public RateLimitStatus rateLimit() {
        return rateLimit == null ? null : rateLimit.status();
    }

    /**
     * The HTTP answer (DESIGN §4): 200, or 401 with {@code WWW-Authenticate: Basic realm="…",
     * charset="UTF-8"} for every credential problem alike, 403, 429 or 503 with
     * {@code Retry-After}, and the {@code RateLimit}/{@code RateLimit-Policy} fields when a limit applied.
     */
    public HttpVerdict http() {
        Map<String, String> h = new LinkedHashMap<>();
        RateLimitStatus limit = rateLimit();
        if (limit != null) {
            h.put("RateLimit-Policy", "\"default\";q=" + limit.quota() + ";w=" + limit.windowSeconds());
            h.put("RateLimit", "\"default\";r=" + limit.remaining() + ";t=" + limit.resetSeconds());
        }
        if (reason == null) {
            return new HttpVerdict(200, h, "OK");
        }
        int status = reason.httpStatus();
        if (status == 401) {
            h.put("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"");
        }
        if (retryAfter != null) {
            h.put("Retry-After", Long.toString(Math.max(1, ceilSeconds(retryAfter))));
        }
        return new HttpVerdict(status, h, switch (status) {
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 429 -> "Too Many Requests";
            default -> "Service Unavailable";
        });
    }

    /**
     * The SMTP answer (RFC 4954 §6): {@code 235 2.7.0} when allowed at AUTH, {@code 250 2.1.0}
     * when allowed at MAIL FROM, else the reply of DESIGN §4 for the phase the decision was made in
     * ({@link Authenticator#authenticate} and SASL: AUTH; {@link Authenticator#authorize}: MAIL/RCPT).
     */
    public SmtpReply smtp() {
        if (reason == null) {
            return atMail ? new SmtpReply(250, "2.1.0", "Sender OK") : new SmtpReply(235, "2.7.0", "Authentication successful");
        }
        int code = reason.smtpCode(atMail);
        String text = switch (code) {
            case 530 -> "Authentication required";
            case 501 -> "Syntax error in authentication data";
            case 535 -> "Authentication credentials invalid";
            case 550 -> "Not authorized to send as this sender";
            case 450 -> "Rate limit exceeded, try again later";
            default -> "Temporary authentication failure, try again later";
        };
        return new SmtpReply(code, reason.smtpEnhanced(atMail), text);
    }

    private static long ceilSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }

    @Override
    public String toString() {
        return reason == null ? "AuthResult[allowed " + principal + "]" : "AuthResult[denied " + reason + "]";
    }
}
