package dev.portcullis;

import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Token buckets behind the Rate-limit and Throttle stages: per-key and per-account limits, and
 * failure budgets. The local implementation keeps buckets in this process; the
 * {@code portcullis-redis} module keeps them on Redis for a fleet. Implementations must be
 * thread-safe, admit exactly (never more than a bucket holds under contention), and never throw:
 * a backend that cannot answer decides by its declared fallback.
 */
public interface RateLimiter {

    /**
     * One bucket: an opaque {@code key} naming it (the same key always means the same bucket) and
     * the {@link Limit} configuring it. Keys embed the limit, so a changed limit is a new bucket.
     */
    record Quota(String key, Limit limit) {
        public Quota {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(limit, "limit");
        }
    }

    /**
     * The outcome of {@link #tryTakeAll}: whether every bucket gave a token, and the state of the
     * quota with the least room left (when refused, the refusing one's). The state is worked out
     * only when asked for, so an admitted request costs this one small object.
     */
    final class Take {
        private final boolean allowed;
        private final long nanosToWait;
        private final Limit limit;
        private final long remaining;
        /** A status the limiter worked out itself ({@link #of}); else derived from the limit. */
        private final RateLimitStatus given;

        private Take(boolean allowed, long nanosToWait, Limit limit, long remaining, RateLimitStatus given) {
            this.allowed = allowed;
            this.nanosToWait = nanosToWait;
            this.limit = limit;
            this.remaining = remaining;
            this.given = given;
        }

        /**
         * An outcome with a status the limiter computed itself (e.g. a backend with another
         * algorithm than a token bucket); {@code status} may be {@code null}.
         */
        public static Take of(boolean allowed, long nanosToWait, RateLimitStatus status) {
            return new Take(allowed, allowed ? 0 : nanosToWait, null, 0, status);
        }

        /** Every bucket gave a token; {@code tightest} (or {@code null} if there was none) has {@code remaining} left. */
        public static Take admitted(Limit tightest, long remaining) {
            return new Take(true, 0, tightest, remaining, null);
        }

        /**
         * A bucket of {@code limit} refused (after the others got their tokens back) and has a
         * token again in {@code nanosToWait}; {@code limit} is {@code null} when no bucket
         * answered (e.g. a fallback that denies).
         */
        public static Take refused(Limit limit, long nanosToWait) {
            return new Take(false, nanosToWait, limit, 0, null);
        }

        public boolean allowed() {
            return allowed;
        }

        /** When refused, how long until the refusing bucket has a token again; else 0. */
        public long nanosToWait() {
            return nanosToWait;
        }

        /** The state of the tightest (or refusing) quota; {@code null} when no bucket answered. */
        public RateLimitStatus status() {
            if (limit == null) {
                return given;
            }
            return allowed ? RateLimitStatus.of(limit, remaining) : RateLimitStatus.refused(limit, nanosToWait);
        }

        @Override
        public String toString() {
            return "Take[" + (allowed ? "admitted" : "refused") + ", " + status() + "]";
        }
    }

    /** Takes one token from every quota, or from none: tokens taken before a refusal are given back. */
    Take tryTakeAll(List<Quota> quotas);

    /** Nanoseconds until {@code quota} has a token: 0 if it has one now. Takes nothing. */
    long nanosUntilAvailable(Quota quota);

    /** Takes one token from {@code quota} if it has one (a failure spends its budget). */
    void spend(Quota quota);

    /** Where the buckets are being decided right now, for health checks and metrics. */
    enum Mode {
        /** In this process: the local limiter, by design. */
        LOCAL,
        /** On the shared backend (e.g. Redis): fleet-wide limits. */
        REMOTE,
        /** The shared backend is unreachable; the declared fallback decides. */
        FALLBACK
    }

    /** Where buckets are decided now; {@link Mode#LOCAL} unless overridden. */
    default Mode mode() {
        return Mode.LOCAL;
    }

    /** Buckets in this process's memory, on {@code clock}; idle buckets are dropped once they would be full again. */
    static RateLimiter local(Clock clock) {
        return new LocalRateLimiter(clock);
    }
}
