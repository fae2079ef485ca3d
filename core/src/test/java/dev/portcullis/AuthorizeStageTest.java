package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DESIGN §2 Authorize: grants, resource patterns, ownership, collections, and re-checks at MAIL FROM. */
class AuthorizeStageTest {
    private final Fixtures f = new Fixtures();

    private IssuedKey key(String... grants) {
        KeySpec.Builder b = KeySpec.builder().account("acme");
        for (String g : grants) {
            Grant parsed = Grant.parse(g);
            b.grant(parsed.permission(), parsed.resourcePattern());
        }
        return f.keys().create(b.build());
    }

    private boolean may(IssuedKey k, String permission, String resource) {
        return f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.113.7")
                .require(permission, resource)).allowed();
    }

    @Test
    void subdomainPatternsCoverSubdomainsOnly() {
        IssuedKey k = key("messages:send@*.example.com");
        assertTrue(may(k, "messages:send", "mail.example.com"));
        assertTrue(may(k, "messages:send", "a.b.example.com"));
        assertTrue(may(k, "messages:send", "MAIL.Example.COM."));
        assertFalse(may(k, "messages:send", "example.com"), "*.example.com is not example.com");
        assertFalse(may(k, "messages:send", "example.com.evil.org"));
        assertFalse(may(k, "messages:send", "evilexample.com"));
        assertFalse(may(k, "messages:send", "mail.example.com.evil.org"));
    }

    @Test
    void exactNamesAreCanonical() {
        IssuedKey k = key("messages:send@example.com");
        assertTrue(may(k, "messages:send", "EXAMPLE.com."));
        assertTrue(may(k, "messages:send", "example.com"));
        assertFalse(may(k, "messages:send", "mail.example.com"));
        // Not resource names: an exception at the call, never an allow (issue 24).
        assertThrows(IllegalArgumentException.class, () -> may(k, "messages:send", "example.com.."));
        assertThrows(IllegalArgumentException.class, () -> may(k, "messages:send", ""));
        IssuedKey idn = key("messages:send@bücher.example");
        assertTrue(may(idn, "messages:send", "xn--bcher-kva.example"));
        assertTrue(may(idn, "messages:send", "BÜCHER.example"));
    }

    @Test
    void permissionWildcards() {
        IssuedKey nounStar = key("messages:*@example.com");
        assertTrue(may(nounStar, "messages:send", "example.com"));
        assertTrue(may(nounStar, "messages:read", "example.com"));
        assertFalse(may(nounStar, "domains:read", "example.com"));
        IssuedKey exact = key("messages:send@example.com");
        assertFalse(may(exact, "messages:sen", "example.com"), "no prefix matching");
        assertFalse(may(exact, "messages:sends", "example.com"));
        IssuedKey all = key("*@*");
        assertTrue(may(all, "domains:delete", "anything.org"));
    }

    @Test
    void collectionRequestsAndResourcesFor() {
        IssuedKey k = key("domains:read@example.com", "domains:read@*.example.org", "messages:send@*");
        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.113.7").require("domains:read")).allowed());
        assertFalse(f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.113.7").require("keys:read")).allowed());
        Principal p = f.withKey(k.token()).principal();
        assertEquals(List.of("example.com", "*.example.org"), p.resourcesFor("domains:read"));
        assertEquals(List.of("*"), p.resourcesFor("messages:send"));
        assertEquals(List.of(), p.resourcesFor("keys:write"));
        assertTrue(p.permits("domains:read", "a.example.org"));
        assertFalse(p.permits("domains:read", "example.org"));
    }

    @Test
    void ownersDenyCrossAccountAccessBeforeGrants() {
        Map<String, String> owners = Map.of("example.com", "acme", "victim.com", "victim");
        Fixtures g = new Fixtures(CredentialStore.inMemory(), Portcullis.builder().resourceOwners(owners::get), Runnable::run);
        IssuedKey k = g.keys().create(KeySpec.builder().account("acme").grant("messages:send", "*").build());
        String h = Fixtures.basic("api", k.token());
        assertTrue(g.auth().authenticate(AuthRequest.http(h, "203.0.113.7").require("messages:send", "example.com")).allowed());
        AuthResult cross = g.auth().authenticate(AuthRequest.http(h, "203.0.113.7").require("messages:send", "victim.com"));
        assertEquals(DenyReason.PERMISSION_DENIED, cross.reason());
        assertEquals("OTHER_ACCOUNT", g.lastEvent().detail());
        assertFalse(g.auth().authenticate(AuthRequest.http(h, "203.0.113.7").require("messages:send", "unowned.net")).allowed());
    }

    @Test
    void authorizeRechecksTheRecordAsItIsNow() {
        IssuedKey k = f.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com")
                .allow("203.0.113.0/24").build());
        Principal p = f.withKey(k.token()).principal();
        assertEquals("203.0.113.7", p.clientAddress().toString());
        AuthResult ok = f.auth().authorize(p, "messages:send", "example.com");
        assertTrue(ok.allowed());
        assertEquals(250, ok.smtp().code());
        AuthResult wrongDomain = f.auth().authorize(p, "messages:send", "other.com");
        assertEquals("550 5.7.1", wrongDomain.smtp().code() + " " + wrongDomain.smtp().enhanced());

        f.keys().revoke(k.id());
        assertEquals(DenyReason.REVOKED, f.auth().authorize(p, "messages:send", "example.com").reason(),
                "a session outliving a revocation is stopped at the next message");
    }

    @Test
    void authorizeRechecksTheAllowlistAgainstTheSessionAddress() {
        IssuedKey k = f.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
        Principal p = f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "198.51.100.9")).principal();
        assertTrue(f.auth().authorize(p, "messages:send", "example.com").allowed());
        // The allowlist is tightened while the session runs.
        var r = f.store.findById(k.id()).orElseThrow();
        f.store.save(r.toBuilder().allowlist(List.of("203.0.113.0/24")).build(), r.version());
        AuthResult denied = f.auth().authorize(p, "messages:send", "example.com");
        assertEquals(DenyReason.IP_NOT_ALLOWED, denied.reason());
        assertEquals("550 5.7.1", denied.smtp().code() + " " + denied.smtp().enhanced());
    }
}
