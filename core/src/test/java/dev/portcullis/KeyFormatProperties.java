package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.internal.crypto.Base62;
import dev.portcullis.internal.crypto.Crc32;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/** Generate → parse round trips and mutation resistance of the key format (DESIGN §2 Identify). */
class KeyFormatProperties {

    @Provide
    Arbitrary<String> prefixes() {
        Arbitrary<String> head = Combinators.combine(
                        Arbitraries.chars().range('a', 'z'),
                        Arbitraries.strings().withCharRange('a', 'z').numeric().ofMaxLength(15))
                .as((c, rest) -> c + rest);
        Arbitrary<String> tail = Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(8);
        return Combinators.combine(head, tail.injectNull(0.5)).as((h, t) -> t == null ? h : h + "_" + t);
    }

    @Property(tries = 300)
    void anyValidPrefixRoundTrips(@ForAll("prefixes") String prefix) {
        KeyFormat f = KeyFormat.withPrefix(prefix);
        String token = f.newToken();
        KeyFormat.Parsed p = f.parse(token);
        assertTrue(p.valid(), p.toString());
        assertEquals(token.substring(prefix.length() + 1, prefix.length() + 13), p.keyId());
    }

    @Property(tries = 500)
    void anySingleCharacterChangeFails(
            @ForAll("prefixes") String prefix, @ForAll @IntRange(min = 0, max = 200) int where, @ForAll char replacement) {
        KeyFormat f = KeyFormat.withPrefix(prefix);
        String token = f.newToken();
        int i = where % token.length();
        if (token.charAt(i) == replacement) {
            return;
        }
        String mutated = token.substring(0, i) + replacement + token.substring(i + 1);
        KeyFormat.Parsed p = f.parse(mutated);
        assertFalse(p.valid(), "mutation at " + i + " accepted");
        assertNotNull(p.failure());
    }

    /**
     * The hot path checks tokens as bytes (KeyFormat#check); on the same ASCII text it must give
     * exactly parse's verdict and id, for valid tokens and for every single-character mutation.
     */
    @Property(tries = 1000)
    void byteCheckAgreesWithTheTextParse(
            @ForAll("prefixes") String prefix, @ForAll @IntRange(min = 0, max = 200) int where,
            @ForAll @CharRange(from = 0, to = 0x7F) char replacement, @ForAll @IntRange(min = 0, max = 3) int shape) {
        KeyFormat f = KeyFormat.withPrefix(prefix);
        String token = f.newToken();
        int i = where % token.length();
        String candidate = switch (shape) {
            case 0 -> token;
            case 1 -> token.substring(0, i) + replacement + token.substring(i + 1);
            case 2 -> token.substring(0, i) + token.substring(i + 1);
            default -> token.substring(0, i) + replacement + token.substring(i);
        };
        byte[] framed = ("xy" + candidate + "z").getBytes(StandardCharsets.US_ASCII); // an offset and a tail, as in a decoded header
        KeyFormat.Parsed text = f.parse(candidate);
        assertEquals(text.failure(), f.check(framed, 2, 2 + candidate.length()), candidate);
        if (text.valid()) {
            assertEquals(text.keyId(), new String(framed, 2 + f.idOffset(), KeyFormat.ID_LENGTH, StandardCharsets.US_ASCII));
        }
    }

    @Property(tries = 300)
    void insertionsAndDeletionsFail(@ForAll("prefixes") String prefix, @ForAll @IntRange(min = 0, max = 200) int where) {
        KeyFormat f = KeyFormat.withPrefix(prefix);
        String token = f.newToken();
        int i = where % token.length();
        assertFalse(f.parse(token.substring(0, i) + token.substring(i + 1)).valid());
        assertFalse(f.parse(token.substring(0, i) + "0" + token.substring(i)).valid());
    }

    @Property(tries = 1000)
    void arbitraryStringsNeverThrow(@ForAll @StringLength(max = 200) String s) {
        KeyFormat f = KeyFormat.withPrefix("kat");
        KeyFormat.Parsed p = f.parse(s);
        assertTrue(p.valid() || p.failure() != null);
        KeyFormat.Parsed q = f.parse("kat_" + s);
        assertTrue(q.valid() || q.failure() != null);
    }

    @Property(tries = 50)
    void hugeAndOddInputsNeverThrow(@ForAll @IntRange(min = 0, max = 1_000_000) int size, @ForAll char fill) {
        KeyFormat f = KeyFormat.withPrefix("kat");
        String big = "kat_" + String.valueOf(fill).repeat(size);
        assertFalse(f.parse(big).valid() && size != 50);
        assertFalse(f.parse("kat_\u0000" + "A".repeat(49)).valid());
        assertFalse(f.parse("kat_" + "Ａ".repeat(50)).valid()); // fullwidth look-alikes
    }

    @Property(tries = 500)
    void crcMatchesTheJdk(@ForAll @StringLength(max = 100) @CharRange(from = ' ', to = '~') String s) {
        CRC32 jdk = new CRC32();
        jdk.update(s.getBytes(StandardCharsets.US_ASCII));
        assertEquals(jdk.getValue(), Crc32.of(s, 0, s.length()));
    }

    @Property(tries = 500)
    void base62FixedWidthRoundTrips(@ForAll @IntRange(min = 0) int a, @ForAll @IntRange(min = 0) int b) {
        long v = ((long) a << 1 ^ b) & 0xFFFFFFFFL;
        String s = Base62.fixedWidth(v, 6);
        assertEquals(6, s.length());
        assertEquals(v, Base62.decode(s, 0, 6));
    }
}
