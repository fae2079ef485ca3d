package dev.portcullis;

import dev.portcullis.internal.pipeline.FailureBudgets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.KeyRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import dev.portcullis.SaslExchange.SaslStep;

/**
 * The rules of issue 24, each with the finding it closes (docs/security.md, "Authorization is
 * never wrong"): a credential made or changed by a management key can do nothing that key cannot
 * do, every check fails closed, and an SMTP session is re-checked at MAIL FROM.
 */
class AuthorizationRulesTest {
    private static final String CLIENT = "203.0.113.7";
    private final ControllableStore store = new ControllableStore();
    private final Fixtures f = new Fixtures(store);
    private final Instant inAnHour = f.clock.instant().plus(Duration.ofHours(1));

    /** A key holding only {@code keys:write@*} and {@code keys:read@*}, expiring in an hour: the reviewer's manager. */
    private KeyManager manager(KeySpec.Builder extra) {
        IssuedKey m = f.keys().create(extra.account("acme").grant("keys:write", "*").grant("keys:read", "*").build());
        AuthResult r = f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", m.token()), CLIENT));
        assertTrue(r.allowed(), "the manager authenticates");
        return f.keys().actingAs(r.principal());
    }

    private KeyManager weakManager() {
        return manager(KeySpec.builder().expiresAt(inAnHour));
    }

    private IssuedKey strongKey() {
        return f.keys().create(KeySpec.builder().account("acme").grant("*", "*").build()); // never expires
    }

    private List<KeyInfo> live() {
        return f.keys().list("acme", null, 100).items().stream().filter(k -> k.revokedAt() == null).toList();
    }

    // ---- finding 1: a management key takes over stronger credentials ---------------------------

    @Test
    void aManagerCannotRotateAKeyStrongerThanItself() {
        IssuedKey strong = strongKey();
        KeyManager weak = weakManager();
        List<KeyInfo> before = live();
        assertThrows(PortcullisException.Denied.class, () -> weak.rotate(strong.id(), Duration.ZERO));
        assertEquals(before, live(), "no successor made, nothing retired");
        assertTrue(f.withKey(strong.token()).allowed());
    }

    @Test
    void aManagerCannotChangeThePasswordOfALoginStrongerThanItself() {
        IssuedKey login = f.keys().createSmtpCredential(KeySpec.builder().account("acme")
                .username("ops@example.com").grant("messages:send", "*").build());
        KeyManager weak = weakManager();
        String hash = store.findById(login.id()).orElseThrow().secretHash();
        assertThrows(PortcullisException.Denied.class, () -> weak.changePassword(login.id()));
        assertThrows(PortcullisException.Denied.class, () -> weak.changePassword(login.id(), "a-password-it-would-know"));
        assertEquals(hash, store.findById(login.id()).orElseThrow().secretHash(), "the password is unchanged");
    }

    @Test
    void aManagerCannotRevokeOrUpdateACredentialStrongerThanItself() {
        IssuedKey strong = strongKey();
        KeyManager weak = weakManager();
        assertThrows(PortcullisException.Denied.class, () -> weak.revoke(strong.id()));
        assertThrows(PortcullisException.Denied.class, () -> weak.update(strong.id(), KeyUpdate.builder().name("mine now").build()));
        assertThrows(PortcullisException.Denied.class, () -> weak.revokeAll("acme"), "refused as a whole");
        assertEquals(2, live().size(), "nothing revoked: the strong key and the manager");
        assertTrue(f.withKey(strong.token()).allowed());
    }

    @Test
    void aManagerMayRotateAndRevokeWhatIsWithinIt() {
        KeyManager m = manager(KeySpec.builder().expiresAt(inAnHour).grant("messages:send", "*"));
        IssuedKey k = m.create(KeySpec.builder().account("acme").grant("messages:send", "example.com")
                .expiresAt(inAnHour).build());
        IssuedKey next = m.rotate(k.id(), Duration.ZERO);
        assertTrue(f.withKey(next.token()).allowed());
        m.revoke(next.id());
        assertFalse(f.withKey(next.token()).allowed());
    }

    @Test
    void aRotatedSuccessorThatWouldOutliveTheManagerIsRefused() {
        KeyManager m = manager(KeySpec.builder().expiresAt(inAnHour).grant("messages:send", "*"));
        IssuedKey k = f.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com")
                .expiresIn(Duration.ofMinutes(50)).build());
        f.clock.advance(Duration.ofMinutes(30)); // a successor would live 50 more minutes, past the manager's hour
        assertThrows(PortcullisException.Denied.class, () -> m.rotate(k.id(), Duration.ZERO));
    }

    @Test
    void aRevokedManagerManagesNothing() {
        IssuedKey m = f.keys().create(KeySpec.builder().account("acme").grant("keys:write", "*").grant("messages:send", "*").build());
        KeyManager asM = f.keys().actingAs(f.withKey(m.token()).principal());
        f.keys().revoke(m.id());
        assertThrows(PortcullisException.Denied.class, () -> asM.create(KeySpec.builder().account("acme")
                .grant("messages:send", "example.com").build()));
    }

    // ---- finding 7: a confined manager mints unconfined keys -----------------------------------

    @Test
    void aConfinedManagerCannotMakeAnUnconfinedKey() {
        KeyManager m = manager(KeySpec.builder().expiresAt(inAnHour).grant("messages:send", "*").allow("203.0.113.0/24"));
        KeySpec.Builder base = KeySpec.builder().account("acme").grant("messages:send", "example.com").expiresAt(inAnHour);
        assertThrows(PortcullisException.Denied.class, () -> m.create(base.build()), "no allowlist is everywhere");
        assertThrows(PortcullisException.Denied.class, () -> m.create(KeySpec.builder().account("acme").expiresAt(inAnHour)
                .allow("198.51.100.0/24").build()), "another network");
        assertThrows(PortcullisException.Denied.class, () -> m.create(KeySpec.builder().account("acme").expiresAt(inAnHour)
                .allow("203.0.0.0/16").build()), "a wider block");
        IssuedKey inside = m.create(KeySpec.builder().account("acme").expiresAt(inAnHour).allow("203.0.113.128/25").build());
        assertThrows(PortcullisException.Denied.class, () -> m.update(inside.id(), KeyUpdate.builder().allowlist().build()),
                "clearing the allowlist");
        assertEquals(List.of("203.0.113.128/25"), f.keys().get(inside.id()).orElseThrow().allowlist());
    }

    @Test
    void aManagerCannotLiftEnforcementOrLimitsItIsHeldTo() {
        KeyManager m = manager(KeySpec.builder().expiresAt(inAnHour).grant("messages:send", "*")
                .rateLimit(RateLimitPolicy.of(Limit.perMinute(100))));
        KeySpec.Builder base = KeySpec.builder().account("acme").expiresAt(inAnHour);
        assertThrows(PortcullisException.Denied.class, () -> m.create(base.build()), "unlimited is looser");
        assertThrows(PortcullisException.Denied.class, () -> m.create(KeySpec.builder().account("acme").expiresAt(inAnHour)
                .rateLimit(RateLimitPolicy.of(Limit.perMinute(101))).build()));
        IssuedKey k = m.create(KeySpec.builder().account("acme").expiresAt(inAnHour)
                .rateLimit(RateLimitPolicy.of(Limit.perMinute(10))).build());
        assertThrows(PortcullisException.Denied.class, () -> m.update(k.id(), KeyUpdate.builder().reportOnly(Check.RATE_LIMIT).build()),
                "report-only would lift a limit the manager is held to");
        assertThrows(PortcullisException.Denied.class, () -> m.update(k.id(), KeyUpdate.builder().rateLimit(null).build()));
    }

    @Test
    void aManagerCannotGrantChannelsItLacks() {
        KeyManager m = manager(KeySpec.builder().expiresAt(inAnHour).grant("messages:send", "*").channels(Channel.HTTP));
        assertThrows(PortcullisException.Denied.class, () -> m.createSmtpCredential(KeySpec.builder().account("acme")
                .username("x@example.com").grant("messages:send", "example.com").expiresAt(inAnHour).build()));
        assertThrows(PortcullisException.Denied.class, () -> m.create(KeySpec.builder().account("acme").expiresAt(inAnHour).build()),
                "a new key is on every channel unless told");
        m.create(KeySpec.builder().account("acme").expiresAt(inAnHour).channels(Channel.HTTP).build());
    }

    // ---- finding 3: require(null, …) turned authorization off -----------------------------------

    @Test
    void aNullPermissionOrResourceIsAnExceptionNeverAnAllow() {
        IssuedKey k = f.keys().create(KeySpec.builder().account("acme").build()); // no grants at all
        AuthRequest r = AuthRequest.http(Fixtures.basic("api", k.token()), CLIENT);
        // The re-check at MAIL FROM allowed a key with no grants when asked for no permission.
        Principal p = f.withKey(k.token()).principal();
        assertThrows(NullPointerException.class, () -> f.auth().authorize(p, null, "example.com"));
        for (int i = 0; i < 64; i++) { // whatever fills the table of checked permissions first
            r.require("messages:send", "example.com");
            r.require(("p" + i + ":send").intern());
        }
        assertThrows(NullPointerException.class, () -> r.require(null, "example.com"));
        assertThrows(NullPointerException.class, () -> r.require(null));
        assertThrows(NullPointerException.class, () -> r.require("messages:send", null));
        assertThrows(IllegalArgumentException.class, () -> r.require("messages:*", "example.com"));
        assertThrows(IllegalArgumentException.class, () -> r.require("messages:send", "not a domain"));
        assertThrows(NullPointerException.class, () -> f.auth().authorize(p, null));
        assertThrows(NullPointerException.class, () -> f.auth().authorize(p, "messages:send", null));
        assertThrows(IllegalArgumentException.class, () -> f.auth().authorize(p, "*", "example.com"));
        assertThrows(NullPointerException.class, () -> p.hasPermission(null));
        assertFalse(f.auth().authorize(p, "messages:send", "example.com").allowed(), "no grant, no allow");
        assertFalse(f.auth().authenticate(r.require("messages:send", "example.com")).allowed());
    }

    // ---- findings 5 and 6: rotation ------------------------------------------------------------

    @Test
    void aRotationRacingAnUpdateKeepsTheUpdate() {
        IssuedKey k = f.keys().create(KeySpec.builder().account("acme").grant("messages:send", "*").build());
        // While the successor is being saved, an admin narrows the key.
        store.beforeNextCreate = () -> f.keys().update(k.id(), KeyUpdate.builder()
                .grants(Grant.of("messages:send", "example.com")).allowlist("203.0.113.0/24").build());
        IssuedKey next = f.keys().rotate(k.id(), Duration.ofMinutes(5));
        KeyInfo successor = f.keys().get(next.id()).orElseThrow();
        assertEquals(List.of(Grant.of("messages:send", "example.com")), successor.grants(), "the narrowing survives");
        assertEquals(List.of("203.0.113.0/24"), successor.allowlist());
        assertEquals(2, live().size(), "the retired key in its grace and the successor; a discarded copy is revoked");
    }

    @Test
    void aRotationThatFailsLeavesNoLiveOrphan() {
        IssuedKey k = f.keys().create(KeySpec.builder().account("acme").grant("messages:send", "*").build());
        List<KeyInfo> before = live();
        assertThrows(IllegalArgumentException.class, () -> f.keys().rotate(k.id(), Duration.ofSeconds(Long.MAX_VALUE)));
        assertEquals(before, live(), "no successor, the key unchanged");
        assertNull(f.keys().get(k.id()).orElseThrow().replacedBy());
    }

    // ---- finding 8: an SMTP session outlives a password change -----------------------------------

    private Principal smtpLogin(String username, String password) {
        String plain = "\0" + username + "\0" + password;
        SaslStep s = f.auth().sasl("PLAIN", CLIENT, true)
                .respond(Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8)));
        assertTrue(s.done() && s.result().allowed(), "AUTH PLAIN");
        return s.result().principal();
    }

    @Test
    void aPasswordChangeEndsTheSmtpSessionAtTheNextMailFrom() {
        IssuedKey login = f.keys().createSmtpCredential(KeySpec.builder().account("acme")
                .username("ops@example.com").grant("messages:send", "example.com").build());
        Principal session = smtpLogin("ops@example.com", login.password());
        assertTrue(f.auth().authorize(session, "messages:send", "example.com").allowed());
        f.keys().update(login.id(), KeyUpdate.builder().name("renamed").build());
        assertTrue(f.auth().authorize(session, "messages:send", "example.com").allowed(), "other changes do not end it");
        f.keys().changePassword(login.id());
        AuthResult r = f.auth().authorize(session, "messages:send", "example.com");
        assertFalse(r.allowed());
        assertEquals(DenyReason.REVOKED, r.reason());
    }

    @Test
    void aChannelTakenAwayIsRecheckedAtMailFrom() {
        IssuedKey k = f.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
        Principal session = smtpLogin("api", k.token());
        assertEquals(Channel.SMTP, session.channel());
        assertTrue(f.auth().authorize(session, "messages:send", "example.com").allowed());
        KeyRecord r = store.findById(k.id()).orElseThrow();
        store.save(r.toBuilder().channels(Set.of(Channel.HTTP)).build(), r.version()); // another tool narrows it
        AuthResult again = f.auth().authorize(session, "messages:send", "example.com");
        assertEquals(DenyReason.PERMISSION_DENIED, again.reason());
    }

    // ---- finding 9: the per-login budget, keyed on the username as typed -------------------------

    @Test
    void everySpellingOfALoginSpendsTheSameFailureBudget() {
        f.keys().createSmtpCredential(KeySpec.builder().account("acme")
                .username("ops@example.com").grant("messages:send", "example.com").build());
        List<String> spellings = List.of("ops@example.com", "ops@EXAMPLE.com", "ops@example.com.", "ops@Example.Com.", "ops@EXAMPLE.COM");
        int checked = 0;
        for (String name : spellings) {
            for (int i = 0; i < 10; i++) {
                String plain = "\0" + name + "\0" + "wrong-password-" + i;
                SaslStep s = f.auth().sasl("PLAIN", CLIENT, true)
                        .respond(Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8)));
                if (s.result().reason() == DenyReason.WRONG_SECRET) {
                    checked++;
                }
            }
        }
        assertEquals(FailureBudgets.DEFAULT_LOGIN.capacity(), checked, "one login, one budget of password checks");
    }
}
