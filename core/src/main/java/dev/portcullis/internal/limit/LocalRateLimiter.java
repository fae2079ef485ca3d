package dev.portcullis.internal.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.Limit;

/**
 * {@link RateLimiter#local}: Bucket4j buckets in a size-bounded Caffeine cache. Each bucket is
 * thread-unsafe and used only under its entry's monitor: exact under contention, allocation-free,
 * and one uncontended lock per take. The cache has no expiry (that would read a ticker and
 * reorder a timer wheel on every take, three times the cost of the take itself); instead, full
 * buckets are dropped in a sweep that runs, off the request thread, each time the limiter has
 * made as many new buckets as it held after the last sweep. A full bucket is the same as a new
 * one, so nothing is lost, and the cost is constant per new bucket.
 */
public final class LocalRateLimiter implements RateLimiter {
    private static final long MAX_BUCKETS = 1_000_000;
    /** New buckets before the first sweep, and the least between two. */
    private static final long MIN_SWEEP = 1024;

    private final TimeMeter meter;
    private final Cache<String, Entry> buckets;
    private final Executor sweeper;
    private final AtomicLong madeSinceSweep = new AtomicLong();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private volatile long sweepAfter = MIN_SWEEP;

    /**
     * A bucket and the monitor that guards it. Once {@code dropped}, it is out of the cache and
     * takes nothing: a thread that looked it up before the sweep looks again.
     */
    private static final class Entry implements LongSupplier {
        private final Bucket bucket;
        private final long capacity;
        private boolean dropped;

        Entry(Bucket bucket, long capacity) {
            this.bucket = bucket;
            this.capacity = capacity;
        }

        /** 1 if taken, 0 if refused, -1 if this entry was dropped and must not be used. */
        synchronized int take(long cost) {
            return dropped ? -1 : cost <= capacity && bucket.tryConsume(cost) ? 1 : 0;
        }

        /** Bucket4j caps what is added at the capacity. */
        synchronized void giveBack(long cost) {
            if (!dropped) {
                bucket.addTokens(cost);
            }
        }

        /** Until {@code cost} tokens are there; {@code Long.MAX_VALUE} if the bucket can never hold them. */
        synchronized long nanosUntilAvailable(long cost) {
            if (cost > capacity) {
                return Long.MAX_VALUE;
            }
            var probe = bucket.estimateAbilityToConsume(cost);
            return probe.canBeConsumed() ? 0 : probe.getNanosToWaitForRefill();
        }

        /** The tokens left: the advisory count for a {@code RateLimit} header. */
        @Override
        public synchronized long getAsLong() {
            return Math.max(0, bucket.getAvailableTokens());
        }

        /** Drops this entry if its bucket is full (then it is as good as a new one); once dropped, it stays so. */
        synchronized boolean dropIfFull() {
            if (!dropped) {
                dropped = bucket.getAvailableTokens() >= capacity;
            }
            return dropped;
        }
    }

    public LocalRateLimiter(Clock clock) {
        this(clock, ForkJoinPool.commonPool());
    }

    /** @param sweeper where sweeps for full buckets run (a direct executor in tests) */
    public LocalRateLimiter(Clock clock, Executor sweeper) {
        boolean system = clock.equals(Clock.systemUTC()) || clock.equals(Clock.systemDefaultZone());
        this.meter = system ? TimeMeter.SYSTEM_MILLISECONDS : new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                Instant i = clock.instant();
                return i.getEpochSecond() * 1_000_000_000L + i.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
        this.sweeper = sweeper;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(MAX_BUCKETS)
                .executor(Runnable::run)
                // Past the size bound a bucket is lost, full or not; it must then take nothing more.
                .evictionListener((String key, Entry e, RemovalCause cause) -> {
                    if (e != null) {
                        synchronized (e) {
                            e.dropped = true;
                        }
                    }
                })
                .build();
    }

    private Entry entry(Quota q) {
        Entry e = buckets.getIfPresent(q.key());
        return e != null ? e : create(q);
    }

    private Entry create(Quota q) {
        boolean[] made = new boolean[1];
        Entry e = buckets.get(q.key(), k -> {
            made[0] = true;
            return newEntry(q.limit());
        });
        if (made[0] && madeSinceSweep.incrementAndGet() >= sweepAfter && sweeping.compareAndSet(false, true)) {
            madeSinceSweep.set(0);
            try {
                sweeper.execute(this::sweep);
            } catch (RuntimeException rejected) {
                sweeping.set(false); // the next new bucket tries again
            }
        }
        return e;
    }

    private Entry newEntry(Limit l) {
        Bucket b = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(l.capacity()).refillGreedy(l.rate(), l.period()).build())
                .withCustomTimePrecision(meter)
                .withSynchronizationStrategy(SynchronizationStrategy.NONE) // guarded by the entry's monitor
                .build();
        return new Entry(b, l.capacity());
    }

    /** Drops every full bucket; the next sweep waits for as many new buckets as are left. */
    void sweep() {
        try {
            buckets.asMap().entrySet().removeIf(kv -> kv.getValue().dropIfFull());
            sweepAfter = Math.max(MIN_SWEEP, buckets.estimatedSize());
        } finally {
            sweeping.set(false);
        }
    }

    /** Buckets held now, for tests. */
    long bucketCount() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    /**
     * Takes one token from {@code q}'s bucket: the entry it came from, or {@code null} if the
     * bucket had none. An entry found dropped (its sweep or eviction under way) is taken out of the
     * map by this thread, so the next look finds a live one.
     */
    private Entry take(Quota q, long cost) {
        for (;;) {
            Entry e = entry(q);
            int t = e.take(cost);
            if (t >= 0) {
                return t == 1 ? e : null;
            }
            buckets.asMap().remove(q.key(), e);
        }
    }

    @Override
    public Take tryTakeAll(List<Quota> quotas, long cost) {
        if (cost < 1) {
            throw new IllegalArgumentException("a take is of at least 1 token, got " + cost);
        }
        if (quotas.size() == 1) { // the common case: nothing to compare, so the room left is read only if asked for
            Quota q = quotas.get(0);
            Entry e = take(q, cost);
            return e != null ? Take.admitted(q.limit(), e) : Take.refused(q.limit(), nanosUntil(q, cost));
        }
        Limit tightest = null;
        long tightestRemaining = 0;
        for (int i = 0; i < quotas.size(); i++) {
            Quota q = quotas.get(i);
            Entry e = take(q, cost);
            if (e == null) {
                for (int j = 0; j < i; j++) {
                    giveBack(quotas.get(j), cost); // all or nothing
                }
                return Take.refused(q.limit(), nanosUntil(q, cost));
            }
            // The remaining count is advisory (a header); the admission itself is exact.
            long remaining = e.getAsLong();
            // The least room left, as a fraction of capacity (cross-multiplied: no division).
            if (tightest == null || remaining * tightest.capacity() < tightestRemaining * q.limit().capacity()) {
                tightest = q.limit();
                tightestRemaining = remaining;
            }
        }
        return Take.admitted(tightest, tightestRemaining);
    }

    @Override
    public void giveBack(List<Quota> quotas, long cost) {
        if (cost < 1) {
            return; // nothing was taken
        }
        for (Quota q : quotas) {
            giveBack(q, cost);
        }
    }

    /** Returns tokens taken from {@code q}; a bucket swept meanwhile was full and needs none back. */
    private void giveBack(Quota q, long cost) {
        Entry e = buckets.getIfPresent(q.key());
        if (e != null) {
            e.giveBack(cost);
        }
    }

    @Override
    public long nanosUntilAvailable(Quota quota) {
        return nanosUntil(quota, 1);
    }

    private long nanosUntil(Quota quota, long cost) {
        Entry e = buckets.getIfPresent(quota.key());
        // None: never spent, or full when swept.
        return e == null ? (cost <= quota.limit().capacity() ? 0 : Long.MAX_VALUE) : e.nanosUntilAvailable(cost);
    }

    @Override
    public void spend(Quota quota) {
        take(quota, 1);
    }

    @Override
    public String toString() {
        return "RateLimiter.local()";
    }
}
