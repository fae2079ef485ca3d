package dev.portcullis.internal.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.ClientAddress;
import dev.portcullis.DenyReason;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.MutableClock;
import dev.portcullis.Portcullis;
import dev.portcullis.spi.CredentialStore;

import org.junit.jupiter.api.Test;

/** DESIGN §3 usage, the recorder alone (moved from UsageTest): tallies, their idle drop, the sink of attempts on nothing real. */
class UsageRecorderTest {
    /** The id of an API key created in {@code store}: usage is kept for credentials that exist. */
    private static String existingKey(CredentialStore store) {
        try (Portcullis p = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("kat")).build()) {
            return p.keys().create(KeySpec.builder().account("acme").name("test").grant("messages:send", "example.com").build()).id();
        }
    }

    @Test
    void aTallyIdleForAnHourIsDroppedAndCountingGoesOnExactly() {
        CredentialStore store = CredentialStore.inMemory();
        String id = existingKey(store); // usage is kept for credentials that exist
        MutableClock clock = new MutableClock();
        UsageRecorder usage = new UsageRecorder(store, clock, Runnable::run);
        ClientAddress client = ClientAddress.parse("203.0.113.7");
        usage.record(id, true, null, client, clock.millis());
        usage.record(id, true, DenyReason.WRONG_SECRET, client, 0);
        usage.flush();
        assertEquals(java.util.Map.of("ALLOWED", 1L, "WRONG_SECRET", 1L), store.usage(id).orElseThrow().counts());
        usage.flush(); // nothing new: idle from now
        clock.advance(java.time.Duration.ofMinutes(61));
        assertEquals(1, usage.tallied());
        usage.flush(); // idle for more than an hour: dropped (and drained once more, empty)
        assertEquals(0, usage.tallied());
        usage.record(id, true, null, client, clock.millis());
        usage.flush();
        assertEquals(java.util.Map.of("ALLOWED", 2L, "WRONG_SECRET", 1L), store.usage(id).orElseThrow().counts(),
                "a new tally after the drop; nothing lost, nothing counted twice");
        assertEquals(2L, usage.snapshot(id).orElseThrow().counts().get("ALLOWED"));
    }

    /**
     * Attempts on nothing real (unknown ids and logins) are tallied like real ones, each under what
     * it named (the timing invariant), but never written; what they hold is bounded, and emptied once full.
     */
    @Test
    void attemptsOnNothingRealAreNeverWrittenAndTheirSinkIsBounded() {
        CredentialStore store = CredentialStore.inMemory();
        String id = existingKey(store);
        MutableClock clock = new MutableClock();
        UsageRecorder usage = new UsageRecorder(store, clock, Runnable::run);
        ClientAddress client = ClientAddress.parse("203.0.113.7");
        usage.record(id, false, DenyReason.UNKNOWN_KEY, client, 0); // a real id, but not counted (e.g. no API key)
        for (int i = 1; i < UsageRecorder.MAX_NOWHERE; i++) {
            usage.record("unknown-" + i, false, DenyReason.UNKNOWN_KEY, client, 0);
        }
        usage.record("unknown-1", false, DenyReason.UNKNOWN_KEY, client, 0);
        assertEquals(UsageRecorder.MAX_NOWHERE, usage.sunk(), "one tally per name, as for real credentials");
        for (int i = 0; i < 1000; i++) {
            usage.record("more-" + i, false, DenyReason.UNKNOWN_KEY, client, 0);
        }
        assertEquals(UsageRecorder.MAX_NOWHERE, usage.sunk(), "full: new names share one tally, the map grows no more");
        assertEquals(0, usage.tallied());
        usage.flush();
        assertFalse(store.usage(id).isPresent(), "nothing written for an attempt that was not counted");
        assertEquals(0, usage.sunk(), "emptied at the flush once it reached the bound");
        usage.record("unknown-2", false, DenyReason.UNKNOWN_KEY, client, 0);
        usage.flush();
        assertEquals(1, usage.sunk(), "below the bound it is kept");
    }

    /**
     * A cache entry's subject remembers its tally, so a request finds it without the map; once a
     * flush has dropped that tally (idle for an hour), the subject's next count goes to a new one,
     * and nothing is lost or counted twice.
     */
    @Test
    void aSubjectLeavesItsRememberedTallyOnceAFlushDroppedIt() {
        CredentialStore store = CredentialStore.inMemory();
        String id = existingKey(store);
        MutableClock clock = new MutableClock();
        UsageRecorder usage = new UsageRecorder(store, clock, Runnable::run);
        ClientAddress client = ClientAddress.parse("203.0.113.7");
        Subject who = new Subject(id, "acme", id);
        usage.record(who, null, client, clock.millis());
        UsageRecorder.Tally first = who.tally;
        assertNotNull(first);
        usage.record(who, DenyReason.WRONG_SECRET, client, 0);
        assertSame(first, who.tally, "remembered, not looked up again");
        usage.flush();
        usage.flush(); // nothing new: idle from now
        clock.advance(java.time.Duration.ofMinutes(61));
        usage.flush(); // dropped
        assertEquals(0, usage.tallied());
        usage.record(who, null, client, clock.millis());
        assertNotSame(first, who.tally);
        assertEquals(1, usage.tallied());
        usage.flush();
        assertEquals(java.util.Map.of("ALLOWED", 2L, "WRONG_SECRET", 1L), store.usage(id).orElseThrow().counts());

        UsageRecorder other = new UsageRecorder(store, clock, Runnable::run);
        other.record(who, null, client, clock.millis());
        assertSame(other, who.tally.owner, "a subject seen by another recorder counts in that recorder's tally");
    }

    /**
     * The last client is the address of the last allowed use, whether or not it is the same object
     * or network as before; a new network is announced once, and a use from the last address again
     * announces nothing.
     */
    @Test
    void theLastClientIsTheLastAddressAndEachNetworkIsNewOnce() {
        CredentialStore store = CredentialStore.inMemory();
        String id = existingKey(store);
        MutableClock clock = new MutableClock();
        UsageRecorder usage = new UsageRecorder(store, clock, Runnable::run);
        Subject who = new Subject(id, "acme", id);
        assertTrue(usage.record(who, null, ClientAddress.parse("203.0.113.7"), clock.millis()), "first network");
        assertFalse(usage.record(who, null, ClientAddress.parse("203.0.113.7"), clock.millis()), "same address, new object");
        assertFalse(usage.record(who, null, ClientAddress.parse("203.0.113.9"), clock.millis()), "same /24");
        assertEquals("203.0.113.9", usage.snapshot(id).orElseThrow().lastClientAddress());
        assertTrue(usage.record(who, null, ClientAddress.parse("2001:db8:1::5"), clock.millis()), "an IPv6 network");
        assertEquals("2001:db8:1::5", usage.snapshot(id).orElseThrow().lastClientAddress());
        assertFalse(usage.record(who, null, ClientAddress.parse("2001:db8:1::6"), clock.millis()), "same /48");
        assertTrue(usage.record(who, null, ClientAddress.parse("198.51.100.1"), clock.millis()), "another IPv4 network");
        assertFalse(usage.record(who, null, ClientAddress.parse("203.0.113.7"), clock.millis()), "known before");
        assertEquals("203.0.113.7", usage.snapshot(id).orElseThrow().lastClientAddress());
        usage.record(who, DenyReason.WRONG_SECRET, ClientAddress.parse("192.0.2.1"), clock.millis());
        assertEquals("203.0.113.7", usage.snapshot(id).orElseThrow().lastClientAddress(), "a denial is no use");
    }
}
