package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.KeyRecord;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import dev.portcullis.Portcullis.Argon2Parameters;

/** DESIGN §3: update, revoke-all, whoami, passwords, imports, and the actor and reason of every change. */
class LifecycleTest {
    private final List<KeyEvent> keyEvents = new CopyOnWriteArrayList<>();
    private final Fixtures f = new Fixtures(CredentialStore.inMemory(), Portcullis.builder()
            .pepper("p1", "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .importedKeys(KeyFormat.imported(Pattern.compile("key-[0-9a-f]{32}")))
            .listener(new AuthListener() {
                @Override
                public void onEvent(AuthEvent event) {}

                @Override
                public void onKeyEvent(KeyEvent event) {
                    keyEvents.add(event);
                }
            }), Runnable::run);

    @Test
    void anUpdateIsSeenByTheRunningAuthenticator() {
        IssuedKey k = f.key(); // messages:send on example.com, any address
        String h = Fixtures.basic("api", k.token());
        assertFalse(f.auth().authenticate(AuthRequest.http(h, "203.0.113.7").require("messages:send", "other.org")).allowed());
        KeyInfo updated = f.keys().update(k.id(), KeyUpdate.builder().name("renamed")
                .grant("messages:send", "other.org").allowlist("203.0.113.0/24")
                .rateLimit(RateLimitPolicy.of(Limit.perHour(1))).expiresIn(Duration.ofDays(1)).build());
        assertEquals("renamed", updated.name());
        assertEquals(List.of(Grant.of("messages:send", "other.org")), updated.grants(), "grants are replaced whole");
        assertTrue(f.auth().authenticate(AuthRequest.http(h, "203.0.113.7").require("messages:send", "other.org")).allowed());
        assertEquals(DenyReason.PERMISSION_DENIED,
                f.auth().authenticate(AuthRequest.http(h, "203.0.113.7").require("messages:send", "example.com")).reason());
        assertEquals(DenyReason.IP_NOT_ALLOWED, f.auth().authenticate(AuthRequest.http(h, "198.51.100.1")).reason());
        assertEquals(DenyReason.RATE_LIMITED, f.auth().authenticate(AuthRequest.http(h, "203.0.113.7")).reason());
        f.clock.advance(Duration.ofDays(1));
        assertEquals(DenyReason.EXPIRED, f.auth().authenticate(AuthRequest.http(h, "203.0.113.7")).reason());
        f.keys().revoke(k.id());
        assertThrows(IllegalStateException.class, () -> f.keys().update(k.id(), KeyUpdate.builder().name("x").build()));
    }

    @Test
    void revokeAllRevokesEveryLiveKeyOfTheAccountOnly() {
        IssuedKey a = f.key();
        IssuedKey b = f.key();
        IssuedKey other = f.keys().create(KeySpec.builder().account("other").build());
        f.keys().revoke(b.id());
        assertEquals(1, f.keys().revokeAll("acme"));
        assertEquals(DenyReason.REVOKED, f.withKey(a.token()).reason());
        assertTrue(f.withKey(other.token()).allowed());
    }

    @Test
    void listingNeverShowsMoreThanTheId() {
        IssuedKey k = f.key();
        KeyInfo listed = f.keys().list("acme", null, 10).items().get(0);
        assertEquals("kat_" + k.id() + "…", listed.display());
        String secret = k.token().substring(16, 48);
        assertFalse(listed.toString().contains(secret.substring(0, 8)));
        assertFalse(listed.toString().contains("sha256$"), "no digest either");
    }

    @Test
    void whoamiAnswersOnlyAfterFullVerification() {
        IssuedKey k = f.key();
        assertEquals(k.id(), f.keys().whoami(k.token()).orElseThrow().id());
        assertTrue(f.keys().whoami(DenyReasonsTest.sameIdOtherSecret(k.token())).isEmpty(), "the id alone proves nothing");
        assertTrue(f.keys().whoami("garbage").isEmpty());
        f.keys().revoke(k.id());
        assertTrue(f.keys().whoami(k.token()).orElseThrow().isRevoked(), "a revoked key is still that key");
    }

    @Test
    void passwordChanges() {
        IssuedKey p = f.keys().createSmtpCredential(KeySpec.builder()
                .account("acme").username("app@example.com").allowHttp().build());
        IssuedKey changed = f.keys().changePassword(p.id());
        assertTrue(changed.password().length() >= 22);
        assertEquals(DenyReason.WRONG_SECRET, f.auth().authenticate(AuthRequest.http(Fixtures.basic("app@example.com", p.password()), "203.0.113.7")).reason());
        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("app@example.com", changed.password()), "203.0.113.7")).allowed());
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class, () -> f.keys().changePassword(p.id(), "short"));
        assertTrue(tooShort.getMessage().contains("at least 12"), tooShort.getMessage());
        f.keys().changePassword(p.id(), "my own long password");
        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("app@example.com", "my own long password"), "203.0.113.7")).allowed());
        assertThrows(IllegalArgumentException.class, () -> f.keys().changePassword(f.key().id()));
    }

    @Test
    void importedOpaqueKeysAuthenticate() {
        String legacyKey = "key-" + "0123456789abcdef".repeat(2);
        KeyInfo info = f.keys().importKey(legacyKey, KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
        assertEquals(16, info.id().length(), "ids of imported keys are derived, and longer than native ones");
        assertEquals("imported:" + info.id() + "…", info.display());
        AuthResult r = f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", legacyKey), "203.0.113.7"));
        assertTrue(r.allowed());
        assertEquals(info.id(), r.principal().keyId());
        assertEquals(DenyReason.UNKNOWN_KEY, f.auth().authenticate(
                AuthRequest.http(Fixtures.basic("api", "key-" + "0123456789abcdef".repeat(2).replace('0', '1')), "203.0.113.7")).reason());
        assertThrows(IllegalArgumentException.class, () -> f.keys().importKey("not-matching", KeySpec.builder().account("acme").build()));
        // A native token from another deployment keeps its id.
        String nativeToken = KeyFormat.withPrefix("kat").newToken();
        assertEquals(KeyFormat.withPrefix("kat").parse(nativeToken).keyId(),
                f.keys().importKey(nativeToken, KeySpec.builder().account("acme").build()).id());
        assertTrue(f.withKey(nativeToken).allowed());
    }

    @Test
    void importedArgon2HashesAuthenticateAndAreRehashed() {
        String phc = new dev.portcullis.internal.crypto.PasswordHasher(new Argon2Parameters(8192, 1, 1), 1, Duration.ofMillis(100))
                .hash("password from the old system");
        KeyInfo info = f.keys().importSmtpCredential(KeySpec.builder().account("acme").username("old@example.com").build(), phc);
        KeyRecord before = f.store.findById(info.id()).orElseThrow();
        assertEquals("raw", before.passwordProfile());
        assertTrue(f.auth().sasl("PLAIN", "203.0.113.7", true)
                .respond(SmtpSaslTest.b64("\0old@example.com\0password from the old system")).result().allowed());
        KeyRecord after = f.store.findById(info.id()).orElseThrow();
        assertEquals("opaque-v1", after.passwordProfile(), "rehashed under the current profile");
        assertFalse(after.secretHash().equals(phc));
        assertThrows(IllegalArgumentException.class, () -> f.keys().importSmtpCredential(
                KeySpec.builder().account("acme").username("x@example.com").build(), "$2b$10$whatever"));
    }

    @Test
    void everyChangeRecordsItsActorAndReason() {
        KeyManager alice = f.keys().changedBy("alice@acme", "quarterly rotation");
        IssuedKey k = alice.create(KeySpec.builder().account("acme").build());
        KeyRecord created = f.store.findById(k.id()).orElseThrow();
        assertEquals("alice@acme", created.changedBy());
        assertEquals("quarterly rotation", created.changeReason());
        IssuedKey next = alice.rotate(k.id(), Duration.ofHours(1));
        f.keys().changedBy("bob@acme", "left the company").revoke(next.id());
        KeyRecord revoked = f.store.findById(next.id()).orElseThrow();
        assertEquals("bob@acme", revoked.changedBy());
        assertEquals("left the company", revoked.changeReason());
        f.keys().changedBy("ops", "fraud").suspend("acme");

        List<KeyEvent.Type> types = keyEvents.stream().map(KeyEvent::type).toList();
        assertEquals(List.of(KeyEvent.Type.CREATED, KeyEvent.Type.ROTATED, KeyEvent.Type.CREATED, KeyEvent.Type.REVOKED,
                KeyEvent.Type.SUSPENDED), types);
        KeyEvent rotated = keyEvents.get(1);
        assertEquals(k.id(), rotated.keyId());
        assertEquals("alice@acme", rotated.actor());
        assertTrue(rotated.detail().contains(next.id()));
        assertEquals("fraud", keyEvents.get(4).reason());
        assertThrows(IllegalArgumentException.class, () -> f.keys().changedBy("a\nb", null));
    }
}
