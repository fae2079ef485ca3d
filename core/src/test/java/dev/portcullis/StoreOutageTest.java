package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** DESIGN §2 Lookup: a bounded stale window while the store is down, and never an allow on a miss. */
class StoreOutageTest {
    private final ControllableStore store = new ControllableStore();
    private final Fixtures f = new Fixtures(store);

    @Test
    void cachedKeyServedUntilTheHardBoundThenStoreUnavailable() {
        IssuedKey k = f.key();
        assertTrue(f.withKey(k.token()).allowed());
        store.down = true;

        f.clock.advance(Duration.ofSeconds(61)); // past the refresh interval: the refresh fails
        assertTrue(f.withKey(k.token()).allowed(), "stale but within the bound");
        f.clock.advance(Duration.ofMinutes(3));
        assertTrue(f.withKey(k.token()).allowed(), "a failed refresh must not reset the bound… yet still within it");

        f.clock.advance(Duration.ofSeconds(57)); // 4:58 since the last good load
        assertTrue(f.withKey(k.token()).allowed());
        f.clock.advance(Duration.ofSeconds(3)); // 5:01: past the hard bound
        AuthResult r = f.withKey(k.token());
        assertEquals(DenyReason.STORE_UNAVAILABLE, r.reason());
        assertEquals(503, r.http().status());
        assertNotNull(r.http().headers().get("Retry-After"));
        assertEquals(454, r.smtp().code());

        store.down = false;
        f.clock.advance(Duration.ofSeconds(10)); // past any backoff
        assertTrue(f.withKey(k.token()).allowed(), "recovers once the store is back");
    }

    @Test
    void unknownKeyDuringAnOutageIsNeverAllowed() {
        f.key();
        store.down = true;
        for (int i = 0; i < 50; i++) {
            String stranger = KeyFormat.withPrefix("kat").newToken();
            AuthResult r = f.withKey(stranger);
            assertFalse(r.allowed());
            assertEquals(DenyReason.STORE_UNAVAILABLE, r.reason());
        }
    }

    @Test
    void aDownStoreIsNotCalledOnEveryRead() {
        IssuedKey k = f.key();
        assertTrue(f.withKey(k.token()).allowed());
        store.down = true;
        f.clock.advance(Duration.ofSeconds(61));
        int before = store.reads.get();
        for (int i = 0; i < 100; i++) {
            assertTrue(f.withKey(k.token()).allowed());
        }
        assertTrue(store.reads.get() - before <= 1, "refresh retried per read: " + (store.reads.get() - before));

        // Misses back off too: many strangers within the backoff window cost few store calls.
        before = store.reads.get();
        for (int i = 0; i < 100; i++) {
            f.withKey(KeyFormat.withPrefix("kat").newToken());
        }
        assertTrue(store.reads.get() - before <= 2, "misses hammered a down store: " + (store.reads.get() - before));
    }

    @Test
    void negativeEntriesHaveTheSameBound() {
        String stranger = KeyFormat.withPrefix("kat").newToken();
        assertEquals(DenyReason.UNKNOWN_KEY, f.withKey(stranger).reason());
        store.down = true;
        assertEquals(DenyReason.UNKNOWN_KEY, f.withKey(stranger).reason(), "negatively cached");
        f.clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertEquals(DenyReason.STORE_UNAVAILABLE, f.withKey(stranger).reason());
    }
}
