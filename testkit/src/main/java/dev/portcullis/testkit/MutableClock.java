package dev.portcullis.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock a test moves by hand; handed to {@code Portcullis.builder().clock(…)} it drives expiry
 * and the cache's ticker alike. Thread-safe. (Core's own tests keep a copy: core cannot depend on
 * this module, which depends on core.)
 */
public final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    /** Starting at {@code start}. */
    public MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** Starting at 2026-06-01T00:00:00Z. */
    public MutableClock() {
        this(Instant.parse("2026-06-01T00:00:00Z"));
    }

    public void advance(Duration d) {
        now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
