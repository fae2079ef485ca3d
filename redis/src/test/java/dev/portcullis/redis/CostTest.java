package dev.portcullis.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.AuthResult.RateLimitStatus;
import dev.portcullis.Limit;
import dev.portcullis.spi.RateLimiter.Quota;
import dev.portcullis.spi.RateLimiter.Take;
import dev.portcullis.testkit.MutableClock;
import dev.portcullis.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request's cost on Redis (issue 26): {@code cost} tokens from every quota or from none, a cost
 * above a capacity refused for good, and give-backs of exactly the cost, capped at the capacity.
 * The clock stands still, so no token refills between the steps.
 */
class CostTest {
    private static final AtomicInteger RUN = new AtomicInteger();
    private static RedisServer redis;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;

    private final MutableClock clock = new MutableClock(java.time.Instant.now());
    private RedisRateLimiter limiter;
    private Quota ten;
    private Quota four;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
        client = Clients.of(redis);
        connection = client.connect();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        redis.close();
    }

    @BeforeEach
    void limiter() {
        String run = "cost" + RUN.incrementAndGet();
        limiter = RedisRateLimiter.create(client, RedisRateLimiterOptions.builder().keyPrefix(run + ":").clock(clock).build());
        Limit perKey = Limit.perDay(10);
        Limit perAccount = Limit.perDay(4).perAccount();
        ten = new Quota("k:" + run + ":" + perKey, perKey);
        four = new Quota("A:" + run + ":" + perAccount, perAccount);
    }

    @AfterEach
    void close() {
        assertEquals(BreakerState.CLOSED, limiter.state(), "decided on Redis throughout");
        assertEquals(0, limiter.unanswered());
        limiter.close();
    }

    /** Whether Redis holds {@code q}'s bucket: a missing key is a full bucket. */
    private boolean stored(Quota q) {
        return connection.sync().exists(limiter.redisKey(q)) == 1;
    }

    /** The tokens left in {@code q}'s bucket, by taking them one by one. */
    private int drain(Quota q) {
        int n = 0;
        while (limiter.tryTakeAll(List.of(q), 1).allowed()) {
            n++;
        }
        return n;
    }

    @Test
    void aCostIsTakenFromEveryQuotaOrFromNone() {
        Take first = limiter.tryTakeAll(List.of(ten, four), 3);
        assertTrue(first.allowed());
        assertEquals(RateLimitStatus.of(four.limit(), 1), first.status(), "the account's 1 of 4 is the least room");
        Take second = limiter.tryTakeAll(List.of(ten, four), 3);
        assertFalse(second.allowed(), "the account has 1 of the 3");
        assertEquals(TimeUnit.HOURS.toNanos(12), second.nanosToWait(), "two tokens of 6 h missing");
        assertEquals(RateLimitStatus.refused(four.limit(), TimeUnit.HOURS.toNanos(12)), second.status());
        assertEquals(7, drain(ten), "the refusal took nothing from the key's limit");
        assertEquals(1, drain(four));
    }

    @Test
    void aCostAboveACapacityIsRefusedForGoodAndTakesNothing() {
        Take over = limiter.tryTakeAll(List.of(ten, four), 5);
        assertFalse(over.allowed());
        assertEquals(Long.MAX_VALUE, over.nanosToWait(), "4 can never give 5, as in the local limiter");
        assertEquals(RateLimitStatus.refused(four.limit(), Long.MAX_VALUE), over.status());
        assertFalse(stored(ten), "nothing written: the key's bucket is still full");
        assertEquals(Long.MAX_VALUE, limiter.tryTakeAll(List.of(ten), 11).nanosToWait());
        assertTrue(limiter.tryTakeAll(List.of(ten, four), 4).allowed(), "the whole capacity at once");
        assertEquals(6, drain(ten));
        assertEquals(0, drain(four));
    }

    @Test
    void aGiveBackRestoresExactlyTheCostAndNeverMoreThanTheCapacity() {
        assertTrue(limiter.tryTakeAll(List.of(ten, four), 3).allowed()); // 7 and 1 left
        limiter.giveBack(List.of(ten, four), 2);                          // 9 and 3
        Take t = limiter.tryTakeAll(List.of(ten, four), 3);
        assertTrue(t.allowed(), "the account has 3 again");
        assertEquals(RateLimitStatus.of(four.limit(), 0), t.status());
        assertFalse(limiter.tryTakeAll(List.of(four), 1).allowed(), "exactly 2 came back, not more");

        limiter.giveBack(List.of(ten, four), 1_000); // far above both capacities
        assertFalse(stored(ten) || stored(four), "both full again: a full bucket is deleted");
        assertEquals(10, drain(ten), "capped at the capacity");
        assertEquals(4, drain(four));

        Limit untouched = Limit.perDay(3);
        Quota fresh = new Quota("k:fresh:" + untouched, untouched);
        limiter.giveBack(List.of(fresh), 2);
        assertFalse(stored(fresh), "a bucket never taken from stays full and unwritten");
        assertEquals(3, drain(fresh));
    }

    @Test
    void aCostBelowOneIsNoTakeAndGivesNothingBack() {
        assertThrows(IllegalArgumentException.class, () -> limiter.tryTakeAll(List.of(ten), 0));
        assertThrows(IllegalArgumentException.class, () -> limiter.tryTakeAll(List.of(), -1));
        assertTrue(limiter.tryTakeAll(List.of(ten), 10).allowed());
        limiter.giveBack(List.of(ten), 0);
        limiter.giveBack(List.of(ten), -5);
        limiter.giveBack(List.of(), 3);
        Take empty = limiter.tryTakeAll(List.of(ten), 1);
        assertFalse(empty.allowed(), "nothing came back");
        assertNull(limiter.tryTakeAll(List.of(), 3).status(), "no quota, no status");
    }
}
