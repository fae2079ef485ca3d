package dev.portcullis.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.AuthRequest;
import dev.portcullis.DenyReason;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * When GitHub's keys cannot be fetched, the report is answered 503 with {@code Retry-After}, nothing
 * is revoked, and the very next request fetches again (no minute's wait after a failure).
 */
class GitHubKeyFetchFailureTest {
    private Fixture f;
    private GitHubStandIn github;
    private GitHubStandIn.SigningKey signing;
    private Jetty jetty;

    @BeforeEach
    void start() throws Exception {
        f = new Fixture();
        github = GitHubStandIn.start();
        signing = github.newKey("k1");
        jetty = Jetty.loopback().servlet("/gh", GitHubSecretScanningServlet.builder(f.portcullis.keys())
                .keysUrl(github.keysUrl()).keysTimeout(Duration.ofMillis(500)).build()).start();
    }

    @AfterEach
    void stop() {
        jetty.close();
        github.close();
        f.close();
    }

    static List<GitHubStandIn.Answer> failures() {
        return List.of(
                new GitHubStandIn.Answer(200, "", Duration.ofSeconds(3)), // no answer within the 500 ms timeout
                new GitHubStandIn.Answer(500, "{\"message\":\"oops\"}", Duration.ZERO),
                new GitHubStandIn.Answer(200, "<html>not the keys</html>", Duration.ZERO),
                new GitHubStandIn.Answer(200, "{\"public_keys\":\"none\"}", Duration.ZERO),
                new GitHubStandIn.Answer(200, "{\"public_keys\":[{\"key_identifier\":\"k1\",\"key\":\"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\"}]}", Duration.ZERO),
                new GitHubStandIn.Answer(404, "", Duration.ZERO));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void aFailedFetchIs503AndRevokesNothingAndTheNextRequestFetchesAgain(GitHubStandIn.Answer failure) throws Exception {
        IssuedKey live = f.portcullis.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
        byte[] body = ("[{\"token\":\"" + live.token() + "\",\"type\":\"t\",\"url\":\"\",\"source\":\"content\"}]").getBytes(StandardCharsets.UTF_8);
        github.answer(failure);

        HttpResponse<String> first = post(body);
        assertEquals(503, first.statusCode(), first.body());
        assertEquals("30", first.headers().firstValue("Retry-After").orElse(null));
        assertTrue(allowed(live), "nothing revoked while the keys are unavailable");
        HttpResponse<String> second = post(body);
        assertEquals(503, second.statusCode());
        assertEquals(2, github.fetches(), "a failure is not cached: each request tries again");

        github.answer(null); // GitHub is back
        HttpResponse<String> third = post(body);
        assertEquals(200, third.statusCode(), third.body());
        assertEquals(3, github.fetches());
        assertEquals(DenyReason.REVOKED, f.portcullis.authenticator().authenticate(AuthRequest.apiKey(live.token(), "203.0.113.9")).reason());
    }

    private boolean allowed(IssuedKey k) {
        return f.portcullis.authenticator().authenticate(AuthRequest.apiKey(k.token(), "203.0.113.9")).allowed();
    }

    private HttpResponse<String> post(byte[] body) throws Exception {
        return Fixture.HTTP.send(HttpRequest.newBuilder(jetty.uri("/gh")).timeout(Duration.ofSeconds(20))
                .header(GitHubSecretScanningServlet.KEY_ID_HEADER, signing.id())
                .header(GitHubSecretScanningServlet.SIGNATURE_HEADER, signing.sign(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
