package dev.portcullis;

import dev.portcullis.spi.CredentialStore;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.portcullis.Portcullis.Argon2Parameters;

/** A Portcullis on a test clock with same-thread refreshes, and the events it emitted. */
final class Fixtures {
    final MutableClock clock = new MutableClock();
    final List<AuthEvent> events = new CopyOnWriteArrayList<>();
    final CredentialStore store;
    final Portcullis portcullis;

    Fixtures(CredentialStore store) {
        this(store, Portcullis.builder(), Runnable::run);
    }

    /** Fast Argon2 for tests that hash a lot; the parameters are not what production uses. */
    static final Argon2Parameters TEST_ARGON2 = new Argon2Parameters(8192, 1, 1);

    Fixtures(CredentialStore store, Portcullis.Builder builder, java.util.concurrent.Executor refresh) {
        this(store, builder, refresh, TEST_ARGON2);
    }

    Fixtures(CredentialStore store, Portcullis.Builder builder, java.util.concurrent.Executor refresh, Argon2Parameters argon2) {
        this.store = store;
        this.portcullis = builder.store(store)
                .keyFormat(KeyFormat.withPrefix("kat"))
                .clock(clock)
                .refreshExecutor(refresh)
                .argon2(argon2)
                .listener(events::add)
                .build();
    }

    Fixtures() {
        this(CredentialStore.inMemory());
    }

    KeyManager keys() {
        return portcullis.keys();
    }

    Authenticator auth() {
        return portcullis.authenticator();
    }

    IssuedKey key() {
        return keys().create(KeySpec.builder().account("acme").name("test").grant("messages:send", "example.com").build());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    AuthResult withKey(String token) {
        return auth().authenticate(AuthRequest.http(basic("api", token), "203.0.113.7"));
    }

    AuthEvent lastEvent() {
        return events.get(events.size() - 1);
    }
}
