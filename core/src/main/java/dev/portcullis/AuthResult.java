package dev.portcullis;

import java.time.Duration;
import java.util.Map;
import dev.portcullis.spi.RateLimiter;
import org.jspecify.annotations.Nullable;

/**
 * The decision on one request: allowed with a {@link Principal}, or denied with a
 * {@link DenyReason}; and its wire renderings, so adapters write no mapping of their own.
 * Immutable; holds no secret. An allowed result with no limit or credit state may be the same
 * instance an earlier equal request was given (see {@link Principal}).
 */
public final class AuthResult {
    private final Principal principal;
    private final DenyReason reason;
    private final Duration retryAfter;
    /** The limiter's answer, kept as it came: its status is worked out only if someone reads it. */
    private final RateLimiter.Take rateLimit;
    private final CreditStatus credits;
    private final boolean atMail;
    private final String realm;

    private AuthResult(Principal principal, DenyReason reason, Duration retryAfter,
            RateLimiter.Take rateLimit, CreditStatus credits, boolean atMail, String realm) {
        this.principal = principal;
        this.reason = reason;
        this.retryAfter = retryAfter;
        this.rateLimit = rateLimit;
        this.credits = credits;
        this.atMail = atMail;
        this.realm = realm;
    }

    static AuthResult allow(Principal p, RateLimiter.Take rate, CreditStatus credits, boolean atMail, String realm) {
        return new AuthResult(p, null, null, rate, credits, atMail, realm);
    }

    static AuthResult deny(DenyReason reason, Duration retryAfter, RateLimiter.Take rate, CreditStatus credits,
            boolean atMail, String realm) {
        return new AuthResult(null, reason, retryAfter, rate, credits, atMail, realm);
    }

    public boolean allowed() {
        return reason == null;
    }

    /** Who was allowed; {@code null} when denied. */
    public @Nullable Principal principal() {
        return principal;
    }

    /** Why it was denied; {@code null} when allowed. */
    public @Nullable DenyReason reason() {
        return reason;
    }

    /** When to try again, for {@code RATE_LIMITED}, {@code TOO_MANY_FAILURES}, {@code BUSY} and {@code STORE_UNAVAILABLE}; else {@code null}. */
    public @Nullable Duration retryAfter() {
        return retryAfter;
    }

    /** The tightest rate limit's state, when a policy applied; else {@code null}. */
    public @Nullable RateLimitStatus rateLimit() {
        return rateLimit == null ? null : rateLimit.status();
    }

    /**
     * The credit balance the request was charged to (the tightest of the key's and the account's),
     * when it has one and the request got as far as credits; else {@code null}.
     */
    public @Nullable CreditStatus credits() {
        return credits;
    }

    /**
     * The HTTP answer (DESIGN §4): 200, or 401 with {@code WWW-Authenticate: Basic realm="…",
     * charset="UTF-8"} for every credential problem alike, 403, 429 or 503 with
     * {@code Retry-After}, and the {@code RateLimit}/{@code RateLimit-Policy} fields when a limit applied.
     */
    public HttpVerdict http() {
        if (reason == null && rateLimit == null && credits == null) {
            return ALLOWED; // an allowed request with no limit: nothing to render, nothing to allocate
        }
        Fields h = new Fields();
        RateLimitStatus limit = rateLimit();
        if (limit != null || credits != null) {
            // draft-ietf-httpapi-ratelimit-headers-11: one item per policy. "t" is the effective window,
            // the time within which no more than "r" can be used: true of a refused bucket until its next
            // token, and of credits until their refill, but of no admitted token bucket (it refills all
            // along), so an admitted limit gives no "t".
            StringBuilder policy = new StringBuilder();
            StringBuilder state = new StringBuilder();
            if (limit != null) {
                policy.append("\"default\";q=").append(limit.quota()).append(";w=").append(limit.windowSeconds());
                state.append("\"default\";r=").append(limit.remaining());
                if (reason == DenyReason.RATE_LIMITED) {
                    state.append(";t=").append(limit.resetSeconds());
                }
            }
            if (credits != null) {
                // A balance that refills is a policy: its amount per refill period. One that does not has
                // no constant quota to announce (the policy SHOULD stay the same), only its state.
                if (credits.untilRefill() != null) {
                    policy.append(policy.length() > 0 ? ", " : "").append("\"credits\";q=").append(credits.refillAmount())
                            .append(";w=").append(Math.max(1, credits.windowSeconds()));
                }
                state.append(state.length() > 0 ? ", " : "").append("\"credits\";r=").append(credits.remaining());
                if (credits.untilRefill() != null) {
                    state.append(";t=").append(Math.max(1, ceilSeconds(credits.untilRefill())));
                }
            }
            if (policy.length() > 0) {
                h.put("RateLimit-Policy", policy.toString());
            }
            h.put("RateLimit", state.toString());
        }
        if (reason == null) {
            return new HttpVerdict(200, h.map(), "OK");
        }
        int status = reason.httpStatus();
        if (status == 401) {
            h.put("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"");
        }
        if (retryAfter != null) {
            h.put("Retry-After", Long.toString(Math.max(1, ceilSeconds(retryAfter))));
        }
        return new HttpVerdict(status, h.map(), switch (status) {
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
            case 452 -> "Out of credits for more recipients, try again later";
            default -> "Temporary authentication failure, try again later";
        };
        return new SmtpReply(code, reason.smtpEnhanced(atMail), text);
    }

    private static final HttpVerdict ALLOWED = new HttpVerdict(200, Map.of(), "OK");

    /**
     * The few fields of one verdict (at most four), made straight into the immutable map the verdict
     * keeps: no ordered map to build and copy on every request. The verdict's map has no order either way.
     */
    private static final class Fields {
        private final String[] kv = new String[8];
        private int n;

        void put(String name, String value) {
            kv[n++] = name;
            kv[n++] = value;
        }

        Map<String, String> map() {
            return switch (n) {
                case 0 -> Map.of();
                case 2 -> Map.of(kv[0], kv[1]);
                case 4 -> Map.of(kv[0], kv[1], kv[2], kv[3]);
                case 6 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5]);
                default -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7]);
            };
        }
    }

    private static long ceilSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }

    @Override
    public String toString() {
        return reason == null ? "AuthResult[allowed " + principal + "]" : "AuthResult[denied " + reason + "]";
    }

    /**
     * How an {@link AuthResult} is answered over HTTP: status, headers to set, and a generic message
     * that reveals nothing of which check failed. Adapters and gateways write no mapping of their own.
     *
     * @param status 200 when allowed, else 401, 403, 429 or 503
     * @param headers e.g. {@code WWW-Authenticate}, {@code Retry-After}, {@code RateLimit}, {@code RateLimit-Policy}
     * @param message a short human text such as {@code Unauthorized}
     */
    public record HttpVerdict(int status, Map<String, String> headers, String message) {
        public HttpVerdict {
            headers = Map.copyOf(headers);
        }

        /** A small JSON body: {@code {"message":"Unauthorized"}}. */
        public String jsonBody() {
            return "{\"message\":\"" + message + "\"}";
        }
    }

    /**
     * How an {@link AuthResult} is answered over SMTP (RFC 4954 §6, RFC 3463 enhanced codes).
     *
     * @param code e.g. 235, 535
     * @param enhanced e.g. {@code 2.7.0}, {@code 5.7.8}; {@code null} for a {@code 334} challenge
     * @param text a generic text
     */
    public record SmtpReply(int code, @Nullable String enhanced, String text) {
        /**
         * The reply line without CRLF, e.g. {@code 535 5.7.8 Authentication credentials invalid}, or
         * {@code 334 <challenge>} (no enhanced code) during an exchange.
         */
        public String line() {
            return enhanced == null ? code + " " + text : code + " " + enhanced + " " + text;
        }
    }

    /**
     * A credit balance after a decision: the key's or the account's, whichever has less left.
     *
     * @param remaining credits left; 0 on a refusal
     * @param refillAmount what the balance is set to at its next refill; 0 if it does not refill
     * @param untilRefill the time to that refill; {@code null} if it does not refill
     * @param windowSeconds the length of the current refill period (the {@code w} of its policy); 0 if it does not refill
     */
    public record CreditStatus(long remaining, long refillAmount, @Nullable Duration untilRefill, long windowSeconds) {
    }

    /**
     * The state of the tightest limit after a decision, for the {@code RateLimit} and
     * {@code RateLimit-Policy} fields of draft-ietf-httpapi-ratelimit-headers-11.
     *
     * @param quota {@code q}: the limit's capacity
     * @param windowSeconds {@code w}: its refill period in seconds
     * @param remaining {@code r}: requests left
     * @param resetSeconds {@code t}: seconds until the bucket is full again (admitted), or until it admits again (refused)
     */
    public record RateLimitStatus(long quota, long windowSeconds, long remaining, long resetSeconds) {
        /**
         * The state of a bucket of {@code limit} after an admitted request, holding {@code remaining}
         * tokens: {@code t} is the time until it is full again.
         */
        public static RateLimitStatus of(Limit limit, long remaining) {
            long window = Math.max(1, limit.period().toSeconds());
            double missing = limit.capacity() - remaining;
            long reset = (long) Math.ceil(missing / limit.rate() * limit.period().toMillis() / 1000.0);
            return new RateLimitStatus(limit.capacity(), window, remaining, reset);
        }

        /**
         * The state of a bucket of {@code limit} that refused a request: nothing remains, and {@code t}
         * is the time until it admits one again, the same as {@code Retry-After} (which the draft says
         * should not point earlier than {@code t}).
         */
        public static RateLimitStatus refused(Limit limit, long nanosToWait) {
            long window = Math.max(1, limit.period().toSeconds());
            long t = Math.max(1, nanosToWait / 1_000_000_000L + (nanosToWait % 1_000_000_000L > 0 ? 1 : 0));
            return new RateLimitStatus(limit.capacity(), window, 0, t);
        }
    }
}
