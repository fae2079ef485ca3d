package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §2 Lookup, the ages RecordCache keeps itself on the request clock: a change the feed
 * missed is seen within a refresh interval, and an entry the clock makes younger than zero is
 * loaded again rather than trusted.
 */
class CacheFreshnessTest {
    private final ControllableStore store = new ControllableStore();
    private final Fixtures f = new Fixtures(store);

    @Test
    void aChangeTheFeedMissedIsSeenAfterTheRefreshInterval() {
        IssuedKey k = f.key();
        assertTrue(f.withKey(k.token()).allowed());
        store.feedMuted = true;
        f.keys().revoke(k.id());
        assertTrue(f.withKey(k.token()).allowed(), "within the interval the cached record is served");

        f.clock.advance(Duration.ofSeconds(61)); // the in-memory store has a feed: 60 s interval
        int before = store.reads.get();
        assertTrue(f.withKey(k.token()).allowed(), "a stale entry is served while its refresh runs");
        assertEquals(before + 2, store.reads.get(), "the stale hit refreshed the key and its account, once each");
        assertEquals(DenyReason.REVOKED, f.withKey(k.token()).reason(), "the refresh brought the revocation");
    }

    @Test
    void aHitWithinTheIntervalNeverReadsTheStore() {
        IssuedKey k = f.key();
        assertTrue(f.withKey(k.token()).allowed());
        int before = store.reads.get();
        for (int i = 0; i < 59; i++) {
            f.clock.advance(Duration.ofSeconds(1));
            assertTrue(f.withKey(k.token()).allowed());
        }
        assertEquals(before, store.reads.get());
    }

    @Test
    void anEntryFromTheFutureIsLoadedAgainBeforeItIsServed() {
        IssuedKey k = f.key();
        assertTrue(f.withKey(k.token()).allowed());
        store.feedMuted = true;
        f.keys().revoke(k.id());

        f.clock.advance(Duration.ofMinutes(-10)); // the wall clock stepped back
        int before = store.reads.get();
        assertEquals(DenyReason.REVOKED, f.withKey(k.token()).reason(), "an age below zero is not trusted");
        assertEquals(before + 1, store.reads.get());
    }

    @Test
    void aRefreshExecutorThatRejectsWorkNeitherFailsNorExtendsTheBound() {
        java.util.concurrent.atomic.AtomicBoolean saturated = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.Executor executor = task -> {
            if (saturated.get()) {
                throw new java.util.concurrent.RejectedExecutionException("queue full (test)");
            }
            task.run();
        };
        Fixtures g = new Fixtures(store, Portcullis.builder(), executor);
        IssuedKey k = g.key();
        assertTrue(g.withKey(k.token()).allowed());
        saturated.set(true);
        g.clock.advance(Duration.ofSeconds(61));
        assertTrue(g.withKey(k.token()).allowed(), "served stale; the rejected refresh is not the caller's problem");
        assertTrue(g.withKey(k.token()).allowed());
        g.clock.advance(Duration.ofMinutes(4)); // past the hard bound: loaded synchronously, on the caller
        assertTrue(g.withKey(k.token()).allowed());
        store.feedMuted = true;
        g.keys().revoke(k.id());
        g.clock.advance(Duration.ofMinutes(5));
        assertEquals(DenyReason.REVOKED, g.withKey(k.token()).reason(), "the bound still holds");
    }

    @Test
    void pastTheHardBoundNothingIsServedWithoutTheStore() {
        IssuedKey k = f.key();
        assertTrue(f.withKey(k.token()).allowed());
        store.feedMuted = true;
        f.keys().revoke(k.id());
        store.down = true;
        f.clock.advance(Duration.ofMinutes(5)); // exactly the bound
        assertEquals(DenyReason.STORE_UNAVAILABLE, f.withKey(k.token()).reason());
        store.down = false;
        f.clock.advance(Duration.ofSeconds(10)); // past the backoff
        assertEquals(DenyReason.REVOKED, f.withKey(k.token()).reason());
    }
}
