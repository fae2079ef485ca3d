package dev.portcullis.internal.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import dev.portcullis.Limit;
import dev.portcullis.MutableClock;
import dev.portcullis.spi.RateLimiter;

/**
 * The local limiter's memory: full buckets are dropped by a sweep that new buckets trigger, and a
 * bucket that is not full keeps its state through any number of sweeps (a drop must never hand
 * out tokens that were spent).
 */
class BucketSweepTest {
    private final MutableClock clock = new MutableClock();
    private final LocalRateLimiter limiter = new LocalRateLimiter(clock, Runnable::run); // sweeps inline

    private static RateLimiter.Quota quota(String key, long capacity) {
        return new RateLimiter.Quota(key, Limit.perSecond(capacity));
    }

    private boolean take(RateLimiter.Quota q) {
        return limiter.tryTakeAll(List.of(q)).allowed();
    }

    @Test
    void fullBucketsAreDroppedAndSpentOnesKept() {
        RateLimiter.Quota hot = quota("k:hot", 3);
        assertTrue(take(hot) && take(hot) && take(hot));
        assertFalse(take(hot), "drained");
        for (int i = 0; i < 2000; i++) { // past the first sweep: every one of them spent a token
            assertTrue(take(quota("k:" + i, 10)));
        }
        assertEquals(2001, limiter.bucketCount(), "nothing full yet, so nothing dropped");
        assertFalse(take(hot), "the drained bucket survived the sweep with its state");

        clock.advance(Duration.ofSeconds(2)); // everything refills
        for (int i = 0; i < 2001; i++) { // enough new buckets for the next sweep
            assertTrue(take(quota("n:" + i, 10)));
        }
        assertEquals(2001, limiter.bucketCount(), "the 2,001 refilled buckets dropped, the 2,001 spent ones kept");
        assertTrue(take(hot), "a dropped full bucket comes back full");
    }

    @Test
    void aDroppedBucketAdmitsNoMoreThanAFullOne() {
        RateLimiter.Quota q = quota("k:exact", 5);
        for (int i = 0; i < 5; i++) {
            assertTrue(take(q));
        }
        clock.advance(Duration.ofSeconds(1)); // full again
        limiter.sweep();
        assertEquals(0, limiter.bucketCount());
        int admitted = 0;
        for (int i = 0; i < 10; i++) {
            admitted += take(q) ? 1 : 0;
        }
        assertEquals(5, admitted, "a swept bucket is exactly a full one");
    }
}
