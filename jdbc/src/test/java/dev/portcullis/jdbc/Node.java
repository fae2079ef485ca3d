package dev.portcullis.jdbc;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;

/** One gateway of a fleet: a Portcullis on its own store instance. */
final class Node implements AutoCloseable {
    final JdbcCredentialStore store;
    final Portcullis portcullis;

    Node(JdbcCredentialStore store) {
        this(store, Portcullis.builder());
    }

    Node(JdbcCredentialStore store, Portcullis.Builder builder) {
        this.store = store;
        this.portcullis = builder.store(store).keyFormat(KeyFormat.withPrefix("kat")).build();
    }

    /** A node on a test clock whose cache refreshes run on the calling thread. */
    static Node onClock(JdbcCredentialStore store, Clock clock) {
        return new Node(store, Portcullis.builder().clock(clock).refreshExecutor(Runnable::run));
    }

    IssuedKey newKey() {
        return portcullis.keys().create(KeySpec.builder().account("acme").name("fleet").grant("messages:send", "example.com").build());
    }

    AuthResult authenticate(String token) {
        return authenticate(token, 1);
    }

    /** A request costing {@code cost} (credits and rate limits). */
    AuthResult authenticate(String token, long cost) {
        String basic = Base64.getEncoder().encodeToString(("api:" + token).getBytes(StandardCharsets.UTF_8));
        return portcullis.authenticator().authenticate(AuthRequest.http("Basic " + basic, "203.0.113.7").cost(cost));
    }

    boolean allows(IssuedKey key) {
        return authenticate(key.token()).allowed();
    }

    @Override
    public void close() {
        portcullis.close();
        store.close();
    }
}
