package dev.portcullis.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings of a {@link RedisRateLimiter}. Immutable; made by {@link #builder()}, whose setters may
 * each be called once.
 *
 * <pre>{@code
 * RedisRateLimiterOptions.builder()
 *         .keyPrefix("mailapi:rl:")
 *         .requestTimeout(Duration.ofMillis(100))
 *         .failuresToOpen(3).openDuration(Duration.ofSeconds(5))
 *         .fallback(Fallback.LOCAL_SHARE).nodeCount(4)
 *         .listener(e -> log.warn("rate limits now {}", e.state()))
 *         .build();
 * }</pre>
 */
public final class RedisRateLimiterOptions {
    private static final Duration MAX_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final String keyPrefix;
    private final Duration requestTimeout;
    private final int failuresToOpen;
    private final Duration openDuration;
    private final Fallback fallback;
    private final int nodeCount;
    private final Duration keepAfterRefill;
    private final Consumer<BreakerEvent> listener;
    private final Clock clock;

    private RedisRateLimiterOptions(Builder b) {
        this.keyPrefix = b.keyPrefix != null ? b.keyPrefix : "portcullis:rl:";
        this.requestTimeout = b.requestTimeout != null ? b.requestTimeout : Duration.ofMillis(100);
        this.failuresToOpen = b.failuresToOpen != null ? b.failuresToOpen : 3;
        this.openDuration = b.openDuration != null ? b.openDuration : Duration.ofSeconds(5);
        this.fallback = b.fallback != null ? b.fallback : Fallback.LOCAL;
        if (this.fallback == Fallback.LOCAL_SHARE && b.nodeCount == null) {
            throw new IllegalStateException("fallback LOCAL_SHARE needs nodeCount: the limit is divided by it");
        }
        this.nodeCount = b.nodeCount != null ? b.nodeCount : 1;
        this.keepAfterRefill = b.keepAfterRefill != null ? b.keepAfterRefill : Duration.ofSeconds(10);
        this.listener = b.listener != null ? b.listener : e -> { };
        this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    }

    /** Every setting at its default. */
    public static RedisRateLimiterOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public int failuresToOpen() {
        return failuresToOpen;
    }

    public Duration openDuration() {
        return openDuration;
    }

    public Fallback fallback() {
        return fallback;
    }

    public int nodeCount() {
        return nodeCount;
    }

    public Duration keepAfterRefill() {
        return keepAfterRefill;
    }

    public Consumer<BreakerEvent> listener() {
        return listener;
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "RedisRateLimiterOptions[keyPrefix=" + keyPrefix + ", requestTimeout=" + requestTimeout
                + ", failuresToOpen=" + failuresToOpen + ", openDuration=" + openDuration + ", fallback=" + fallback
                + (fallback == Fallback.LOCAL_SHARE ? ", nodeCount=" + nodeCount : "")
                + ", keepAfterRefill=" + keepAfterRefill + "]";
    }

    /** Set-once setters; {@link #build()} checks what depends on several of them. */
    public static final class Builder {
        private String keyPrefix;
        private Duration requestTimeout;
        private Integer failuresToOpen;
        private Duration openDuration;
        private Fallback fallback;
        private Integer nodeCount;
        private Duration keepAfterRefill;
        private Consumer<BreakerEvent> listener;
        private Clock clock;

        private Builder() {
        }

        private static void once(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set to " + current);
            }
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }

        /**
         * Prepended to every Redis key this limiter writes; default {@code portcullis:rl:}. Give each
         * application sharing a Redis its own.
         *
         * @throws IllegalStateException if already set
         * @throws IllegalArgumentException if empty
         */
        public Builder keyPrefix(String prefix) {
            once(this.keyPrefix, "keyPrefix");
            if (Objects.requireNonNull(prefix, "prefix").isEmpty()) {
                throw new IllegalArgumentException("keyPrefix must not be empty");
            }
            this.keyPrefix = prefix;
            return this;
        }

        /**
         * The most one bucket operation may wait on Redis (all its round trips); default 100 ms.
         * Without it Bucket4j would wait for Lettuce's command timeout, 60 s by default.
         *
         * @throws IllegalStateException if already set
         * @throws IllegalArgumentException if not positive or over 10 s
         */
        public Builder requestTimeout(Duration timeout) {
            once(this.requestTimeout, "requestTimeout");
            if (positive(timeout, "requestTimeout").compareTo(MAX_REQUEST_TIMEOUT) > 0) {
                throw new IllegalArgumentException("requestTimeout must be at most " + MAX_REQUEST_TIMEOUT + ", got " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Consecutive failed Redis calls that open the breaker; default 3. Each of them is still
         * answered, by the fallback.
         *
         * @throws IllegalStateException if already set
         * @throws IllegalArgumentException if below 1
         */
        public Builder failuresToOpen(int failures) {
            once(this.failuresToOpen, "failuresToOpen");
            if (failures < 1) {
                throw new IllegalArgumentException("failuresToOpen must be at least 1, got " + failures);
            }
            this.failuresToOpen = failures;
            return this;
        }

        /**
         * How long the breaker stays open before a probe tries Redis again, and between probes while
         * Redis stays away; default 5 s. Probes run on the limiter's own thread, never on a request.
         *
         * @throws IllegalStateException if already set
         * @throws IllegalArgumentException if not positive
         */
        public Builder openDuration(Duration duration) {
            once(this.openDuration, "openDuration");
            this.openDuration = positive(duration, "openDuration");
            return this;
        }

        /**
         * How to decide while Redis cannot answer; default {@link Fallback#LOCAL}.
         *
         * @throws IllegalStateException if already set
         */
        public Builder fallback(Fallback fallback) {
            once(this.fallback, "fallback");
            this.fallback = Objects.requireNonNull(fallback, "fallback");
            return this;
        }

        /**
         * Nodes sharing the limits, for {@link Fallback#LOCAL_SHARE} (required there, unused elsewhere).
         *
         * @throws IllegalStateException if already set
         * @throws IllegalArgumentException if below 1
         */
        public Builder nodeCount(int nodes) {
            once(this.nodeCount, "nodeCount");
            if (nodes < 1) {
                throw new IllegalArgumentException("nodeCount must be at least 1, got " + nodes);
            }
            this.nodeCount = nodes;
            return this;
        }

        /**
         * How long a Redis key outlives the moment its bucket would be full again; default 10 s. A
         * full bucket is the same as none, so the key can go: this margin only covers clock skew
         * between nodes.
         *
         * @throws IllegalStateException if already set
         * @throws IllegalArgumentException if negative
         */
        public Builder keepAfterRefill(Duration keep) {
            once(this.keepAfterRefill, "keepAfterRefill");
            if (Objects.requireNonNull(keep, "keepAfterRefill").isNegative()) {
                throw new IllegalArgumentException("keepAfterRefill must not be negative, got " + keep);
            }
            this.keepAfterRefill = keep;
            return this;
        }

        /**
         * Told of every breaker switch. Called synchronously on the switching thread (a request's or
         * the probe's): it must be fast and must not throw; what it throws is logged and ignored.
         *
         * @throws IllegalStateException if already set
         */
        public Builder listener(Consumer<BreakerEvent> listener) {
            once(this.listener, "listener");
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The clock refills are computed on; default {@link Clock#systemUTC()}. Bucket4j's CAS
         * backend computes on the client, so every node must use the same time (NTP); set this
         * only to test, with the same clock as {@code Portcullis.builder().clock(..)}.
         *
         * @throws IllegalStateException if already set
         */
        public Builder clock(Clock clock) {
            once(this.clock, "clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @throws IllegalStateException if {@link Fallback#LOCAL_SHARE} was chosen without a node count */
        public RedisRateLimiterOptions build() {
            return new RedisRateLimiterOptions(this);
        }
    }
}
