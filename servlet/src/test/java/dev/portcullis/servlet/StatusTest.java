package dev.portcullis.servlet;

import dev.portcullis.DenyReason;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.StoreException;
import dev.portcullis.testing.ForwardingCredentialStore;
import dev.portcullis.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static dev.portcullis.servlet.Fixture.basic;
import static dev.portcullis.servlet.Fixture.get;
import static dev.portcullis.servlet.Fixture.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every status end to end through a real Jetty, and what each response carries (DESIGN §4). */
class StatusTest {
    private static final String SEND = "/v3/example.com/messages";

    private final MutableClock clock = new MutableClock();
    private Fixture f;
    private Echo app;
    private Jetty jetty;

    @BeforeEach
    void start() throws Exception {
        f = new Fixture(Portcullis.builder().clock(clock)
                .failureBudgets(Limit.perHour(100_000), Limit.perHour(100_000), Limit.perHour(100_000)));
        app = new Echo();
        jetty = Jetty.loopback().filter(f.mailApi().build()).servlet("/", app).start();
    }

    @AfterEach
    void stop() throws Exception {
        jetty.close();
        f.close();
    }

    @Test
    void allowedGoesThroughWithNoRateLimitFieldsWhenNoPolicyApplies() throws Exception {
        HttpResponse<String> r = post(jetty.uri(SEND), "Authorization", basic("api", f.sender()));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("path=/v3/example.com/messages"));
        assertFalse(r.headers().firstValue("RateLimit").isPresent());
        assertEquals(1, app.calls.get());
    }

    /** Checklist A.6, A.7: every 401 carries a Basic challenge with a quoted realm and charset="UTF-8". */
    @Test
    void missingCredentialsAre401WithTheBasicChallenge() throws Exception {
        HttpResponse<String> r = post(jetty.uri(SEND));
        assertEquals(401, r.statusCode());
        assertEquals(List.of("Basic realm=\"portcullis\", charset=\"UTF-8\""), r.headers().allValues("WWW-Authenticate"));
        assertJson(r, "Unauthorized");
        assertEquals(0, app.calls.get());
    }

    /**
     * Checklist A.8, DESIGN §4: every credential problem is the same 401 on the wire, and no
     * response names a {@link DenyReason}.
     */
    @Test
    void everyCredentialProblemLooksTheSame() throws Exception {
        String good = f.sender();
        String revoked = f.sender();
        f.portcullis.keys().revoke(f.portcullis.keys().get(idOf(revoked)).orElseThrow().id());
        String expiring = f.key(KeySpec.builder().account("acme").name("short").grant("messages:send", "example.com")
                .expiresIn(Duration.ofHours(1)));
        post(jetty.uri(SEND), "Authorization", basic("api", expiring)); // cached while valid
        clock.advance(Duration.ofHours(2));
        int served = app.calls.get();

        String unknown = KeyFormat.withPrefix("kat").newToken();
        String typo = good.substring(0, good.length() - 1) + (good.endsWith("A") ? "B" : "A");
        List<String[]> attempts = List.of(
                new String[] {},
                new String[] {"Authorization", basic("api", unknown)},
                new String[] {"Authorization", basic("api", typo)},
                new String[] {"Authorization", basic("api", revoked)},
                new String[] {"Authorization", basic("api", expiring)},
                new String[] {"Authorization", basic("api", "")},
                new String[] {"Authorization", basic("someone", good)},
                new String[] {"Authorization", "Basic YXBp"},
                new String[] {"Authorization", "Basic !!!"},
                new String[] {"Authorization", "Bearer " + unknown},
                new String[] {"Authorization", basic("api", good), "Authorization", basic("api", good)});
        Map<String, String> first = null;
        for (String[] headers : attempts) {
            HttpResponse<String> r = post(jetty.uri(SEND), headers);
            assertEquals(401, r.statusCode(), String.join(" ", headers));
            Map<String, String> wire = wire(r);
            if (first == null) {
                first = wire;
            }
            assertEquals(first, wire, "the same answer for " + String.join(" ", headers));
            assertNoReason(r);
        }
        assertEquals(served, app.calls.get());
    }

    @Test
    void aGrantOnAnotherResourceIs403() throws Exception {
        HttpResponse<String> r = post(jetty.uri("/v3/other.org/messages"), "Authorization", basic("api", f.sender()));
        assertEquals(403, r.statusCode());
        assertJson(r, "Forbidden");
        assertFalse(r.headers().firstValue("WWW-Authenticate").isPresent());
        assertNoReason(r);
    }

    @Test
    void aCollectionRuleNeedsThePermissionOnSomeResource() throws Exception {
        assertEquals(403, get(jetty.uri("/v3/domains"), "Authorization", basic("api", f.sender())).statusCode());
        String reader = f.key(KeySpec.builder().account("acme").name("reader").grant("domains:read", "*"));
        assertEquals(200, get(jetty.uri("/v3/domains"), "Authorization", basic("api", reader)).statusCode());
    }

    @Test
    void anAddressOutsideTheAllowlistIs403() throws Exception {
        String key = f.key(KeySpec.builder().account("acme").name("office").grant("messages:send", "example.com")
                .allow("203.0.113.0/24"));
        HttpResponse<String> r = post(jetty.uri(SEND), "Authorization", basic("api", key));
        assertEquals(403, r.statusCode());
        assertJson(r, "Forbidden");
    }

    @Test
    void aSuspendedAccountIs403() throws Exception {
        String key = f.sender();
        f.portcullis.keys().suspend("acme");
        assertEquals(403, post(jetty.uri(SEND), "Authorization", basic("api", key)).statusCode());
        f.portcullis.keys().resume("acme");
        assertEquals(200, post(jetty.uri(SEND), "Authorization", basic("api", key)).statusCode());
    }

    /**
     * Deny by default, after authentication: a path no rule names is 404 and a rule's path with
     * another method 405 with Allow, once the credentials hold; without them, the same 401 as on
     * any rule. The application never sees them. A rule's path without the grant stays 403.
     */
    @Test
    void anUnmatchedPathIs404AfterAuthentication() throws Exception {
        String key = f.sender();
        for (String path : List.of("/admin", "/v3/example.com/messages/extra", "/V3/example.com/messages", "/v3/example.com/mesages")) {
            HttpResponse<String> r = post(jetty.uri(path), "Authorization", basic("api", key));
            assertEquals(404, r.statusCode(), path);
            assertJson(r, "Not Found");
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());

            HttpResponse<String> anonymous = post(jetty.uri(path));
            assertEquals(401, anonymous.statusCode(), path);
            assertEquals(wire(post(jetty.uri(SEND))), wire(anonymous), "the same 401 as on a rule's path");
            String typo = key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A");
            assertEquals(401, post(jetty.uri(path), "Authorization", basic("api", typo)).statusCode(), path);
        }
        HttpResponse<String> otherMethod = Fixture.send(Fixture.request(jetty.uri(SEND), "Authorization", basic("api", key)).DELETE());
        assertEquals(405, otherMethod.statusCode());
        assertEquals("POST", otherMethod.headers().firstValue("Allow").orElseThrow());
        assertJson(otherMethod, "Method Not Allowed");
        HttpResponse<String> put = Fixture.send(Fixture.request(jetty.uri("/v3/domains"), "Authorization", basic("api", key))
                .PUT(HttpRequest.BodyPublishers.noBody()));
        assertEquals(405, put.statusCode());
        assertEquals("GET, HEAD", put.headers().firstValue("Allow").orElseThrow());
        assertEquals(401, Fixture.send(Fixture.request(jetty.uri(SEND)).DELETE()).statusCode());
        assertEquals(0, app.calls.get());
        // A rule's path that the key has no grant for is still 403, not 404.
        assertEquals(403, post(jetty.uri("/v3/other.org/messages"), "Authorization", basic("api", key)).statusCode());
        assertEquals(403, get(jetty.uri("/v3/domains"), "Authorization", basic("api", key)).statusCode());
    }

    /**
     * A denial leaves the body unread, so it says the connection ends with it: a client that reused
     * the connection would otherwise send its next request into one the container closes.
     */
    @Test
    void aDenialOfARequestWithABodyClosesTheConnection() throws Exception {
        HttpResponse<String> denied = Fixture.send(Fixture.request(jetty.uri(SEND))
                .POST(HttpRequest.BodyPublishers.ofString("from=a@example.com&to=b@example.net")));
        assertEquals(401, denied.statusCode());
        assertEquals("close", denied.headers().firstValue("Connection").orElse(null));
        HttpResponse<String> unknown = Fixture.send(Fixture.request(jetty.uri("/nowhere"), "Authorization", basic("api", f.sender()))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000))));
        assertEquals(404, unknown.statusCode());
        assertEquals("close", unknown.headers().firstValue("Connection").orElse(null));
        HttpResponse<String> noBody = get(jetty.uri("/v3/domains"));
        assertEquals(401, noBody.statusCode());
        assertFalse(noBody.headers().firstValue("Connection").isPresent(), "a request without a body keeps its connection");
    }

    @Test
    void aPublicRuleNeedsNoCredentials() throws Exception {
        HttpResponse<String> r = get(jetty.uri("/health"));
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("user=-"));
    }

    /** Checklist K.57: 429 with Retry-After in delay-seconds. */
    @Test
    void overTheRateLimitIs429WithRetryAfter() throws Exception {
        String key = f.key(KeySpec.builder().account("acme").name("slow").grant("messages:send", "example.com")
                .rateLimit(RateLimitPolicy.of(Limit.perMinute(2))));
        assertEquals(200, post(jetty.uri(SEND), "Authorization", basic("api", key)).statusCode());
        assertEquals(200, post(jetty.uri(SEND), "Authorization", basic("api", key)).statusCode());
        HttpResponse<String> r = post(jetty.uri(SEND), "Authorization", basic("api", key));
        assertEquals(429, r.statusCode());
        long retry = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retry >= 1 && retry <= 30, "one token of 2/min comes back within 30 s: " + retry);
        assertJson(r, "Too Many Requests");
        assertEquals(2, app.calls.get());
    }

    @Test
    void whenTheStoreIsDownAnUncachedKeyIs503WithRetryAfter() throws Exception {
        FlakyStore store = new FlakyStore();
        try (Fixture g = new Fixture(Portcullis.builder(), store);
                Jetty j = Jetty.loopback().filter(g.mailApi().build()).servlet("/", new Echo()).start()) {
            String key = g.sender();
            store.down = true;
            HttpResponse<String> r = post(j.uri(SEND), "Authorization", basic("api", key));
            assertEquals(503, r.statusCode());
            assertTrue(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()) >= 1);
            assertJson(r, "Service Unavailable");
            assertNoReason(r);
        }
    }

    /** Failure budgets (DESIGN §2 Throttle): once spent, a store miss from the network is 429 with Retry-After. */
    @Test
    void aNetworkOverItsFailureBudgetIs429() throws Exception {
        try (Fixture g = new Fixture(Portcullis.builder()
                        .failureBudgets(Limit.perHour(3), Limit.perHour(100), Limit.perHour(100)));
                Jetty j = Jetty.loopback().filter(g.mailApi().build()).servlet("/", new Echo()).start()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(401, post(j.uri(SEND), "Authorization", basic("api", KeyFormat.withPrefix("kat").newToken())).statusCode());
            }
            HttpResponse<String> r = post(j.uri(SEND), "Authorization", basic("api", g.sender()));
            assertEquals(429, r.statusCode());
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
            assertJson(r, "Too Many Requests");
        }
    }

    /** Checklist B.10: with a Bearer challenge configured, 401 says {@code Bearer realm="…"} and no error code. */
    @Test
    void theChallengeCanBeBearer() throws Exception {
        try (Jetty j = Jetty.loopback().filter(f.mailApi().bearerChallenge().build()).servlet("/", new Echo()).start()) {
            HttpResponse<String> r = post(j.uri(SEND), "Authorization", "Bearer " + KeyFormat.withPrefix("kat").newToken());
            assertEquals(401, r.statusCode());
            assertEquals(List.of("Bearer realm=\"portcullis\""), r.headers().allValues("WWW-Authenticate"));
            assertEquals(200, post(j.uri(SEND), "Authorization", "Bearer " + f.sender()).statusCode());
        }
    }

    /** A 400 for a path that is not canonical is the filter's own small JSON too. */
    @Test
    void aNonCanonicalPathIs400() throws Exception {
        HttpResponse<String> r = post(jetty.uri("/v3/example.com;x=1/messages"), "Authorization", basic("api", f.sender()));
        assertEquals(400, r.statusCode());
        assertJson(r, "Bad Request");
    }

    static void assertJson(HttpResponse<String> r, String message) {
        assertEquals("{\"message\":\"" + message + "\"}", r.body());
        assertEquals("application/json;charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow().replace(" ", "").toLowerCase());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
    }

    static void assertNoReason(HttpResponse<String> r) {
        String wire = r.headers().map() + r.body();
        for (DenyReason reason : DenyReason.values()) {
            assertFalse(wire.contains(reason.name()), reason + " on the wire: " + wire);
        }
    }

    /** Status, body and headers, less those that vary by themselves. */
    private static Map<String, String> wire(HttpResponse<String> r) {
        Map<String, String> m = new TreeMap<>();
        r.headers().map().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("date")) {
                m.put(k.toLowerCase(), String.join("|", v));
            }
        });
        m.put(":status", Integer.toString(r.statusCode()));
        m.put(":body", r.body());
        return m;
    }

    /** The key id is the 12 characters after the prefix (DESIGN §2 Identify). */
    static String idOf(String token) {
        int u = token.lastIndexOf('_');
        return token.substring(u + 1, u + 1 + KeyFormat.ID_LENGTH);
    }

    /** The in-memory store, with a switch that makes key reads fail as an unreachable database would. */
    static final class FlakyStore extends ForwardingCredentialStore {
        volatile boolean down;

        @Override
        public Optional<KeyRecord> findById(String id) {
            if (down) {
                throw new StoreException("down for the test");
            }
            return delegate().findById(id);
        }
    }
}
