package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** DESIGN §2 Authorize, last rule: a key manages keys only within its own account, grants and expiry. */
class EscalationTest {
    private final Fixtures f = new Fixtures();
    private final Instant adminExpiry = f.clock.instant().plus(Duration.ofDays(30));
    private final IssuedKey admin = f.keys().create(KeySpec.builder().account("acme")
            .grant("keys:write", "*").grant("keys:read", "*")
            .grant("messages:send", "*.example.com").grant("domains:*", "example.com")
            .expiresAt(adminExpiry).build());
    private final KeyManager asAdmin = f.keys().actingAs(f.withKey(admin.token()).principal());

    private KeySpec.Builder spec() {
        return KeySpec.builder().account("acme").expiresIn(Duration.ofDays(1));
    }

    @Test
    void withinItsOwnGrantsAndExpiryItMayCreate() {
        IssuedKey k = asAdmin.create(spec().grant("messages:send", "mail.example.com").grant("messages:send", "*.eu.example.com")
                .grant("domains:read", "example.com").build());
        assertTrue(f.withKey(k.token()).allowed());
        assertEquals(1, asAdmin.list("acme", null, 100).items().stream().filter(i -> i.id().equals(k.id())).count());
        asAdmin.revoke(k.id());
    }

    @Test
    void escalationAttemptsAreRefused() {
        assertThrows(PortcullisException.Denied.class, () -> asAdmin.create(spec().account("victim").build()), "other account");
        assertThrows(PortcullisException.Denied.class, () -> asAdmin.create(spec().grant("messages:send", "example.com").build()),
                "*.example.com does not cover example.com");
        assertThrows(PortcullisException.Denied.class, () -> asAdmin.create(spec().grant("messages:send", "*").build()), "wider pattern");
        assertThrows(PortcullisException.Denied.class, () -> asAdmin.create(spec().grant("*", "example.com").build()), "wider permission");
        assertThrows(PortcullisException.Denied.class, () -> asAdmin.create(spec().grant("domains:*", "*.example.com").build()),
                "an exact name does not cover its subdomains");
        assertThrows(PortcullisException.Denied.class, () -> asAdmin.create(spec().grant("billing:read", "example.com").build()));
        assertThrows(PortcullisException.Denied.class, () -> asAdmin.create(KeySpec.builder().account("acme").build()), "no expiry outlives it");
        assertThrows(PortcullisException.Denied.class, () -> asAdmin.create(KeySpec.builder().account("acme")
                .expiresAt(adminExpiry.plusSeconds(1)).build()));
        assertThrows(PortcullisException.Denied.class, () -> asAdmin.suspend("acme"));
        IssuedKey foreign = f.keys().create(KeySpec.builder().account("victim").build());
        assertThrows(PortcullisException.Denied.class, () -> asAdmin.revoke(foreign.id()));
        assertTrue(asAdmin.get(foreign.id()).isEmpty());
        assertThrows(PortcullisException.Denied.class, () -> asAdmin.list("victim", null, 10));
    }

    @Test
    void aKeyWithoutKeysWriteManagesNothing() {
        IssuedKey sender = f.keys().create(KeySpec.builder().account("acme").grant("messages:send", "*").build());
        KeyManager asSender = f.keys().actingAs(f.withKey(sender.token()).principal());
        assertThrows(PortcullisException.Denied.class, () -> asSender.create(KeySpec.builder().account("acme").build()));
        assertThrows(PortcullisException.Denied.class, () -> asSender.list("acme", null, 10));
        assertThrows(PortcullisException.Denied.class, () -> asSender.revoke(sender.id()));
    }
}
