package dev.portcullis.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyEvent;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** The leak notice reaches a real HTTP receiver, in order, retried while it fails, and never carries a secret. */
class WebhookNotifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A webhook receiver on 127.0.0.1 (a JDK HttpServer): answers with the status {@code status} gives, keeps every body. */
    static final class Receiver implements AutoCloseable {
        final HttpServer server;
        final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
        final AtomicInteger requests = new AtomicInteger();
        volatile IntSupplier status = () -> 200;
        volatile CountDownLatch gate = new CountDownLatch(0);

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/hook", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    requests.incrementAndGet();
                    gate.await(20, TimeUnit.SECONDS);
                    int s = status.getAsInt();
                    if (s == 200) {
                        bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                    exchange.sendResponseHeaders(s, -1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    exchange.close();
                }
            });
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        }

        @Override
        public void close() {
            gate.countDown();
            server.stop(0);
        }
    }

    private static KeyEvent leak(String keyId) {
        return new KeyEvent(Instant.parse("2026-12-01T10:15:30Z"), KeyEvent.Type.LEAK_REPORTED, keyId, "acme", "leak report",
                "leaked: github", "source=github commit https://github.com/octo/leaky/blob/abc/app.env");
    }

    @Test
    void aLeakReportedThroughTheKeyManagerArrivesAsANoticeWithoutTheSecret() throws Exception {
        try (Receiver hook = new Receiver(); WebhookNotifier notifier = WebhookNotifier.builder(hook.url()).build();
                Fixture f = new Fixture(Portcullis.builder().listener(notifier))) {
            IssuedKey k = f.portcullis.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            f.portcullis.keys().reportLeaked(k.token(), "github commit https://github.com/octo/leaky/blob/abc/app.env");
            f.portcullis.keys().reportLeaked(k.token(), "a second scanner");
            f.portcullis.keys().reportLeaked(k.token().substring(0, 20), "garbage");
            String first = hook.bodies.poll(20, TimeUnit.SECONDS);
            String second = hook.bodies.poll(20, TimeUnit.SECONDS);
            JsonNode n = JSON.readTree(first);
            assertEquals("LEAK_REPORTED", n.get("event").textValue());
            assertEquals("revoked", n.get("action").textValue());
            assertEquals(k.id(), n.get("keyId").textValue());
            assertEquals("acme", n.get("account").textValue());
            assertEquals("github commit https://github.com/octo/leaky/blob/abc/app.env", n.get("source").textValue());
            Instant.parse(n.get("at").textValue());
            assertTrue(n.get("text").textValue().contains(k.id()));
            assertEquals("none: already revoked", JSON.readTree(second).get("action").textValue());
            assertNull(hook.bodies.poll(300, TimeUnit.MILLISECONDS), "an unverified report is not noticed by default");
            String secret = k.token().substring(16, 48);
            for (String body : List.of(first, second)) {
                for (int i = 0; i + 8 <= secret.length(); i++) {
                    assertFalse(body.contains(secret.substring(i, i + 8)), "the notice holds part of the secret");
                }
            }
        }
    }

    @Test
    void aFailingWebhookIsRetriedWithBackoffUntilItAccepts() throws Exception {
        try (Receiver hook = new Receiver()) {
            AtomicInteger calls = new AtomicInteger();
            hook.status = () -> calls.incrementAndGet() <= 2 ? 503 : 200;
            try (WebhookNotifier notifier = WebhookNotifier.builder(hook.url()).retries(5, Duration.ofMillis(20)).build()) {
                notifier.onKeyEvent(leak("AAAAAAAAAAAA"));
                notifier.onKeyEvent(leak("BBBBBBBBBBBB"));
                assertEquals("AAAAAAAAAAAA", JSON.readTree(hook.bodies.poll(20, TimeUnit.SECONDS)).get("keyId").textValue());
                assertEquals("BBBBBBBBBBBB", JSON.readTree(hook.bodies.poll(20, TimeUnit.SECONDS)).get("keyId").textValue(), "in order");
                notifier.close(Duration.ofSeconds(20)); // the counters are final once the sender stopped
                assertEquals(4, hook.requests.get(), "two refusals, then one request each");
                assertEquals(2, notifier.delivered());
                assertEquals(0, notifier.failed());
            }
        }
    }

    @Test
    void aClientErrorIsNotRetriedAndGivingUpIsCounted() throws Exception {
        try (Receiver hook = new Receiver()) {
            hook.status = () -> 404;
            try (WebhookNotifier notifier = WebhookNotifier.builder(hook.url()).retries(3, Duration.ofMillis(10)).build()) {
                notifier.onKeyEvent(leak("AAAAAAAAAAAA"));
                while (notifier.failed() == 0) {
                    Thread.onSpinWait(); // the 404 came back
                }
                hook.status = () -> 500;
                notifier.onKeyEvent(leak("BBBBBBBBBBBB"));
                notifier.close(Duration.ofSeconds(20));
                assertEquals(2, notifier.failed());
                assertEquals(1 + 3, hook.requests.get(), "the 404 once, the 500 three times");
            }
        }
    }

    @Test
    void theQueueIsBoundedAndTheListenerNeverBlocks() throws Exception {
        try (Receiver hook = new Receiver()) {
            hook.gate = new CountDownLatch(1); // the receiver holds the first notice until released
            try (WebhookNotifier notifier = WebhookNotifier.builder(hook.url()).queueCapacity(2).build()) {
                notifier.onKeyEvent(leak("AAAAAAAAAAA0"));
                while (hook.requests.get() == 0) {
                    Thread.onSpinWait(); // the sender took it and waits on the receiver
                }
                for (int i = 1; i <= 5; i++) {
                    notifier.onKeyEvent(leak("AAAAAAAAAAA" + i)); // returns at once: two queue, three drop
                }
                assertEquals(3, notifier.dropped());
                hook.gate.countDown();
                for (String id : List.of("AAAAAAAAAAA0", "AAAAAAAAAAA1", "AAAAAAAAAAA2")) {
                    assertEquals(id, JSON.readTree(hook.bodies.poll(20, TimeUnit.SECONDS)).get("keyId").textValue());
                }
            }
        }
    }

    @Test
    void onlyTheChosenEventsAreNoticedAndTheUrlIsNeverShown() throws Exception {
        URI secretUrl = URI.create("https://hooks.example.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX");
        try (WebhookNotifier notifier = WebhookNotifier.builder(secretUrl).events(KeyEvent.Type.REVOKED).build()) {
            assertFalse(notifier.toString().contains("XXXXXXXX"));
            assertFalse(notifier.toString().contains("hooks.example.com"));
            notifier.onKeyEvent(leak("AAAAAAAAAAAA")); // not chosen: not queued
            assertTrue(notifier.toString().contains("queued 0"));
        }
        assertThrows(IllegalArgumentException.class, () -> WebhookNotifier.builder(URI.create("/relative")));
        assertThrows(IllegalArgumentException.class, () -> WebhookNotifier.builder(URI.create("ftp://x/y")));
        JsonNode self = WebhookNotifier.notice(new KeyEvent(Instant.EPOCH, KeyEvent.Type.REVOKED, "AAAAAAAAAAAA", "acme", "key:AAAAAAAAAAAA",
                "revoked by its holder", "self"));
        assertEquals("revoked", self.get("action").textValue());
        assertTrue(self.get("text").textValue().contains("(self)"));
    }
}
