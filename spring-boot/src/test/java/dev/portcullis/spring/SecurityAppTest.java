package dev.portcullis.spring;

import static dev.portcullis.spring.security.PortcullisConfigurer.portcullis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.Principal;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.spring.security.PortcullisAuthorization;

import jakarta.servlet.http.HttpServletRequest;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The same application secured by Spring Security: {@code http.with(portcullis(), …)} authenticates
 * API keys and SMTP logins, grants are authorities, {@code authorizeHttpRequests} (authorities and
 * {@link PortcullisAuthorization}) and {@code @PreAuthorize} ({@code hasAuthority},
 * {@code hasPermission}) decide, and denials keep Portcullis' statuses and headers.
 */
@SpringBootTest(classes = SecurityAppTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.autoconfigure.exclude=" + Apps.DATA_SOURCE + "," + Apps.REDIS,
        "management.endpoints.web.exposure.include=health",
        Apps.FAST_ARGON2, Apps.FAST_ARGON2_T })
class SecurityAppTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableMethodSecurity
    @Import(MailController.class)
    static class App {
        @Bean
        SecurityFilterChain api(HttpSecurity http) throws Exception {
            return http
                    .with(portcullis(), Customizer.withDefaults())
                    .authorizeHttpRequests(a -> a
                            .requestMatchers(HttpMethod.POST, "/v3/{domain}/messages")
                                .access(PortcullisAuthorization.permits("messages:send", "domain"))
                            .requestMatchers(HttpMethod.GET, "/v3/domains").hasAuthority("domains:read@*")
                            .requestMatchers("/actuator/health").permitAll()
                            .anyRequest().authenticated())
                    .csrf(csrf -> csrf.disable())
                    .build();
        }
    }

    @RestController
    static class MailController {
        @PostMapping("/v3/{domain}/messages")
        String send(@PathVariable String domain, Principal who, @AuthenticationPrincipal Principal same, HttpServletRequest request) {
            Principal attribute = (Principal) request.getAttribute(PortcullisFilter.PRINCIPAL_ATTRIBUTE);
            return "queued for " + domain + " by " + who.getName() + " (" + (who == same) + ", " + (who == attribute) + ")";
        }

        @GetMapping("/v3/domains")
        String domains(Principal who) {
            return String.join(",", who.resourcesFor("domains:read"));
        }

        @GetMapping("/v3/{domain}/stats")
        @PreAuthorize("hasPermission(#domain, 'stats:read')")
        String stats(@PathVariable String domain) {
            return "stats of " + domain;
        }

        @GetMapping("/v1/keys")
        @PreAuthorize("hasAuthority('keys:read@*')")
        String keys(java.security.Principal who) {
            return "keys, for " + who.getName();
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    Portcullis portcullis;
    @Autowired
    ApplicationContext context;

    private IssuedKey key(RateLimitPolicy limit, String... grants) {
        KeySpec.Builder spec = KeySpec.builder().account("acme").name("test");
        for (String g : grants) {
            int at = g.indexOf('@');
            spec.grant(g.substring(0, at), g.substring(at + 1));
        }
        if (limit != null) {
            spec.rateLimit(limit);
        }
        return portcullis.keys().create(spec.build());
    }

    @Test
    void theServletFilterIsNotRegisteredBesideSpringSecurity() {
        assertTrue(context.getBeansOfType(org.springframework.boot.web.servlet.FilterRegistrationBean.class).values().stream()
                .noneMatch(r -> r.getFilter() instanceof PortcullisFilter));
    }

    @Test
    void anApiKeyWithTheGrantIsAllowedAndTheControllerSeesThePrincipal() {
        IssuedKey key = key(null, "messages:send@*.example.com");
        HttpResponse<String> r = Http.post(port, "/v3/mail.example.com/messages", Http.apiKey(key.token()), "to=a@example.org");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("queued for mail.example.com by " + key.id() + " (true, true)", r.body());
        HttpResponse<String> bearer = Http.post(port, "/v3/mail.example.com/messages", "Bearer " + key.token(), "");
        assertEquals(200, bearer.statusCode(), bearer.body());
        assertNull(Http.header(r, "Set-Cookie"), "no session");
    }

    @Test
    void anSmtpLoginAllowedOnHttpAuthenticatesWithBasic() {
        IssuedKey login = portcullis.keys().createSmtpCredential(KeySpec.builder().account("acme").username("postmaster@example.com")
                .grant("messages:send", "example.com").allowHttp().build());
        HttpResponse<String> r = Http.post(port, "/v3/example.com/messages", Http.basic(login.username(), login.password()), "");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("queued for example.com by postmaster@example.com (true, true)", r.body());
        HttpResponse<String> wrong = Http.post(port, "/v3/example.com/messages", Http.basic(login.username(), login.password() + "x"), "");
        assertEquals(401, wrong.statusCode());
    }

    @Test
    void withoutOrWithABadKeyTheAnswerIsPortcullis401() {
        for (String authorization : new String[] {null, Http.apiKey("pc_notakey"), "Bearer " + key(null).token() + "x"}) {
            HttpResponse<String> r = Http.post(port, "/v3/example.com/messages", authorization, "");
            assertEquals(401, r.statusCode(), String.valueOf(authorization));
            assertEquals("Basic realm=\"portcullis\", charset=\"UTF-8\"", Http.header(r, "WWW-Authenticate"));
            assertEquals("no-store", Http.header(r, "Cache-Control"));
            assertEquals("{\"message\":\"Unauthorized\"}", r.body());
        }
    }

    @Test
    void withoutTheGrantTheAnswerIs403FromEachKindOfRule() {
        IssuedKey key = key(null, "messages:send@example.com", "stats:read@example.com");
        HttpResponse<String> path = Http.post(port, "/v3/example.net/messages", Http.apiKey(key.token()), "");
        assertEquals(403, path.statusCode(), "authorizeHttpRequests with PortcullisAuthorization");
        assertEquals("{\"message\":\"Forbidden\"}", path.body());
        assertNull(Http.header(path, "WWW-Authenticate"));
        assertEquals(403, Http.get(port, "/v3/domains", Http.apiKey(key.token())).statusCode(), "hasAuthority in authorizeHttpRequests");
        assertEquals(403, Http.get(port, "/v3/example.net/stats", Http.apiKey(key.token())).statusCode(), "@PreAuthorize hasPermission");
        assertEquals(403, Http.get(port, "/v1/keys", Http.apiKey(key.token())).statusCode(), "@PreAuthorize hasAuthority");
        HttpResponse<String> notAName = Http.post(port, "/v3/exa%20mple.com/messages", Http.apiKey(key.token()), "");
        assertFalse(notAName.statusCode() == 200, "a resource that is no resource name is never granted");
    }

    @Test
    void withTheGrantEachKindOfRuleAllows() {
        IssuedKey key = key(null, "domains:read@*", "stats:read@*.example.com", "keys:read@*");
        HttpResponse<String> domains = Http.get(port, "/v3/domains", Http.apiKey(key.token()));
        assertEquals(200, domains.statusCode(), domains.body());
        assertEquals("*", domains.body());
        HttpResponse<String> stats = Http.get(port, "/v3/eu.example.com/stats", Http.apiKey(key.token()));
        assertEquals(200, stats.statusCode(), stats.body());
        assertEquals("stats of eu.example.com", stats.body());
        HttpResponse<String> keys = Http.get(port, "/v1/keys", Http.apiKey(key.token()));
        assertEquals(200, keys.statusCode(), keys.body());
        assertEquals("keys, for " + key.id(), keys.body());
    }

    @Test
    void overItsLimitAKeyGets429WithRateLimitAndRetryAfter() {
        IssuedKey key = key(RateLimitPolicy.of(Limit.perHour(1)), "messages:send@example.com");
        HttpResponse<String> first = Http.post(port, "/v3/example.com/messages", Http.apiKey(key.token()), "");
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("\"default\";q=1;w=3600", Http.header(first, "RateLimit-Policy"));
        HttpResponse<String> second = Http.post(port, "/v3/example.com/messages", Http.apiKey(key.token()), "");
        assertEquals(429, second.statusCode());
        long retryAfter = Long.parseLong(Http.header(second, "Retry-After"));
        assertTrue(retryAfter > 3000 && retryAfter <= 3600, "Retry-After " + retryAfter);
        assertEquals("\"default\";r=0;t=" + retryAfter, Http.header(second, "RateLimit"));
        assertEquals("{\"message\":\"Too Many Requests\"}", second.body());
    }

    @Test
    void aPublicPathNeedsNoCredentials() {
        HttpResponse<String> r = Http.get(port, "/actuator/health", null);
        assertEquals(200, r.statusCode(), r.body());
    }
}
