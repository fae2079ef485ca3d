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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes, one Redis: the limits are the fleet's, exactly (DESIGN §2 Rate-limit). */
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
        clientA = redis.client();
        clientB = redis.client();
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

    private RedisRateLimiterOptions options(String prefix) {
        // A generous timeout: CAS retries of two nodes on one key, on 2 shared cores, must never open
        // the breaker here, or the fallback (not Redis) would be deciding.
        return RedisRateLimiterOptions.builder().keyPrefix(prefix).requestTimeout(Duration.ofSeconds(2))
                .listener(events::add).build();
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
        return node.authenticator().authenticate(AuthRequest.apiKey(k.token(), "203.0.113.7"));
    }

    @Test
    void twoNodesAdmitExactlyTheCapacityUnderConcurrentLoad() throws Exception {
        int capacity = 100;
        IssuedKey k = key("acme", RateLimitPolicy.of(Limit.perDay(capacity))); // no whole token refills during the test
        AtomicInteger allowed = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Portcullis node = t % 2 == 0 ? nodeA : nodeB;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 60; i++) {
                        AuthResult r = call(node, k);
                        if (r.allowed()) {
                            allowed.incrementAndGet();
                        } else {
                            assertEquals(DenyReason.RATE_LIMITED, r.reason());
                            limited.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(capacity, allowed.get(), "exactly the capacity across both nodes, none lost, none extra");
        assertEquals(240 - capacity, limited.get());
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
    void aRefusingQuotaRefundsTheOthersOnRedis() {
        Quota daily = new Quota("k:refund:" + Limit.perDay(5), Limit.perDay(5));
        Quota tight = new Quota("a:refund:" + Limit.perDay(1), Limit.perDay(1));
        assertTrue(limiterA.tryTakeAll(List.of(daily, tight)).allowed());
        for (int i = 0; i < 20; i++) {
            RateLimiter.Take t = (i % 2 == 0 ? limiterA : limiterB).tryTakeAll(List.of(daily, tight));
            assertFalse(t.allowed());
            assertTrue(t.nanosToWait() > Duration.ofHours(1).toNanos(), "the refusing bucket's wait: " + t.nanosToWait());
        }
        // Without refunds the daily bucket would be empty; with them it holds 4.
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
        MutableClock clock = new MutableClock();
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
