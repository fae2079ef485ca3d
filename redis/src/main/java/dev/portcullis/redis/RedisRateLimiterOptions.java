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
 *         .requestTimeout(Duration.ofMillis(500))
 *         .failuresToOpen(3).openDuration(Duration.ofMillis(500))
 *         .fallback(Fallback.LOCAL_SHARE).nodeCount(4)
 *         .listener(e -> log.warn("rate limits now {}", e.state()))
 *         .build();
 * }</pre>
 */
public final class RedisRateLimiterOptions {
    private static final Duration MAX_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Default request timeout. Sized from {@code FleetLatency} (docs/integration-redis.md): on 2
     * cores at load 4–7 the slowest of 240,000 hot-key calls took 360 ms and no call completed for
     * at most 193 ms; 500 ms is above the first, and the breaker needs failures spanning a whole
     * timeout, 2.6 times the second.
     */
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMillis(500);
    /** Default probe interval: back on Redis within about half a second of its return. */
    static final Duration DEFAULT_OPEN_DURATION = Duration.ofMillis(500);

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
        this.requestTimeout = b.requestTimeout != null ? b.requestTimeout : DEFAULT_REQUEST_TIMEOUT;
        this.failuresToOpen = b.failuresToOpen != null ? b.failuresToOpen : 3;
        this.openDuration = b.openDuration != null ? b.openDuration : DEFAULT_OPEN_DURATION;
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
         * The most a request waits for Redis's answer; default 500 ms. A call not answered in time
         * is refused (Redis may have taken its tokens: the fallback does not decide it too), and if
         * its answer comes later and says admitted, its tokens are given back. Size it above the
         * slowest call you see under your worst load: it is also the breaker's patience (see
         * {@link #failuresToOpen}), and a hung Redis opens the breaker after about twice this.
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
         * Failed Redis calls in a row (no success between them) that open the breaker; default 3.
         * Calls that could not be sent (the connection is down) open it at this count; calls that
         * timed out only once the first of them is at least {@link #requestTimeout} old, so that
         * one stall, which fails every call in flight at once, does not. A call that was not sent
         * is answered by the fallback; one that timed out is refused.
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
         * Redis stays away; default 500 ms, so decisions are back on Redis within about that of its
         * return. A probe is a connect (if the connection is down) and a SCRIPT LOAD, on the
         * limiter's own thread, never on a request. Also the Retry-After of a request refused
         * without a bucket's answer.
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
         * The clock refills are computed on; default {@link Clock#systemUTC()}, which means Redis's
         * own clock ({@code TIME} in the script), the same for every node. Any other clock is read
         * here and sent with each call: set one only to test, with the same clock as
         * {@code Portcullis.builder().clock(..)}.
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
