package dev.portcullis.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.DenyReason;
import dev.portcullis.Portcullis.Health;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.spi.RateLimiter.Quota;
import dev.portcullis.spi.CredentialStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Redis stopped mid-run: the declared fallback within the breaker's bound, no exception, and back (DESIGN §7 Faults). */
class OutageTest {
    private static final Duration TIMEOUT = Duration.ofMillis(100);
    private static final int FAILURES_TO_OPEN = 3;
    private static final Duration OPEN = Duration.ofMillis(300);
    /** Headroom for a 2-core machine shared with other builds; the bounds asserted are far below a Lettuce timeout. */
    private static final long SLACK_MS = 1_500;

    private RedisServer redis;
    private RedisClient client;
    /** Events with the {@link System#nanoTime()} they arrived at. */
    private final List<Object[]> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        client = redis.client();
    }

    @AfterEach
    void stop() throws Exception {
        client.shutdown(0, 2, TimeUnit.SECONDS);
        redis.close();
    }

    private RedisRateLimiter limiter(Fallback fallback, Integer nodes) {
        RedisRateLimiterOptions.Builder b = RedisRateLimiterOptions.builder()
                .requestTimeout(TIMEOUT).failuresToOpen(FAILURES_TO_OPEN).openDuration(OPEN)
                .fallback(fallback)
                .listener(e -> events.add(new Object[] {e, System.nanoTime()}));
        if (nodes != null) {
            b.nodeCount(nodes);
        }
        return RedisRateLimiter.create(client, b.build());
    }

    private List<BreakerState> states() {
        List<BreakerState> out = new ArrayList<>();
        for (Object[] e : events) {
            out.add(((BreakerEvent) e[0]).state());
        }
        return out;
    }

    private long eventNanos(int i) {
        return (long) events.get(i)[1];
    }

    private static void await(BooleanSupplier condition, long millis, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + millis + " ms: " + what);
            }
            RedisServer.sleep(10);
        }
    }

    @Test
    void killedMidRunFallsBackLocallyWithinTheBoundAndComesBack() throws Exception {
        try (RedisRateLimiter limiter = limiter(Fallback.LOCAL, null);
             Portcullis node = Portcullis.builder().store(CredentialStore.inMemory())
                     .keyFormat(KeyFormat.withPrefix("kat")).rateLimiter(limiter).build()) {
            IssuedKey k = node.keys().create(KeySpec.builder().account("acme")
                    .rateLimit(RateLimitPolicy.of(Limit.perDay(1_000_000))).build());
            AtomicBoolean run = new AtomicBoolean(true);
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger slow = new AtomicInteger();
            AtomicLong slowest = new AtomicLong();
            Queue<Throwable> thrown = new ConcurrentLinkedQueue<>();
            Queue<AuthResult> refused = new ConcurrentLinkedQueue<>();
            List<Thread> load = new ArrayList<>();
            long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // bounded whatever happens
            for (int t = 0; t < 2; t++) {
                Thread th = new Thread(() -> {
                    while (run.get() && System.nanoTime() < stopAt) {
                        long t0 = System.nanoTime();
                        try {
                            AuthResult r = node.authenticator().authenticate(AuthRequest.apiKey(k.token(), "203.0.113.7"));
                            if (!r.allowed()) {
                                refused.add(r);
                            }
                        } catch (Throwable e) {
                            thrown.add(e);
                        }
                        long took = System.nanoTime() - t0;
                        slowest.accumulateAndGet(took, Math::max);
                        if (took > TIMEOUT.toNanos() * 9 / 10) { // waited out (nearly) a whole timeout
                            slow.incrementAndGet();
                        }
                        calls.incrementAndGet();
                        RedisServer.sleep(1);
                    }
                });
                th.start();
                load.add(th);
            }
            try {
                RedisServer.sleep(300);
                assertEquals(BreakerState.CLOSED, limiter.state());
                assertEquals(Health.Status.UP, node.health().status());
                assertEquals(RateLimiter.Mode.REMOTE, node.health().rateLimiter());
                long killedAt = System.nanoTime();
                redis.kill();
                await(() -> !events.isEmpty(), FAILURES_TO_OPEN * TIMEOUT.toMillis() + SLACK_MS, "the breaker opens");
                long openedAfterMs = TimeUnit.NANOSECONDS.toMillis(eventNanos(0) - killedAt);
                int callsAtOpen = calls.get();
                RedisServer.sleep(500);
                assertTrue(calls.get() > callsAtOpen + 50, "requests flow on the fallback: " + (calls.get() - callsAtOpen));
                int slowWhileDown = slow.get();
                assertEquals(Health.Status.DEGRADED, node.health().status(), "health shows the fallback");
                assertEquals(RateLimiter.Mode.FALLBACK, node.health().rateLimiter());

                long restartedAt = System.nanoTime();
                redis.restart();
                await(() -> events.size() >= 2, 2 * OPEN.toMillis() + SLACK_MS, "the probe closes the breaker");
                long closedAfterMs = TimeUnit.NANOSECONDS.toMillis(eventNanos(1) - restartedAt);
                RedisServer.sleep(300);
                run.set(false);
                for (Thread th : load) {
                    th.join(10_000);
                }

                assertEquals(List.of(), new ArrayList<>(thrown), "no exception reaches the caller");
                assertEquals(List.of(), new ArrayList<>(refused), "LOCAL admits while Redis is away");
                assertEquals(List.of(BreakerState.OPEN, BreakerState.CLOSED), states());
                BreakerEvent opened = (BreakerEvent) events.get(0)[0];
                assertNotNull(opened.cause(), "the opening event says why");
                assertNull(((BreakerEvent) events.get(1)[0]).cause());
                assertTrue(openedAfterMs <= FAILURES_TO_OPEN * TIMEOUT.toMillis() + SLACK_MS, "opened after " + openedAfterMs + " ms");
                // Only the calls that opened the breaker (and the other thread's, in flight with them) waited on Redis.
                assertTrue(slowWhileDown <= FAILURES_TO_OPEN + 2, slowWhileDown + " slow calls; slowest "
                        + TimeUnit.NANOSECONDS.toMillis(slowest.get()) + " ms");
                assertTrue(TimeUnit.NANOSECONDS.toMillis(slowest.get()) < TIMEOUT.toMillis() + SLACK_MS);
                assertTrue(closedAfterMs <= 2 * OPEN.toMillis() + SLACK_MS, "closed after " + closedAfterMs + " ms");
                assertEquals(BreakerState.CLOSED, limiter.state());
                assertEquals(Health.Status.UP, node.health().status());
                // The restarted Redis is empty: a bucket there now means decisions are on Redis again.
                Quota q = new Quota("k:" + k.id() + ":" + Limit.perDay(1_000_000), Limit.perDay(1_000_000));
                try (StatefulRedisConnection<String, String> c = client.connect()) {
                    assertEquals(1L, c.sync().exists(limiter.redisKey(q)), "the key's bucket is on Redis again");
                }
            } finally {
                run.set(false);
            }
        }
    }

    @Test
    void denyRefusesWhileRedisIsAwayAndNeverThrows() throws Exception {
        try (RedisRateLimiter limiter = limiter(Fallback.DENY, null);
             Portcullis node = Portcullis.builder().store(CredentialStore.inMemory())
                     .keyFormat(KeyFormat.withPrefix("kat")).rateLimiter(limiter).build()) {
            IssuedKey k = node.keys().create(KeySpec.builder().account("acme")
                    .rateLimit(RateLimitPolicy.of(Limit.perDay(1000))).build());
            IssuedKey unlimited = node.keys().create(KeySpec.builder().account("acme").build());
            assertTrue(node.authenticator().authenticate(AuthRequest.apiKey(k.token(), "203.0.113.7")).allowed());
            // Cached now: under DENY a store miss is refused too, since the failure budgets read as exhausted.
            assertTrue(node.authenticator().authenticate(AuthRequest.apiKey(unlimited.token(), "203.0.113.7")).allowed());
            redis.kill();
            List<DenyReason> reasons = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                AuthResult r = node.authenticator().authenticate(AuthRequest.apiKey(k.token(), "203.0.113.7"));
                reasons.add(r.reason());
                if (i >= FAILURES_TO_OPEN) {
                    assertEquals(429, r.http().status());
                    assertNotNull(r.http().headers().get("Retry-After"));
                }
            }
            assertEquals(List.of(BreakerState.OPEN), states());
            assertTrue(reasons.stream().allMatch(DenyReason.RATE_LIMITED::equals), reasons.toString());
            assertTrue(node.authenticator().authenticate(AuthRequest.apiKey(unlimited.token(), "203.0.113.7")).allowed(),
                    "a cached key without limits takes no quota");
            String uncached = node.keys().create(KeySpec.builder().account("acme").build()).token();
            assertEquals(DenyReason.TOO_MANY_FAILURES,
                    node.authenticator().authenticate(AuthRequest.apiKey(uncached, "203.0.113.7")).reason(),
                    "a store miss must pass the failure budget, which DENY refuses");
            Quota budget = new Quota("fn:198.51.100.1", Limit.perHour(50));
            assertTrue(limiter.nanosUntilAvailable(budget) > 0, "budgets read as exhausted");
            limiter.spend(budget);

            redis.restart();
            await(() -> limiter.state() == BreakerState.CLOSED, 2 * OPEN.toMillis() + SLACK_MS, "back on Redis");
            assertTrue(node.authenticator().authenticate(AuthRequest.apiKey(k.token(), "203.0.113.7")).allowed());
            assertEquals(0, limiter.nanosUntilAvailable(budget));
        }
    }

    @Test
    void startsOnTheFallbackWhenRedisIsDownAndSharesTheLimit() throws Exception {
        redis.kill();
        try (RedisRateLimiter limiter = limiter(Fallback.LOCAL_SHARE, 4)) {
            assertEquals(BreakerState.OPEN, limiter.state());
            assertEquals(List.of(BreakerState.OPEN), states(), "reported at once");
            List<Quota> quotas = List.of(new Quota("k:share:" + Limit.perDay(20), Limit.perDay(20)));
            int allowed = 0;
            for (int i = 0; i < 10; i++) {
                if (limiter.tryTakeAll(quotas).allowed()) {
                    allowed++;
                }
            }
            assertEquals(5, allowed, "a quarter of 20 on each of 4 nodes");

            redis.restart();
            await(() -> limiter.state() == BreakerState.CLOSED, 2 * OPEN.toMillis() + SLACK_MS, "back on Redis");
            allowed = 0;
            for (int i = 0; i < 30; i++) {
                if (limiter.tryTakeAll(quotas).allowed()) {
                    allowed++;
                }
            }
            assertEquals(20, allowed, "the fleet's bucket on Redis, whole again");
            assertEquals(List.of(BreakerState.OPEN, BreakerState.CLOSED), states());
        }
    }

    @Test
    void aThrowingListenerChangesNothing() throws Exception {
        try (RedisRateLimiter limiter = RedisRateLimiter.create(client, RedisRateLimiterOptions.builder()
                .requestTimeout(TIMEOUT).failuresToOpen(1).openDuration(OPEN)
                .listener(e -> {
                    throw new IllegalStateException("listener bug");
                }).build())) {
            List<Quota> quotas = List.of(new Quota("k:l:" + Limit.perDay(3), Limit.perDay(3)));
            redis.kill();
            assertTrue(limiter.tryTakeAll(quotas).allowed(), "decided by LOCAL");
            assertEquals(BreakerState.OPEN, limiter.state());
            redis.restart();
            await(() -> limiter.state() == BreakerState.CLOSED, 2 * OPEN.toMillis() + SLACK_MS, "back on Redis");
            assertTrue(limiter.tryTakeAll(quotas).allowed());
        }
        assertFalse(Thread.interrupted());
    }
}
