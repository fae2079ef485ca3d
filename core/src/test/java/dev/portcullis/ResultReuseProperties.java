package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * An allowed request may be given the result (or the principal) of its credential's last allowed
 * request, when that is equal in everything it shows (issue 30: no principal and no result allocated
 * for a repeat). Random sequences of requests (HTTP and SASL, from several clients, on keys with and
 * without a limit, and on an SMTP login), renames, rotations, password changes and re-checks at MAIL
 * FROM, against what each result must show: the credential as stored now, the client and channel of
 * this very request, and a result given twice only for two requests that differ in nothing it shows.
 */
class ResultReuseProperties {
    /** Strict literals in two families, one twice in another spelling, a non-literal, and none. */
    private static final String[] CLIENTS = {"203.0.113.7", "203.0.113.8", "2001:db8::1", "2001:DB8:0:0::1", "proxy.local", null};

    private enum Kind { HTTP, SASL, RENAME, ROTATE, CHANGE_PASSWORD, RECHECK, LATER }

    private record Step(Kind kind, int credential, int client, int pick) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.of(Kind.values()), Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, CLIENTS.length - 1), Arbitraries.integers().between(0, 1000))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(40);
    }

    /** What a principal must show, and what two results given as one must have had in common. */
    private record Shown(String keyId, String name, ClientAddress client, Channel channel, boolean limited, String secret) {}

    @Property(tries = 60)
    void everyResultShowsItsOwnRequest(@ForAll("steps") List<Step> steps) {
        Fixtures f = new Fixtures();
        // 0: a plain key; 1: a key with a limit (its result carries the limit's state); 2: an SMTP login.
        String[] ids = new String[3];
        String[] secrets = new String[3];
        IssuedKey plain = f.keys().create(KeySpec.builder().account("acme").name(name(0, 0))
                .grant("messages:send", "example.com").build());
        IssuedKey limited = f.keys().create(KeySpec.builder().account("acme").name(name(1, 0))
                .grant("messages:send", "example.com").rateLimit(RateLimitPolicy.of(Limit.perSecond(1_000_000))).build());
        IssuedKey login = f.keys().createSmtpCredential(KeySpec.builder().account("acme").name(name(2, 0))
                .username("mailer@example.com").grant("messages:send", "example.com").build());
        ids[0] = plain.id();
        secrets[0] = plain.token();
        ids[1] = limited.id();
        secrets[1] = limited.token();
        ids[2] = login.id();
        secrets[2] = login.password();
        String username = login.username();
        int[] renames = new int[3];
        Map<AuthResult, Shown> given = new IdentityHashMap<>();
        List<AuthResult> allowed = new ArrayList<>();
        List<Shown> allowedShown = new ArrayList<>();

        for (Step s : steps) {
            int c = s.credential();
            String client = CLIENTS[s.client()];
            switch (s.kind()) {
                case HTTP, SASL -> {
                    boolean sasl = s.kind() == Kind.SASL;
                    AuthResult r;
                    if (sasl) {
                        String user = c == 2 ? username : "api";
                        r = f.auth().sasl("PLAIN", client, true)
                                .respond(b64("\0" + user + "\0" + secrets[c])).result();
                    } else {
                        r = f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", secrets[c]), client)
                                .require("messages:send", "example.com"));
                    }
                    assertNotNull(r);
                    if (c == 2 && !sasl) {
                        assertTrue(!r.allowed(), "an SMTP login is refused over HTTP");
                        continue;
                    }
                    assertTrue(r.allowed(), () -> s + ": " + r.reason());
                    Shown expected = new Shown(ids[c], name(c, renames[c]), ClientAddress.parse(client),
                            sasl ? Channel.SMTP : Channel.HTTP, c == 1 && !sasl, secrets[c]); // a login is free: no take
                    check(r, expected, given);
                    allowed.add(r);
                    allowedShown.add(expected);
                }
                case RENAME -> {
                    renames[c]++;
                    f.keys().update(ids[c], KeyUpdate.builder().name(name(c, renames[c])).build());
                }
                case ROTATE -> {
                    if (c == 2) {
                        continue;
                    }
                    IssuedKey next = f.keys().rotate(ids[c], Duration.ofMinutes(5));
                    ids[c] = next.id();
                    secrets[c] = next.token();
                    renames[c] = 0;
                    f.keys().update(ids[c], KeyUpdate.builder().name(name(c, 0)).build());
                }
                case CHANGE_PASSWORD -> secrets[2] = f.keys().changePassword(ids[2]).password();
                case RECHECK -> {
                    if (allowed.isEmpty()) {
                        continue;
                    }
                    int i = s.pick() % allowed.size();
                    Principal p = allowed.get(i).principal();
                    Shown was = allowedShown.get(i);
                    AuthResult r = f.auth().authorize(p, "messages:send", "example.com");
                    boolean secretChanged = !was.secret().equals(secrets[2]) && was.keyId().equals(ids[2]);
                    boolean rotatedAway = !was.keyId().equals(ids[0]) && !was.keyId().equals(ids[1])
                            && !was.keyId().equals(ids[2]);
                    if (secretChanged) {
                        assertEquals(DenyReason.REVOKED, r.reason(), "a new password ends the old one's sessions");
                        continue;
                    }
                    if (!r.allowed()) {
                        assertTrue(rotatedAway, () -> "denied " + r.reason() + " for " + was);
                        continue;
                    }
                    // The re-check shows the principal it was given, with the record's name as it is now.
                    Principal q = r.principal();
                    assertEquals(p.keyId(), q.keyId());
                    assertEquals(p.clientAddress(), q.clientAddress());
                    assertEquals(p.channel(), q.channel());
                }
                case LATER -> f.clock.advance(Duration.ofSeconds(1 + s.pick()));
            }
        }
    }

    private static void check(AuthResult r, Shown expected, Map<AuthResult, Shown> given) {
        Principal p = r.principal();
        assertEquals(expected.keyId(), p.keyId());
        assertEquals(expected.name(), p.displayName(), "the name as stored now");
        assertEquals(expected.client(), p.clientAddress(), "this request's client");
        assertEquals(expected.channel(), p.channel(), "this request's channel");
        assertEquals(expected.limited(), r.rateLimit() != null, "a limit's state, and only a limited key's");
        Shown before = given.putIfAbsent(r, expected);
        if (before != null) {
            assertEquals(before, expected, "a result given twice, for two requests that differ");
        }
        if (expected.limited()) {
            assertNull(before, "a result with a limit's state is never given twice");
        }
    }

    private static String name(int credential, int renames) {
        return "credential-" + credential + "-" + renames;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Example
    void aRepeatedPlainRequestIsGivenTheSameResultAndAnyDifferenceItsOwn() {
        Fixtures f = new Fixtures();
        IssuedKey key = f.key();
        String header = Fixtures.basic("api", key.token());
        AuthResult first = f.auth().authenticate(AuthRequest.http(header, "203.0.113.7"));
        AuthResult again = f.auth().authenticate(AuthRequest.http(header, "203.0.113.7"));
        assertTrue(first.allowed());
        assertSame(first, again, "nothing differs: the same immutable result");

        AuthResult other = f.auth().authenticate(AuthRequest.http(header, "203.0.113.8"));
        assertNotSame(first, other);
        assertEquals(ClientAddress.parse("203.0.113.8"), other.principal().clientAddress());

        AuthResult none = f.auth().authenticate(AuthRequest.http(header, (String) null));
        assertNull(none.principal().clientAddress());

        f.keys().update(key.id(), KeyUpdate.builder().name("renamed").build());
        AuthResult renamed = f.auth().authenticate(AuthRequest.http(header, "203.0.113.8"));
        assertEquals("renamed", renamed.principal().displayName(), "a changed record is a new entry, and a new principal");
    }
}
