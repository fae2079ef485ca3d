package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import dev.portcullis.AuthResult.RateLimitStatus;

/** DESIGN §2 Rate-limit: all limits admit or none is charged; only admitted requests pay (checklist K57–58). */
class RateLimitTest {
    private final Fixtures f = new Fixtures();

    private IssuedKey key(RateLimitPolicy policy) {
        return f.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").rateLimit(policy).build());
    }

    @Test
    void exactAdmissionUnderContention() throws Exception {
        int capacity = 200;
        IssuedKey k = key(RateLimitPolicy.of(Limit.perHour(capacity)));
        String header = Fixtures.basic("api", k.token());
        AtomicInteger allowed = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 150; i++) {
                        AuthResult r = f.auth().authenticate(AuthRequest.http(header, "203.0.113.7"));
                        (r.allowed() ? allowed : limited).incrementAndGet();
                        if (!r.allowed()) {
                            assertEquals(DenyReason.RATE_LIMITED, r.reason());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> fu : futures) {
                fu.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(capacity, allowed.get(), "exactly the capacity, none lost, none extra");
        assertEquals(600 - capacity, limited.get());
    }

    @Test
    void aRefusingLimitRefundsTheOthers() {
        // Per key 5 a day (taken first), per account 1 a minute (refuses): each refusal must hand the key's token back.
        IssuedKey k = key(RateLimitPolicy.of(Limit.perDay(5), Limit.perMinute(1).perAccount()));
        assertTrue(f.withKey(k.token()).allowed());
        for (int i = 0; i < 50; i++) {
            AuthResult r = f.withKey(k.token());
            assertEquals(DenyReason.RATE_LIMITED, r.reason());
            assertEquals(429, r.http().status());
            assertNotNull(r.http().headers().get("Retry-After"));
        }
        // Without refunds the daily bucket would be empty now; with them it still holds 4.
        for (int i = 0; i < 4; i++) {
            f.clock.advance(Duration.ofSeconds(61));
            assertTrue(f.withKey(k.token()).allowed(), "admission " + (i + 2) + " of 5");
        }
        f.clock.advance(Duration.ofSeconds(61));
        AuthResult sixth = f.withKey(k.token());
        assertEquals(DenyReason.RATE_LIMITED, sixth.reason(), "the daily limit holds");
        assertTrue(sixth.retryAfter().compareTo(Duration.ofHours(1)) > 0, "the daily limit's wait: " + sixth.retryAfter());
    }

    @Test
    void deniedAndUnauthenticatedRequestsCostNoQuota() {
        IssuedKey k = key(RateLimitPolicy.of(Limit.perHour(2)));
        String token = k.token();
        for (int i = 0; i < 20; i++) {
            f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", DenyReasonsTest.sameIdOtherSecret(token)), "203.0.113.7"));
            f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", token), "203.0.113.7").require("messages:send", "other.com"));
        }
        assertTrue(f.withKey(token).allowed());
        assertTrue(f.withKey(token).allowed());
        assertEquals(DenyReason.RATE_LIMITED, f.withKey(token).reason());
    }

    @Test
    void decisionsCarryTheTightestLimitForTheHeaders() {
        IssuedKey k = key(RateLimitPolicy.of(Limit.perMinute(100), Limit.perSecond(5).burst(10)));
        AuthResult r = f.withKey(k.token());
        RateLimitStatus s = r.rateLimit();
        assertEquals(10, s.quota(), "burst 10 with 9 left is tighter than 99 of 100");
        assertEquals(1, s.windowSeconds());
        assertEquals(9, s.remaining());
        assertEquals(1, s.resetSeconds());
        // draft -11's "t" (no more than "r" within t) does not hold for a bucket that refills as it admits.
        assertEquals("\"default\";r=9", r.http().headers().get("RateLimit"));
        assertEquals("\"default\";q=10;w=1", r.http().headers().get("RateLimit-Policy"));
    }

    @Test
    void defaultPolicyAndAccountLimitsFromTheKeyManager() {
        Fixtures g = new Fixtures(CredentialStore.inMemory(),
                Portcullis.builder().defaultRateLimit(RateLimitPolicy.of(Limit.perHour(5))), Runnable::run);
        IssuedKey a = g.keys().create(KeySpec.builder().account("acme").build());
        IssuedKey b = g.keys().create(KeySpec.builder().account("acme").build());
        IssuedKey own = g.keys().create(KeySpec.builder().account("acme").rateLimit(RateLimitPolicy.UNLIMITED).build());
        for (int i = 0; i < 5; i++) {
            assertTrue(g.withKey(a.token()).allowed());
        }
        assertEquals(DenyReason.RATE_LIMITED, g.withKey(a.token()).reason(), "the default applies per key");
        assertTrue(g.withKey(b.token()).allowed());

        g.keys().setAccountRateLimit("acme", RateLimitPolicy.of(Limit.perHour(3)));
        assertTrue(g.withKey(own.token()).allowed());
        assertTrue(g.withKey(own.token()).allowed());
        assertTrue(g.withKey(b.token()).allowed());
        assertEquals(DenyReason.RATE_LIMITED, g.withKey(own.token()).reason(), "the account limit counts all its keys");
        g.keys().setAccountRateLimit("acme", null);
        assertTrue(g.withKey(own.token()).allowed());
    }

    @Test
    void changedLimitsTakeEffectAtOnce() {
        IssuedKey k = key(RateLimitPolicy.of(Limit.perHour(1)));
        assertTrue(f.withKey(k.token()).allowed());
        assertFalse(f.withKey(k.token()).allowed());
        var r = f.store.findById(k.id()).orElseThrow();
        f.store.save(r.toBuilder().rateLimit(RateLimitPolicy.of(Limit.perHour(10))).build(), r.version());
        assertTrue(f.withKey(k.token()).allowed());
    }
}
