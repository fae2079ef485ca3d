package dev.portcullis.internal.pipeline;

import dev.portcullis.Channel;
import dev.portcullis.DenyReason;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Map;
import dev.portcullis.spi.RateLimiter;

/**
 * Micrometer meters (names and tags in docs/operations.md). Counters and timers are created once
 * per tag combination, so a decision costs an array lookup and an increment. Tags never carry a
 * secret, and a key id only when explicitly enabled (one series per key: mind the cardinality).
 */
final class MicrometerMetrics implements Metrics {
    private final MeterRegistry registry;
    private final boolean keyIds;
    private final Map<Channel, Counter[]> decisions = new EnumMap<>(Channel.class);
    private final Map<Channel, Timer[]> latency = new EnumMap<>(Channel.class);
    private final Counter[] reportOnly = new Counter[DenyReason.values().length];
    private final Counter argon2Busy;
    private final Counter budgetRejections;
    private final Counter rateRejections;
    private final Counter staleServed;

    MicrometerMetrics(MeterRegistry registry, boolean keyIds) {
        this.registry = registry;
        this.keyIds = keyIds;
        for (Channel ch : Channel.values()) {
            Counter[] c = new Counter[DenyReason.values().length + 1];
            for (int i = 0; i < c.length; i++) {
                c[i] = decisionCounter(ch, i == 0 ? null : DenyReason.values()[i - 1], null);
            }
            decisions.put(ch, c);
            latency.put(ch, new Timer[] {timer(ch, "allowed"), timer(ch, "denied")});
        }
        for (DenyReason r : DenyReason.values()) {
            reportOnly[r.ordinal()] = Counter.builder("portcullis.report_only")
                    .description("allowed requests a report-only check would have denied")
                    .tag("would_deny", r.name()).register(registry);
        }
        this.argon2Busy = Counter.builder("portcullis.argon2.busy").description("logins refused because every Argon2 slot stayed busy").register(registry);
        this.budgetRejections = Counter.builder("portcullis.failure_budget.rejections").description("attempts refused by a failure budget").register(registry);
        this.rateRejections = Counter.builder("portcullis.rate_limit.rejections").description("requests refused by a rate limit").register(registry);
        this.staleServed = Counter.builder("portcullis.cache.stale_served").description("records kept past a failed refresh, within the hard bound").register(registry);
    }

    private Counter decisionCounter(Channel ch, DenyReason reason, String keyId) {
        Tags tags = Tags.of("channel", ch.name(), "outcome", reason == null ? "allowed" : "denied",
                "reason", reason == null ? "none" : reason.name());
        if (keyId != null) {
            tags = tags.and("key_id", keyId);
        }
        return Counter.builder("portcullis.decisions").description("authentication and authorization decisions")
                .tags(tags).register(registry);
    }

    private Timer timer(Channel ch, String outcome) {
        return Timer.builder("portcullis.decision.latency").description("time to decide, parse to decision")
                .tags("channel", ch.name(), "outcome", outcome).register(registry);
    }

    /** Meters read from the rest of Portcullis when scraped. */
    void bind(RecordCache cache, dev.portcullis.internal.crypto.PasswordHasher hasher,
            dev.portcullis.spi.CredentialStore store, RateLimiter limiter) {
        FunctionCounter.builder("portcullis.cache.hits", cache, c -> c.stats().hitCount()).register(registry);
        FunctionCounter.builder("portcullis.cache.misses", cache, c -> c.stats().missCount()).register(registry);
        FunctionCounter.builder("portcullis.cache.evictions", cache, c -> c.stats().evictionCount()).register(registry);
        Gauge.builder("portcullis.cache.size", cache, RecordCache::size).register(registry);
        FunctionCounter.builder("portcullis.argon2.runs", hasher, h -> h.runs()).register(registry);
        Gauge.builder("portcullis.store.change_feed.lag", store, s -> s.changeFeedLag().toNanos() / 1e9)
                .baseUnit("seconds").register(registry);
        for (RateLimiter.Mode m : RateLimiter.Mode.values()) {
            Gauge.builder("portcullis.rate_limiter.mode", limiter, l -> l.mode() == m ? 1 : 0)
                    .tag("mode", m.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
        }
    }

    @Override
    public long start() {
        return System.nanoTime();
    }

    @Override
    public void decided(Channel channel, DenyReason reason, DenyReason wouldDeny, String keyId, long startNanos) {
        int i = reason == null ? 0 : reason.ordinal() + 1;
        (keyIds && keyId != null ? decisionCounter(channel, reason, keyId) : decisions.get(channel)[i]).increment();
        if (startNanos != 0) {
            latency.get(channel)[reason == null ? 0 : 1].record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        if (reason == null && wouldDeny != null) {
            reportOnly[wouldDeny.ordinal()].increment();
        } else if (reason == DenyReason.BUSY) {
            argon2Busy.increment();
        } else if (reason == DenyReason.TOO_MANY_FAILURES) {
            budgetRejections.increment();
        } else if (reason == DenyReason.RATE_LIMITED) {
            rateRejections.increment();
        }
    }

    @Override
    public void staleServed() {
        staleServed.increment();
    }
}
