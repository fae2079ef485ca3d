package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DESIGN §3 rotate with grace (checklist L64): nothing is lost, the overlap is explicit and bounded. */
class RotationTest {
    private final Fixtures f = new Fixtures();

    private IssuedKey fullKey(KeySpec.Builder b) {
        return f.keys().create(b.account("acme").name("billing mailer")
                .grant("messages:send", "example.com").grant("domains:read", "*.example.com")
                .allow("203.0.113.0/24", "2001:db8::/32")
                .rateLimit(RateLimitPolicy.of(Limit.perSecond(100).burst(200), Limit.perDay(50_000).perAccount()))
                .channels(Channel.HTTP)
                .build());
    }

    @Test
    void rotationKeepsEveryProperty() {
        Instant expiry = f.clock.instant().plus(Duration.ofDays(200));
        IssuedKey old = fullKey(KeySpec.builder().expiresAt(expiry));
        IssuedKey rotated = f.keys().rotate(old.id(), Duration.ofHours(24));
        KeyInfo a = f.keys().get(old.id()).orElseThrow();
        KeyInfo b = rotated.info();
        assertNotEquals(a.id(), b.id());
        assertEquals(a.account(), b.account());
        assertEquals(a.name(), b.name());
        assertEquals(a.grants(), b.grants());
        assertEquals(a.allowlist(), b.allowlist());
        assertEquals(a.rateLimit(), b.rateLimit());
        assertEquals(a.channels(), b.channels());
        assertEquals(expiry, b.expiresAt(), "an absolute expiry is kept as it is");
        assertNull(b.replacedBy());
        assertEquals(b.id(), a.replacedBy());
        assertEquals(f.clock.instant().plus(Duration.ofHours(24)), a.expiresAt(), "the old key expires at the end of the grace");
    }

    @Test
    void aLifetimeRenewsOnRotation() {
        IssuedKey old = fullKey(KeySpec.builder().expiresIn(Duration.ofDays(90)));
        f.clock.advance(Duration.ofDays(80));
        IssuedKey rotated = f.keys().rotate(old.id(), Duration.ofDays(1));
        assertEquals(f.clock.instant().plus(Duration.ofDays(90)), rotated.info().expiresAt());
        assertEquals(Duration.ofDays(90), rotated.info().lifetime());
    }

    @Test
    void theOldKeyIsDeniedExactlyAfterTheGrace() {
        IssuedKey old = f.key();
        IssuedKey rotated = f.keys().rotate(old.id(), Duration.ofHours(24));
        assertTrue(f.withKey(old.token()).allowed());
        assertTrue(f.withKey(rotated.token()).allowed());
        f.clock.advance(Duration.ofHours(24).minusMillis(1));
        assertTrue(f.withKey(old.token()).allowed(), "still inside the grace");
        f.clock.advance(Duration.ofMillis(1));
        assertEquals(DenyReason.EXPIRED, f.withKey(old.token()).reason(), "denied from the first instant after it");
        assertTrue(f.withKey(rotated.token()).allowed());
    }

    @Test
    void theGraceNeverOutlivesTheOldKeysOwnExpiry() {
        IssuedKey old = f.keys().create(KeySpec.builder().account("acme").expiresIn(Duration.ofHours(2)).build());
        f.keys().rotate(old.id(), Duration.ofDays(7));
        assertEquals(f.clock.instant().plus(Duration.ofHours(2)), f.keys().get(old.id()).orElseThrow().expiresAt());
    }

    @Test
    void aSecondRotationDuringTheGraceIsRefused() {
        IssuedKey old = f.key();
        IssuedKey rotated = f.keys().rotate(old.id(), Duration.ofHours(24));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.keys().rotate(old.id(), Duration.ofHours(1)));
        assertTrue(e.getMessage().contains("already rotated to " + rotated.id()), e.getMessage());
        assertEquals(2, f.keys().list("acme", null, 10).items().size(), "no third key was left behind");
        IssuedKey again = f.keys().rotate(rotated.id(), Duration.ZERO);
        assertTrue(f.withKey(again.token()).allowed());
    }

    @Test
    void zeroGraceSwapsAtOnceAndRevokedKeysDoNotRotate() {
        IssuedKey old = f.key();
        IssuedKey rotated = f.keys().rotate(old.id(), Duration.ZERO);
        assertEquals(DenyReason.EXPIRED, f.withKey(old.token()).reason());
        assertTrue(f.withKey(rotated.token()).allowed());
        f.keys().revoke(rotated.id());
        assertThrows(IllegalStateException.class, () -> f.keys().rotate(rotated.id(), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> f.keys().rotate(f.key().id(), Duration.ofSeconds(-1)));
        IssuedKey login = f.keys().createSmtpCredential(KeySpec.builder().account("acme").username("a@example.com").build());
        assertThrows(IllegalArgumentException.class, () -> f.keys().rotate(login.id(), Duration.ZERO));
    }

    @Test
    void usageOfTheOldKeyShowsWhoStillUsesItDuringTheGrace() {
        IssuedKey old = f.key();
        IssuedKey rotated = f.keys().rotate(old.id(), Duration.ofHours(24));
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", old.token()), "198.51.100.23"));
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", rotated.token()), "203.0.113.7"));
        var u = f.keys().usage(old.id()).orElseThrow();
        assertEquals("198.51.100.23", u.lastClientAddress());
        assertEquals(1L, u.counts().get("ALLOWED"));
        assertEquals(List.of("198.51.100.0/24"), List.copyOf(u.networks()));
    }
}
