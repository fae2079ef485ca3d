package dev.portcullis.servlet;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * GitHub's side, made in the test: P-256 key pairs that sign payloads as GitHub does, and a JDK
 * {@code HttpServer} on 127.0.0.1 serving their public keys as {@code meta/public_keys/secret_scanning}
 * does, or failing on purpose. Counts the fetches. A server that cannot start fails the test.
 */
final class GitHubStandIn implements AutoCloseable {
    /** One of GitHub's signing keys: an identifier and a P-256 key pair made now. */
    record SigningKey(String id, KeyPair pair) {
        static SigningKey generate(String id) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                return new SigningKey(id, g.generateKeyPair());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Base64 of the DER signature, as the {@code Github-Public-Key-Signature} header carries it. */
        String sign(byte[] body) {
            try {
                Signature s = Signature.getInstance("SHA256withECDSA");
                s.initSign(pair.getPrivate());
                s.update(body);
                return Base64.getEncoder().encodeToString(s.sign());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        String pem() {
            return "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
        }
    }

    /** What the keys URL answers next. */
    record Answer(int status, String body, Duration delay) {}

    private final HttpServer server;
    private final AtomicInteger fetches = new AtomicInteger();
    private final Map<String, SigningKey> keys = new LinkedHashMap<>();
    private volatile Answer override;

    private GitHubStandIn(HttpServer server) {
        this.server = server;
    }

    static GitHubStandIn start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        GitHubStandIn g = new GitHubStandIn(s);
        s.createContext("/meta/public_keys/secret_scanning", exchange -> {
            g.fetches.incrementAndGet();
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            Answer a = g.override != null ? g.override : new Answer(200, g.document(), Duration.ZERO);
            if (!a.delay().isZero()) {
                try {
                    Thread.sleep(a.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            try {
                exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    exchange.getResponseBody().write(body);
                }
            } catch (IOException e) {
                // the client gave up (a timeout test): nothing to answer
            } finally {
                exchange.close();
            }
        });
        s.setExecutor(Executors.newCachedThreadPool());
        s.start();
        return g;
    }

    URI keysUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/meta/public_keys/secret_scanning");
    }

    synchronized SigningKey newKey(String id) {
        SigningKey k = SigningKey.generate(id);
        keys.put(id, k);
        return k;
    }

    /** The keys document as GitHub publishes it: every key, the last one current. */
    synchronized String document() {
        StringBuilder b = new StringBuilder("{\"public_keys\":[");
        int i = 0;
        for (SigningKey k : keys.values()) {
            b.append(i > 0 ? "," : "").append("{\"key_identifier\":\"").append(k.id()).append("\",\"key\":\"")
                    .append(k.pem().replace("\n", "\\n")).append("\",\"is_current\":").append(++i == keys.size()).append('}');
        }
        return b.append("]}").toString();
    }

    /** From now on, answer this instead of the document; {@code null} to serve the document again. */
    void answer(Answer a) {
        this.override = a;
    }

    int fetches() {
        return fetches.get();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
