package dev.portcullis.servlet;

import com.sun.net.httpserver.HttpServer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.portcullis.servlet.Fixture.basic;
import static dev.portcullis.servlet.Fixture.get;
import static dev.portcullis.servlet.Fixture.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The integration guides show code that compiles and does what they say: each marked region of the examples is in its doc verbatim, and runs here. */
class DocsTest {
    private static final Path DOCS = Path.of("..", "docs");
    private static final Path EXAMPLES = Path.of("src", "test", "java", "dev", "portcullis", "servlet");

    private Fixture f;
    private String key;

    @BeforeEach
    void start() {
        f = new Fixture();
        key = f.sender();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void theServletGuideShowsTheServletExample() throws IOException {
        assertRegionsIn("ServletExample.java", "integration-servlet.md", 3);
    }

    @Test
    void theGatewayGuideShowsTheGatewayExample() throws IOException {
        assertRegionsIn("GatewayExample.java", "integration-gateway.md", 2);
    }

    @Test
    void theServletExampleRuns() throws Exception {
        Server server = ServletExample.start(f.portcullis.authenticator(), 0);
        try {
            int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
            URI send = URI.create("http://127.0.0.1:" + port + "/v3/Example.com/messages");
            HttpResponse<String> ok = post(send, "Authorization", basic("api", key));
            assertEquals(200, ok.statusCode());
            assertEquals("{\"message\":\"Queued\",\"domain\":\"example.com\",\"account\":\"acme\"}", ok.body());
            assertEquals(401, post(send).statusCode());
            assertEquals(403, get(URI.create("http://127.0.0.1:" + port + "/v3/domains"), "Authorization", basic("api", key)).statusCode());
            assertEquals(200, get(URI.create("http://127.0.0.1:" + port + "/health")).statusCode());
        } finally {
            server.stop();
        }
    }

    @Test
    void theListenerRegistersTheFilter() throws Exception {
        Server server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        server.addConnector(c);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addEventListener(new ServletExample.PortcullisSetup(f.portcullis.authenticator()));
        Echo app = new Echo();
        context.addServlet(app, "/");
        server.setHandler(context);
        server.start();
        try {
            URI send = URI.create("http://127.0.0.1:" + c.getLocalPort() + "/v3/example.com/messages");
            assertEquals(401, post(send).statusCode());
            assertEquals(200, post(send, "Authorization", basic("api", key)).statusCode());
            assertEquals(1, app.calls.get());
        } finally {
            server.stop();
        }
    }

    @Test
    void theGatewayExampleRuns() throws Exception {
        HttpServer server = GatewayExample.start(f.portcullis.authenticator(), 0);
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            HttpResponse<String> ok = post(URI.create(base + "/v3/example.com/messages"), "Authorization", basic("api", key));
            assertEquals(200, ok.statusCode());
            assertEquals("{\"message\":\"Queued\",\"key\":\"" + StatusTest.idOf(key) + "\"}", ok.body());

            HttpResponse<String> missing = post(URI.create(base + "/v3/example.com/messages"));
            assertEquals(401, missing.statusCode());
            assertEquals("Basic realm=\"portcullis\", charset=\"UTF-8\"", missing.headers().firstValue("WWW-Authenticate").orElseThrow());
            assertEquals("{\"message\":\"Unauthorized\"}", missing.body());

            assertEquals(403, post(URI.create(base + "/v3/other.org/messages"), "Authorization", basic("api", key)).statusCode());
            assertEquals(404, post(URI.create(base + "/v3/example.com%2Fx/messages"), "Authorization", basic("api", key)).statusCode());
            assertEquals(404, get(URI.create(base + "/v3/example.com/messages"), "Authorization", basic("api", key)).statusCode());
        } finally {
            server.stop(0);
        }
    }

    /** Every {@code // doc:NAME … // doc:end} region of the example, de-indented, is a fenced java block of the guide. */
    private static void assertRegionsIn(String example, String guide, int expectedRegions) throws IOException {
        String source = Files.readString(EXAMPLES.resolve(example));
        String doc = Files.readString(DOCS.resolve(guide));
        Matcher m = Pattern.compile("(?m)^[ \\t]*// doc:\\w+\\n(.*?)^[ \\t]*// doc:end\\n", Pattern.DOTALL).matcher(source);
        List<String> regions = new ArrayList<>();
        while (m.find()) {
            regions.add(dedent(m.group(1)));
        }
        assertEquals(expectedRegions, regions.size(), "regions in " + example);
        for (String region : regions) {
            assertTrue(doc.contains("```java\n" + region + "```"), guide + " lacks, verbatim:\n" + region);
        }
        assertFalse(doc.contains("kat_"), "the guide shows no key");
    }

    private static String dedent(String block) {
        String[] lines = block.split("\n", -1);
        int indent = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                indent = Math.min(indent, l.length() - l.stripLeading().length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.length - 1; i++) {
            b.append(lines[i].isBlank() ? "" : lines[i].substring(indent)).append('\n');
        }
        return b.toString();
    }
}
