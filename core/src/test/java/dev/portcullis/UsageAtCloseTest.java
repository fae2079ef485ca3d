package dev.portcullis;

import dev.portcullis.internal.pipeline.UsageRecorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.StoreException;
import dev.portcullis.spi.Usage;
import dev.portcullis.testing.ForwardingCredentialStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Issue 31, "nothing lost at shutdown": {@link Portcullis#close()} writes every count and network it holds. */
class UsageAtCloseTest {

    /** The real in-memory store, whose next {@code failures} usage writes fail (as a database would: nothing applied). */
    static final class FlakyUsageStore extends ForwardingCredentialStore {
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();

        @Override
        public void addUsage(Collection<Usage> batch) {
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                refused.incrementAndGet();
                throw new StoreException("usage write failed (test)");
            }
            writes.incrementAndGet();
            delegate().addUsage(batch);
        }
    }

    private static AuthResult from(Fixtures f, String token, String ip) {
        return f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", token), ip));
    }

    private static long allowed(CredentialStore store, String id) {
        return store.usage(id).map(u -> u.counts().getOrDefault("ALLOWED", 0L)).orElse(0L);
    }

    @Test
    void aBatchWhoseFlushFailedIsWrittenAtCloseAndNothingIsCountedAfter() {
        FlakyUsageStore store = new FlakyUsageStore();
        Fixtures f = new Fixtures(store, Portcullis.builder().usageFlushInterval(Duration.ofHours(1)), Runnable::run);
        IssuedKey key = f.key();
        for (int i = 0; i < 100; i++) {
            assertTrue(from(f, key.token(), "203.0.113.7").allowed());
        }
        store.failures.set(1);
        f.portcullis.flushUsage(); // refused: the batch goes to the carry list
        assertEquals(1, store.refused.get());
        assertEquals(0L, allowed(store, key.id()), "the failed batch applied nothing");
        for (int i = 0; i < 50; i++) {
            assertTrue(from(f, key.token(), "203.0.113.7").allowed());
        }
        f.portcullis.close();
        assertEquals(150L, allowed(store, key.id()), "the carried batch and the later counts, written at close");
        assertEquals(Set.of("203.0.113.0/24"), store.usage(key.id()).orElseThrow().networks());

        int writes = store.writes.get();
        assertTrue(from(f, key.token(), "198.51.100.7").allowed(), "a closed instance still decides");
        f.portcullis.close(); // idempotent
        f.portcullis.flushUsage();
        assertEquals(150L, allowed(store, key.id()), "after close, requests are not counted");
        assertFalse(f.lastEvent().newNetwork(), "and announce no new network");
        assertEquals(writes, store.writes.get());
    }

    @Test
    void closeRetriesAFailedFinalWriteAndGivesUpBoundedWithoutThrowing() {
        FlakyUsageStore store = new FlakyUsageStore();
        Fixtures f = new Fixtures(store, Portcullis.builder().usageFlushInterval(Duration.ofHours(1)), Runnable::run);
        IssuedKey key = f.key();
        assertTrue(from(f, key.token(), "203.0.113.7").allowed());
        store.failures.set(2);
        f.portcullis.close();
        assertEquals(2, store.refused.get());
        assertEquals(1L, allowed(store, key.id()), "written on the third attempt");

        FlakyUsageStore down = new FlakyUsageStore();
        Fixtures g = new Fixtures(down, Portcullis.builder().usageFlushInterval(Duration.ofHours(1)), Runnable::run);
        IssuedKey other = g.key();
        assertTrue(from(g, other.token(), "203.0.113.7").allowed());
        down.failures.set(Integer.MAX_VALUE);
        g.portcullis.close(); // logs what it could not write; does not throw
        assertEquals(UsageRecorder.CLOSE_ATTEMPTS, down.refused.get(), "a bounded number of attempts");
        assertEquals(0L, allowed(down, other.id()));
    }

    /** New-network writes still queued on the refresh executor at close are written from their tally. */
    @Test
    void aNewNetworkQueuedOnTheExecutorIsWrittenAtClose() {
        FlakyUsageStore store = new FlakyUsageStore();
        ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
        Fixtures f = new Fixtures(store, Portcullis.builder().usageFlushInterval(Duration.ofHours(1)), queued::add);
        IssuedKey key = f.key();
        for (Runnable r; (r = queued.poll()) != null; ) {
            r.run(); // whatever creating the key queued
        }
        assertTrue(from(f, key.token(), "198.51.100.7").allowed());
        assertTrue(f.lastEvent().newNetwork());
        assertTrue(from(f, key.token(), "192.0.2.1").allowed());
        assertTrue(f.lastEvent().newNetwork());
        assertFalse(queued.isEmpty(), "the new-network writes wait on the executor");
        assertFalse(store.usage(key.id()).isPresent());
        f.portcullis.close();
        assertEquals(Set.of("198.51.100.0/24", "192.0.2.0/24"), store.usage(key.id()).orElseThrow().networks());
        assertEquals(2L, allowed(store, key.id()));
        int writes = store.writes.get();
        for (Runnable r; (r = queued.poll()) != null; ) {
            r.run(); // runs after close: writes nothing more
        }
        assertEquals(writes, store.writes.get());
    }

    /**
     * Requests on two threads while the scheduled flush runs every millisecond, then close, then a
     * new instance on the same store: exactly the allowed count is stored, 40 times in a row.
     */
    @Test
    void nRequestsThenCloseStoreExactlyNFortyTimesInARow() throws Exception {
        CredentialStore store = CredentialStore.inMemory();
        String token;
        String id;
        try (Portcullis p = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("kat")).argon2(Fixtures.TEST_ARGON2).build()) {
            IssuedKey k = p.keys().create(KeySpec.builder().account("acme").name("close").grant("messages:send", "example.com").build());
            token = k.token();
            id = k.id();
        }
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try {
            for (int round = 1; round <= 40; round++) {
                Portcullis p = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("kat"))
                        .usageFlushInterval(Duration.ofMillis(1)).build();
                int r = round;
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int thread = t;
                    done.add(clients.submit(() -> {
                        for (int i = 0; i < 500; i++) {
                            String ip = i < 2 ? "10." + r + "." + (thread * 2 + i) + ".1" : "192.0.2.1";
                            assertTrue(p.authenticator().authenticate(AuthRequest.http(Fixtures.basic("api", token), ip)).allowed());
                        }
                        return null;
                    }));
                }
                for (Future<?> d : done) {
                    d.get(60, TimeUnit.SECONDS);
                }
                p.close();
                Usage u = store.usage(id).orElseThrow();
                assertEquals(1000L * round, u.counts().get("ALLOWED"), "round " + round);
                assertEquals(4 * round + 1, u.networks().size(), "round " + round + ": every new network");
                assertEquals(Map.of("ALLOWED", 1000L * round), u.counts());
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
