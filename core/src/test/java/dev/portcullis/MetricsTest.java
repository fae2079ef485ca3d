package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Micrometer meters after a scripted mix of requests: exact counts, and no secret or key id in any tag. */
class MetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double decisions(String outcome, String reason, String channel) {
        var c = registry.find("portcullis.decisions").tags("outcome", outcome, "reason", reason, "channel", channel).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void countsAfterAScriptedMix() {
        ControllableStore store = new ControllableStore();
        Fixtures f = new Fixtures(store, Portcullis.builder().meterRegistry(registry), Runnable::run);
        IssuedKey k = f.keys().create(KeySpec.builder().account("acme").rateLimit(RateLimitPolicy.of(Limit.perHour(3))).build());
        IssuedKey p = f.keys().createSmtpCredential(KeySpec.builder().account("acme").username("a@example.com").build());
        for (int i = 0; i < 3; i++) {
            f.withKey(k.token());
        }
        f.withKey(k.token()); // rate limited
        f.withKey(DenyReasonsTest.sameIdOtherSecret(k.token()));
        f.withKey(DenyReasonsTest.sameIdOtherSecret(k.token()));
        f.auth().authenticate(AuthRequest.http((String) null, "203.0.113.7"));
        f.auth().sasl("PLAIN", "203.0.113.7", true).respond(SmtpSaslTest.b64("\0a@example.com\0" + p.password()));
        f.auth().sasl("PLAIN", "203.0.113.7", true).respond(SmtpSaslTest.b64("\0a@example.com\0wrong"));

        assertEquals(3, decisions("allowed", "none", "HTTP"));
        assertEquals(1, decisions("denied", "RATE_LIMITED", "HTTP"));
        assertEquals(2, decisions("denied", "WRONG_SECRET", "HTTP"));
        assertEquals(1, decisions("denied", "MISSING_CREDENTIALS", "HTTP"));
        assertEquals(1, decisions("allowed", "none", "SMTP"));
        assertEquals(1, decisions("denied", "WRONG_SECRET", "SMTP"));
        assertEquals(1, registry.get("portcullis.rate_limit.rejections").counter().count());
        assertEquals(7, registry.get("portcullis.decision.latency").tags("channel", "HTTP").timers().stream()
                .mapToLong(t -> t.count()).sum());
        assertEquals(3, registry.get("portcullis.argon2.runs").functionCounter().count(), "the enrolment hash, one login, one wrong password");
        assertTrue(registry.get("portcullis.cache.hits").functionCounter().count() >= 5);
        assertTrue(registry.get("portcullis.cache.misses").functionCounter().count() >= 1);
        assertEquals(1, registry.get("portcullis.rate_limiter.mode").tag("mode", "local").gauge().value());
        assertEquals(0, registry.get("portcullis.store.change_feed.lag").gauge().value());

        store.down = true;
        f.clock.advance(Duration.ofSeconds(61));
        assertTrue(f.withKey(k.token()).reason() == DenyReason.RATE_LIMITED, "still served from cache (and still limited)");
        assertEquals(2, registry.get("portcullis.cache.stale_served").counter().count(), "the key's and its account's entries");

        String secret = k.token().substring(16);
        for (Meter m : registry.getMeters()) {
            for (Tag t : m.getId().getTags()) {
                assertFalse(t.getValue().contains(k.id()), "a key id in a tag by default: " + m.getId());
                assertFalse(t.getValue().contains(secret.substring(0, 8)) || t.getValue().contains(p.password().substring(0, 8)));
                assertFalse(t.getKey().equals("key_id"));
            }
        }
    }

    @Test
    void keyIdTagsOnlyWhenAskedFor() {
        Fixtures f = new Fixtures(CredentialStore.inMemory(), Portcullis.builder().meterRegistry(registry).metricsWithKeyIds(), Runnable::run);
        IssuedKey k = f.key();
        f.withKey(k.token());
        assertEquals(1, registry.get("portcullis.decisions").tag("key_id", k.id()).counter().count());
    }

    @Test
    void busyAndBudgetRejectionsAreCounted() {
        Fixtures f = new Fixtures(CredentialStore.inMemory(), Portcullis.builder().meterRegistry(registry)
                .failureBudgets(Limit.perHour(1), Limit.perHour(1), Limit.perHour(10)), Runnable::run);
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", KeyFormat.withPrefix("kat").newToken()), "198.51.100.1"));
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", KeyFormat.withPrefix("kat").newToken()), "198.51.100.1"));
        assertEquals(1, registry.get("portcullis.failure_budget.rejections").counter().count());
    }
}
