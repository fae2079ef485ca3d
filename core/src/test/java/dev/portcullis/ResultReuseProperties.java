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
import java.util.HashMap;
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
 * without a limit, with credits, with a limit and an allowlist that only report, and on an SMTP
 * login), renames, rotations, password changes and re-checks at MAIL FROM, against what each result
 * must show: the credential as stored now, the client and channel of this very request, a limit's
 * or a balance's state only where one applies, and a result given twice only for two requests that
 * differ in nothing it shows.
 */
class ResultReuseProperties {
    /** Strict literals in two families, one twice in another spelling, a non-literal, and none. */
    private static final String[] CLIENTS = {"203.0.113.7", "203.0.113.8", "2001:db8::1", "2001:DB8:0:0::1", "proxy.local", null};

    private enum Kind { HTTP, SASL, RENAME, ROTATE, CHANGE_PASSWORD, RECHECK, LATER }

    /** 0 a plain key; 1 a key with a limit; 2 an SMTP login; 3 a key with credits; 4 a key whose limit and allowlist only report. */
    private static final int CREDENTIALS = 5;
    private static final int LOGIN = 2;

    private record Step(Kind kind, int credential, int client, int pick) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.of(Kind.values()), Arbitraries.integers().between(0, CREDENTIALS - 1),
                Arbitraries.integers().between(0, CLIENTS.length - 1), Arbitraries.integers().between(0, 1000))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(40);
    }

    /** What a principal must show, and what two results given as one must have had in common. */
    private record Shown(String keyId, String name, ClientAddress client, Channel channel, boolean limited, boolean credits,
            String secret) {}

    @Property(tries = 60)
    void everyResultShowsItsOwnRequest(@ForAll("steps") List<Step> steps) {
        Fixtures f = new Fixtures();
        String[] ids = new String[CREDENTIALS];
        String[] secrets = new String[CREDENTIALS];
        IssuedKey plain = f.keys().create(KeySpec.builder().account("acme").name(name(0, 0))
                .grant("messages:send", "example.com").build());
        IssuedKey limited = f.keys().create(KeySpec.builder().account("acme").name(name(1, 0))
                .grant("messages:send", "example.com").rateLimit(RateLimitPolicy.of(Limit.perSecond(1_000_000))).build());
        IssuedKey login = f.keys().createSmtpCredential(KeySpec.builder().account("acme").name(name(2, 0))
                .username("mailer@example.com").grant("messages:send", "example.com").build());
        IssuedKey credited = f.keys().create(KeySpec.builder().account("acme").name(name(3, 0))
                .grant("messages:send", "example.com").credits(1_000_000).build());
        IssuedKey reporting = f.keys().create(KeySpec.builder().account("acme").name(name(4, 0))
                .grant("messages:send", "example.com").rateLimit(RateLimitPolicy.of(Limit.perSecond(1)))
                .allow("198.51.100.0/24").reportOnly(Check.RATE_LIMIT, Check.ALLOWLIST).build());
        ids[0] = plain.id();
        secrets[0] = plain.token();
        ids[1] = limited.id();
        secrets[1] = limited.token();
        ids[2] = login.id();
        secrets[2] = login.password();
        ids[3] = credited.id();
        secrets[3] = credited.token();
        ids[4] = reporting.id();
        secrets[4] = reporting.token();
        String username = login.username();
        int[] renames = new int[CREDENTIALS];
        Map<String, String> names = new HashMap<>(); // every id made, to the name it has now
        for (int i = 0; i < CREDENTIALS; i++) {
            names.put(ids[i], name(i, 0));
        }
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
                        String user = c == LOGIN ? username : "api";
                        r = f.auth().sasl("PLAIN", client, true)
                                .respond(b64("\0" + user + "\0" + secrets[c])).result();
                    } else {
                        r = f.auth().authenticate(AuthRequest.http(Fixtures.basic(c == LOGIN ? username : "api", secrets[c]), client)
                                .require("messages:send", "example.com"));
                    }
                    assertNotNull(r);
                    if (c == LOGIN && !sasl) {
                        assertEquals(DenyReason.PERMISSION_DENIED, r.reason(), "an SMTP login is refused over HTTP");
                        continue;
                    }
                    assertTrue(r.allowed(), () -> s + ": " + r.reason());
                    // A login is free: it takes from no limit and no balance. A limit that only reports shows
                    // nothing in the result (its verdict is in the event), so that key's results are plain.
                    Shown expected = new Shown(ids[c], name(c, renames[c]), ClientAddress.parse(client),
                            sasl ? Channel.SMTP : Channel.HTTP, c == 1 && !sasl, c == 3 && !sasl, secrets[c]);
                    check(r, expected, given);
                    allowed.add(r);
                    allowedShown.add(expected);
                }
                case RENAME -> {
                    renames[c]++;
                    f.keys().update(ids[c], KeyUpdate.builder().name(name(c, renames[c])).build());
                    names.put(ids[c], name(c, renames[c]));
                }
                case ROTATE -> {
                    if (c == LOGIN) {
                        continue;
                    }
                    IssuedKey next = f.keys().rotate(ids[c], Duration.ofMinutes(5));
                    ids[c] = next.id();
                    secrets[c] = next.token();
                    renames[c] = 0;
                    f.keys().update(ids[c], KeyUpdate.builder().name(name(c, 0)).build());
                    names.put(ids[c], name(c, 0));
                }
                case CHANGE_PASSWORD -> secrets[LOGIN] = f.keys().changePassword(ids[LOGIN]).password();
                case RECHECK -> {
                    if (allowed.isEmpty()) {
                        continue;
                    }
                    int i = s.pick() % allowed.size();
                    Principal p = allowed.get(i).principal();
                    Shown was = allowedShown.get(i);
                    AuthResult r = f.auth().authorize(p, "messages:send", "example.com");
                    boolean secretChanged = was.keyId().equals(ids[LOGIN]) && !was.secret().equals(secrets[LOGIN]);
                    boolean rotatedAway = !List.of(ids).contains(was.keyId());
                    if (secretChanged) {
                        assertEquals(DenyReason.REVOKED, r.reason(), "a new password ends the old one's sessions");
                        continue;
                    }
                    if (!r.allowed()) {
                        assertTrue(rotatedAway, () -> "denied " + r.reason() + " for " + was);
                        continue;
                    }
                    // A result of its own (a MAIL FROM reply), for the principal it was given, named as now.
                    assertEquals(250, r.smtp().code());
                    assertNotSame(allowed.get(i), r);
                    Principal q = r.principal();
                    assertEquals(p.keyId(), q.keyId());
                    assertEquals(names.get(p.keyId()), q.displayName(), "the name as stored now");
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
        assertEquals(expected.credits(), r.credits() != null, "a balance, and only a credited key's");
        Shown before = given.putIfAbsent(r, expected);
        if (before != null) {
            assertEquals(before, expected, "a result given twice, for two requests that differ");
        }
        if (expected.limited() || expected.credits()) {
            assertNull(before, "a result with a limit's or a balance's state is never given twice");
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
