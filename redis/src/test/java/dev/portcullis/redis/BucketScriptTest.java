package dev.portcullis.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.Limit;
import dev.portcullis.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The script on its own: integer arithmetic to the µs, all or nothing, give-back. */
class BucketScriptTest {
    private static final long T0 = 1_800_000_000_000_000L; // µs since the epoch, some time in 2027
    private static RedisServer redis;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedisCommands<String, String> cmd;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
        client = Clients.of(redis);
        connection = client.connect();
        cmd = connection.sync();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        redis.close();
    }

    private static List<Object> run(String mode, long nowMicros, List<String> keys, Limit... limits) {
        return run(mode, 1, nowMicros, keys, limits);
    }

    private static List<Object> run(String mode, long cost, long nowMicros, List<String> keys, Limit... limits) {
        String[] args = new String[BucketScript.HEADER + 3 * limits.length];
        args[0] = mode;
        args[1] = Long.toString(nowMicros);
        args[2] = "1000";
        args[3] = Long.toString(cost);
        for (int i = 0; i < limits.length; i++) {
            BucketScript.put(limits[i], args, BucketScript.HEADER + 3 * i);
        }
        return cmd.evalsha(BucketScript.SHA1, ScriptOutputType.MULTI, keys.toArray(String[]::new), args);
    }

    @Test
    void argumentsAreIntegersAndExactForRealLimits() {
        String[] a = new String[3];
        BucketScript.put(Limit.perDay(1000), a, 0);
        assertArrayEquals(new String[] {"86400000", "1", "1000"}, a, "a token is 86.4 s of refill at 1 per µs");
        BucketScript.put(Limit.perSecond(1_000_000_000L), a, 0);
        assertArrayEquals(new String[] {"1", "1000", "1000000000"}, a);
        BucketScript.put(Limit.perSecond(3).burst(10), a, 0);
        assertArrayEquals(new String[] {"1000000", "3", "10"}, a);
        assertTrue(BucketScript.exact(Limit.perDay(100_000_000)));
        assertTrue(BucketScript.exact(Limit.perSecond(1_000_000_000L)));
        assertTrue(BucketScript.exact(Limit.perDay(100_000).burst(100_000)), "capacity x period in µs under 2^53");
        assertTrue(BucketScript.exact(Limit.per(1, Duration.ofDays(366)).burst(284)));
        assertFalse(BucketScript.exact(Limit.per(1, Duration.ofDays(366)).burst(285)), "past 2^53 units");
    }

    @Test
    void aThirdOfASecondIsRefilledToTheMicrosecond() {
        assertEquals(BucketScript.SHA1, cmd.scriptLoad(BucketScript.SOURCE));
        Limit l = Limit.perSecond(3); // a token every 333,333.33 µs
        List<String> k = List.of("bs:third");
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(1L, 2L - i), run("t", T0, k, l));
        }
        assertEquals(List.of(0L, 1L, 333_334L), run("t", T0, k, l), "refused, a token in 333,333.33 µs: 333,334 rounded up");
        assertEquals(0L, run("t", T0 + 333_333, k, l).get(0), "0.999999 of a token is none");
        assertEquals(List.of(1L, 0L), run("t", T0 + 333_334, k, l), "1.000002 tokens is one");
        assertEquals(List.of(0L, 1L, 333_333L), run("p", T0 + 333_334, k, l), "a peek takes nothing");
        assertEquals(List.of(1L), run("p", T0 + 3 * 333_334, k, l));
        // The state left: 2 units (of 1,000,000 a token) at the last take; the peeks wrote nothing.
        assertEquals("2:" + (T0 + 333_334), cmd.get("bs:third"));
    }

    @Test
    void allOrNothingAndGiveBack() {
        Limit five = Limit.perDay(5);
        Limit one = Limit.perDay(1);
        List<String> both = List.of("bs:five", "bs:one");
        assertEquals(List.of(1L, 4L, 0L), run("t", T0, both, five, one));
        assertEquals(List.of(0L, 2L, 86_400_000_000L), run("t", T0, both, five, one), "the second refuses");
        assertEquals("69120000000:" + T0, cmd.get("bs:five"), "4 tokens of 17,280,000,000 units (86,400,000,000 µs / 5)");
        assertEquals(List.of(1L), run("g", T0, both, five, one), "give back one to each");
        assertEquals(0L, cmd.exists("bs:five", "bs:one"), "both full again: deleted, a missing key is a full bucket");
        assertEquals(List.of(1L), run("g", T0, both, five, one), "giving back to a full bucket creates nothing");
        assertEquals(0L, cmd.exists("bs:five", "bs:one"));
        // A key given twice is one bucket giving two tokens.
        assertEquals(List.of(1L, 4L, 3L), run("t", T0, List.of("bs:twice", "bs:twice"), five, five));
    }

    @Test
    void aCostIsTakenFromEveryBucketOrFromNone() {
        assertEquals(BucketScript.SHA1, cmd.scriptLoad(BucketScript.SOURCE));
        Limit ten = Limit.perDay(10); // 8,640,000,000 units a token
        Limit four = Limit.perDay(4);
        List<String> both = List.of("bs:cost10", "bs:cost4");
        assertEquals(List.of(1L, 7L, 1L), run("t", 3, T0, both, ten, four));
        assertEquals(List.of(0L, 2L, 43_200_000_000L), run("t", 3, T0, both, ten, four),
                "the second has 1 of 3: two tokens of 21,600 s are missing");
        assertEquals(List.of(0L, 1L, -1L), run("t", 11, T0, both, ten, four), "11 above a capacity of 10: never");
        assertEquals(List.of(0L, 2L, -1L), run("t", 5, T0, both, ten, four), "5 above the second's capacity of 4");
        assertEquals(List.of(0L, 1L, -1L), run("p", 11, T0, both, ten), "a peek at a cost above capacity: never");
        assertEquals((7L * 8_640_000_000L) + ":" + T0, cmd.get("bs:cost10"), "the refusals wrote nothing");
        assertEquals(List.of(1L), run("g", 2, T0, both, ten, four), "give 2 back to each");
        assertEquals((9L * 8_640_000_000L) + ":" + T0, cmd.get("bs:cost10"));
        assertEquals((3L * 21_600_000_000L) + ":" + T0, cmd.get("bs:cost4"));
        assertEquals(List.of(1L), run("g", 5, T0, both, ten, four), "5 more: each capped at its capacity");
        assertEquals(0L, cmd.exists("bs:cost10", "bs:cost4"), "both full: deleted");
        assertEquals(List.of(1L, 4L, 0L), run("t", 4, T0, List.of("bs:cost4", "bs:cost4"), four.burst(8), four.burst(8)),
                "the same key twice pays twice");
    }
}
