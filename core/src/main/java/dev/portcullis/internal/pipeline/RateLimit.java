package dev.portcullis.internal.pipeline;

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
        // Enforced quotas first; report-only ones are taken after, and never deny.
        List<RateLimiter.Quota> enforced = enforced(c, account);
        if (a.cost == 0) {
            return a.request() ? spent(a, enforced) : null; // re-authorizations and logins of a session are free
        }
        List<RateLimiter.Quota> reported = reported(c, account);
        if (!enforced.isEmpty()) {
            RateLimiter.Take take = limiter.tryTakeAll(enforced, a.cost);
            a.rate = take; // so a 429 carries RateLimit and RateLimit-Policy too
            if (!take.allowed()) {
                // A cost no bucket can ever hold gets no Retry-After: waiting will not help.
                a.retryAfter = take.nanosToWait() == Long.MAX_VALUE ? null : Duration.ofNanos(Math.max(take.nanosToWait(), 1_000_000));
                return RATE_LIMITED;
            }
        }
        if (!reported.isEmpty()) {
            RateLimiter.Take take = limiter.tryTakeAll(reported, a.cost);
            if (take.allowed()) {
                a.reportedTaken = true;
            } else if (a.wouldDeny == null) {
                a.wouldDeny = DenyReason.RATE_LIMITED;
            }
        }
        return null;
    }

    /**
     * A free request takes nothing, but is still refused by a limit it finds spent: cost 0 must not
     * switch rate limiting off for a key that is hammering a free route.
     */
    private Denial spent(Attempt a, List<RateLimiter.Quota> enforced) {
        for (int i = 0; i < enforced.size(); i++) {
            RateLimiter.Quota q = enforced.get(i);
            long wait = limiter.nanosUntilAvailable(q);
            if (wait > 0) {
                a.rate = RateLimiter.Take.refused(q.limit(), wait);
                a.retryAfter = Duration.ofNanos(Math.max(wait, 1_000_000));
                return RATE_LIMITED;
            }
        }
        return null;
    }

    /** The quotas that must admit the request: none of a report-only key or account. */
    private static List<RateLimiter.Quota> enforced(CachedCredential c, CachedAccount account) {
        boolean keyReports = account.reportRate || c.reportsRate;
        return keyReports ? (account.reportRate ? List.of() : account.quotas) : c.quotasWith(account);
    }

    /** The quotas that are taken and reported on, never refusing. */
    private static List<RateLimiter.Quota> reported(CachedCredential c, CachedAccount account) {
        boolean keyReports = account.reportRate || c.reportsRate;
        return keyReports ? (account.reportRate ? c.quotasWith(account) : c.quotas) : List.of();
    }

    /**
     * Gives back what {@link #take} took from the same credential and account, when a later stage
     * denied the request: a denial takes nothing. The quotas are the same lists again (both come
     * from the cached entries), so the attempt carries only whether the report-only ones admitted.
     */
    void giveBack(Attempt a, CachedCredential c, CachedAccount account) {
        if (a.cost == 0) {
            return;
        }
        List<RateLimiter.Quota> enforced = enforced(c, account);
        if (!enforced.isEmpty()) {
            limiter.giveBack(enforced, a.cost); // Credits runs only after every enforced quota admitted
        }
        if (a.reportedTaken) {
            limiter.giveBack(reported(c, account), a.cost);
            a.reportedTaken = false;
        }
    }
}
