package dev.portcullis.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.testing.Hostile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the OAUTHBEARER and XOAUTH2 parsers ({@link SaslBearer}) and their exchanges. */
class SaslBearerProperties {
    private static final String TOKEN68 = "ABCXYZabcxyz0189-._~+/";
    private static final Set<String> CHALLENGES = Set.of("");

    @Provide
    Arbitrary<String> tokens() {
        return Combinators.combine(Arbitraries.strings().withChars(TOKEN68).ofMinLength(1).ofMaxLength(60),
                Arbitraries.strings().withChars('=').ofMaxLength(2)).as(String::concat);
    }

    @Provide
    Arbitrary<String> authzids() {
        // Commas and equals signs need the saslname escapes; anything else but NUL and controls is fine.
        return Arbitraries.strings().withChars("ab,=@.\u00e9\u4e2d-_+ ").ofMinLength(1).ofMaxLength(40);
    }

    /** Well-formed messages of both mechanisms, with and without identity and the optional pairs. */
    @Provide
    Arbitrary<String> messages() {
        Arbitrary<String> oauthBearer = Combinators.combine(tokens(), authzids().injectNull(0.3), Arbitraries.of(true, false))
                .as((t, a, hostPort) -> oauthBearer(t, a, hostPort));
        Arbitrary<String> xoauth2 = Combinators.combine(tokens(), authzids().injectNull(0.3)).as(SaslBearerProperties::xoauth2);
        return Arbitraries.oneOf(oauthBearer, xoauth2);
    }

    static String oauthBearer(String token, String authzid, boolean hostPort) {
        String a = authzid == null ? "" : "a=" + authzid.replace("=", "=3D").replace(",", "=2C");
        return "n," + a + ",\u0001" + (hostPort ? "host=smtp.example.test\u0001port=587\u0001" : "") + "auth=Bearer " + token + "\u0001\u0001";
    }

    static String xoauth2(String token, String authzid) {
        return (authzid == null ? "" : "user=" + authzid + "\u0001") + "auth=Bearer " + token + "\u0001\u0001";
    }

    @Property
    @Label("RFC 7628 §3.1: a generated OAUTHBEARER message gives back exactly its token and authzid")
    void oauthBearerRoundTrip(@ForAll("tokens") String token, @ForAll("authzids") String authzid, @ForAll boolean withAuthzid,
            @ForAll boolean hostPort) {
        String a = withAuthzid ? authzid : null;
        SaslResult r = SaslBearer.oauthBearer(oauthBearer(token, a, hostPort).getBytes(StandardCharsets.UTF_8));
        assertEquals(SaslResult.Kind.BEARER, r.kind(), r::toString);
        assertEquals(token, r.bearerToken().token());
        assertEquals(a, r.authzid());
    }

    @Property
    @Label("XOAUTH2: a generated message gives back exactly its token and user")
    void xoauth2RoundTrip(@ForAll("tokens") String token, @ForAll("authzids") String authzid, @ForAll boolean withUser) {
        String a = withUser ? authzid : null;
        SaslResult r = SaslBearer.xoauth2(xoauth2(token, a).getBytes(StandardCharsets.UTF_8));
        assertEquals(SaslResult.Kind.BEARER, r.kind(), r::toString);
        assertEquals(token, r.bearerToken().token());
        assertEquals(a, r.authzid());
    }

    @Provide
    Arbitrary<byte[]> hostileMessages() {
        return Arbitraries.oneOf(
                Hostile.around(messages()).map(s -> s.replace('\u0085', '\u0001').getBytes(StandardCharsets.UTF_8)),
                Arbitraries.of((byte) 0, (byte) 1, (byte) ',', (byte) '=', (byte) 'n', (byte) 'a', (byte) ' ', (byte) 0xC3)
                        .array(byte[].class).ofMaxSize(16));
    }

    @Property
    @Label("any message, generated or mutated, is a bearer token that was in it, or malformed with a reason; never an exception")
    void oneOutcome(@ForAll("hostileMessages") byte[] message, @ForAll boolean xoauth2) {
        SaslResult r = xoauth2 ? SaslBearer.xoauth2(message) : SaslBearer.oauthBearer(message);
        String text = new String(message, StandardCharsets.ISO_8859_1);
        switch (r.kind()) {
            case MALFORMED -> {
                assertNotNull(r.reason());
                assertSame(SaslResult.malformed(r.reason()), r, "refusals are shared constants: they carry no input");
            }
            case BEARER -> {
                String token = r.bearerToken().token();
                assertFalse(token.isEmpty());
                assertTrue(AuthorizationParser.isToken68(token, 0, token.length()));
                assertTrue(text.contains(" " + token + "\u0001"), "the token is what followed the scheme");
                if (r.authzid() != null) {
                    assertFalse(Text.hasControl(r.authzid()));
                    assertFalse(r.authzid().isEmpty());
                }
                assertEquals("SaslResult[BEARER]", r.toString(), "toString never shows the token");
                assertEquals("ApiKeyCredential[redacted]", r.bearerToken().toString());
            }
            default -> throw new AssertionError(r);
        }
    }

    @Provide
    Arbitrary<List<String>> exchanges() {
        Arbitrary<String> valid = Arbitraries.oneOf(messages().map(Hostile::base64),
                Arbitraries.of("AQ==", "=", "*", "", "bixhPQ=="));
        return Hostile.around(valid).injectNull(0.1).list().ofMaxSize(5);
    }

    @Property
    @Label("any sequence of lines gets documented outcomes in the documented order, and nothing after the end")
    void documentedOutcomes(@ForAll("exchanges") List<String> lines, @ForAll boolean xoauth2) {
        SaslMachine m = SaslMachines.create(xoauth2 ? "XOAUTH2" : "OAUTHBEARER");
        boolean bearerSeen = false;
        boolean done = false;
        for (int i = 0; i < lines.size(); i++) {
            SaslResult r = i == 0 ? m.start(lines.get(0)) : m.next(lines.get(i));
            assertNotNull(r);
            if (done) {
                assertSame(Malformation.OUT_OF_SEQUENCE, r.reason());
                continue;
            }
            switch (r.kind()) {
                case CHALLENGE -> assertTrue(i == 0 && CHALLENGES.contains(r.challenge()), r::toString);
                case BEARER -> {
                    assertFalse(bearerSeen);
                    bearerSeen = true;
                }
                case ACKNOWLEDGED -> assertTrue(bearerSeen, "only after a token");
                case MALFORMED, TOO_LONG -> assertNotNull(r.reason());
                case CANCELLED -> { }
                case CREDENTIAL -> throw new AssertionError("no password from a bearer mechanism");
            }
            // After a token, the exchange may send an error challenge and take one more line.
            done = r.done() && r.kind() != SaslResult.Kind.BEARER;
        }
    }
}
