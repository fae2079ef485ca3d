package dev.portcullis.servlet;

import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.testkit.MutableClock;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;

import static dev.portcullis.servlet.Fixture.basic;
import static dev.portcullis.servlet.Fixture.get;
import static dev.portcullis.servlet.Fixture.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rule's cost and {@link PortcullisFilter#charge} on a real Jetty: a cost-0 rule admits without
 * taking anything, the application then charges what the body costs, all or nothing; and the
 * filter's header handling (one value passed as is, several refused) on the wire.
 */
class ChargeTest {
    private static final String SEND = "/v3/example.com/messages";

    /** The application: charges what {@code X-Recipients} says, as a send would once it read its recipients. */
    static final class Charging extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
            long recipients = Long.parseLong(req.getHeader("X-Recipients"));
            if (!PortcullisFilter.charge(req, res, "messages:send", recipients)) {
                return;
            }
            res.getWriter().print("sent to " + recipients);
        }
    }

    @Test
    void aCostZeroRuleAdmitsAndTheChargeTakesAllOrNothing() throws Exception {
        MutableClock clock = new MutableClock(); // no refill between requests
        try (Fixture f = new Fixture(Portcullis.builder().clock(clock));
                Jetty j = Jetty.loopback().filter(f.mailApi().cost("POST", "/v3/{domain}/messages", 0).build())
                        .servlet("/", new Charging()).start()) {
            String key = f.key(KeySpec.builder().account("acme").name("metered").grant("messages:send", "example.com")
                    .rateLimit(RateLimitPolicy.of(Limit.perMinute(5))));
            String auth = basic("api", key);

            HttpResponse<String> three = post(j.uri(SEND), "Authorization", auth, "X-Recipients", "3");
            assertEquals(200, three.statusCode(), three.body());
            assertEquals("\"default\";r=2", three.headers().firstValue("RateLimit").orElseThrow(), "the admission took nothing, the charge 3");

            HttpResponse<String> tooMany = post(j.uri(SEND), "Authorization", auth, "X-Recipients", "3");
            assertEquals(429, tooMany.statusCode());
            assertEquals("{\"message\":\"Too Many Requests\"}", tooMany.body());
            assertTrue(tooMany.headers().firstValue("Retry-After").isPresent());

            HttpResponse<String> two = post(j.uri(SEND), "Authorization", auth, "X-Recipients", "2");
            assertEquals(200, two.statusCode(), "the refused charge took nothing: " + two.body());
            assertEquals("\"default\";r=0", two.headers().firstValue("RateLimit").orElseThrow());
            assertEquals("sent to 2", two.body());
        }
    }

    @Test
    void aRequestTheFilterDidNotAdmitCannotBeCharged() throws Exception {
        HttpServlet health = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
                try {
                    PortcullisFilter.charge(req, res, "messages:send", 1);
                    res.getWriter().print("charged");
                } catch (IllegalStateException expected) {
                    res.getWriter().print("refused");
                }
            }
        };
        try (Fixture f = new Fixture(); Jetty j = Jetty.loopback().filter(f.mailApi().build()).servlet("/health", health).start()) {
            HttpResponse<String> r = get(j.uri("/health"), "Authorization", basic("api", f.sender()));
            assertEquals(200, r.statusCode());
            assertEquals("refused", r.body(), "a public rule admits no principal to charge");
        }
    }

    /** Each value alone is a valid key; two of them are malformed, never the first or the last one's request. */
    @Test
    void twoAuthorizationValuesAreRefusedEvenWhenEachIsValid() throws Exception {
        try (Fixture f = new Fixture(); Jetty j = Jetty.loopback().filter(f.mailApi().build()).servlet("/", new Echo()).start()) {
            String key = f.sender();
            assertEquals(200, post(j.uri(SEND), "Authorization", basic("api", key)).statusCode());
            HttpResponse<String> twice = post(j.uri(SEND), "Authorization", basic("api", key), "Authorization", "Bearer " + key);
            assertEquals(401, twice.statusCode());
            assertTrue(twice.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Basic realm="));
            assertEquals(401, post(j.uri("/v3/nothing-here"), "Authorization", basic("api", key), "Authorization", basic("api", key))
                    .statusCode(), "an unmatched path checks the credentials the same way");
        }
    }
}
