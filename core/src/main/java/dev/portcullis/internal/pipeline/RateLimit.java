package dev.portcullis.internal.pipeline;

import dev.portcullis.Check;
import dev.portcullis.DenyReason;
import dev.portcullis.spi.RateLimiter;

import java.time.Duration;
import java.util.List;

/**
 * The Rate-limit stage (DESIGN §2): every limit of the key and of its account must admit; enforced
 * quotas are taken first (all or none, by the limiter), report-only ones after, and those never deny.
 */
final class RateLimit {
    private static final Denial RATE_LIMITED = new Denial(DenyReason.RATE_LIMITED, null);

    private final RateLimiter limiter;

    RateLimit(RateLimiter limiter) {
        this.limiter = limiter;
    }

    /**
     * Takes the request's quotas: {@code null} if admitted ({@code a.rate} then holds the enforced
     * answer, if any limit was enforced), else the denial, with {@code a.rate} and {@code a.retryAfter}.
     */
    Denial take(Attempt a, CachedCredential c, CachedAccount account) {
        boolean keyReports = account.reportRate || c.record.reportOnly().contains(Check.RATE_LIMIT);
        // Enforced quotas first; report-only ones are taken after, and never deny.
        List<RateLimiter.Quota> enforced = keyReports ? (account.reportRate ? List.of() : account.quotas) : c.quotasWith(account);
        List<RateLimiter.Quota> reported = keyReports ? (account.reportRate ? c.quotasWith(account) : c.quotas) : List.of();
        if (!enforced.isEmpty()) {
            RateLimiter.Take take = limiter.tryTakeAll(enforced);
            a.rate = take; // so a 429 carries RateLimit and RateLimit-Policy too
            if (!take.allowed()) {
                a.retryAfter = Duration.ofNanos(Math.max(take.nanosToWait(), 1_000_000));
                return RATE_LIMITED;
            }
        }
        if (!reported.isEmpty() && !limiter.tryTakeAll(reported).allowed() && a.wouldDeny == null) {
            a.wouldDeny = DenyReason.RATE_LIMITED;
        }
        return null;
    }
}
