package dev.portcullis.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.AuthRequest;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Mutated bodies and signatures, sent to the endpoint in Jetty: whatever the mutation, the answer is
 * a refusal and the live key in the payload stays live. And the parser and the audit source, over
 * any input, answer as documented and never throw.
 */
class GitHubSecretScanningProperties {
    private static Fixture f;
    private static GitHubStandIn github;
    private static GitHubStandIn.SigningKey signing;
    private static Jetty jetty;
    private static IssuedKey live;
    private static byte[] body;
    private static byte[] der;

    @BeforeContainer
    static void start() throws Exception {
        f = new Fixture();
        github = GitHubStandIn.start();
        signing = github.newKey("k1");
        jetty = Jetty.loopback().servlet("/gh", GitHubSecretScanningServlet.builder(f.portcullis.keys())
                .keysUrl(github.keysUrl()).maxBodyBytes(4096).build()).start();
        live = f.portcullis.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
        body = GitHubSecretScanningTest.payload(live.token()).getBytes(StandardCharsets.UTF_8);
        der = Base64.getDecoder().decode(signing.sign(body));
    }

    @AfterContainer
    static void stop() {
        jetty.close();
        github.close();
        f.close();
    }

    private static byte[] mutate(byte[] in, int position, byte value, int op) {
        int at = position % (in.length + 1);
        return switch (op) {
            case 0 -> { // replace one byte with another value
                if (at == in.length) {
                    at--;
                }
                byte[] out = in.clone();
                out[at] = out[at] == value ? (byte) (value + 1) : value;
                yield out;
            }
            case 1 -> { // insert a byte
                byte[] out = new byte[in.length + 1];
                System.arraycopy(in, 0, out, 0, at);
                out[at] = value;
                System.arraycopy(in, at, out, at + 1, in.length - at);
                yield out;
            }
            case 2 -> { // delete a byte
                if (at == in.length) {
                    at--;
                }
                byte[] out = new byte[in.length - 1];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + 1, out, at, in.length - at - 1);
                yield out;
            }
            default -> Arrays.copyOf(in, Math.min(at, in.length - 1)); // truncate
        };
    }

    private static int post(String signature, byte[] payload) throws Exception {
        HttpResponse<String> r = Fixture.HTTP.send(HttpRequest.newBuilder(jetty.uri("/gh")).timeout(Duration.ofSeconds(20))
                .header(GitHubSecretScanningServlet.KEY_ID_HEADER, signing.id())
                .header(GitHubSecretScanningServlet.SIGNATURE_HEADER, signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    private static boolean stillLive() {
        return f.portcullis.authenticator().authenticate(AuthRequest.apiKey(live.token(), "203.0.113.9")).allowed();
    }

    @Property(tries = 200)
    void aMutatedBodyNeverRevokes(@ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll byte value,
            @ForAll @IntRange(min = 0, max = 3) int op) throws Exception {
        byte[] mutated = mutate(body, position, value, op);
        int status = post(Base64.getEncoder().encodeToString(der), mutated);
        assertEquals(403, status, "a body the signature is not of");
        assertTrue(stillLive());
    }

    @Property(tries = 200)
    void aMutatedSignatureNeverRevokes(@ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll byte value,
            @ForAll @IntRange(min = 0, max = 3) int op) throws Exception {
        byte[] mutated = mutate(der, position, value, op);
        String text = Base64.getEncoder().encodeToString(mutated);
        int status = post(text.isEmpty() ? "=" : text, body);
        assertTrue(Set.of(400, 403).contains(status), "status " + status);
        assertTrue(stillLive());
    }

    @Property(tries = 1000)
    void theParserAnswersAListOrNothingForAnyBytes(@ForAll @Size(max = 200) byte[] anything) {
        List<GitHubSecretScanningServlet.Match> m = GitHubSecretScanningServlet.parse(anything);
        if (m != null) {
            m.forEach(x -> assertFalse(x.token().isEmpty()));
        }
    }

    @Property(tries = 1000)
    void theParserAnswersAListOrNothingForAnyJsonLikeText(@ForAll("jsonish") String text) {
        List<GitHubSecretScanningServlet.Match> m = GitHubSecretScanningServlet.parse(text.getBytes(StandardCharsets.UTF_8));
        if (m != null) {
            assertTrue(text.strip().startsWith("["));
            m.forEach(x -> assertFalse(x.token().isEmpty()));
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> jsonish() {
        return net.jqwik.api.Arbitraries.strings().withChars("[]{}\":,tokenyperlsuc 0\\").ofMaxLength(80)
                .map(s -> "[{\"token\":" + s);
    }

    @Property(tries = 1000)
    void theKeysDocumentParserAnswersKeysOrUnavailableForAnyText(@ForAll("keysish") String text) {
        try {
            java.util.Map<String, java.security.PublicKey> keys = GitHubPublicKeys.parse(text.getBytes(StandardCharsets.UTF_8));
            assertFalse(keys.isEmpty(), "a document without a usable key is a failure, not an empty map");
        } catch (GitHubPublicKeys.Unavailable expected) {
            // the documented outcome for anything else
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> keysish() {
        String pem = signing.pem().replace("\n", "\\n");
        return net.jqwik.api.Arbitraries.oneOf(
                net.jqwik.api.Arbitraries.strings().ofMaxLength(100),
                net.jqwik.api.Arbitraries.strings().withChars("{}[]\":,public_keysidentifier").ofMaxLength(80),
                net.jqwik.api.Arbitraries.integers().between(0, 400).map(cut -> {
                    String doc = "{\"public_keys\":[{\"key_identifier\":\"k\",\"key\":\"" + pem + "\"}]}";
                    return doc.substring(0, Math.min(cut, doc.length()));
                }));
    }

    @Property(tries = 500)
    void aPemThatIsNotAP256KeyIsNoKey(@ForAll @Size(max = 120) String pem) {
        assertEquals(null, GitHubPublicKeys.p256(pem));
    }

    @Property(tries = 1000)
    void theAuditSourceIsAlwaysOneTheKeyManagerTakes(@ForAll String url, @ForAll @Size(max = 60) String kind) {
        String source = GitHubSecretScanningServlet.source(new GitHubSecretScanningServlet.Match("t", "x", url, kind));
        assertTrue(source.length() <= 500);
        assertTrue(source.chars().noneMatch(Character::isISOControl), source);
        assertTrue(source.startsWith("github "));
    }
}
