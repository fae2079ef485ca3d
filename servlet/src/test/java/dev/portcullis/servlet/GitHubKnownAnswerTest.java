package dev.portcullis.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The examples GitHub publishes for secret-scanning partners, as known answers: the payload, key
 * identifier and signature of its documentation, and the two public keys its
 * {@code meta/public_keys/secret_scanning} endpoint lists for those identifiers.
 *
 * <p>Sources: the partner-program page of github/docs (the current example, key {@code bcb53661…},
 * and the older one of docs PR #18776, key {@code 90a42116…}); the keys document as reproduced in
 * octokit.net's {@code MetaPublicKeysTests}. Both signatures were also checked with
 * {@code openssl dgst -sha256 -verify} before being committed. No Portcullis key is among them.
 */
class GitHubKnownAnswerTest {
    static final String OLD_KEY_ID = "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a";
    static final String OLD_PAYLOAD = "[{\"token\":\"some_token\",\"type\":\"some_type\",\"url\":\"some_url\"}]";
    static final String OLD_SIGNATURE = "MEUCIQDKZokqnCjrRtw0tni+2Ltvl/uiMJ1EGumEsp1BsNr32AIgQY1YXD2nlj+XNfGK4rBfkMJ1JDOQcYXxa2sY8FNkrKc=";

    static final String CURRENT_KEY_ID = "bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c";
    static final String CURRENT_PAYLOAD =
            "[{\"source\":\"commit\",\"token\":\"some_token\",\"type\":\"some_type\",\"url\":\"https://example.com/base-repo-url/\"}]";
    static final String CURRENT_SIGNATURE =
            "MEQCIQDaMKqrGnE27S0kgMrEK0eYBmyG0LeZismAEz/BgZyt7AIfXt9fErtRS4XaeSt/AO1RtBY66YcAdjxji410VQV4xg==";

    /** GitHub's keys document for the two identifiers (the older key no longer current). */
    static final String KEYS_DOCUMENT = "{\"public_keys\":["
            + "{\"key_identifier\":\"" + OLD_KEY_ID + "\",\"key\":\"-----BEGIN PUBLIC KEY-----\\n"
            + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE9MJJHnMfn2+H4xL4YaPDA4RpJqUq\\n"
            + "kCmRCBnYERxZanmcpzQSXs1X/AljlKkbJ8qpVIW4clayyef9gWhFbNHWAA==\\n-----END PUBLIC KEY-----\\n\",\"is_current\":false},"
            + "{\"key_identifier\":\"" + CURRENT_KEY_ID + "\",\"key\":\"-----BEGIN PUBLIC KEY-----\\n"
            + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYAGMWO8XgCamYKMJS6jc/qgvSlAd\\n"
            + "AjPuDPRcXU22YxgBrz+zoN19MzuRyW87qEt9/AmtoNP5GrobzUvQSyJFVw==\\n-----END PUBLIC KEY-----\\n\",\"is_current\":true}]}";

    private static final Map<String, PublicKey> KEYS = keys();

    private static Map<String, PublicKey> keys() {
        try {
            return GitHubPublicKeys.parse(KEYS_DOCUMENT.getBytes(StandardCharsets.UTF_8));
        } catch (GitHubPublicKeys.Unavailable e) {
            throw new AssertionError(e);
        }
    }

    private static boolean verifies(String keyId, byte[] body, String signature) {
        PublicKey k = KEYS.get(keyId);
        byte[] der = GitHubSecretScanningServlet.signature(signature);
        return k != null && der != null && GitHubSecretScanningServlet.verifies(k, body, der);
    }

    @Test
    void bothPublishedExamplesVerify() {
        assertEquals(2, KEYS.size());
        assertTrue(verifies(OLD_KEY_ID, OLD_PAYLOAD.getBytes(StandardCharsets.UTF_8), OLD_SIGNATURE));
        assertTrue(verifies(CURRENT_KEY_ID, CURRENT_PAYLOAD.getBytes(StandardCharsets.UTF_8), CURRENT_SIGNATURE));
    }

    @Test
    void oneFlippedBitInTheBodyFailsWherever() {
        byte[] body = CURRENT_PAYLOAD.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < body.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = body.clone();
                b[i] ^= (byte) (1 << bit);
                assertFalse(verifies(CURRENT_KEY_ID, b, CURRENT_SIGNATURE), "byte " + i + " bit " + bit);
            }
        }
    }

    @Test
    void oneFlippedBitInTheSignatureFailsWherever() {
        byte[] der = GitHubSecretScanningServlet.signature(OLD_SIGNATURE);
        assertNotNull(der);
        byte[] body = OLD_PAYLOAD.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < der.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] d = der.clone();
                d[i] ^= (byte) (1 << bit);
                assertFalse(GitHubSecretScanningServlet.verifies(KEYS.get(OLD_KEY_ID), body, d), "byte " + i + " bit " + bit);
            }
        }
    }

    @Test
    void theOtherKeyOrAnUnknownIdentifierFails() {
        assertFalse(verifies(CURRENT_KEY_ID, OLD_PAYLOAD.getBytes(StandardCharsets.UTF_8), OLD_SIGNATURE));
        assertFalse(verifies("0".repeat(64), OLD_PAYLOAD.getBytes(StandardCharsets.UTF_8), OLD_SIGNATURE));
    }

    @Test
    void aReSerialisedBodyFails() {
        // The same JSON with GitHub's spacing changed: a verifier that parsed and re-wrote it would pass this.
        String spaced = CURRENT_PAYLOAD.replace(",", ", ");
        assertFalse(verifies(CURRENT_KEY_ID, spaced.getBytes(StandardCharsets.UTF_8), CURRENT_SIGNATURE));
        assertFalse(verifies(CURRENT_KEY_ID, (CURRENT_PAYLOAD + "\n").getBytes(StandardCharsets.UTF_8), CURRENT_SIGNATURE));
    }

    /** The published request, sent as GitHub sends it to the endpoint in Jetty, the keys served by a stand-in. */
    @Test
    void thePublishedRequestIsAcceptedEndToEndAndLabelledFalsePositive() throws Exception {
        try (Fixture f = new Fixture(); GitHubStandIn github = GitHubStandIn.start()) {
            github.answer(new GitHubStandIn.Answer(200, KEYS_DOCUMENT, Duration.ZERO));
            GitHubSecretScanningServlet endpoint = GitHubSecretScanningServlet.builder(f.portcullis.keys())
                    .keysUrl(github.keysUrl()).build();
            try (Jetty jetty = Jetty.loopback().servlet("/github/secret-scanning", endpoint).start()) {
                HttpResponse<String> ok = post(jetty, CURRENT_KEY_ID, CURRENT_SIGNATURE, CURRENT_PAYLOAD);
                assertEquals(200, ok.statusCode(), ok.body());
                assertEquals("[{\"token_raw\":\"some_token\",\"token_type\":\"some_type\",\"label\":\"false_positive\"}]", ok.body());
                assertEquals(200, post(jetty, OLD_KEY_ID, OLD_SIGNATURE, OLD_PAYLOAD).statusCode());

                assertEquals(403, post(jetty, CURRENT_KEY_ID, CURRENT_SIGNATURE, CURRENT_PAYLOAD.replace("commit", "Commit")).statusCode());
                assertEquals(403, post(jetty, OLD_KEY_ID, CURRENT_SIGNATURE, CURRENT_PAYLOAD).statusCode());
                assertEquals(403, post(jetty, "f".repeat(64), CURRENT_SIGNATURE, CURRENT_PAYLOAD).statusCode());
                assertEquals(1, github.fetches(), "one fetch served every known identifier; the unknown one is within the minute");
            }
        }
    }

    static HttpResponse<String> post(Jetty jetty, String keyId, String signature, String body) throws Exception {
        return Fixture.HTTP.send(HttpRequest.newBuilder(jetty.uri("/github/secret-scanning"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header(GitHubSecretScanningServlet.KEY_ID_HEADER, keyId)
                .header(GitHubSecretScanningServlet.SIGNATURE_HEADER, signature)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
