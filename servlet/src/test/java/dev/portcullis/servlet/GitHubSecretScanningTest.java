package dev.portcullis.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.AuthEvent;
import dev.portcullis.AuthListener;
import dev.portcullis.AuthRequest;
import dev.portcullis.DenyReason;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyEvent;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.testkit.MutableClock;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The GitHub secret-scanning endpoint end to end: Jetty running it, a JDK {@code HttpServer} on
 * 127.0.0.1 standing in for GitHub's keys URL with a key pair made here, and the JDK client sending
 * what GitHub sends. Only a token that verifies is revoked, and a request that is not GitHub's
 * revokes nothing.
 */
class GitHubSecretScanningTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<KeyEvent> keyEvents = new CopyOnWriteArrayList<>();
    private final MutableClock clock = new MutableClock();
    private Fixture f;
    private GitHubStandIn github;
    private GitHubStandIn.SigningKey signing;
    private Jetty jetty;

    @BeforeEach
    void start() throws Exception {
        f = new Fixture(Portcullis.builder()
                .failureBudgets(Limit.perHour(100_000), Limit.perHour(100_000), Limit.perHour(100_000))
                .listener(new AuthListener() {
                    @Override
                    public void onEvent(AuthEvent event) {}

                    @Override
                    public void onKeyEvent(KeyEvent event) {
                        keyEvents.add(event);
                    }
                }));
        github = GitHubStandIn.start();
        signing = github.newKey("k-2026-01");
        jetty = Jetty.loopback().servlet("/github/secret-scanning", GitHubSecretScanningServlet.builder(f.portcullis.keys())
                .keysUrl(github.keysUrl()).keysTimeout(Duration.ofSeconds(2)).maxBodyBytes(64 * 1024).clock(clock).build()).start();
    }

    @AfterEach
    void stop() {
        jetty.close();
        github.close();
        f.close();
    }

    private IssuedKey key(String name) {
        return f.portcullis.keys().create(KeySpec.builder().account("acme").name(name).grant("messages:send", "example.com").build());
    }

    private DenyReason reason(String token) {
        return f.portcullis.authenticator().authenticate(AuthRequest.http("Bearer " + token, "203.0.113.9")).reason();
    }

    static String payload(String... tokens) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < tokens.length; i++) {
            b.append(i > 0 ? ",\n " : "").append("{\"token\":\"").append(tokens[i]).append("\",\"type\":\"portcullis_api_key\",")
                    .append("\"url\":\"https://github.com/octo/leaky/blob/abc/app.env\",\"source\":\"commit\"}");
        }
        return b.append(']').toString();
    }

    HttpResponse<String> send(String keyId, String signature, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(jetty.uri("/github/secret-scanning")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json");
        if (keyId != null) {
            b.header(GitHubSecretScanningServlet.KEY_ID_HEADER, keyId);
        }
        if (signature != null) {
            b.header(GitHubSecretScanningServlet.SIGNATURE_HEADER, signature);
        }
        return Fixture.HTTP.send(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> signed(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return send(signing.id(), signing.sign(bytes), bytes);
    }

    @Test
    void onlyTheLiveKeyIsRevokedAndEveryTokenIsLabelled() throws Exception {
        IssuedKey live = key("live");
        IssuedKey revoked = key("revoked");
        f.portcullis.keys().revoke(revoked.id());
        IssuedKey victim = key("victim");
        String forgery = sameIdOtherSecret(victim.token()); // well-formed, checksum holds, secret wrong
        String foreign = "ghp_" + "x".repeat(36);
        assertTrue(KeyFormat.withPrefix("kat").parse(forgery).valid());
        keyEvents.clear();

        HttpResponse<String> r = signed(payload(live.token(), revoked.token(), forgery, foreign));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json;charset=utf-8", r.headers().firstValue("Content-Type").orElse("").replace(" ", "").toLowerCase());
        JsonNode answer = JSON.readTree(r.body());
        assertEquals(4, answer.size());
        String[] tokens = {live.token(), revoked.token(), forgery, foreign};
        String[] labels = {"true_positive", "true_positive", "false_positive", "false_positive"};
        for (int i = 0; i < 4; i++) {
            assertEquals(tokens[i], answer.get(i).get("token_raw").textValue());
            assertEquals("portcullis_api_key", answer.get(i).get("token_type").textValue());
            assertEquals(labels[i], answer.get(i).get("label").textValue(), "token " + i);
        }

        assertEquals(DenyReason.REVOKED, reason(live.token()));
        assertEquals(null, reason(victim.token()), "the forgery's id names a live key that stays live");
        assertTrue(f.portcullis.keys().get(victim.id()).orElseThrow().revokedAt() == null);

        List<KeyEvent.Type> types = keyEvents.stream().map(KeyEvent::type).toList();
        assertEquals(List.of(KeyEvent.Type.LEAK_REPORTED, KeyEvent.Type.LEAK_REPORT_ALREADY_REVOKED,
                KeyEvent.Type.LEAK_REPORT_UNVERIFIED, KeyEvent.Type.LEAK_REPORT_UNVERIFIED), types);
        assertEquals(live.id(), keyEvents.get(0).keyId());
        assertEquals("source=github commit https://github.com/octo/leaky/blob/abc/app.env", keyEvents.get(0).detail());
        assertEquals(revoked.id(), keyEvents.get(1).keyId());
        // No 8 characters of any secret in any event of the run (key or auth).
        List<String> events = new ArrayList<>();
        keyEvents.forEach(e -> events.add(e.toString()));
        f.events.forEach(e -> events.add(e.toString()));
        for (String token : List.of(live.token(), revoked.token(), forgery, victim.token())) {
            String secret = token.substring(16, 48);
            for (int i = 0; i + 8 <= secret.length(); i++) {
                String part = secret.substring(i, i + 8);
                assertTrue(events.stream().noneMatch(e -> e.contains(part)), "an event holds part of a secret");
            }
        }
    }

    @Test
    void requestsThatAreNotGitHubsRevokeNothing() throws Exception {
        IssuedKey live = key("live");
        byte[] body = payload(live.token()).getBytes(StandardCharsets.UTF_8);
        String good = signing.sign(body);
        GitHubStandIn.SigningKey stranger = GitHubStandIn.SigningKey.generate(signing.id());

        assertEquals(400, send(null, null, body).statusCode(), "unsigned");
        assertEquals(400, send(signing.id(), null, body).statusCode(), "no signature");
        assertEquals(400, send(null, good, body).statusCode(), "no key id");
        assertEquals(400, send(signing.id(), "not base64!", body).statusCode(), "a signature that is not base64");
        assertEquals(403, send(signing.id(), stranger.sign(body), body).statusCode(), "signed by another key under GitHub's id");
        assertEquals(403, send("k-unknown", good, body).statusCode(), "an identifier GitHub does not list");
        byte[] tampered = payload(live.token()).replace("commit", "gist_content").getBytes(StandardCharsets.UTF_8);
        assertEquals(403, send(signing.id(), good, tampered).statusCode(), "the signature of another body");
        HttpResponse<String> twice = Fixture.HTTP.send(HttpRequest.newBuilder(jetty.uri("/github/secret-scanning"))
                .header(GitHubSecretScanningServlet.KEY_ID_HEADER, signing.id())
                .header(GitHubSecretScanningServlet.SIGNATURE_HEADER, good)
                .header(GitHubSecretScanningServlet.SIGNATURE_HEADER, good)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, twice.statusCode(), "a repeated signature header");
        HttpResponse<String> get = Fixture.HTTP.send(HttpRequest.newBuilder(jetty.uri("/github/secret-scanning")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());

        assertEquals(null, reason(live.token()), "still live after every refused request");
        assertTrue(keyEvents.stream().noneMatch(e -> e.type() == KeyEvent.Type.LEAK_REPORTED));
    }

    @Test
    void aSignedBodyThatIsNotThePartnerPayloadRevokesNothingEvenWithALiveKeyInIt() throws Exception {
        IssuedKey live = key("live");
        String t = live.token();
        for (String body : List.of(
                "[{\"token\":\"" + t + "\"}, 5]",
                "[{\"token\":\"" + t + "\"}, {\"token\":\"\"}]",
                "[{\"token\":\"" + t + "\"}, {\"type\":\"x\"}]",
                "[{\"token\":\"" + t + "\", \"url\": 7}]",
                "[{\"token\":\"" + t + "\", \"token\":\"other\"}]",
                "[{\"token\":\"" + t + "\"}] []",
                "{\"token\":\"" + t + "\"}",
                "[{\"token\":\"" + t + "\"}",
                "")) {
            assertEquals(400, signed(body).statusCode(), body);
        }
        assertEquals(null, reason(t));
        // And the same token in a well-formed payload is then revoked: the 400s were about the shape alone.
        assertEquals(200, signed("[{\"token\":\"" + t + "\"}]").statusCode());
        assertEquals(DenyReason.REVOKED, reason(t));
    }

    @Test
    void anOversizedBodyIsRefusedUnread() throws Exception {
        IssuedKey live = key("live");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(live.token());
        }
        HttpResponse<String> r = signed(payload(many.toArray(String[]::new)));
        assertEquals(413, r.statusCode());
        assertEquals(null, reason(live.token()));
        assertEquals(0, github.fetches(), "an oversized body never costs a key fetch");
    }

    @Test
    void anUnknownIdentifierRefetchesAtMostOnceAMinuteAndANewGitHubKeyIsFoundThen() throws Exception {
        IssuedKey live = key("live");
        byte[] body = payload(live.token()).getBytes(StandardCharsets.UTF_8);
        assertEquals(200, send(signing.id(), signing.sign(body), body).statusCode());
        assertEquals(1, github.fetches());

        GitHubStandIn.SigningKey rotated = github.newKey("k-2026-07"); // GitHub lists a new key
        IssuedKey other = key("other");
        byte[] body2 = payload(other.token()).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 5; i++) {
            assertEquals(403, send("made-up-" + i, rotated.sign(body2), body2).statusCode());
        }
        assertEquals(403, send(rotated.id(), rotated.sign(body2), body2).statusCode(), "not listed a moment ago");
        assertEquals(1, github.fetches(), "a stream of unknown ids costs GitHub nothing within the minute");

        clock.advance(Duration.ofSeconds(61));
        assertEquals(403, send("made-up-again", rotated.sign(body2), body2).statusCode());
        assertEquals(2, github.fetches(), "a minute on, an unknown id fetches again");
        assertEquals(200, send(rotated.id(), rotated.sign(body2), body2).statusCode(), "that fetch brought the new key");
        assertEquals(DenyReason.REVOKED, reason(other.token()));
        assertEquals(200, send(signing.id(), signing.sign(body), body).statusCode(), "the older key is still listed, still cached");
        assertEquals(403, send("made-up-once-more", rotated.sign(body2), body2).statusCode());
        assertEquals(2, github.fetches());
    }

    /** A token with {@code token}'s id and another secret, its checksum recomputed: well-formed, wrong. */
    static String sameIdOtherSecret(String token) {
        KeyFormat kat = KeyFormat.withPrefix("kat");
        String id = kat.parse(token).keyId();
        while (true) {
            String other = kat.newToken();
            String candidate = "kat_" + id + other.substring(16, 48);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(candidate.getBytes(StandardCharsets.US_ASCII));
            String forged = candidate + base62(crc.getValue(), 6);
            if (!forged.equals(token) && kat.parse(forged).valid()) {
                return forged;
            }
        }
    }

    private static String base62(long v, int width) {
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        char[] out = new char[width];
        for (int i = width - 1; i >= 0; i--) {
            out[i] = alphabet.charAt((int) (v % 62));
            v /= 62;
        }
        return new String(out);
    }
}
