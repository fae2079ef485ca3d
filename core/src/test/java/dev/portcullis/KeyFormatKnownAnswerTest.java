package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The known-answer tokens of DESIGN §2 Identify and the format's failure reasons (checklist L61–63). */
class KeyFormatKnownAnswerTest {
    private static final String KAT = "kat_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH3tE9uV";
    private static final String KAT_LIVE = "kat_live_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0PpOoNnMmLlKkJj3ULHE9";

    @Test
    void knownAnswerTokensParseWithTheirStatedCrc() {
        KeyFormat.Parsed p = KeyFormat.withPrefix("kat").parse(KAT);
        assertTrue(p.valid(), p.toString());
        assertEquals("0123456789ab", p.keyId());
        assertEquals(0xd4758573L, crc(KAT.substring(0, KAT.length() - 6)));

        KeyFormat.Parsed live = KeyFormat.withPrefix("kat_live").parse(KAT_LIVE);
        assertTrue(live.valid(), live.toString());
        assertEquals("Zz9Yy8Xx7Ww6", live.keyId());
        assertEquals(0xbe8aae89L, crc(KAT_LIVE.substring(0, KAT_LIVE.length() - 6)));
    }

    @Test
    void eachFailureHasItsReason() {
        KeyFormat kat = KeyFormat.withPrefix("kat");
        assertEquals(KeyFormat.Failure.PREFIX, kat.parse("pc_" + KAT.substring(4)).failure());
        assertEquals(KeyFormat.Failure.PREFIX, kat.parse("").failure());
        assertEquals(KeyFormat.Failure.PREFIX, kat.parse("kat").failure());
        assertEquals(KeyFormat.Failure.PREFIX, kat.parse("katx" + KAT.substring(3)).failure());
        assertEquals(KeyFormat.Failure.LENGTH, kat.parse(KAT + "0").failure());
        assertEquals(KeyFormat.Failure.LENGTH, kat.parse(KAT.substring(0, KAT.length() - 1)).failure());
        assertEquals(KeyFormat.Failure.ALPHABET, kat.parse("kat_" + KAT.substring(4).replace('a', '-')).failure());
        assertEquals(KeyFormat.Failure.CHECKSUM, kat.parse("kat_" + KAT.substring(4).replace('a', 'b')).failure());
        // kat_live tokens are not kat tokens: the prefix is part of the format.
        assertEquals(KeyFormat.Failure.LENGTH, kat.parse(KAT_LIVE).failure());
        assertNull(kat.parse("kat_" + KAT.substring(4).replace('a', 'b')).keyId());
    }

    @Test
    void checksumIsOverThePrefixToo() {
        // Same body, other prefix of the same length: the checksum must fail.
        String other = "kau" + KAT.substring(3);
        assertEquals(KeyFormat.Failure.CHECKSUM, KeyFormat.withPrefix("kau").parse(other).failure());
    }

    @Test
    void prefixGrammarIsEnforced() {
        for (String bad : new String[] {"", "Pc", "1pc", "pc_", "pc__x", "abcdefghijklmnopq", "pc_live_x", "pc-live", "pc_abcdefghi"}) {
            assertThrows(IllegalArgumentException.class, () -> KeyFormat.withPrefix(bad), bad);
        }
        for (String good : new String[] {"a", "pc", "mg_live", "abcdefghijklmnop", "a1_12345678"}) {
            assertEquals(good, KeyFormat.withPrefix(good).prefix());
        }
    }

    @Test
    void generatedTokensAreWellFormedAndDistinct() {
        KeyFormat f = KeyFormat.withPrefix("kat_gen");
        String a = f.newToken();
        String b = f.newToken();
        assertTrue(f.parse(a).valid());
        assertTrue(f.parse(b).valid());
        assertFalse(a.equals(b));
        assertEquals("kat_gen_".length() + 50, a.length());
        assertEquals("kat_gen_" + f.parse(a).keyId() + "…", f.display(f.parse(a).keyId()));
    }

    @Test
    void importedFormatChecksShapeAndPattern() {
        KeyFormat f = KeyFormat.imported(Pattern.compile("katkey-[0-9a-f]{32}"));
        assertTrue(f.isImported());
        assertTrue(f.parse("katkey-0123456789abcdef0123456789abcdef").valid());
        assertNull(f.parse("katkey-0123456789abcdef0123456789abcdef").keyId());
        assertEquals(KeyFormat.Failure.PATTERN, f.parse("katkey-0123").failure());
        assertEquals(KeyFormat.Failure.ALPHABET, f.parse("katkey 0123").failure());
        assertEquals(KeyFormat.Failure.LENGTH, f.parse("").failure());
        assertEquals(KeyFormat.Failure.LENGTH, f.parse("k".repeat(513)).failure());
        assertThrows(IllegalStateException.class, f::newToken);
        assertThrows(IllegalArgumentException.class, () -> KeyScanner.forFormat(f));
    }

    private static long crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.US_ASCII));
        return c.getValue();
    }
}
