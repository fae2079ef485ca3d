package dev.portcullis.servlet;

import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.portcullis.servlet.Fixture.basic;
import static dev.portcullis.servlet.Fixture.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checklist K.58: {@code RateLimit} and {@code RateLimit-Policy} of draft-ietf-httpapi-ratelimit-headers-10 on the wire. */
class RateLimitHeadersTest {
    private static final String SEND = "/v3/example.com/messages";

    @Test
    void theFieldsParseAsStructuredFieldListsAndCountDown() throws Exception {
        MutableClock clock = new MutableClock();
        try (Fixture f = new Fixture(Portcullis.builder().clock(clock));
                Jetty j = Jetty.loopback().filter(f.mailApi().build()).servlet("/", new Echo()).start()) {
            String key = f.key(KeySpec.builder().account("acme").name("metered").grant("messages:send", "example.com")
                    .rateLimit(RateLimitPolicy.of(Limit.perMinute(5))));
            for (long expected = 4; expected >= 0; expected--) {
                HttpResponse<String> r = post(j.uri(SEND), "Authorization", basic("api", key));
                assertEquals(200, r.statusCode());

                List<StructuredFields.Item> policy = StructuredFields.parseList(only(r, "RateLimit-Policy"));
                assertEquals(1, policy.size());
                assertEquals("default", policy.get(0).value());
                assertEquals(Map.of("q", 5L, "w", 60L), policy.get(0).params(), "q and w are integers; w > 0");

                List<StructuredFields.Item> state = StructuredFields.parseList(only(r, "RateLimit"));
                assertEquals(1, state.size());
                assertEquals("default", state.get(0).value(), "names the policy it reports on");
                assertEquals(expected, state.get(0).params().get("r"), "r counts down");
                // draft -11: t is the time within which no more than r can be used; a bucket that
                // admitted refills meanwhile, so it promises no such window and sends no t.
                assertFalse(state.get(0).params().containsKey("t"), "no effective window on an admitted bucket");
            }
            HttpResponse<String> limited = post(j.uri(SEND), "Authorization", basic("api", key));
            assertEquals(429, limited.statusCode());
            List<StructuredFields.Item> exhausted = StructuredFields.parseList(only(limited, "RateLimit"));
            assertEquals(0L, exhausted.get(0).params().get("r"), "a 429 reports the empty quota too (checklist K58)");
            assertEquals(Map.of("q", 5L, "w", 60L), StructuredFields.parseList(only(limited, "RateLimit-Policy")).get(0).params());
            long retry = Long.parseLong(only(limited, "Retry-After"));
            assertTrue(retry >= (Long) exhausted.get(0).params().get("t"), "Retry-After SHOULD NOT point earlier than t (checklist K58)");
            assertTrue(retry >= 1 && retry <= 12, "one of 5 per minute is back within 12 s: " + retry);

            clock.advance(Duration.ofSeconds(retry));
            HttpResponse<String> again = post(j.uri(SEND), "Authorization", basic("api", key));
            assertEquals(200, again.statusCode(), "Retry-After was long enough");
            assertEquals(0L, StructuredFields.parseList(only(again, "RateLimit")).get(0).params().get("r"));
        }
    }

    /** Checklist K.59: a denial before the rate-limit stage tells nothing about the key's quota. */
    @Test
    void aCredentialProblemCarriesNoQuota() throws Exception {
        try (Fixture f = new Fixture();
                Jetty j = Jetty.loopback().filter(f.mailApi().build()).servlet("/", new Echo()).start()) {
            String key = f.key(KeySpec.builder().account("acme").name("metered").grant("messages:send", "example.com")
                    .rateLimit(RateLimitPolicy.of(Limit.perMinute(5))));
            HttpResponse<String> denied = post(j.uri("/v3/other.org/messages"), "Authorization", basic("api", key));
            assertEquals(403, denied.statusCode());
            assertFalse(denied.headers().firstValue("RateLimit").isPresent());
            assertFalse(denied.headers().firstValue("RateLimit-Policy").isPresent());
        }
    }

    @Test
    void theParserIsStrict() {
        assertEquals(2, StructuredFields.parseList("\"burst\";q=100;w=60, \"daily\";q=1000;w=86400").size());
        assertThrows(IllegalArgumentException.class, () -> StructuredFields.parseList("\"default\";r=1,"));
        assertThrows(IllegalArgumentException.class, () -> StructuredFields.parseList("\"default\";R=1"));
        assertThrows(IllegalArgumentException.class, () -> StructuredFields.parseList("\"default\";r=1.5"));
    }

    private static String only(HttpResponse<String> r, String name) {
        List<String> values = r.headers().allValues(name);
        assertEquals(1, values.size(), name + ": " + values);
        return values.get(0);
    }
}
