package dev.portcullis.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.testing.Hostile;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of {@link AuthorizationParser} over generated and mutated headers (checklist A, B). */
class AuthorizationHeaderProperties {
    private final AuthorizationParser parser = AuthorizationParser.builder().build();
    private final AuthorizationParser bare = AuthorizationParser.builder().allowBareKey(true).build();

    /** Text a user-id may hold: no control characters, no lone surrogates (which UTF-8 cannot carry). */
    static Arbitrary<String> text(int minLength) {
        return Arbitraries.strings()
                .withCharRange(' ', '~').withCharRange('\u00A0', '\uD7FF').withCharRange('\uE000', '\uFFFD')
                .withChars(Hostile.CHARS.replaceAll("[\\p{Cc}\\uD800\\uDC00]", ""))
                .ofMinLength(minLength).ofMaxLength(40);
    }

    static Arbitrary<String> token68() {
        return Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withCharRange('0', '9')
                        .withChars("-._~+/").ofMinLength(1).ofMaxLength(80),
                Arbitraries.strings().withChars('=').ofMaxLength(2)).as(String::concat);
    }

    @Provide
    Arbitrary<String> headers() {
        Arbitrary<String> valid = Arbitraries.oneOf(
                Combinators.combine(text(1).filter(u -> !u.contains(":")), text(0))
                        .as((u, p) -> "Basic " + Hostile.base64(u + ":" + p)),
                token68().map(t -> "Bearer " + t),
                token68(),
                Hostile.base64OfBytes().map(b -> "Basic " + b));
        return Hostile.around(valid);
    }

    @Property
    @Label("checklist A, B: any header value gets exactly one documented outcome, never an exception")
    void oneOutcome(@ForAll("headers") String value) {
        for (AuthorizationParser p : List.of(parser, bare)) {
            ParseResult r = p.parse(value);
            switch (r.kind()) {
                case NOT_THIS_SCHEME -> assertSame(ParseResult.NOT_THIS_SCHEME, r);
                case MALFORMED -> assertNotNull(r.reason());
                case CREDENTIAL -> assertWellFormed(r.credential());
            }
            if (value.length() > AuthorizationParser.MAX_LENGTH) {
                assertSame(Malformation.TOO_LONG, r.reason());
            }
        }
    }

    @Property
    @Label("checklist A, B: lists of values: none is no header, several are malformed")
    void valueLists(@ForAll("headers") String a, @ForAll("headers") String b) {
        assertSame(Malformation.MULTIPLE_VALUES, parser.parse(List.of(a, b)).reason());
        assertEquals(parser.parse(a).kind(), parser.parse(List.of(a)).kind());
    }

    @Property
    @Label("the buffered parse (the hot path's) gives the text parse's outcome, the key as its bytes")
    void bufferedParseAgreesWithTheTextParse(@ForAll("headers") String value) {
        KeyBytes into = new KeyBytes();
        for (AuthorizationParser p : List.of(parser, bare)) {
            ParseResult text = p.parse(value);
            ParseResult buffered = p.parse(value, into);
            if (buffered != ParseResult.KEY_IN_BUFFER) {
                assertSame(text.kind(), buffered.kind());
                assertSame(text.reason(), buffered.reason());
                continue;
            }
            String key = new String(into.bytes(), into.from(), into.to() - into.from(), java.nio.charset.StandardCharsets.ISO_8859_1);
            if (into.printableAscii()) {
                assertEquals(key, assertInstanceOf(ApiKeyCredential.class, text.credential()).token());
            } else {
                // Handed on unchecked: a caller re-parses as text, which must not call it a password.
                assertFalse(text.credential() instanceof PasswordCredential);
            }
            into.wipe();
            for (int i = 0; i < into.bytes().length; i++) {
                assertEquals(0, into.bytes()[i], "wiped");
            }
        }
    }

    /** A credential never carries an empty field or a control character, and never reveals itself. */
    private static void assertWellFormed(Credential c) {
        if (c instanceof ApiKeyCredential k) {
            assertFalse(k.token().isEmpty());
            assertFalse(Text.hasControl(k.token()));
        } else {
            PasswordCredential p = (PasswordCredential) c;
            assertFalse(p.username().isEmpty() || p.password().isEmpty());
            assertFalse(Text.hasControl(p.username()) || Text.hasControl(p.password()));
            assertFalse(p.username().contains(":"));
        }
        assertFalse(c.toString().contains("=") || c.toString().length() > 32, c::toString);
    }

    @Property
    @Label("checklist A1-A3: Basic user:pass round-trips, split at the first colon")
    void basicRoundTrip(@ForAll("users") String user, @ForAll("passwords") String password) {
        ParseResult r = parser.parse("Basic " + Hostile.base64(user + ":" + password));
        PasswordCredential c = assertInstanceOf(PasswordCredential.class, r.credential());
        assertEquals(user, c.username());
        assertEquals(password, c.password());
    }

    @Property
    @Label("checklist A8: api:KEY and KEY: round-trip to the key")
    void keyRoundTrip(@ForAll("passwords") String key) {
        assertEquals(key, ((ApiKeyCredential) parser.parse("Basic " + Hostile.base64("api:" + key)).credential()).token());
        if (!key.contains(":")) {
            assertEquals(key, ((ApiKeyCredential) parser.parse("Basic " + Hostile.base64(key + ":")).credential()).token());
        }
    }

    @Property
    @Label("checklist B9/A5: Bearer token68 round-trips, scheme in any ASCII case")
    void bearerRoundTrip(@ForAll("token68s") String token, @ForAll("caseMasks") int mask) {
        StringBuilder scheme = new StringBuilder("bearer");
        for (int i = 0; i < scheme.length(); i++) {
            if ((mask >> i & 1) == 1) {
                scheme.setCharAt(i, Character.toUpperCase(scheme.charAt(i)));
            }
        }
        assertEquals(token, ((ApiKeyCredential) parser.parse(scheme + " " + token).credential()).token());
        assertEquals(token, ((ApiKeyCredential) bare.parse(token).credential()).token());
    }

    @Property
    @Label("checklist E24: strict base64 accepts exactly the JDK encoder's output")
    void strictBase64IsCanonical(@ForAll("base64ish") String s) {
        byte[] strict = StrictBase64.decode(s, 0, s.length());
        byte[] lenient;
        try {
            lenient = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            lenient = null;
        }
        boolean canonical = lenient != null && Base64.getEncoder().encodeToString(lenient).equals(s);
        if (canonical) {
            assertEquals(Base64.getEncoder().encodeToString(lenient), Base64.getEncoder().encodeToString(strict));
        } else {
            assertNull(strict);
        }
    }

    @Property
    @Label("checklist C15: the UTF-8 check agrees with a reporting CharsetDecoder")
    void utf8AgreesWithDecoder(@ForAll("bytes") byte[] b) {
        String expected;
        try {
            expected = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            expected = null;
        }
        assertEquals(expected, Text.utf8(b, 0, b.length));
    }

    @Provide
    Arbitrary<String> users() {
        return text(1).filter(u -> !u.contains(":") && !u.equals("api"));
    }

    @Provide
    Arbitrary<String> passwords() {
        return text(1);
    }

    @Provide
    Arbitrary<String> token68s() {
        return token68();
    }

    @Provide
    Arbitrary<Integer> caseMasks() {
        return Arbitraries.integers().between(0, 63);
    }

    @Provide
    Arbitrary<String> base64ish() {
        return Arbitraries.oneOf(Hostile.base64OfBytes(), Hostile.mutated(Hostile.base64OfBytes()),
                Arbitraries.strings().withChars("AQRgw+/=").ofMaxLength(12));
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        Arbitrary<byte[]> text = text(0).map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Arbitrary<byte[]> damaged = Combinators.combine(text, Arbitraries.integers().between(0, 64), Arbitraries.bytes())
                .as((b, at, x) -> {
                    byte[] c = b.clone();
                    if (c.length > 0) {
                        c[at % c.length] = x;
                    }
                    return c;
                });
        Arbitrary<byte[]> tricky = Arbitraries.of((byte) 0xC0, (byte) 0xC2, (byte) 0xE0, (byte) 0xED, (byte) 0xEF,
                (byte) 0xBF, (byte) 0xBD, (byte) 0xA0, (byte) 0x80, (byte) 0xF4, (byte) 0xF5, (byte) 0x90, (byte) 0x41)
                .array(byte[].class).ofMaxSize(8);
        return Arbitraries.oneOf(text, damaged, tricky, Arbitraries.bytes().array(byte[].class).ofMaxSize(16));
    }

    @Property
    @Label("checklist A4: a user-id or password with a control character never yields a credential")
    void controlCharactersRefused(@ForAll("users") String user, @ForAll("passwords") String password,
                                  @ForAll("controls") char control, @ForAll("caseMasks") int at) {
        String dirty = password.substring(0, at % (password.length() + 1)) + control + password.substring(at % (password.length() + 1));
        assertSame(Malformation.CONTROL_CHARACTER, parser.parse("Basic " + Hostile.base64(user + ":" + dirty)).reason());
        assertSame(Malformation.CONTROL_CHARACTER, parser.parse("Basic " + Hostile.base64(dirty.replace(":", "") + "x:" + password)).reason());
        assertTrue(Character.isISOControl(control));
    }

    @Provide
    Arbitrary<Character> controls() {
        return Arbitraries.chars().range('\u0000', '\u001F').range('\u007F', '\u009F');
    }
}
