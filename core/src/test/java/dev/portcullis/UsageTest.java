package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.Usage;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** DESIGN §3 usage: exact counts without serialising requests, batched writes, networks announced once. */
class UsageTest {

    @Test
    void exactCountsFromManyThreadsInFewWrites() throws Exception {
        ControllableStore store = new ControllableStore();
        Fixtures f = new Fixtures(store);
        IssuedKey k = f.key();
        String good = Fixtures.basic("api", k.token());
        String bad = Fixtures.basic("api", DenyReasonsTest.sameIdOtherSecret(k.token()));
        int threads = 4;
        int each = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int n = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        // Threads 0 and 1 also send wrong secrets from another network (within its failure budget).
                        String h = n < 2 && i % 100 == 0 ? bad : good;
                        f.auth().authenticate(AuthRequest.http(h, n < 2 && i % 100 == 0 ? "198.51.100." + n : "203.0.113." + n));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (int flushes = 0; flushes < 5; flushes++) {
                Thread.sleep(20);
                f.portcullis.flushUsage(); // flushing while requests run must lose and double nothing
            }
            for (Future<?> fu : futures) {
                fu.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        f.portcullis.flushUsage();
        Usage stored = store.usage(k.id()).orElseThrow();
        long wrong = 2 * (each / 100);
        assertEquals(threads * each - wrong, stored.counts().get("ALLOWED"));
        assertEquals(wrong, stored.counts().get("WRONG_SECRET"));
        assertEquals(Set.of("203.0.113.0/24"), stored.networks(), "only allowed uses add networks");
        assertTrue(stored.lastClientAddress().startsWith("203.0.113."));
        assertEquals(f.clock.instant(), stored.lastUsedAt());
        assertTrue(store.usageWrites.get() <= 10, "writes: " + store.usageWrites.get() + " for " + threads * each + " requests");
        assertEquals(stored.counts(), f.keys().usage(k.id()).orElseThrow().counts(), "nothing left unflushed");
    }

    @Test
    void usageIncludesWhatIsNotFlushedYet() {
        Fixtures f = new Fixtures();
        IssuedKey k = f.key();
        f.withKey(k.token());
        f.withKey(k.token());
        assertEquals(2L, f.keys().usage(k.id()).orElseThrow().counts().get("ALLOWED"));
        f.portcullis.flushUsage();
        f.withKey(k.token());
        assertEquals(3L, f.keys().usage(k.id()).orElseThrow().counts().get("ALLOWED"));
        assertTrue(f.keys().usage(f.key().id()).orElseThrow().counts().isEmpty(), "an unused key has empty usage");
        assertTrue(f.keys().usage("nosuchkey000").isEmpty());
    }

    @Test
    void aNewNetworkIsAnnouncedOnceEvenAcrossARestart() {
        ControllableStore store = new ControllableStore();
        Fixtures first = new Fixtures(store);
        IssuedKey k = first.key();
        first.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.113.7"));
        assertTrue(first.lastEvent().newNetwork());
        first.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.113.200"));
        assertFalse(first.lastEvent().newNetwork(), "same /24");
        first.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "2001:db8:1:2::5"));
        assertTrue(first.lastEvent().newNetwork());
        first.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "2001:db8:1:ffff::5"));
        assertFalse(first.lastEvent().newNetwork(), "same /48");
        first.auth().authenticate(AuthRequest.http(Fixtures.basic("api", DenyReasonsTest.sameIdOtherSecret(k.token())), "192.0.2.1"));
        assertFalse(first.lastEvent().newNetwork(), "a failed attempt is not a use");
        first.portcullis.close(); // no flush of counts needed: new networks are written at once

        Fixtures restarted = new Fixtures(store);
        restarted.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.113.8"));
        assertFalse(restarted.lastEvent().newNetwork(), "announced again after a restart");
        restarted.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "192.0.2.1"));
        assertTrue(restarted.lastEvent().newNetwork());
        assertEquals(Set.of("203.0.113.0/24", "2001:db8:1::/48", "192.0.2.0/24"), store.usage(k.id()).orElseThrow().networks());
    }

    @Test
    void aFailedFlushIsKeptForTheNextOne() {
        ControllableStore store = new ControllableStore();
        Fixtures f = new Fixtures(store);
        IssuedKey k = f.key();
        f.withKey(k.token());
        store.down = true;
        f.clock.advance(java.time.Duration.ofSeconds(1));
        f.portcullis.flushUsage();
        store.down = false;
        f.portcullis.flushUsage();
        assertEquals(1L, store.usage(k.id()).orElseThrow().counts().get("ALLOWED"));
    }
}
