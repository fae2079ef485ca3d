package dev.portcullis.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.servlet.RouteReference.Kind;
import dev.portcullis.servlet.RouteReference.Normaliser;
import dev.portcullis.servlet.RouteReference.Rule;
import dev.portcullis.testing.FuzzInput;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz targets for the route matcher ({@link Routes}, {@link Route}) and the path checks of
 * {@link PortcullisFilter} (checklist B13's neighbours: the request must name the path the rules
 * were applied to). The input is split into fields at each {@code 0xFF} byte, each read as UTF-8
 * (malformed sequences as U+FFFD), as the core's targets read theirs.
 *
 * <p>Oracle ({@link RouteReference}, written from the Javadoc): every call has one documented
 * outcome (a rule, no rule, or the 400 refusal; {@link IllegalArgumentException} only for a
 * malformed or clashing rule) and throws nothing else; the outcome is the reference's; and a
 * raw URI the filter accepts is read as the very same segments by every
 * {@linkplain Normaliser path-normalising server} (decoding once or twice, dropping {@code ;}
 * parameters, backslash as a separator, {@code //} merged, dot segments removed), so none of them
 * could route it to another rule, let alone one with more protection than the filter applied.
 */
class RoutesFuzzTest {
    /** The rules when an input brings none: protected and public rules next to each other, a trailing-slash rule, a root rule. */
    static final List<String> DEFAULT_RULES = List.of(
            "POST /v3/{domain}/messages messages:send domain",
            "GET /v3/{domain}/messages messages:read domain",
            "GET /v3/domains domains:read",
            "GET /v3/domains/{d} domains:read d",
            "GET /v3/{a}/{b} other:read",
            "DELETE /v3/domains/{d} domains:delete d",
            "GET /admin/ admin:read",
            "GET /health public",
            "GET /public/{page} public",
            "POST /public/{page} public",
            "GET / public");

    private static final int MAX_TARGET = 4096;

    /**
     * In-process: field 0 the rule table ({@code METHOD TEMPLATE PERMISSION|public [VARIABLE]}
     * per line; empty for {@link #DEFAULT_RULES}), field 1 the method, then raw request URIs.
     * Each URI is also tried as a template and as an already decoded path.
     */
    @FuzzTest(maxDuration = "60s")
    void matching(byte[] data) {
        List<String> fields = fields(data);
        List<String> lines = fields.get(0).isEmpty() ? DEFAULT_RULES : Arrays.asList(fields.get(0).split("\n", -1));
        String method = fields.size() > 1 ? fields.get(1) : "GET";
        RouteReference.Table table = new RouteReference.Table();
        List<Route> built = new ArrayList<>();
        for (String line : lines) {
            Rule rule = Rule.parse(line);
            if (rule == null) {
                continue;
            }
            Route route = ruleOrRefusal(rule.method(), rule.template(), rule.permission(), rule.variable());
            if (route == null) {
                assertEquals(null, rule.shape(), () -> "refused but well-formed: " + line);
                continue;
            }
            assertNotNull(rule.shape(), () -> "accepted but malformed: " + line);
            List<Route> with = new ArrayList<>(built);
            with.add(route);
            boolean accepted;
            try {
                new Routes(with);
                accepted = true;
            } catch (IllegalArgumentException clash) {
                assertNotNull(clash.getMessage());
                accepted = false;
            }
            assertEquals(table.accepts(rule), accepted, () -> "clash of " + line + " with " + table.rules);
            if (accepted) {
                built.add(route);
                table.add(rule);
            }
        }
        Routes routes = new Routes(built);
        assertNotNull(routes.toString());

        for (int f = 2; f < fields.size(); f++) {
            String raw = fields.get(f);
            // As a template of a rule: accepted exactly when the reference reads it as one.
            Route asTemplate = ruleOrRefusal(method, raw, "fuzz:read", null);
            assertEquals(new Rule(method, raw, "fuzz:read", null).shape() != null, asTemplate != null, () -> "template " + raw);

            boolean plain = Routes.isPlain(raw);
            assertEquals(RouteReference.plain(raw), plain, () -> "isPlain(" + raw + ")");
            // As a decoded path, and as the paths a container could hand over for this raw URI.
            check(routes, table, method, raw, raw);
            String decoded = RouteReference.decode(raw);
            check(routes, table, method, raw, decoded);
            for (Normaliser n : Normaliser.values()) {
                check(routes, table, method, raw, "/" + String.join("/", n.segments(raw)));
            }
        }
    }

    /** One request as a container could present it: the raw URI and its decoding of the path. */
    private static void check(Routes routes, RouteReference.Table table, String method, String raw, String decoded) {
        String[] segments = Routes.segments(decoded);
        List<String> expected = RouteReference.canonicalSegments(decoded);
        assertEquals(expected, segments == null ? null : List.of(segments), () -> "segments(" + decoded + ")");
        if (segments == null) {
            return;
        }
        assertEquals(decoded, "/" + String.join("/", segments), "the segments are the path");
        Route found = routes.find(method, segments);
        int i = table.find(method, expected);
        assertEquals(i >= 0 ? table.rules.get(i).template() : null, found == null ? null : found.template,
                () -> method + " " + decoded + " in " + table.rules);
        if (found != null) {
            assertEquals(table.rules.get(i).permission(), found.permission);
            assertTrue(found.matches(segments));
        }
        assertEquals(table.anyMatches(expected), routes.anyMatches(segments));
        if (!Routes.isPlain(raw)) {
            return;
        }
        // Accepted: every normalising reading of the raw URI is this very path.
        for (Normaliser n : Normaliser.values()) {
            assertEquals(expected, n.segments(raw), () -> n + " reads " + raw + " as another path than the filter's " + decoded);
        }
    }

    /** The route, or {@code null} for the documented refusal; any other exception fails the target. */
    private static Route ruleOrRefusal(String method, String template, String permission, String variable) {
        try {
            return Route.of(method, template, permission, variable);
        } catch (IllegalArgumentException refused) {
            assertNotNull(refused.getMessage());
            return null;
        }
    }

    // ---- Through a real Jetty --------------------------------------------------------------------

    private static Fixture fixture;
    private static Jetty jetty;
    private static RouteReference.Table defaults;
    private static final Recorder APP = new Recorder();
    private static Http client;

    @BeforeAll
    static void start() throws Exception {
        fixture = new Fixture();
        defaults = new RouteReference.Table();
        PortcullisFilter.Builder b = fixture.filter().permitUnmatched();
        for (String line : DEFAULT_RULES) {
            Rule r = Rule.parse(line);
            defaults.add(r);
            if (r.permission() == null) {
                b.permit(r.method(), r.template());
            } else if (r.variable() == null) {
                b.route(r.method(), r.template(), r.permission());
            } else {
                b.route(r.method(), r.template(), r.permission(), r.variable());
            }
        }
        // Lenient: UNSAFE URI compliance and ambiguous URIs decoded, so that the filter's own checks
        // are what stands between a trick and the application; and every unmatched path public.
        jetty = Jetty.loopback().lenient().filter(b.build()).servlet("/", APP).start();
        client = new Http(jetty.port());
    }

    @AfterAll
    static void stop() throws IOException {
        client.close();
        jetty.close();
        fixture.close();
    }

    /**
     * Through Jetty: field 0 the method ({@code GET} unless it is 1-10 letters), then request
     * targets, sent without credentials to the {@link #DEFAULT_RULES} with {@code permitUnmatched()}.
     * Characters outside printable ASCII are sent percent-encoded (UTF-8), so the request line stays
     * one line. The application may see a request only on a public or unmatched path, and then every
     * normalising reading of the target is the path it saw; a protected path is 401, and every
     * reading of it is the path of the rule applied; the filter's 400
     * only where the reference refuses; no 403 or 5xx.
     */
    @FuzzTest(maxDuration = "60s")
    void requests(byte[] data) throws IOException {
        // Jazzer's SSRF detector stops any connection the target makes; this one is the test's own, to its Jetty.
        try (SilentCloseable allowed = BugDetectors.allowNetworkConnections(
                (host, port) -> port == jetty.port() && (host.equals("localhost") || host.equals("127.0.0.1")))) {
            send(fields(data));
        }
    }

    private static void send(List<String> fields) throws IOException {
        String method = fields.get(0).matches("[A-Za-z]{1,10}") ? fields.get(0) : "GET";
        for (int f = 1; f < fields.size(); f++) {
            // origin-form only: an absolute-form or authority-form target is another request shape
            String target = wire(fields.get(f).startsWith("/") ? fields.get(f) : "/" + fields.get(f));
            if (target.length() > MAX_TARGET) {
                continue;
            }
            int before = APP.calls.get();
            Http.Response r = client.send(method, target);
            boolean reached = APP.calls.get() != before;
            String path = pathPart(target);
            if (r == null) {
                assertTrue(!reached, () -> "Jetty dropped " + target + " after the application saw it");
                continue;
            }
            assertTrue(r.status() < 500 && r.status() != 403, () -> r.status() + " for " + method + " " + target + ": " + r.body());
            if (reached) {
                assertEquals(200, r.status());
                String seen = APP.lastPath.get();
                List<String> segments = RouteReference.canonicalSegments(seen);
                assertNotNull(segments, () -> "the application saw a non-canonical " + seen + " for " + target);
                Kind kind = defaults.decide(method, path, seen);
                assertTrue(kind == Kind.PUBLIC || kind == Kind.UNMATCHED, () -> kind + ": " + method + " " + seen + " without credentials");
                for (Normaliser n : Normaliser.values()) {
                    assertEquals(segments, n.segments(path), () -> n + " reads " + target + " as another path than " + seen);
                }
                continue;
            }
            assertNotEquals(200, r.status(), () -> "200 without the application for " + target);
            boolean filter400 = r.status() == 400 && r.body().equals("{\"message\":\"Bad Request\"}");
            Kind expected = defaults.decide(method, path, RouteReference.decode(path));
            if (r.status() == 401) {
                assertEquals(Kind.PROTECTED, expected, () -> "401 for " + method + " " + target);
                // A rule was applied: with credentials the request would go on, so every reading must
                // be the path of that rule, not one a key with another grant could not reach.
                List<String> decided = RouteReference.canonicalSegments(RouteReference.decode(path));
                for (Normaliser n : Normaliser.values()) {
                    assertEquals(decided, n.segments(path), () -> n + " reads " + target + " as another path than the rule's");
                }
            } else if (filter400 && isAscii(RouteReference.decode(path))) {
                assertEquals(Kind.BAD_REQUEST, expected, () -> "the filter refused " + method + " " + target);
            }
        }
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    /** The path of a request target: up to the query or fragment. */
    private static String pathPart(String target) {
        int q = target.indexOf('?');
        int h = target.indexOf('#');
        int end = q < 0 ? h : h < 0 ? q : Math.min(q, h);
        return end < 0 ? target : target.substring(0, end);
    }

    /** Printable ASCII as it is, everything else percent-encoded as UTF-8 (an unpaired surrogate as {@code ?}). */
    static String wire(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp > 0x20 && cp < 0x7F) {
                b.appendCodePoint(cp);
            } else {
                for (byte x : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    b.append('%').append(String.format(Locale.ROOT, "%02X", x & 0xFF));
                }
            }
        });
        return b.toString();
    }

    /** The fields of an input: split at {@code 0xFF}, each UTF-8; at least one. */
    static List<String> fields(byte[] data) {
        List<String> out = new ArrayList<>();
        for (byte[] field : FuzzInput.rawFields(data)) {
            out.add(new String(field, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The application: records the path the container mapped, and counts. */
    static final class Recorder extends HttpServlet {
        private static final long serialVersionUID = 1L;
        final transient AtomicInteger calls = new AtomicInteger();
        final transient AtomicReference<String> lastPath = new AtomicReference<>();

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
            lastPath.set(req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo()));
            calls.incrementAndGet();
            res.setContentType("text/plain;charset=utf-8");
            res.setContentLength(2);
            res.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * A raw HTTP/1.1 client on one kept-alive connection: any request target, as it is. {@code null}
     * for a connection the server closed without a response; it reconnects for the next request.
     */
    static final class Http implements AutoCloseable {
        record Response(int status, String body) {}

        private final int port;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Http(int port) {
            this.port = port;
        }

        Response send(String method, String target) throws IOException {
            for (int attempt = 0; ; attempt++) {
                if (socket == null) {
                    socket = new Socket(InetAddress.getLoopbackAddress(), port);
                    socket.setSoTimeout(10_000);
                    socket.setTcpNoDelay(true);
                    in = new BufferedInputStream(socket.getInputStream());
                    out = socket.getOutputStream();
                }
                boolean fresh = attempt > 0;
                try {
                    out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    Response r = read(method.equals("HEAD"));
                    if (r != null) {
                        return r;
                    }
                } catch (java.net.SocketException reset) {
                    // closed by the server: below
                }
                close();
                if (fresh) {
                    return null; // a new connection and still no response: the server dropped it
                }
                // a kept-alive connection the server had closed in between: once more on a new one
            }
        }

        private Response read(boolean head) throws IOException {
            String status = line();
            if (status == null) {
                return null;
            }
            if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
                fail("not a status line: " + status);
            }
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean closing = false;
            for (String h = line(); h != null && !h.isEmpty(); h = line()) {
                String name = h.substring(0, Math.max(0, h.indexOf(':'))).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(h.indexOf(':') + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                    case "connection" -> closing = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (!head && code != 204 && code != 304) {
                if (chunked) {
                    for (long n = Long.parseLong(line().split(";")[0].trim(), 16); n > 0; n = Long.parseLong(line().split(";")[0].trim(), 16)) {
                        body.write(in.readNBytes((int) n));
                        line();
                    }
                    line();
                } else if (length >= 0) {
                    body.write(in.readNBytes((int) length));
                } else {
                    in.transferTo(body);
                    closing = true;
                }
            }
            // After HEAD a new connection: Jetty's own error page for a request it could not parse
            // comes with a body even for HEAD, which would otherwise be read as the next response.
            if (closing || head) {
                close();
            }
            return new Response(code, body.toString(StandardCharsets.UTF_8));
        }

        private String line() throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c = in.read(); c >= 0; c = in.read()) {
                if (c == '\n') {
                    int n = b.length();
                    return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
                }
                b.append((char) c);
            }
            return b.length() == 0 ? null : b.toString();
        }

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }
    }
}
