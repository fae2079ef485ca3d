package dev.portcullis.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.AuthEvent;
import dev.portcullis.DenyReason;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.Principal;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.spring.boot.PortcullisRoutes;

import jakarta.servlet.http.HttpServletRequest;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.audit.AuditEventRepository;
import org.springframework.boot.actuate.audit.InMemoryAuditEventRepository;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A real Boot application without Spring Security, on a random port: the servlet filter with rules
 * from properties and from a {@link PortcullisRoutes} bean, the principal in the controller, the
 * denials with Portcullis' statuses and headers, Actuator health, a meter, application and audit events.
 */
@SpringBootTest(classes = ServletFilterAppTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.autoconfigure.exclude=" + Apps.SECURITY + "," + Apps.DATA_SOURCE + "," + Apps.REDIS,
        "portcullis.web.filter.enabled=true",
        "portcullis.web.routes[0].method=POST",
        "portcullis.web.routes[0].path=/v3/{domain}/messages",
        "portcullis.web.routes[0].permission=messages:send",
        "portcullis.web.routes[0].resource=domain",
        "portcullis.web.permit=GET /actuator/health, GET /actuator/metrics/{name}",
        "management.endpoints.web.exposure.include=health,metrics",
        "management.endpoint.health.show-details=always",
        Apps.FAST_ARGON2, Apps.FAST_ARGON2_T })
class ServletFilterAppTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(MailController.class)
    static class App {
        @Bean
        PortcullisRoutes domainRoutes() {
            return routes -> routes.route("GET", "/v3/domains", "domains:read");
        }

        @Bean
        AuditEventRepository auditEvents() {
            return new InMemoryAuditEventRepository();
        }

        @Bean
        Events events() {
            return new Events();
        }
    }

    static final class Events {
        final List<AuthEvent> auth = new CopyOnWriteArrayList<>();

        @EventListener
        void on(AuthEvent e) {
            auth.add(e);
        }
    }

    @RestController
    static class MailController {
        @PostMapping("/v3/{domain}/messages")
        String send(@PathVariable String domain, Principal who, HttpServletRequest request) {
            Principal attribute = (Principal) request.getAttribute(PortcullisFilter.PRINCIPAL_ATTRIBUTE);
            return "queued for " + domain + " by " + who.keyId() + " of " + who.account() + " (attribute " + attribute.keyId() + ")";
        }

        @GetMapping("/v3/domains")
        String domains(Principal who) {
            return String.join(",", who.resourcesFor("domains:read"));
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    Portcullis portcullis;
    @Autowired
    Events events;
    @Autowired
    AuditEventRepository audit;

    private IssuedKey key(RateLimitPolicy limit, String... grants) {
        KeySpec.Builder spec = KeySpec.builder().account("acme").name("test");
        for (String g : grants) {
            String[] p = g.split("@");
            spec.grant(p[0], p[1]);
        }
        if (limit != null) {
            spec.rateLimit(limit);
        }
        return portcullis.keys().create(spec.build());
    }

    @Test
    void anAllowedRequestReachesTheControllerWithThePrincipal() {
        IssuedKey key = key(null, "messages:send@example.com");
        HttpResponse<String> r = Http.post(port, "/v3/example.com/messages", Http.apiKey(key.token()), "to=a@example.org");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("queued for example.com by " + key.id() + " of acme (attribute " + key.id() + ")", r.body());
        assertTrue(key.token().startsWith("pc_"), "the default key prefix");
    }

    @Test
    void aRouteFromAPortcullisRoutesBeanApplies() {
        IssuedKey key = key(null, "domains:read@example.com", "domains:read@*.example.org");
        HttpResponse<String> r = Http.get(port, "/v3/domains", Http.apiKey(key.token()));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("example.com,*.example.org", r.body());
        assertEquals(403, Http.get(port, "/v3/domains", Http.apiKey(key(null, "messages:send@example.com").token())).statusCode());
    }

    @Test
    void withoutOrWithABadKeyTheAnswerIs401WithTheChallenge() {
        for (String authorization : new String[] {null, Http.apiKey("pc_notakey"), Http.basic("api", key(null).token() + "x")}) {
            HttpResponse<String> r = Http.post(port, "/v3/example.com/messages", authorization, "to=a@example.org");
            assertEquals(401, r.statusCode(), String.valueOf(authorization));
            assertEquals("Basic realm=\"portcullis\", charset=\"UTF-8\"", Http.header(r, "WWW-Authenticate"));
            assertEquals("no-store", Http.header(r, "Cache-Control"));
            assertEquals("{\"message\":\"Unauthorized\"}", r.body());
        }
    }

    @Test
    void withoutTheGrantTheAnswerIs403AndUnruledPathsNeverReachTheApplication() {
        IssuedKey key = key(null, "messages:send@example.com");
        HttpResponse<String> r = Http.post(port, "/v3/example.net/messages", Http.apiKey(key.token()), "to=a@example.org");
        assertEquals(403, r.statusCode());
        assertEquals("{\"message\":\"Forbidden\"}", r.body());
        assertNull(Http.header(r, "WWW-Authenticate"));
        // A path no rule names never reaches the application: the filter answers it (404 Not Found, as it renders it).
        HttpResponse<String> unruled = Http.get(port, "/elsewhere", Http.apiKey(key.token()));
        assertTrue(unruled.statusCode() == 403 || unruled.statusCode() == 404, unruled.body());
        assertEquals("no-store", Http.header(unruled, "Cache-Control"), "the filter's answer, not the application's");
    }

    @Test
    void overItsLimitAKeyGets429WithRateLimitAndRetryAfter() {
        IssuedKey key = key(RateLimitPolicy.of(Limit.perHour(2)), "messages:send@example.com");
        HttpResponse<String> first = Http.post(port, "/v3/example.com/messages", Http.apiKey(key.token()), "");
        assertEquals(200, first.statusCode());
        assertEquals("\"default\";q=2;w=3600", Http.header(first, "RateLimit-Policy"));
        assertEquals("\"default\";r=1", Http.header(first, "RateLimit"), "draft -11: an admitted bucket has no t");
        assertEquals(200, Http.post(port, "/v3/example.com/messages", Http.apiKey(key.token()), "").statusCode());
        HttpResponse<String> third = Http.post(port, "/v3/example.com/messages", Http.apiKey(key.token()), "");
        assertEquals(429, third.statusCode());
        long retryAfter = Long.parseLong(Http.header(third, "Retry-After"));
        assertTrue(retryAfter > 0 && retryAfter <= 1800, "Retry-After " + retryAfter);
        assertEquals("\"default\";r=0;t=" + retryAfter, Http.header(third, "RateLimit"));
        assertEquals("{\"message\":\"Too Many Requests\"}", third.body());
    }

    @Test
    void actuatorHealthShowsThePortcullisComponent() {
        HttpResponse<String> r = Http.get(port, "/actuator/health", null);
        assertEquals(200, r.statusCode(), r.body());
        String body = r.body().replace(" ", "");
        int at = body.indexOf("\"portcullis\":{");
        assertTrue(at > 0, body);
        String component = body.substring(at, body.indexOf("\"readinessState\"", at));
        assertTrue(component.contains("\"status\":\"UP\""), component);
        assertTrue(body.contains("\"rateLimiter\":\"LOCAL\""), body);
        assertTrue(body.contains("\"storeReachable\":true"), body);
    }

    @Test
    void aPortcullisMeterIsInActuatorMetrics() {
        IssuedKey key = key(null, "messages:send@example.com");
        assertEquals(200, Http.post(port, "/v3/example.com/messages", Http.apiKey(key.token()), "").statusCode());
        HttpResponse<String> r = Http.get(port, "/actuator/metrics/portcullis.decisions", null);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"name\":\"portcullis.decisions\""), r.body());
        assertTrue(r.body().contains("\"outcome\""), r.body());
    }

    @Test
    void decisionsArriveAsApplicationEventsAndInTheAuditRepository() {
        IssuedKey key = key(null, "messages:send@example.com");
        assertEquals(200, Http.post(port, "/v3/example.com/messages", Http.apiKey(key.token()), "").statusCode());
        assertEquals(401, Http.post(port, "/v3/example.com/messages", Http.apiKey("pc_bad"), "").statusCode());
        assertTrue(events.auth.stream().anyMatch(e -> e.allowed() && key.id().equals(e.keyId())), events.auth.toString());
        assertTrue(events.auth.stream().anyMatch(e -> !e.allowed() && e.reason() == DenyReason.UNKNOWN_KEY), events.auth.toString());
        var successes = audit.find(key.id(), null, "PORTCULLIS_AUTH_SUCCESS");
        assertFalse(successes.isEmpty());
        assertEquals("HTTP", successes.get(0).getData().get("channel"));
        assertNotNull(audit.find("anonymous", null, "PORTCULLIS_AUTH_FAILURE").stream()
                .filter(e -> "UNKNOWN_KEY".equals(e.getData().get("reason"))).findAny().orElse(null));
        assertFalse(audit.find(key.id(), null, "PORTCULLIS_KEY_CREATED").isEmpty(), "key events too");
    }
}
