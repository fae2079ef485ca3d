package dev.portcullis.servlet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.util.List;

import static dev.portcullis.servlet.Fixture.basic;
import static dev.portcullis.servlet.Fixture.get;
import static dev.portcullis.servlet.Fixture.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encoded and odd paths never reach a rule they should not, whether the container refuses them
 * itself (Jetty's default URI compliance) or lets everything through (UNSAFE compliance, ambiguous
 * URIs decoded), and even with {@code permitUnmatched()} and public rules that a trick could aim at.
 */
class PathTricksTest {
    private static Fixture f;
    private static String key;
    private static final Echo APP = new Echo();
    private static Jetty strict;
    private static Jetty lenient;

    @BeforeAll
    static void start() throws Exception {
        f = new Fixture();
        key = f.sender();
        strict = Jetty.loopback().filter(filter()).servlet("/", APP).start();
        lenient = Jetty.loopback().lenient().filter(filter()).servlet("/", APP).start();
    }

    /** Rules a trick could aim at: a public page next to protected ones, and everything else public too. */
    private static PortcullisFilter filter() {
        return f.mailApi().permit("GET", "/public/{page}").permit("POST", "/public/{page}").permitUnmatched().build();
    }

    @AfterAll
    static void stop() throws Exception {
        strict.close();
        lenient.close();
        f.close();
    }

    /** Each would be, once decoded or resolved by some server, a protected path or a different resource. */
    @ParameterizedTest
    @ValueSource(strings = {
            "/v3/example.com/messages/",              // trailing slash variant of a rule
            "/v3//example.com/messages",              // empty segment
            "/v3/example.com;x=1/messages",           // path parameter (Jetty strips it, others keep it)
            "/v3/example.com/messages;jsessionid=1",
            "/public/a;/../../v3/domains",            // Tomcat-style ..; traversal
            "/v3/%2e%2e/v3/example.com/messages",     // encoded dot segment
            "/v3/example.com/%2E/messages",
            "/v3/example.com/./messages",             // dot segments, even if the container resolves them
            "/v3/x/../example.com/messages",
            "/public/../v3/domains",
            "/v3/example.com%2Fmessages",             // encoded slash
            "/v3/example.com%2fmessages",
            "/public/..%2Fv3%2Fdomains",
            "/public/%2e%2e/v3/domains",
            "/v3/example.com%252Fmessages",           // double encoding survives one decoding as %2F
            "/v3/example.com%5Cmessages",             // backslash, a separator to some servers
            "/v3/example.com%3Bx/messages",           // encoded ;
            "/v3/example.com/messages%00",            // control characters
            "/v3/example.com/messages%0a",
    })
    void refusedWith400BeforeAnyRule(String path) throws Exception {
        for (Jetty j : List.of(strict, lenient)) {
            int before = APP.calls.get();
            for (boolean withKey : new boolean[] {true, false}) {
                String[] auth = withKey ? new String[] {"Authorization", basic("api", key)} : new String[0];
                assertEquals(400, refusal(path, () -> post(j.uri(path), auth).statusCode()), path);
                assertEquals(400, refusal(path, () -> get(j.uri(path), auth).statusCode()), path);
            }
            assertEquals(before, APP.calls.get(), "the application never saw " + path);
        }
    }

    interface Status {
        int get() throws Exception;
    }

    /**
     * The status of a refused request. For a control character in the path Jetty itself sometimes
     * answers 400 and sometimes drops the connection before answering (it races its own error
     * response): both are refusals before any rule, which is what counts here; the application
     * never seeing the request is asserted separately.
     */
    private static int refusal(String path, Status request) throws Exception {
        try {
            return request.get();
        } catch (java.io.IOException dropped) {
            if (path.contains("%00") || path.contains("%0a")) {
                return 400;
            }
            throw dropped;
        }
    }

    /** Resource values are canonicalised like domains before the grants see them; the application gets the canonical value. */
    @ParameterizedTest
    @ValueSource(strings = {"/v3/EXAMPLE.COM/messages", "/v3/example.com./messages", "/v3/%65xample.com/messages", "/v3/Example.Com./messages"})
    void spellingsOfTheSameResourceAreThatResource(String path) throws Exception {
        for (Jetty j : List.of(strict, lenient)) {
            HttpResponse<String> r = post(j.uri(path), "Authorization", basic("api", key));
            assertEquals(200, r.statusCode(), path);
            assertTrue(r.body().contains(" resource=example.com "), r.body());
        }
    }

    /** Another resource in disguise is still another resource: the grant on example.com does not cover it. */
    @ParameterizedTest
    @ValueSource(strings = {"/v3/example.com.evil.org/messages", "/v3/ex%C3%A4mple.com/messages", "/v3/sub.example.com/messages",
            "/v3/example.com@evil.org/messages", "/v3/example.com%20/messages"})
    void lookAlikesAreOtherResources(String path) throws Exception {
        for (Jetty j : List.of(strict, lenient)) {
            int before = APP.calls.get();
            assertEquals(403, post(j.uri(path), "Authorization", basic("api", key)).statusCode(), path);
            assertEquals(before, APP.calls.get());
        }
    }

    /** A variable is exactly one segment: a value cannot swallow a slash, and cannot be empty. */
    @Test
    void variablesAreSingleNonEmptySegments() throws Exception {
        for (Jetty j : List.of(strict, lenient)) {
            // unmatched, so public by permitUnmatched: the application sees them without a principal
            HttpResponse<String> r = post(j.uri("/v3/example.com/x/messages"), "Authorization", basic("api", key));
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("user=-"), r.body());
        }
    }

    /** Literals match case-sensitively, as Jetty maps servlets; with permitUnmatched the unmatched spelling is public, with no principal. */
    @Test
    void literalsAreCaseSensitive() throws Exception {
        HttpResponse<String> r = post(strict.uri("/V3/example.com/messages"), "Authorization", basic("api", key));
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("user=-"), r.body());
    }
}
