package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.Page;
import dev.portcullis.spi.StoreConflictException;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** DESIGN §3 create / get / list / revoke, and SMTP credentials. */
class KeyManagerTest {
    private final Fixtures f = new Fixtures();

    @Test
    void createStoresOnlyTheDigestAndShowsTheTokenOnce() {
        IssuedKey k = f.keys().create(KeySpec.builder()
                .account("acme").name("billing mailer")
                .grant("messages:send", "Example.COM.")
                .allow("203.0.113.0/24", "2001:db8::/32")
                .rateLimit(RateLimitPolicy.of(Limit.perSecond(100).burst(200)))
                .expiresAt(Instant.parse("2027-01-01T00:00:00Z"))
                .build());
        assertTrue(KeyFormat.withPrefix("kat").parse(k.token()).valid());
        assertEquals(KeyFormat.withPrefix("kat").parse(k.token()).keyId(), k.id());
        KeyRecord r = f.store.findById(k.id()).orElseThrow();
        assertTrue(r.secretHash().startsWith("sha256$"));
        assertFalse(r.secretHash().contains(k.token()));
        assertEquals(List.of(Grant.of("messages:send", "example.com")), r.grants(), "grants are canonical");
        assertEquals("kat_" + k.id() + "…", k.info().display());
        assertEquals(Set.of(Channel.HTTP, Channel.SMTP), r.channels());
        assertEquals(Instant.parse("2027-01-01T00:00:00Z"), r.expiresAt());
        assertNull(r.lifetime());
    }

    @Test
    void lifetimeIsStoredBesideTheAbsoluteExpiry() {
        IssuedKey k = f.keys().create(KeySpec.builder().account("acme").expiresIn(Duration.ofDays(90)).build());
        KeyInfo info = f.keys().get(k.id()).orElseThrow();
        assertEquals(f.clock.instant().plus(Duration.ofDays(90)), info.expiresAt());
        assertEquals(Duration.ofDays(90), info.lifetime());
        assertThrows(IllegalArgumentException.class,
                () -> f.keys().create(KeySpec.builder().account("acme").expiresAt(f.clock.instant()).build()));
        assertThrows(IllegalStateException.class, () -> KeySpec.builder().account("acme")
                .expiresAt(Instant.parse("2030-01-01T00:00:00Z")).expiresIn(Duration.ofDays(1)).build());
    }

    @Test
    void badSpecsAreRefusedWithAClearError() {
        assertThrows(IllegalArgumentException.class, () -> KeySpec.builder().build());
        assertThrows(IllegalArgumentException.class, () -> KeySpec.builder().account("a b").build());
        assertThrows(IllegalArgumentException.class, () -> KeySpec.builder().account("acme").grant("send", "x.com"));
        assertThrows(IllegalArgumentException.class, () -> KeySpec.builder().account("acme").grant("messages:send", "*.*.com"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.keys().create(KeySpec.builder().account("acme").allow("10.1.2.3/8").build()));
        assertTrue(e.getMessage().contains("10.1.2.3/8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> f.keys().create(KeySpec.builder().account("acme").allow("").build()));
    }

    @Test
    void listPagesThroughAnAccount() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            ids.add(f.key().id());
        }
        f.keys().create(KeySpec.builder().account("other").build());
        Page<KeyInfo> p1 = f.keys().list("acme", null, 5);
        Page<KeyInfo> p2 = f.keys().list("acme", p1.nextCursor(), 5);
        assertEquals(5, p1.items().size());
        assertEquals(2, p2.items().size());
        assertNull(p2.nextCursor());
        Set<String> listed = new HashSet<>();
        p1.items().forEach(i -> listed.add(i.id()));
        p2.items().forEach(i -> listed.add(i.id()));
        assertEquals(ids, listed);
    }

    @Test
    void smtpCredentialsAreArgon2AndSmtpOnlyByDefault() {
        IssuedKey p = f.keys().createSmtpCredential(KeySpec.builder()
                .account("acme").username("Postmaster@EXAMPLE.com").grant("messages:send", "example.com").build());
        assertEquals("Postmaster@example.com", p.username(), "domain canonical, local part kept");
        assertTrue(p.password().length() >= 22, "at least 128 bits");
        KeyRecord r = f.store.findById(p.id()).orElseThrow();
        assertTrue(r.secretHash().startsWith("$argon2id$"));
        assertEquals("opaque-v1", r.passwordProfile());
        assertEquals(Set.of(Channel.SMTP), r.channels());

        AuthResult overHttp = f.auth().authenticate(AuthRequest.http(Fixtures.basic(p.username(), p.password()), "203.0.113.7"));
        assertEquals(DenyReason.PERMISSION_DENIED, overHttp.reason(), "SMTP credentials are SMTP-only");
        assertEquals("CHANNEL", f.lastEvent().detail());

        assertThrows(StoreConflictException.class, () -> f.keys().createSmtpCredential(KeySpec.builder()
                .account("acme").username("Postmaster@example.com").build()));
        assertThrows(IllegalArgumentException.class, () -> KeySpec.builder().account("acme").username("no-at-sign").build());
        assertThrows(IllegalArgumentException.class, () -> KeySpec.builder().password("short"));
    }

    @Test
    void httpEnabledLoginsWorkInBasicAndFailLikeKeys() {
        IssuedKey p = f.keys().createSmtpCredential(KeySpec.builder()
                .account("acme").username("app@example.com").password("a long chosen password").allowHttp().build());
        assertEquals("a long chosen password", p.password());
        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("app@example.com", "a long chosen password"), "203.0.113.7")).allowed());
        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("app@EXAMPLE.com", "a long chosen password"), "203.0.113.7")).allowed());
        AuthResult wrong = f.auth().authenticate(AuthRequest.http(Fixtures.basic("app@example.com", "a long chosen passwore"), "203.0.113.7"));
        assertEquals(DenyReason.WRONG_SECRET, wrong.reason());
        AuthResult nobody = f.auth().authenticate(AuthRequest.http(Fixtures.basic("nobody@example.com", "whatever it is"), "203.0.113.7"));
        assertEquals(DenyReason.UNKNOWN_KEY, nobody.reason());
        assertNull(f.lastEvent().keyId(), "an unknown username is never named");
        assertEquals(wrong.http(), nobody.http());
        f.keys().revoke(p.id());
        assertEquals(DenyReason.REVOKED, f.auth().authenticate(
                AuthRequest.http(Fixtures.basic("app@example.com", "a long chosen password"), "203.0.113.7")).reason());
    }

    @Test
    void requiredPermissionsAreChecked() {
        IssuedKey k = f.key(); // messages:send on example.com
        String h = Fixtures.basic("api", k.token());
        assertTrue(f.auth().authenticate(AuthRequest.http(h, "203.0.113.7").require("messages:send", "EXAMPLE.com.")).allowed());
        assertEquals(DenyReason.PERMISSION_DENIED,
                f.auth().authenticate(AuthRequest.http(h, "203.0.113.7").require("messages:send", "other.com")).reason());
        assertEquals(DenyReason.PERMISSION_DENIED,
                f.auth().authenticate(AuthRequest.http(h, "203.0.113.7").require("domains:read", "example.com")).reason());
        assertTrue(f.auth().authenticate(AuthRequest.http(h, "203.0.113.7").require("messages:send")).allowed());
        assertThrows(IllegalArgumentException.class, () -> AuthRequest.http(h, "203.0.113.7").require("messages:*"));
    }
}
