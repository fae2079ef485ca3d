package dev.portcullis.servlet;

import dev.portcullis.AuthEvent;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.spi.CredentialStore;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One Portcullis on an in-memory store with test-only {@code kat} keys made at run time, its
 * events, and a real HTTP client.
 */
final class Fixture implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    final List<AuthEvent> events = new CopyOnWriteArrayList<>();
    final Portcullis portcullis;

    /** Failure budgets far away, so tests that fail on purpose do not lock out the loopback network. */
    Fixture() {
        this(Portcullis.builder().failureBudgets(Limit.perHour(100_000), Limit.perHour(100_000), Limit.perHour(100_000)));
    }

    Fixture(Portcullis.Builder builder) {
        this(builder, CredentialStore.inMemory());
    }

    Fixture(Portcullis.Builder builder, CredentialStore store) {
        this.portcullis = builder.store(store).keyFormat(KeyFormat.withPrefix("kat")).listener(events::add).build();
    }

    PortcullisFilter.Builder filter() {
        return PortcullisFilter.builder(portcullis.authenticator());
    }

    /** The Mailgun-style rules most tests use. */
    PortcullisFilter.Builder mailApi() {
        return filter()
                .route("POST", "/v3/{domain}/messages", "messages:send", "domain")
                .route("GET", "/v3/domains", "domains:read")
                .permit("GET", "/health");
    }

    /** A key of account acme that may send for example.com, from anywhere. */
    String sender() {
        return key(KeySpec.builder().account("acme").name("sender").grant("messages:send", "example.com"));
    }

    String key(KeySpec.Builder spec) {
        return portcullis.keys().create(spec.build()).token();
    }

    @Override
    public void close() {
        portcullis.close();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> get(URI uri, String... headers) throws IOException, InterruptedException {
        return send(request(uri, headers).GET());
    }

    /**
     * A POST without a body. A denial is answered before any body is read, after which Jetty may
     * close the connection while a client still writes one: tests that are denied send none.
     */
    static HttpResponse<String> post(URI uri, String... headers) throws IOException, InterruptedException {
        return send(request(uri, headers).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** A POST with the form {@code text=hello}, for requests that are allowed. */
    static HttpResponse<String> postForm(URI uri, String... headers) throws IOException, InterruptedException {
        return send(request(uri, headers).POST(HttpRequest.BodyPublishers.ofString("text=hello")));
    }

    static HttpRequest.Builder request(URI uri, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    static HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
