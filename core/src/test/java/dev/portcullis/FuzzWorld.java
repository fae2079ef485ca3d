package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;
import dev.portcullis.testing.FuzzInput;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.portcullis.AuthResult.HttpVerdict;
import dev.portcullis.Portcullis.Argon2Parameters;

/**
 * The one Portcullis the end-to-end fuzz targets run against. Its credentials are made at run time
 * from {@code SecureRandom}, so no seed and no fuzzer can hold one; inputs reach them only through
 * placeholders ({@link FuzzInput#replace}), and the oracle knows which placeholder may be allowed:
 *
 * <ul>
 *   <li>{@code {KEY}} a live key (allowlist 203.0.113.0/24 and 2001:db8::/32, {@code messages:send}
 *       on {@code example.com}, 3 requests a minute);
 *   <li>{@code {PASSWORD}} the password of {@code postmaster@example.com} (HTTP allowed);
 *   <li>{@code {HTTPONLY}} a live key for HTTP only;
 *   <li>never allowed: {@code {REVOKED}}, {@code {EXPIRED}}, {@code {SUSPENDED}} (its account is
 *       suspended), {@code {FORGED}} (the live key's id, another secret, a valid checksum) and
 *       {@code {UNKNOWN}} (a well-formed key no store holds).
 * </ul>
 *
 * Every execution starts a day after the last one, so failure budgets and rate limits refill and
 * outcomes depend on the input alone (the cache reloads from the in-memory store).
 */
final class FuzzWorld {
    static final FuzzWorld INSTANCE = new FuzzWorld();

    final MutableClock clock = new MutableClock();
    final List<AuthEvent> events = new CopyOnWriteArrayList<>();
    final Portcullis portcullis;
    final Authenticator auth;
    final IssuedKey live;
    final IssuedKey httpOnly;
    final IssuedKey login;
    /** Placeholder → the secret it stands for. */
    final Map<String, String> placeholders = new LinkedHashMap<>();
    /** Placeholders whose credential may be allowed, by key id. */
    final Map<String, String> allowable = new LinkedHashMap<>();

    private FuzzWorld() {
        portcullis = Portcullis.builder()
                .store(CredentialStore.inMemory())
                .keyFormat(KeyFormat.withPrefix("kat"))
                .clock(clock)
                .refreshExecutor(Runnable::run)
                .argon2(new Argon2Parameters(8, 1, 1)) // the cheapest Argon2id: the fuzzer wants executions
                .keyUsernames("api", "SMTP_Injection")
                .listener(events::add)
                .build();
        auth = portcullis.authenticator();
        KeyManager keys = portcullis.keys();
        live = keys.create(KeySpec.builder().account("acme").grant("messages:send", "example.com")
                .allow("203.0.113.0/24", "2001:db8::/32").rateLimit(RateLimitPolicy.of(Limit.perMinute(3))).build());
        httpOnly = keys.create(KeySpec.builder().account("acme").grant("domains:read", "*").channels(Channel.HTTP).build());
        login = keys.createSmtpCredential(KeySpec.builder().account("acme").username("postmaster@example.com")
                .grant("messages:send", "*.example.com").allowHttp().build());
        IssuedKey revoked = keys.create(KeySpec.builder().account("acme").build());
        keys.revoke(revoked.id());
        IssuedKey expired = keys.create(KeySpec.builder().account("acme").expiresIn(Duration.ofMinutes(1)).build());
        IssuedKey suspended = keys.create(KeySpec.builder().account("shady").build());
        keys.suspend("shady");
        placeholders.put("{KEY}", live.token());
        placeholders.put("{PASSWORD}", login.password());
        placeholders.put("{HTTPONLY}", httpOnly.token());
        placeholders.put("{REVOKED}", revoked.token());
        placeholders.put("{EXPIRED}", expired.token());
        placeholders.put("{SUSPENDED}", suspended.token());
        placeholders.put("{FORGED}", DenyReasonsTest.sameIdOtherSecret(live.token()));
        placeholders.put("{UNKNOWN}", KeyFormat.withPrefix("kat").newToken());
        allowable.put("{KEY}", live.id());
        allowable.put("{PASSWORD}", login.id());
        allowable.put("{HTTPONLY}", httpOnly.id());
    }

    /** Starts an execution: a day later, no events. */
    void next() {
        clock.advance(Duration.ofDays(1));
        events.clear();
    }

    /** {@code data} with every placeholder replaced by its secret. */
    byte[] substitute(byte[] data) {
        byte[] out = data;
        for (Map.Entry<String, String> e : placeholders.entrySet()) {
            out = FuzzInput.replace(out, e.getKey(), e.getValue());
        }
        return out;
    }

    /** Ids of the credentials that {@code data} may be allowed as: those whose placeholder it holds. */
    Set<String> mayBeAllowedAs(byte[] data) {
        Set<String> ids = new java.util.HashSet<>();
        allowable.forEach((placeholder, id) -> {
            if (FuzzInput.contains(data, placeholder)) {
                ids.add(id);
            }
        });
        return ids;
    }

    /**
     * The oracle every decision meets: allowed only as a credential whose placeholder was sent, a
     * reason exactly when denied, and the documented HTTP and SMTP renderings.
     */
    void checkDecision(AuthResult r, Set<String> allowedAs, boolean atMail) {
        assertNotNull(r);
        if (r.allowed()) {
            assertNull(r.reason());
            assertNotNull(r.principal());
            assertTrue(allowedAs.contains(r.principal().keyId()),
                    () -> "allowed as " + r.principal().keyId() + " without its secret in the input");
            assertEquals(200, r.http().status());
            assertEquals(atMail ? 250 : 235, r.smtp().code());
        } else {
            assertNotNull(r.reason());
            assertNull(r.principal());
            HttpVerdict h = r.http();
            assertEquals(r.reason().httpStatus(), h.status());
            assertTrue(Set.of(401, 403, 429, 503).contains(h.status()));
            assertEquals(h.status() == 401, h.headers().containsKey("WWW-Authenticate"));
            if (h.status() == 429 || h.status() == 503) {
                assertTrue(h.headers().containsKey("Retry-After"), "429 and 503 say when to retry");
            }
            assertTrue(Set.of(530, 501, 535, 550, 450, 454).contains(r.smtp().code()), r.smtp()::line);
            assertEquals(r.reason().isCredentialProblem() ? "Unauthorized" : h.message(), h.message());
        }
        assertFalse(r.toString().contains("kat_"), "no token in toString");
    }

    /** No event of this execution names more than a key's public part, or any password. */
    void checkEvents(int expected) {
        assertEquals(expected, events.size(), "one event per attempt (checklist H44)");
        for (AuthEvent e : events) {
            String text = e.toString();
            for (String secret : placeholders.values()) {
                String secretPart = secret.startsWith("kat_") ? secret.substring(4 + KeyFormat.ID_LENGTH) : secret;
                assertFalse(text.contains(secretPart.substring(0, 8)) || text.contains(secretPart.substring(secretPart.length() - 8)),
                        () -> "an event shows a secret: " + e);
            }
        }
    }
}
