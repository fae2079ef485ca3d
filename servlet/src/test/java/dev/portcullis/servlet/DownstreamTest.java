package dev.portcullis.servlet;

import dev.portcullis.KeySpec;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;

import static dev.portcullis.servlet.Fixture.basic;
import static dev.portcullis.servlet.Fixture.get;
import static dev.portcullis.servlet.Fixture.post;
import static dev.portcullis.servlet.Fixture.postForm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The credential forms the filter reads, the ones it never reads, and what the application then sees. */
class DownstreamTest {
    private static final String SEND = "/v3/example.com/messages";

    private Fixture f;
    private String key;
    private String id;
    private Echo app;
    private Jetty jetty;

    @BeforeEach
    void start() throws Exception {
        f = new Fixture();
        key = f.sender();
        id = StatusTest.idOf(key);
        app = new Echo();
        jetty = Jetty.loopback().filter(f.mailApi().build()).servlet("/", app).start();
    }

    @AfterEach
    void stop() throws Exception {
        jetty.close();
        f.close();
    }

    /** Checklist A.8 (Mailgun {@code api:KEY}), Stripe {@code KEY:}, B.9 ({@code Bearer}) and A.5 (scheme in any case). */
    @Test
    void theHeaderFormsOfAKey() throws Exception {
        String stripe = "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.US_ASCII));
        for (String authorization : new String[] {basic("api", key), stripe, "Bearer " + key, "bAsIc " + basic("api", key).substring(6), "bearer " + key}) {
            HttpResponse<String> r = post(jetty.uri(SEND), "Authorization", authorization);
            assertEquals(200, r.statusCode(), authorization.substring(0, 6));
            assertTrue(r.body().contains(" user=" + id + " "), r.body());
        }
    }

    /** Checklist B.13: never a key from the URL, whatever the parameter is called; a form field is not read either. */
    @Test
    void credentialsInTheQueryStringOrTheBodyAreNeverRead() throws Exception {
        for (String name : new String[] {"api_key", "access_token", "key", "token", "apikey", "authorization"}) {
            assertEquals(401, post(jetty.uri(SEND + "?" + name + "=" + key)).statusCode(), name);
            assertEquals(401, post(jetty.uri(SEND + "?" + name + "=" + basic("api", key).replace(" ", "%20"))).statusCode(), name);
        }
        HttpResponse<String> form = Fixture.send(Fixture.request(jetty.uri(SEND))
                .POST(HttpRequest.BodyPublishers.ofString("api_key=" + key + "&access_token=" + key)));
        assertEquals(401, form.statusCode());
        assertEquals(0, app.calls.get());
    }

    /** The downstream contract: principal, remote user, roles, attributes; and the body left unread. */
    @Test
    void theApplicationSeesThePrincipal() throws Exception {
        HttpResponse<String> r = postForm(jetty.uri("/v3/Example.COM/messages"), "Authorization", basic("api", key));
        assertEquals(200, r.statusCode());
        String b = r.body();
        assertTrue(b.contains(" user=" + id + " remoteUser=" + id + " attr=" + id + " same=true "), b);
        assertTrue(b.contains(" send=true read=false "), b);
        assertTrue(b.contains(" authType=BASIC "), b);
        assertTrue(b.contains(" resource=example.com "), b);
        assertTrue(b.contains(" client=127.0.0.1 "), b);
        assertTrue(b.endsWith(" text=hello"), "the form is still there for the application: " + b);

        HttpResponse<String> bearer = post(jetty.uri(SEND), "Authorization", "Bearer " + key);
        assertTrue(bearer.body().contains(" authType=BEARER "), bearer.body());
    }

    @Test
    void aCollectionRuleSetsNoResource() throws Exception {
        String reader = f.key(KeySpec.builder().account("acme").name("reader").grant("domains:read", "example.com"));
        HttpResponse<String> r = get(jetty.uri("/v3/domains"), "Authorization", basic("api", reader));
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains(" send=false read=true "), r.body());
        assertTrue(r.body().contains(" resource=null "), r.body());
    }

    @Test
    void optionsPassOnlyWhenConfigured() throws Exception {
        HttpRequest.Builder preflight = Fixture.request(jetty.uri(SEND)).method("OPTIONS", HttpRequest.BodyPublishers.noBody());
        assertEquals(401, Fixture.send(preflight).statusCode(), "OPTIONS has no rule: denied by default, credentials checked first");
        try (Jetty j = Jetty.loopback().filter(f.mailApi().passOptions().build()).servlet("/", app).start()) {
            HttpResponse<String> r = Fixture.send(Fixture.request(j.uri(SEND)).method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains(" user=- "), "passed through untouched, with no principal: " + r.body());
        }
    }

    @Test
    void headUsesTheGetRule() throws Exception {
        String reader = f.key(KeySpec.builder().account("acme").name("reader").grant("domains:read", "*"));
        HttpRequest.Builder head = Fixture.request(jetty.uri("/v3/domains"), "Authorization", basic("api", reader))
                .method("HEAD", HttpRequest.BodyPublishers.noBody());
        assertEquals(200, Fixture.send(head).statusCode());
        assertEquals(401, Fixture.send(Fixture.request(jetty.uri("/v3/domains")).method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode());
    }

    /**
     * REQUEST dispatches only: mapped on every dispatcher type, the filter decides once per client
     * request, and an include or forward inside the application is not decided again.
     */
    @Test
    void onlyTheClientRequestIsDecided() throws Exception {
        HttpServlet forwarding = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest req, HttpServletResponse res) throws jakarta.servlet.ServletException, IOException {
                req.getRequestDispatcher("/inner/include").include(req, res);
                req.getRequestDispatcher("/inner/forward").forward(req, res);
            }
        };
        try (Jetty j = Jetty.loopback().filter(f.mailApi().build()).dispatches(EnumSet.allOf(DispatcherType.class))
                .servlet("/v3/*", forwarding).servlet("/inner/*", app).start()) {
            int events = f.events.size();
            HttpResponse<String> r = post(j.uri(SEND), "Authorization", basic("api", key));
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("path=/inner/forward user=" + id + " "), r.body());
            assertEquals(1, f.events.size() - events, "one decision");
            assertEquals(2, app.calls.get());
        }
    }

    @Test
    void theFilterWorksUnderAServletMappingToo() throws Exception {
        // servletPath "/v3", pathInfo "/example.com/messages": the rule sees their concatenation
        try (Jetty j = Jetty.loopback().filter(f.mailApi().build()).servlet("/v3/*", app).start()) {
            HttpResponse<String> r = post(j.uri(SEND), "Authorization", basic("api", key));
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains(" resource=example.com "), r.body());
        }
    }
}
