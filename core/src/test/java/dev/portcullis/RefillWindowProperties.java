package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * A refill remembers the period its last query fell in (the hot path asks once per credit take):
 * one refill asked about any walk of instants — forward, backward, across boundaries, a millisecond
 * either side of one — answers as a fresh refill of the same schedule, which has nothing remembered.
 */
class RefillWindowProperties {

    @Property(tries = 300)
    void aRememberedPeriodNeverChangesTheAnswer(@ForAll("schedules") String schedule,
            @ForAll @Size(min = 1, max = 40) List<@net.jqwik.api.constraints.LongRange(min = -2_000_000_000_000L,
                    max = 6_000_000_000_000L) Long> millis,
            @ForAll @Size(min = 1, max = 40) List<@net.jqwik.api.constraints.IntRange(min = -2, max = 2) Integer> nudges) {
        Limit.Refill remembering = Limit.Refill.parse(schedule);
        for (int i = 0; i < millis.size(); i++) {
            Instant now = Instant.ofEpochMilli(millis.get(i));
            // Every other step lands next to the boundary the last answer named: where a stale period would show.
            if (i % 2 == 1) {
                Instant edge = remembering.nextBoundary(Instant.ofEpochMilli(millis.get(i - 1)));
                now = edge.plusMillis(nudges.get(i % nudges.size())).plusNanos(i % 3 == 0 ? 500_000 : 0);
            }
            Limit.Refill fresh = Limit.Refill.parse(schedule);
            Instant last = remembering.lastBoundary(now);
            Instant next = remembering.nextBoundary(now);
            assertEquals(fresh.lastBoundary(now), last, () -> schedule + " at " + millis);
            assertEquals(Limit.Refill.parse(schedule).nextBoundary(now), next, schedule);
            Instant at = now;
            assertTrue(!last.isAfter(at) && next.isAfter(at), () -> schedule + ": " + last + " <= " + at + " < " + next);
        }
    }

    @Provide
    Arbitrary<String> schedules() {
        return Arbitraries.oneOf(
                Arbitraries.just("5/daily"),
                Arbitraries.integers().between(1, 31).map(d -> "5/monthly:" + d),
                Arbitraries.of("5/P7D", "5/P1M", "5/P3M", "5/P1Y", "5/P2D", "5/PT1M", "5/PT6H", "5/PT90M", "5/PT24H"));
    }
}
