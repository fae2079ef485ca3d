package dev.portcullis.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.KeyFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The demo's leak response end to end, over HTTP with the JDK client: a key ending itself
 * ({@code DELETE /v1/keys/self}), the public report ({@code POST /v1/leaks}) that answers alike
 * whatever the token and holds its rate limit, GitHub's partner endpoint with a stand-in for
 * GitHub's keys URL (a JDK {@code HttpServer} with a key pair made here), and the leak webhook
 * reaching a real receiver. No secret in the audit trail or a notice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeakResponseTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> secrets = new ArrayList<>();
    private final BlockingQueue<String> notices = new LinkedBlockingQueue<>();

    private Path data;
    private DemoServer server;
    private HttpServer github;
    private HttpServer hook;
    private KeyPair signing;
    private String adminToken;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        data = dir;
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        signing = g.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\\n" + Base64.getEncoder().encodeToString(signing.getPublic().getEncoded())
                + "\\n-----END PUBLIC KEY-----\\n";
        byte[] keys = ("{\"public_keys\":[{\"key_identifier\":\"test-key\",\"key\":\"" + pem + "\",\"is_current\":true}]}")
                .getBytes(StandardCharsets.UTF_8);
        github = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        github.createContext("/keys", x -> {
            x.sendResponseHeaders(200, keys.length);
            x.getResponseBody().write(keys);
            x.close();
        });
        github.start();
        hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hook.createContext("/hook", x -> {
            try (InputStream in = x.getRequestBody()) {
                notices.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        hook.start();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server = DemoServer.start(new DemoServer.Options(data, 0, 0,
                URI.create("http://127.0.0.1:" + github.getAddress().getPort() + "/keys"),
                URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/hook")), new PrintStream(out, true, StandardCharsets.UTF_8));
        List<List<String>> curls = Printed.commands(out.toString(StandardCharsets.UTF_8), "curl");
        adminToken = Printed.option(curls.get(1), "--user").substring("api:".length());
        secrets.add(adminToken);
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        github.stop(0);
        hook.stop(0);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + path);
    }

    private static String basic(String token) {
        return "Basic " + Base64.getEncoder().encodeToString(("api:" + token).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A new sending key, made through the API with the admin key. */
    private String sendingKey() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/keys")).header("Authorization", basic(adminToken))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"ci\",\"grants\":[\"messages:send@example.com\"]}")));
        assertEquals(201, r.statusCode(), r.body());
        String token = JSON.readTree(r.body()).get("token").textValue();
        secrets.add(token);
        return token;
    }

    private int sendMessage(String token) throws Exception {
        return send(HttpRequest.newBuilder(uri("/v3/example.com/messages")).header("Authorization", basic(token))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("from=postmaster%40example.com&to=you%40example.org&subject=hi&text=hello")))
                .statusCode();
    }

    private HttpResponse<String> report(String body) throws Exception {
        return send(HttpRequest.newBuilder(uri("/v1/leaks")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static String id(String token) {
        return KeyFormat.withPrefix("pc").parse(token).keyId();
    }

    /** Waits for the audit trail (written off the request thread) to hold a line with all of {@code parts}. */
    private String auditLine(String... parts) throws Exception {
        for (int i = 0; i < 200; i++) {
            for (String line : Files.readAllLines(data.resolve("audit.jsonl"))) {
                if (List.of(parts).stream().allMatch(line::contains)) {
                    return line;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no audit line with " + List.of(parts));
    }

    @Test
    @Order(1)
    void aKeyEndsItselfWithDeleteSelfWhateverItsGrants() throws Exception {
        String k = sendingKey(); // messages:send only: no keys:write
        assertEquals(200, sendMessage(k));
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/keys/self")).header("Authorization", basic(k)).DELETE());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode view = JSON.readTree(r.body());
        assertEquals(id(k), view.get("id").textValue());
        assertFalse(r.body().contains(k.substring(15)), "the answer never shows the secret");

        assertEquals(401, sendMessage(k), "denied from the next request on");
        assertEquals(401, send(HttpRequest.newBuilder(uri("/v1/keys/self")).header("Authorization", basic(k)).DELETE()).statusCode());
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(uri("/v1/keys/self")).DELETE());
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").isPresent());
        String bearer = sendingKey();
        assertEquals(200, send(HttpRequest.newBuilder(uri("/v1/keys/self")).header("Authorization", "Bearer " + bearer).DELETE()).statusCode());
        assertEquals(401, sendMessage(bearer));
        assertEquals(200, send(HttpRequest.newBuilder(uri("/v1/keys")).header("Authorization", basic(adminToken)).GET()).statusCode(),
                "other keys go on");
        String line = auditLine("\"type\":\"REVOKED\"", id(k), "\"detail\":\"self\"");
        assertTrue(line.contains("\"actor\":\"key:" + id(k) + "\""), line);
    }

    @Test
    @Order(2)
    void thePublicReportAnswersAlikeForLiveRevokedUnknownAndForeignTokensAndRevokesOnlyTheLiveOne() throws Exception {
        String live = sendingKey();
        String revoked = sendingKey();
        assertEquals(200, send(HttpRequest.newBuilder(uri("/v1/keys/" + id(revoked))).header("Authorization", basic(adminToken)).DELETE())
                .statusCode());
        String unknown = KeyFormat.withPrefix("pc").newToken();
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (String t : List.of(live, revoked, unknown, "hello, not a key")) {
            answers.add(report("{\"token\":\"" + t + "\"}"));
        }
        HttpResponse<String> first = answers.get(0);
        assertEquals(202, first.statusCode(), first.body());
        for (HttpResponse<String> a : answers) {
            assertEquals(first.statusCode(), a.statusCode());
            assertEquals(first.body(), a.body());
            assertEquals(first.headers().firstValue("Content-Type"), a.headers().firstValue("Content-Type"));
            assertEquals(first.headers().firstValue("Cache-Control"), a.headers().firstValue("Cache-Control"));
            assertEquals(first.headers().map().keySet(), a.headers().map().keySet());
        }
        assertEquals(401, sendMessage(live), "the live key was revoked");
        assertEquals(400, report("not json").statusCode());

        String notice = notices.poll(20, TimeUnit.SECONDS);
        assertNotNull(notice, "the webhook heard of the leak");
        JsonNode n = JSON.readTree(notice);
        assertEquals(id(live), n.get("keyId").textValue());
        assertEquals("demo", n.get("account").textValue());
        assertEquals("revoked", n.get("action").textValue());
        assertTrue(n.get("source").textValue().startsWith("POST /v1/leaks from 127.0.0.1"), notice);
        String already = notices.poll(20, TimeUnit.SECONDS);
        assertNotNull(already);
        assertEquals("none: already revoked", JSON.readTree(already).get("action").textValue());
    }

    @Test
    @Order(3)
    void gitHubsPartnerEndpointRevokesASignedLiveKey() throws Exception {
        String live = sendingKey();
        byte[] body = ("[{\"token\":\"" + live + "\",\"type\":\"portcullis_api_key\",\"url\":\"https://github.com/o/r/blob/x/.env\","
                + "\"source\":\"commit\"},{\"token\":\"pc_not_a_key\",\"type\":\"portcullis_api_key\",\"url\":\"\"}]")
                .getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(signing.getPrivate());
        s.update(body);
        String signature = Base64.getEncoder().encodeToString(s.sign());
        HttpResponse<String> unsigned = send(HttpRequest.newBuilder(uri("/v1/github/secret-scanning"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertEquals(400, unsigned.statusCode());
        assertEquals(200, sendMessage(live));

        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/github/secret-scanning"))
                .header("Github-Public-Key-Identifier", "test-key").header("Github-Public-Key-Signature", signature)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode labels = JSON.readTree(r.body());
        assertEquals("true_positive", labels.get(0).get("label").textValue());
        assertEquals("false_positive", labels.get(1).get("label").textValue());
        assertEquals(401, sendMessage(live));
        String line = auditLine("LEAK_REPORTED", id(live));
        assertTrue(line.contains("source=github commit https://github.com/o/r/blob/x/.env"), line);
        assertTrue(line.contains("\"actor\":\"github secret scanning\""), line);
    }

    @Test
    @Order(4)
    void thePublicReportIsRateLimitedPerNetworkAndARefusedReportRevokesNothing() throws Exception {
        // Earlier tests spent 5 of the minute's 10 reports from 127.0.0.1.
        int admitted = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < LeakEndpoints.Report.PER_MINUTE + 1 && refused == null; i++) {
            HttpResponse<String> r = report("{\"token\":\"hello\"}");
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertEquals(202, r.statusCode());
                admitted++;
            }
        }
        assertNotNull(refused, "refused within " + (LeakEndpoints.Report.PER_MINUTE + 1) + " reports");
        assertTrue(admitted < LeakEndpoints.Report.PER_MINUTE);
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);

        String live = sendingKey();
        HttpResponse<String> again = report("{\"token\":\"" + live + "\"}");
        assertEquals(429, again.statusCode());
        assertEquals(200, sendMessage(live), "a refused report looks at nothing, so revokes nothing");
    }

    @Test
    @Order(5)
    void noSecretReachedTheAuditTrailOrANotice() throws Exception {
        server.close();
        server = null;
        String audit = Files.readString(data.resolve("audit.jsonl"));
        List<String> seen = new ArrayList<>(notices);
        for (String token : secrets) {
            String secret = token.substring(15, 47);
            for (int i = 0; i + 8 <= secret.length(); i++) {
                String part = secret.substring(i, i + 8);
                assertFalse(audit.contains(part), "the audit trail holds part of a secret");
                seen.forEach(n -> assertFalse(n.contains(part), "a notice holds part of a secret"));
            }
        }
    }
}
