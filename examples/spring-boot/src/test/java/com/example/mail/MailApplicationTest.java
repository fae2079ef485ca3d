package com.example.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The example as its README runs it: a key with the grant sends, no key and the wrong domain are refused. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "example.demo-key=false")
class MailApplicationTest {
    @LocalServerPort
    int port;
    @Autowired
    Portcullis portcullis;

    private HttpResponse<String> send(String domain, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/" + domain + "/messages"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("to=you@example.org"));
        if (token != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("api:" + token).getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aKeyWithTheGrantSendsAndOthersAreRefused() throws Exception {
        IssuedKey key = portcullis.keys().create(KeySpec.builder().account("demo").grant("messages:send", "example.com").build());
        HttpResponse<String> ok = send("example.com", key.token());
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("{\"message\":\"Queued. Thank you.\",\"domain\":\"example.com\",\"account\":\"demo\"}", ok.body());
        assertEquals(401, send("example.com", null).statusCode());
        assertEquals(403, send("example.net", key.token()).statusCode());
    }
}
