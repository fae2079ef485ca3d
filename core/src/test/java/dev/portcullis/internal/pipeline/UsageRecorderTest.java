package dev.portcullis.internal.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
