package dev.portcullis.servlet;

import dev.portcullis.Authenticator;
import dev.portcullis.Portcullis;
import dev.portcullis.spi.CredentialStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rule matching and path canonicality without a container. */
class RoutesTest {
    private static Portcullis portcullis;
    private static Authenticator auth;

    @BeforeAll
    static void start() {
        portcullis = Portcullis.builder().store(CredentialStore.inMemory()).build();
        auth = portcullis.authenticator();
    }

    @AfterAll
    static void stop() {
        portcullis.close();
    }

    @Test
    void segmentsOfCanonicalPaths() {
        assertArrayEquals(new String[0], Routes.segments("/"));
        assertArrayEquals(new String[] {"v3", "example.com", "messages"}, Routes.segments("/v3/example.com/messages"));
        assertArrayEquals(new String[] {"v3", "domains", ""}, Routes.segments("/v3/domains/"), "a trailing slash is a last empty segment");
        assertArrayEquals(new String[] {"a", "exämple", "..."}, Routes.segments("/a/exämple/..."), "three dots are a name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "v3/x", "//", "/v3//x", "//v3", "/./x", "/x/.", "/x/..", "/x/../y", "/x;y", "/x%2Fy", "/x%y",
            "/x\\y", "/x\ty", "/x\u0000", "/x\u007f"})
    void decodedPathsThatAreNotCanonical(String path) {
        assertNull(Routes.segments(path), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/x%2Fy", "/x%2fy", "/x%2Ey", "/%2e", "/x%252Fy", "/x%3By", "/x%5Cy", "/x%00", "/x%7F", "/x%", "/x%2", "/x%zz",
            "/x%g0", "/x;y", "/x\\y", "//x", "/x//y", "/./x", "/x/..", "/x/./y"})
    void rawUrisThatAreNotPlain(String uri) {
        assertFalse(Routes.isPlain(uri), uri);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/v3/example.com/messages", "/v3/%65xample.com/x", "/v3/ex%C3%A4mple/x", "/x/", "/a%20b", "/.well-known/x", "/x/..."})
    void rawUrisThatArePlain(String uri) {
        assertTrue(Routes.isPlain(uri), uri);
    }

    @Test
    void theMostSpecificRuleWins() {
        Route literalFirst = Route.of("GET", "/v3/domains/{d}", "domains:read", "d");
        Route variableFirst = Route.of("GET", "/v3/{x}/messages", "messages:read", "x");
        Route bothVariables = Route.of("GET", "/v3/{a}/{b}", "other:read", null);
        Routes routes = new Routes(List.of(bothVariables, variableFirst, literalFirst));
        assertEquals(literalFirst, routes.find("GET", Routes.segments("/v3/domains/messages")));
        assertEquals(variableFirst, routes.find("GET", Routes.segments("/v3/example.com/messages")));
        assertEquals(bothVariables, routes.find("GET", Routes.segments("/v3/example.com/other")));
        assertNull(routes.find("GET", Routes.segments("/v3/example.com")));
        assertNull(routes.find("POST", Routes.segments("/v3/domains/messages")));
        assertEquals(literalFirst, routes.find("HEAD", Routes.segments("/v3/domains/messages")), "HEAD falls back on GET");
    }

    @Test
    void aVariableMatchesOneNonEmptySegment() {
        Route r = Route.of("POST", "/v3/{domain}/messages", "messages:send", "domain");
        assertTrue(r.matches(Routes.segments("/v3/example.com/messages")));
        assertEquals("example.com", r.resource(Routes.segments("/v3/example.com/messages")));
        assertFalse(r.matches(Routes.segments("/v3/a/b/messages")));
        Route last = Route.of("GET", "/v3/{domain}", "domains:read", "domain");
        assertFalse(last.matches(Routes.segments("/v3/")), "a trailing slash is no value");
    }

    @Test
    void aTrailingSlashIsPartOfTheTemplate() {
        Routes routes = new Routes(List.of(Route.of("GET", "/v3/domains/", "domains:read", null)));
        assertTrue(routes.anyMatches(Routes.segments("/v3/domains/")));
        assertFalse(routes.anyMatches(Routes.segments("/v3/domains")));
    }

    @Test
    void builderRefusesMalformedRules() {
        var b = PortcullisFilter.builder(auth);
        assertThrows(IllegalArgumentException.class, () -> b.route("post", "/v3/x", "messages:send"));
        assertThrows(IllegalArgumentException.class, () -> b.route("POST", "v3/x", "messages:send"));
        assertThrows(IllegalArgumentException.class, () -> b.route("POST", "/v3//x", "messages:send"));
        assertThrows(IllegalArgumentException.class, () -> b.route("POST", "/v3/../x", "messages:send"));
        assertThrows(IllegalArgumentException.class, () -> b.route("POST", "/v3/x;y", "messages:send"));
        assertThrows(IllegalArgumentException.class, () -> b.route("POST", "/v3/pre{domain}/x", "messages:send", "domain"));
        assertThrows(IllegalArgumentException.class, () -> b.route("POST", "/v3/{domain}/{domain}", "messages:send", "domain"));
        assertThrows(IllegalArgumentException.class, () -> b.route("POST", "/v3/{domain}/messages", "messages:send", "account"));
        assertThrows(IllegalArgumentException.class, () -> b.route("POST", "/v3/{domain}/messages", "messages"));
        assertThrows(IllegalArgumentException.class, () -> b.route("POST", "/v3/{domain}/messages", "messages:*"), "a rule needs a concrete permission");
        assertThrows(NullPointerException.class, () -> b.route("POST", "/v3/{domain}/messages", "messages:send", null));
    }

    @Test
    void twoRulesForTheSamePathsAreRefused() {
        var b = PortcullisFilter.builder(auth).route("POST", "/v3/{domain}/messages", "messages:send", "domain");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.permit("POST", "/v3/{d}/messages"));
        assertTrue(e.getMessage().contains("/v3/{domain}/messages"), e.getMessage());
        b.route("GET", "/v3/{domain}/messages", "messages:read", "domain"); // another method is another rule
    }

    @Test
    void settingsAreGivenOnce() {
        var b = PortcullisFilter.builder(auth).permitUnmatched().passOptions().bearerChallenge()
                .trustedProxies(dev.portcullis.TrustedProxies.none());
        assertThrows(IllegalStateException.class, b::permitUnmatched);
        assertThrows(IllegalStateException.class, b::passOptions);
        assertThrows(IllegalStateException.class, b::bearerChallenge);
        assertThrows(IllegalStateException.class, () -> b.trustedProxies(dev.portcullis.TrustedProxies.none()));
    }
}
