package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A load that read the store before a revocation must not put the old record back (DESIGN §2
 * Lookup). Background refreshes are where this race lives: a synchronous miss holds Caffeine's
 * entry lock, so a concurrent eviction waits for it and removes its result.
 */
class LoadRaceTest {

    @Test
    void aRefreshRacingARevocationNeverResurrectsTheKey() throws Exception {
        ControllableStore store = new ControllableStore();
        ExecutorService refresher = Executors.newSingleThreadExecutor();
        try {
            Fixtures f = new Fixtures(store, Portcullis.builder(), refresher);
            IssuedKey k = f.key();
            assertTrue(f.withKey(k.token()).allowed());

            f.clock.advance(Duration.ofSeconds(61));
            CountDownLatch release = new CountDownLatch(1);
            store.release = release; // the refresh reads the live record, then stalls holding it
            assertTrue(f.withKey(k.token()).allowed(), "served from cache while the refresh runs");
            assertTrue(store.stalled.await(10, TimeUnit.SECONDS), "refresh did not start");

            f.keys().revoke(k.id()); // committed and announced while the refresh holds the old answer
            release.countDown();
            refresher.submit(() -> {}).get(10, TimeUnit.SECONDS); // the refresh has finished

            for (int i = 0; i < 3; i++) {
                assertEquals(DenyReason.REVOKED, f.withKey(k.token()).reason(), "stale refresh resurrected the key");
                f.clock.advance(Duration.ofSeconds(61));
                refresher.submit(() -> {}).get(10, TimeUnit.SECONDS);
            }
        } finally {
            refresher.shutdownNow();
        }
    }

    @Test
    void aStoreAnsweringOlderThanTheFeedIsNeverBelieved() {
        ControllableStore store = new ControllableStore();
        Fixtures f = new Fixtures(store);
        IssuedKey k = f.key();
        store.lagging = store.findById(k.id()).orElseThrow(); // a replica stuck before the revocation
        f.keys().revoke(k.id());
        AuthResult r = f.withKey(k.token());
        assertEquals(DenyReason.STORE_UNAVAILABLE, r.reason(), "the lagging answer was believed");
        store.lagging = null;
        f.clock.advance(Duration.ofSeconds(10));
        assertEquals(DenyReason.REVOKED, f.withKey(k.token()).reason());
    }
}
