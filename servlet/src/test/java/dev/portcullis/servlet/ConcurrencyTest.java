package dev.portcullis.servlet;

import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.portcullis.servlet.Fixture.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 200 requests in flight at once over several keys and resources: every decision is the one a lone request gets. */
class ConcurrencyTest {

    record Case(String path, String token, int status, String keyId) {}

    @Test
    void twoHundredConcurrentRequestsGetNoWrongDecision() throws Exception {
        try (Fixture f = new Fixture();
                Jetty j = Jetty.loopback().filter(f.mailApi().build()).servlet("/", new Echo()).start()) {
            String a = f.key(KeySpec.builder().account("acme").name("a").grant("messages:send", "example.com"));
            String b = f.key(KeySpec.builder().account("acme").name("b").grant("messages:send", "*.example.com"));
            String c = f.key(KeySpec.builder().account("globex").name("c").grant("messages:send", "globex.test"));
            String revoked = f.key(KeySpec.builder().account("acme").name("gone").grant("messages:send", "example.com"));
            f.portcullis.keys().revoke(StatusTest.idOf(revoked));
            String unknown = KeyFormat.withPrefix("kat").newToken();

            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                cases.add(switch (i % 8) {
                    case 0 -> new Case("/v3/example.com/messages", a, 200, StatusTest.idOf(a));
                    case 1 -> new Case("/v3/mail.example.com/messages", b, 200, StatusTest.idOf(b));
                    case 2 -> new Case("/v3/globex.test/messages", c, 200, StatusTest.idOf(c));
                    case 3 -> new Case("/v3/globex.test/messages", a, 403, null);
                    case 4 -> new Case("/v3/example.com/messages", b, 403, null); // *.example.com is not example.com
                    case 5 -> new Case("/v3/example.com/messages", revoked, 401, null);
                    case 6 -> new Case("/v3/example.com/messages", unknown, 401, null);
                    default -> new Case("/v3/example.com/messages", null, 401, null);
                });
            }
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (Case k : cases) {
                String[] headers = k.token() == null ? new String[0] : new String[] {"Authorization", basic("api", k.token())};
                inFlight.add(Fixture.HTTP.sendAsync(Fixture.request(j.uri(k.path()), headers)
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < cases.size(); i++) {
                Case k = cases.get(i);
                HttpResponse<String> r = inFlight.get(i).get();
                assertEquals(k.status(), r.statusCode(), i + " " + k.path());
                if (k.keyId() != null) {
                    assertTrue(r.body().contains(" user=" + k.keyId() + " remoteUser=" + k.keyId() + " attr=" + k.keyId() + " same=true "), i + ": " + r.body());
                }
            }
        }
    }
}
