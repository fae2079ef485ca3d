package dev.portcullis.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.DenyReason;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.KeyUpdate;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.portcullis.testkit.MutableClock;
import dev.portcullis.testkit.RedisServer;

/** Two nodes, one Redis, default options: the limits are the fleet's, exactly (DESIGN §2 Rate-limit; issue 31). */
class FleetTest {
    private static final AtomicInteger RUN = new AtomicInteger();
    private static RedisServer redis;
    private static RedisClient clientA;
    private static RedisClient clientB;

    private final CredentialStore store = CredentialStore.inMemory();
    private final List<BreakerEvent> events = new CopyOnWriteArrayList<>();
    private RedisRateLimiter limiterA;
    private RedisRateLimiter limiterB;
    private Portcullis nodeA;
    private Portcullis nodeB;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
        clientA = Clients.of(redis);
        clientB = Clients.of(redis);
    }

    @AfterAll
    static void stopRedis() throws Exception {
        clientA.shutdown(0, 2, TimeUnit.SECONDS);
        clientB.shutdown(0, 2, TimeUnit.SECONDS);
        redis.close();
    }

    @BeforeEach
    void nodes() {
        String prefix = "fleet" + RUN.incrementAndGet() + ":";
        limiterA = RedisRateLimiter.create(clientA, options(prefix));
        limiterB = RedisRateLimiter.create(clientB, options(prefix));
        nodeA = node(limiterA);
        nodeB = node(limiterB);
    }

    /** Default options but for the prefix (one per test) and a listener: the fleet at its defaults. */
    private RedisRateLimiterOptions options(String prefix) {
        return RedisRateLimiterOptions.builder().keyPrefix(prefix).listener(events::add).build();
    }

    private Portcullis node(RateLimiter limiter) {
        return Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("kat")).rateLimiter(limiter).build();
    }

    @AfterEach
    void close() {
        nodeA.close();
        nodeB.close();
        limiterA.close();
        limiterB.close();
        assertEquals(List.of(), events, "Redis decided throughout: the breaker never switched");
    }

    private IssuedKey key(String account, RateLimitPolicy policy) {
        return nodeA.keys().create(KeySpec.builder().account(account).grant("messages:send", "example.com").rateLimit(policy).build());
    }

    private static AuthResult call(Portcullis node, IssuedKey k) {
        return call(node, k, 1);
    }

    private static AuthResult call(Portcullis node, IssuedKey k, long cost) {
        return node.authenticator().authenticate(AuthRequest.apiKey(k.token(), "203.0.113.7").cost(cost));
    }

    /** One trial of {@link #hotKeyTrials}: the cost admitted during the run, and the tokens left after it. */
    private record Trial(long admitted, long left) {}

    /**
     * The fleet measurement of issue 31, at default options: 2 nodes (each its own limiter and
     * Lettuce client) × 8 threads on one hot key of N = 1,000 per day, 2N requests per trial, 20
     * trials. Exactly N admitted in every trial, and the breaker never switches.
     *
     * <p>A call Redis does not answer within the timeout is refused, and its tokens are given back
     * once its answer comes; so that such a token is counted even if it comes back after the last
     * request, each trial ends by waiting for the give-backs and taking what is left.
     */
    @Test
    void twoNodesOfEightThreadsAdmitExactlyNOnAHotKeyInEveryTrial() throws Exception {
        int n = 1000;
        List<Trial> trials = hotKeyTrials(n, 20, () -> 1, "cost 1");
        List<Long> admitted = trials.stream().map(t -> t.admitted() + t.left()).toList();
        assertEquals(Collections.nCopies(trials.size(), (long) n), admitted, "exactly N in every trial");
    }

    /**
     * The same with every request costing 1 to 8 tokens at random (issue 26): the cost admitted
     * never exceeds N, and no token is lost or made, the cost admitted and the tokens left after the
     * run adding up to N in every trial.
     */
    @Test
    void twoNodesOfEightThreadsWithRandomCostsNeverAdmitMoreThanNAndLoseNoToken() throws Exception {
        int n = 1000;
        List<Trial> trials = hotKeyTrials(n, 20, () -> ThreadLocalRandom.current().nextLong(1, 9), "random cost 1-8");
        for (Trial t : trials) {
            assertTrue(t.admitted() <= n, "never more than N: " + trials);
        }
        assertEquals(Collections.nCopies(trials.size(), (long) n), trials.stream().map(t -> t.admitted() + t.left()).toList(),
                "admitted + left = N in every trial");
    }

    /**
     * {@code trials} trials of 2 nodes × 8 threads making 2N requests of {@code cost} on a fresh key of
     * N per day (no whole token refills in a trial); every refusal must be RATE_LIMITED. After the
     * run, once unanswered takes are resolved, what is left is taken 1 by 1.
     */
    private List<Trial> hotKeyTrials(int n, int trials, LongSupplier cost, String what) throws Exception {
        int threadsPerNode = 8;
        List<String> report = new ArrayList<>();
        List<Trial> out = new ArrayList<>();
        List<AuthResult> unexpected = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerNode);
        try {
            for (int trial = 0; trial < trials; trial++) {
                IssuedKey k = key("hot" + trial, RateLimitPolicy.of(Limit.perDay(n)));
                int unansweredBefore = limiterA.unanswered() + limiterB.unanswered();
                AtomicInteger calls = new AtomicInteger();
                AtomicLong allowed = new AtomicLong();
                AtomicLong slowest = new AtomicLong();
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 2 * threadsPerNode; t++) {
                    Portcullis node = t % 2 == 0 ? nodeA : nodeB;
                    futures.add(pool.submit(() -> {
                        start.await();
                        while (calls.getAndIncrement() < 2 * n) {
                            long c = cost.getAsLong();
                            long t0 = System.nanoTime();
                            AuthResult r = call(node, k, c);
                            slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                            if (r.allowed()) {
                                allowed.addAndGet(c);
                            } else if (r.reason() != DenyReason.RATE_LIMITED) {
                                unexpected.add(r);
                            }
                        }
                        return null;
                    }));
                }
                long t0 = System.nanoTime();
                start.countDown();
                for (Future<?> f : futures) {
                    f.get(120, TimeUnit.SECONDS);
                }
                long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                int late = 0;
                for (int round = 0; round < 5; round++) {
                    awaitResolved();
                    int before = limiterA.unanswered();
                    while (call(nodeA, k).allowed()) {
                        late++;
                    }
                    if (limiterA.unanswered() == before) {
                        break;
                    }
                }
                int unanswered = limiterA.unanswered() + limiterB.unanswered() - unansweredBefore;
                out.add(new Trial(allowed.get(), late));
                report.add(String.format(Locale.ROOT, "trial %2d: %4d admitted, %4d left after the run, %d unanswered, %4d ms, slowest call %d ms",
                        trial, allowed.get(), late, unanswered, wallMs, TimeUnit.NANOSECONDS.toMillis(slowest.get())));
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("FleetTest hot key, N=" + n + ", 2 nodes x " + threadsPerNode + " threads, " + what + ", default options:\n  "
                + String.join("\n  ", report));
        assertEquals(List.of(), unexpected, "every refusal is RATE_LIMITED");
        return out;
    }

    private void awaitResolved() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (limiterA.unresolved() + limiterB.unresolved() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("unanswered takes still unresolved after 30 s");
            }
            RedisServer.sleep(10);
        }
    }

    /** Key and account limits at a cost, their give-back, a one-bucket request and a failure budget: one Redis command each. */
    @Test
    void everyLimitOfARequestIsOneRedisCall() {
        Limit perKey = Limit.perSecond(1000);
        Limit perAccount = Limit.perMinute(100_000).perAccount();
        List<Quota> three = List.of(new Quota("k:one:" + perKey, perKey), new Quota("A:one:" + perAccount, perAccount),
                new Quota("k:one:" + Limit.perDay(1_000_000), Limit.perDay(1_000_000)));
        try (StatefulRedisConnection<String, String> c = clientA.connect()) {
            Map<String, Long> before = commandCalls(c);
            for (int i = 0; i < 50; i++) {
                assertTrue(limiterA.tryTakeAll(three, 3).allowed());
            }
            for (int i = 0; i < 10; i++) {
                limiterA.giveBack(three, 2);
            }
            for (int i = 0; i < 10; i++) {
                limiterB.spend(new Quota("fn:one", Limit.perHour(1_000)));
                assertEquals(0, limiterB.nanosUntilAvailable(new Quota("fn:one", Limit.perHour(1_000))));
            }
            Map<String, Long> delta = new TreeMap<>(commandCalls(c));
            delta.replaceAll((cmd, calls) -> calls - before.getOrDefault(cmd, 0L));
            delta.values().removeIf(calls -> calls == 0);
            assertEquals(80L, delta.remove("evalsha"), "50 three-limit takes, 10 give-backs, 10 spends, 10 peeks: 80 script calls " + delta);
            // What the script itself calls is counted too; nothing else was sent.
            delta.keySet().removeAll(Set.of("time", "get", "set", "del", "info"));
            assertEquals(Map.of(), delta, "no command but the script's");
        }
    }

    /** Calls per command, from {@code INFO commandstats} (commands a script runs are counted too). */
    private static Map<String, Long> commandCalls(StatefulRedisConnection<String, String> c) {
        Map<String, Long> calls = new HashMap<>();
        for (String line : c.sync().info("commandstats").split("\\r?\\n")) {
            if (line.startsWith("cmdstat_")) {
                String v = line.substring(line.indexOf("calls=") + 6);
                calls.put(line.substring(8, line.indexOf(':')), Long.parseLong(v.substring(0, v.indexOf(','))));
            }
        }
        return calls;
    }

    @Test
    void aScriptRedisHasForgottenIsSentAgainWithoutAFailure() {
        Quota q = new Quota("k:flush:" + Limit.perDay(3), Limit.perDay(3));
        assertTrue(limiterA.tryTakeAll(List.of(q)).allowed());
        try (StatefulRedisConnection<String, String> c = clientA.connect()) {
            c.sync().scriptFlush(); // as after a restart or a failover: EVALSHA gets NOSCRIPT
            assertTrue(limiterA.tryTakeAll(List.of(q)).allowed(), "EVAL after NOSCRIPT");
            assertTrue(limiterB.tryTakeAll(List.of(q)).allowed(), "and EVALSHA again: the EVAL cached it");
            assertFalse(limiterB.tryTakeAll(List.of(q)).allowed(), "one bucket of 3 throughout");
            c.sync().scriptFlush();
            limiterB.giveBack(List.of(q), 2); // a give-back after NOSCRIPT is sent again too
            assertTrue(limiterA.tryTakeAll(List.of(q), 2).allowed(), "the 2 came back");
            assertFalse(limiterA.tryTakeAll(List.of(q)).allowed());
            assertTrue(c.sync().scriptExists(BucketScript.SHA1).get(0));
        }
        assertEquals(0, limiterA.unanswered() + limiterB.unanswered());
    }

    @Test
    void aFailingScriptHasWrittenNothingAndTheFallbackDecides() {
        Quota good = new Quota("k:wrongtype:" + Limit.perDay(5), Limit.perDay(5));
        Quota list = new Quota("a:wrongtype:" + Limit.perDay(5), Limit.perDay(5));
        Quota garbage = new Quota("A:wrongtype:" + Limit.perDay(5), Limit.perDay(5));
        try (StatefulRedisConnection<String, String> c = clientA.connect()) {
            // Someone else's keys: one of another type (WRONGTYPE), one a string that is no bucket.
            c.sync().lpush(limiterA.redisKey(list), "not a bucket");
            c.sync().set(limiterA.redisKey(garbage), "not a bucket");
            for (Quota bad : List.of(list, garbage)) {
                RateLimiter.Take t = limiterA.tryTakeAll(List.of(good, bad));
                assertTrue(t.allowed(), "an error reply: Redis took nothing, so the fallback (LOCAL) decides");
                assertEquals(0L, c.sync().exists(limiterA.redisKey(good)), "the first bucket was read, not written");
            }
            assertEquals(List.of("not a bucket"), c.sync().lrange(limiterA.redisKey(list), 0, -1));
            assertEquals("not a bucket", c.sync().get(limiterA.redisKey(garbage)));
        }
        assertEquals(BreakerState.CLOSED, limiterA.state(), "bad keys do not open the breaker: no failure spans a timeout");
        assertTrue(limiterA.tryTakeAll(List.of(good)).allowed());
        assertEquals(0, limiterA.unanswered());
    }

    @Test
    void perAccountLimitsSpanKeysAndNodes() {
        RateLimitPolicy perAccount = RateLimitPolicy.of(Limit.perDay(10).perAccount());
        IssuedKey k1 = key("acme", perAccount);
        IssuedKey k2 = key("acme", perAccount);
        IssuedKey other = key("globex", perAccount);
        int allowed = 0;
        for (int i = 0; i < 40; i++) {
            if (call(i % 2 == 0 ? nodeA : nodeB, i % 3 == 0 ? k1 : k2).allowed()) {
                allowed++;
            }
        }
        assertEquals(10, allowed, "one account, two keys, two nodes: one budget");
        assertTrue(call(nodeB, other).allowed(), "another account has its own");

        // The account's own policy (set by the key manager) spans its keys just the same.
        IssuedKey free1 = key("initech", RateLimitPolicy.UNLIMITED);
        IssuedKey free2 = key("initech", RateLimitPolicy.UNLIMITED);
        nodeA.keys().setAccountRateLimit("initech", RateLimitPolicy.of(Limit.perDay(3)));
        assertTrue(call(nodeA, free1).allowed());
        assertTrue(call(nodeB, free2).allowed());
        assertTrue(call(nodeB, free1).allowed());
        assertEquals(DenyReason.RATE_LIMITED, call(nodeA, free2).reason());
    }

    @Test
    void aPolicyChangeAppliesOnEveryNode() {
        IssuedKey k = key("acme", RateLimitPolicy.of(Limit.perDay(2)));
        assertTrue(call(nodeA, k).allowed());
        assertTrue(call(nodeB, k).allowed());
        assertEquals(DenyReason.RATE_LIMITED, call(nodeA, k).reason());
        assertEquals(DenyReason.RATE_LIMITED, call(nodeB, k).reason());

        nodeB.keys().update(k.id(), KeyUpdate.builder().rateLimit(RateLimitPolicy.of(Limit.perDay(5))).build());
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            if (call(i % 2 == 0 ? nodeA : nodeB, k).allowed()) {
                allowed++;
            }
        }
        assertEquals(5, allowed, "the new limit, a new bucket, shared by both nodes");

        // Tighter again, and an account limit on top: both apply at once.
        nodeB.keys().setAccountRateLimit("acme", RateLimitPolicy.of(Limit.perDay(1)));
        nodeA.keys().update(k.id(), KeyUpdate.builder().rateLimit(RateLimitPolicy.of(Limit.perDay(100))).build());
        assertTrue(call(nodeA, k).allowed());
        assertEquals(DenyReason.RATE_LIMITED, call(nodeB, k).reason(), "the account's limit of 1");
        nodeB.keys().setAccountRateLimit("acme", null);
        assertTrue(call(nodeA, k).allowed());
    }

    @Test
    void aRefusingQuotaTakesNothingFromTheOthers() {
        Quota daily = new Quota("k:refund:" + Limit.perDay(5), Limit.perDay(5));
        Quota tight = new Quota("a:refund:" + Limit.perDay(1), Limit.perDay(1));
        assertTrue(limiterA.tryTakeAll(List.of(daily, tight)).allowed());
        for (int i = 0; i < 20; i++) {
            RateLimiter.Take t = (i % 2 == 0 ? limiterA : limiterB).tryTakeAll(List.of(daily, tight));
            assertFalse(t.allowed());
            assertTrue(t.nanosToWait() > Duration.ofHours(1).toNanos(), "the refusing bucket's wait: " + t.nanosToWait());
        }
        // Had the refused calls taken from the daily bucket it would be empty; all or nothing, it holds 4.
        int left = 0;
        while (limiterB.tryTakeAll(List.of(daily)).allowed()) {
            left++;
        }
        assertEquals(4, left);
    }

    @Test
    void decisionsMatchTheLocalLimiter() {
        RateLimiter local = RateLimiter.local(java.time.Clock.systemUTC());
        List<Quota> quotas = List.of(
                new Quota("k:same:" + Limit.perDay(100), Limit.perDay(100)),
                new Quota("k:same:" + Limit.perDay(5).burst(10), Limit.perDay(5).burst(10)));
        for (int i = 0; i < 12; i++) {
            RateLimiter.Take onRedis = limiterA.tryTakeAll(quotas);
            RateLimiter.Take here = local.tryTakeAll(quotas);
            assertEquals(here.allowed(), onRedis.allowed(), "take " + i);
            assertEquals(here.status(), onRedis.status(), "take " + i);
        }
    }

    @Test
    void refillsFollowTheConfiguredClock() {
        MutableClock clock = new MutableClock(java.time.Instant.now()); // Redis expires keys on its own clock
        try (RedisRateLimiter l = RedisRateLimiter.create(clientA, RedisRateLimiterOptions.builder()
                .keyPrefix("clock" + RUN.incrementAndGet() + ":").clock(clock).listener(events::add).build())) {
            Quota q = new Quota("k:clock:" + Limit.perMinute(1), Limit.perMinute(1));
            assertTrue(l.tryTakeAll(List.of(q)).allowed());
            RateLimiter.Take refused = l.tryTakeAll(List.of(q));
            assertFalse(refused.allowed());
            assertEquals(l.nanosUntilAvailable(q), refused.nanosToWait(), 1_000_000_000L);
            clock.advance(Duration.ofSeconds(61));
            assertEquals(0, l.nanosUntilAvailable(q));
            assertTrue(l.tryTakeAll(List.of(q)).allowed());
        }
    }
}
