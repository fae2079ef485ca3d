package dev.portcullis.spi;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import dev.portcullis.Limit;
import dev.portcullis.AuthResult.RateLimitStatus;
import org.jspecify.annotations.Nullable;

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
     * only when first asked for, so an admitted request costs this one small object; with a single
     * local quota its remaining count is read then too (it is advice for a header, not a decision).
     */
    final class Take {
        private final boolean allowed;
        private final long nanosToWait;
        private final Limit limit;
        private final long remaining;
        /** A status the limiter worked out itself ({@link #of}), or the first one worked out here. */
        private volatile RateLimitStatus given;
        /** The local bucket's remaining tokens, read only if the status is asked for. */
        private final java.util.function.LongSupplier lazyRemaining;

        private Take(boolean allowed, long nanosToWait, Limit limit, long remaining, RateLimitStatus given,
                java.util.function.LongSupplier lazyRemaining) {
            this.allowed = allowed;
            this.nanosToWait = nanosToWait;
            this.limit = limit;
            this.remaining = remaining;
            this.given = given;
            this.lazyRemaining = lazyRemaining;
        }

        /** Admitted by one local bucket, whose room is read when the status is first asked for. */
        public static Take admitted(Limit limit, java.util.function.LongSupplier remaining) {
            return new Take(true, 0, limit, 0, null, remaining);
        }

        /**
         * An outcome with a status the limiter computed itself (e.g. a backend with another
         * algorithm than a token bucket); {@code status} may be {@code null}.
         */
        public static Take of(boolean allowed, long nanosToWait, @Nullable RateLimitStatus status) {
            return new Take(allowed, allowed ? 0 : nanosToWait, null, 0, status, null);
        }

        /** Every bucket gave a token; {@code tightest} (or {@code null} if there was none) has {@code remaining} left. */
        public static Take admitted(@Nullable Limit tightest, long remaining) {
            return new Take(true, 0, tightest, remaining, null, null);
        }

        /**
         * A bucket of {@code limit} refused (after the others got their tokens back) and has a
         * token again in {@code nanosToWait}; {@code limit} is {@code null} when no bucket
         * answered (e.g. a fallback that denies).
         */
        public static Take refused(@Nullable Limit limit, long nanosToWait) {
            return new Take(false, nanosToWait, limit, 0, null, null);
        }

        public boolean allowed() {
            return allowed;
        }

        /** When refused, how long until the refusing bucket has a token again; else 0. */
        public long nanosToWait() {
            return nanosToWait;
        }

        /** The state of the tightest (or refusing) quota; {@code null} when no bucket answered. */
        public @Nullable RateLimitStatus status() {
            RateLimitStatus s = given;
            if (s != null || limit == null) {
                return s;
            }
            long left = lazyRemaining == null ? remaining : lazyRemaining.getAsLong();
            s = allowed ? RateLimitStatus.of(limit, left) : RateLimitStatus.refused(limit, nanosToWait);
            given = s; // asked twice, the same answer
            return s;
        }

        @Override
        public String toString() {
            return "Take[" + (allowed ? "admitted" : "refused") + ", " + status() + "]";
        }
    }

    /** Takes one token from every quota, or from none: {@code tryTakeAll(quotas, 1)}. */
    default Take tryTakeAll(List<Quota> quotas) {
        return tryTakeAll(quotas, 1);
    }

    /**
     * Takes {@code cost} tokens (at least 1) from every quota, or from none: tokens taken before a
     * refusal are given back. A cost above a bucket's capacity is refused by it.
     */
    Take tryTakeAll(List<Quota> quotas, long cost);

    /**
     * Gives {@code cost} tokens back to every quota, after an admitted {@link #tryTakeAll} whose
     * request was then denied by a later check (its credits); a bucket never holds more than its
     * capacity. Never throws; a backend that cannot answer gives nothing back (the request then
     * counted, which can deny a later one early but never admits one too many).
     */
    void giveBack(List<Quota> quotas, long cost);

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

    /** Buckets in this process's memory, on {@code clock}; buckets that have filled up again are dropped. */
    static RateLimiter local(Clock clock) {
        return new dev.portcullis.internal.limit.LocalRateLimiter(clock);
    }
}
