package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.RateLimiter;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link AuthResult#http()} builds its fields straight into an immutable map (no ordered map to copy
 * per request) and answers a plain admission with one shared verdict: every mix of decision, rate
 * limit, credits and wait still gets exactly its fields, once each, whatever their number (0 to 4).
 */
class HttpVerdictProperties {

    record Case(DenyReason reason, RateLimiter.Take limit, AuthResult.CreditStatus credits, Duration retryAfter) {
        AuthResult result() {
            return reason == null ? AuthResult.allow(null, limit, credits, false, "realm")
                    : AuthResult.deny(reason, retryAfter, limit, credits, false, "realm");
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<DenyReason> reasons = Arbitraries.of(DenyReason.class).injectNull(0.3);
        Arbitrary<RateLimiter.Take> limits = Arbitraries.longs().between(0, 100).map(left ->
                RateLimiter.Take.admitted(Limit.perMinute(100), () -> left)).injectNull(0.4);
        Arbitrary<AuthResult.CreditStatus> credits = Combinators.combine(
                Arbitraries.longs().between(0, 1_000), Arbitraries.longs().between(0, 1_000),
                Arbitraries.longs().between(1, 86_400_000).map(Duration::ofMillis).injectNull(0.5),
                Arbitraries.longs().between(0, 86_400))
                .as(AuthResult.CreditStatus::new).injectNull(0.4);
        Arbitrary<Duration> waits = Arbitraries.longs().between(1, 100_000).map(Duration::ofMillis).injectNull(0.4);
        return Combinators.combine(reasons, limits, credits, waits).as(Case::new);
    }

    @Property(tries = 500)
    void everyVerdictHasExactlyItsFields(@ForAll("cases") Case c) {
        AuthResult.HttpVerdict v = c.result().http();
        Map<String, String> h = v.headers();
        boolean limited = c.limit() != null || c.credits() != null;
        boolean denied = c.reason() != null;
        Set<String> required = new HashSet<>();
        if (limited) {
            required.add("RateLimit");
        }
        if (denied && c.reason().httpStatus() == 401) {
            required.add("WWW-Authenticate");
        }
        if (denied && c.retryAfter() != null) {
            required.add("Retry-After");
        }
        Set<String> allowed = new HashSet<>(required);
        if (limited) {
            allowed.add("RateLimit-Policy"); // absent only for credits with no constant quota
        }
        assertTrue(h.keySet().containsAll(required), () -> c + " lacks some of " + required + ": " + h);
        assertTrue(allowed.containsAll(h.keySet()), () -> c + " has more than " + allowed + ": " + h);
        h.values().forEach(value -> assertTrue(value != null && !value.isEmpty(), () -> c + ": " + h));
        assertEquals(denied ? c.reason().httpStatus() : 200, v.status());
        assertEquals(h, Map.copyOf(h));
    }

    @Property(tries = 50)
    void anAdmissionWithoutLimitsHasNoFields(@ForAll boolean atMail) {
        AuthResult.HttpVerdict v = AuthResult.allow(null, null, null, atMail, "realm").http();
        assertEquals(new AuthResult.HttpVerdict(200, Map.of(), "OK"), v);
        assertEquals("{\"message\":\"OK\"}", v.jsonBody());
    }
}
