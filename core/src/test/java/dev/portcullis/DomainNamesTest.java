package dev.portcullis;

import dev.portcullis.internal.rules.DomainNames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 24, findings 4 and 10: resource names compare as IDNA2008 / UTS #46 non-transitional
 * A-labels, a character that would map to nothing makes the name malformed, and canonicalisation
 * is idempotent. {@link ResourceNameProperties} holds the generated cases and the ICU oracle.
 */
class DomainNamesTest {
    private final Fixtures f = new Fixtures();

    private IssuedKey keyFor(String resource) {
        return f.keys().create(KeySpec.builder().account("acme").grant("messages:send", resource).build());
    }

    private AuthResult send(IssuedKey k, String resource) {
        return f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.113.7")
                .require("messages:send", resource));
    }

    // ---- finding 4: IDNA2003 folded distinct IDNA2008 names together ----------------------------

    @Test
    void aGrantForFassDeDoesNotCoverFaßDe() {
        IssuedKey k = keyFor("fass.de");
        assertTrue(send(k, "fass.de").allowed());
        AuthResult sharp = send(k, "faß.de");
        assertEquals(DenyReason.PERMISSION_DENIED, sharp.reason(), "faß.de is xn--fa-hia.de, another domain");
        assertEquals(DenyReason.PERMISSION_DENIED, send(k, "FAß.DE").reason());
        assertEquals(DenyReason.PERMISSION_DENIED, send(k, "xn--fa-hia.de").reason());
    }

    @Test
    void aGrantForFaßDeCoversItsALabelAndNotFassDe() {
        IssuedKey k = keyFor("faß.de");
        assertEquals("xn--fa-hia.de", f.keys().get(k.id()).orElseThrow().grants().get(0).resourcePattern(), "stored as the A-label");
        assertTrue(send(k, "xn--fa-hia.de").allowed());
        assertTrue(send(k, "FAß.de.").allowed());
        assertEquals(DenyReason.PERMISSION_DENIED, send(k, "fass.de").reason());
    }

    @Test
    void sharpSIsEncodedAsItselfNonTransitionally() {
        assertEquals("xn--fa-hia.de", Grant.canonicalResource("faß.de"));
        assertEquals("fass.de", Grant.canonicalResource("fass.de"));
        assertNull(Grant.canonicalResource("faẞ.de"), "capital sharp s folds to ss under UTS 46 but lower-cases to ß: undecidable, refused");
    }

    @Test
    void finalSigmaIsNotFoldedToSigma() {
        String finalSigma = Grant.canonicalResource("σοφος.gr");
        String sigma = Grant.canonicalResource("σοφοσ.gr");
        assertEquals("xn--0xaajbq.gr", finalSigma);
        assertEquals("xn--0xaakcn.gr", sigma);
        assertNotEquals(sigma, finalSigma);
        IssuedKey k = keyFor("σοφοσ.gr");
        assertEquals(DenyReason.PERMISSION_DENIED, send(k, "σοφος.gr").reason());
        assertTrue(send(k, "ΣΟΦΟΣ.gr").allowed(), "capital sigma lower-cases to σ, as UTS 46 maps it");
    }

    @Test
    void softHyphenMakesTheNameMalformed() {
        assertNull(Grant.canonicalResource("fa\u00ADss.de"), "IDNA2003 deleted it and gave fass.de");
        IssuedKey k = keyFor("fass.de");
        assertThrows(IllegalArgumentException.class, () -> send(k, "fa\u00ADss.de"), "malformed, never an allow");
        assertThrows(IllegalArgumentException.class, () -> Grant.of("messages:send", "fa\u00ADss.de"));
        // Nor can it hide inside an A-label: the decoded U-label is checked as if typed.
        String hidden = "xn--" + DomainNames.Punycode.encode("fa\u00ADss".codePoints().toArray()) + ".de";
        assertNull(Grant.canonicalResource(hidden), hidden);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u200D", "\u200C", "\uFE0F", "\uFE00", "\uDB40\uDD00", "\uDB40\uDDEF", "\u034F", "\u200B",
            "\u2060", "\uFEFF", "\u180B", "\u115F", "\u3164", "\u061C", "\u202E", "\uDB40\uDC41"})
    void aCharacterThatWouldMapToNothingMakesTheNameMalformed(String ignorable) {
        assertNull(Grant.canonicalResource("fa" + ignorable + "ss.de"));
        assertNull(Grant.canonicalResource("fass.de" + ignorable));
        assertNull(Grant.canonicalResource("faß" + ignorable + ".de"));
        String hidden = "xn--" + DomainNames.Punycode.encode(("fa" + ignorable + "ß").codePoints().toArray());
        assertNull(Grant.canonicalResource(hidden + ".de"), hidden);
    }

    // ---- finding 10: idempotence --------------------------------------------------------------

    @Test
    void canonicalisationIsIdempotent() {
        // IDNA2003 gave example.com. (kept the mapped trailing dot), and a.example.com. (stripped one of two).
        assertEquals("example.com", Grant.canonicalResource("example.com\u3002"));
        assertNull(Grant.canonicalResource("a.example.com.."), "two trailing dots: an empty label, refused");
        assertNull(Grant.canonicalResource("example.com\u3002."));
        assertNull(Grant.canonicalResource("example.com.\uFF0E"));
        for (String x : new String[] {"example.com\u3002", "example.com.", "EXAMPLE.com", "faß.de", "BÜCHER.example",
                "中文\uFF0E中国\uFF61", "xn--fa-hia.de", "XN--FA-HIA.DE.", "σοφος.gr", "user@example.com", "e\u0301.fr"}) {
            String once = Grant.canonicalResource(x);
            assertEquals(once, Grant.canonicalResource(once), x);
        }
    }

    @Test
    void wideFullStopsSeparateLabelsOnlyOnce() {
        assertEquals("xn--fiq228c.xn--fiqs8s", Grant.canonicalResource("中文\u3002中国"));
        assertEquals("xn--fiq228c.xn--fiqs8s", Grant.canonicalResource("中文\uFF0E中国\uFF61"));
        assertNull(Grant.canonicalResource("中文\uFF61\uFF61中国"));
        assertNull(Grant.canonicalResource("\u3002example.com"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"xn--", "xn--a", "xn--zz.example", "xn--ab-.example", "xn--e-xbb.fr" /* e + U+0301, not NFC */,
            "xn--fass-.de" /* all ASCII */, "xn--99999999999.de" /* overflow */, "xn--bcher-kva-.example", "xn--fa_hia.de"})
    void aLabelsThatAreNotValidAreRefused(String name) {
        assertNull(Grant.canonicalResource(name));
    }

    @Test
    void aLabelsAreLowerCasedAndKept() {
        assertEquals("xn--bcher-kva.example", Grant.canonicalResource("XN--BCHER-KVA.Example."));
        assertEquals("xn--bcher-kva.example", Grant.canonicalResource("bücher.example"));
        assertEquals("xn--9ca.fr", Grant.canonicalResource("e\u0301.fr"), "NFC is applied, as UTS 46 does");
    }

    @ParameterizedTest
    @ValueSource(strings = {"İstanbul.tr" /* lower case is two code points (i̇stanbul.tr typed so is accepted) */, "\u212Aelvin.de" /* Kelvin sign */,
            "a\uD83D\uDE00.de" /* emoji */, "a\u2665.de", "a\u00A0b.de", "a b.de", "\uFF41.de" /* full-width a */,
            "_dmarc.faß.de", "-a.faß.de", "a-.faß.de", "ab--c.faß.de", "a@b.faß.de", "ß\u0640.de" /* tatweel */,
            "\u0301a.de", "a\u00B7b.cat", "\u13A0.de" /* Cherokee */, "\u1100\u1161.kr" /* conjoining jamo */,
            "1a.\u05D0\u05D1" /* Bidi rule */, "\u05D0a.com", "\u0627\u0661\u06F1.eg", "x\u30FBy.jp",
            "\uD83F\uDFFF.de" /* unassigned */, "\uE000.de" /* private use */})
    void undecidableOrDisallowedUnicodeIsRefused(String name) {
        assertNull(Grant.canonicalResource(name), name);
    }

    @Test
    void decidableUnicodeIsAccepted() {
        assertEquals("xn--ll-0ea.cat", Grant.canonicalResource("l\u00B7l.cat"));
        assertEquals("xn--4dbc.com", Grant.canonicalResource("\u05D0\u05D1.com"));
        assertEquals("xn--cfa.tr", Grant.canonicalResource("ı.tr"));
        assertEquals("xn--cck.jp", Grant.canonicalResource("ア.jp"));
        assertEquals("xn--r8jz45g.xn--zckzah", Grant.canonicalResource("例え.テスト"));
    }

    @Test
    void asciiResourceNamesKeepTheirGrammar() {
        for (String s : new String[] {"user@example.com", "a_b+c@d.e", "ab--c.example", "-a.example", "_dmarc.example.com",
                "x".repeat(64) + ".example"}) {
            assertEquals(s, Grant.canonicalResource(s), s);
        }
        assertEquals("_dmarc.xn--fa-hia.de", Grant.canonicalResource("_dmarc.XN--FA-HIA.de"));
        assertNull(Grant.canonicalResource("a b.example"));
        assertNull(Grant.canonicalResource(".example"));
        assertNull(Grant.canonicalResource("a..example"));
    }

    @Test
    void labelAndNameLengths() {
        // The A-label decides: "ü" + 55 "a" is xn--<55 a>-oxf, 63 octets; one "a" more is 64.
        assertEquals("xn--" + "a".repeat(55) + "-oxf.de", Grant.canonicalResource("ü" + "a".repeat(55) + ".de"));
        assertNull(Grant.canonicalResource("ü" + "a".repeat(56) + ".de"), "an A-label over 63 octets");
        assertNull(Grant.canonicalResource("ü." + "a".repeat(64) + ".de"), "in a domain name every label is at most 63");
        String wide = "ü.".repeat(40) + "de"; // 82 characters typed, 322 as A-labels
        assertNull(Grant.canonicalResource(wide), "over 253 characters as A-labels");
    }

    // ---- RFC 3492 section 7.1 sample strings -------------------------------------------------

    private static final String[][] RFC3492 = {
        {"(A) Arabic (Egyptian)", "0644 064A 0647 0645 0627 0628 062A 0643 0644 0645 0648 0634 0639 0631 0628 064A 061F",
            "egbpdaj6bu4bxfgehfvwxn"},
        {"(B) Chinese (simplified)", "4ED6 4EEC 4E3A 4EC0 4E48 4E0D 8BF4 4E2D 6587", "ihqwcrb4cv8a8dqg056pqjye"},
        {"(C) Chinese (traditional)", "4ED6 5011 7232 4EC0 9EBD 4E0D 8AAA 4E2D 6587", "ihqwctvzc91f659drss3x8bo0yb"},
        {"(D) Czech", "0050 0072 006F 010D 0070 0072 006F 0073 0074 011B 006E 0065 006D 006C 0075 0076 00ED 010D 0065 0073 006B 0079",
            "Proprostnemluvesky-uyb24dma41a"},
        {"(E) Hebrew", "05DC 05DE 05D4 05D4 05DD 05E4 05E9 05D5 05D8 05DC 05D0 05DE 05D3 05D1 05E8 05D9 05DD 05E2 05D1 05E8 05D9 05EA",
            "4dbcagdahymbxekheh6e0a7fei0b"},
        {"(F) Hindi (Devanagari)", "092F 0939 0932 094B 0917 0939 093F 0928 094D 0926 0940 0915 094D 092F 094B 0902 0928 0939 0940 0902 "
            + "092C 094B 0932 0938 0915 0924 0947 0939 0948 0902", "i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd"},
        {"(G) Japanese (kanji and hiragana)", "306A 305C 307F 3093 306A 65E5 672C 8A9E 3092 8A71 3057 3066 304F 308C 306A 3044 306E 304B",
            "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa"},
        {"(H) Korean (Hangul syllables)", "C138 ACC4 C758 BAA8 B4E0 C0AC B78C B4E4 C774 D55C AD6D C5B4 B97C C774 D574 D55C B2E4 BA74 "
            + "C5BC B9C8 B098 C88B C744 AE4C", "989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c"},
        {"(I) Russian (Cyrillic)", "043F 043E 0447 0435 043C 0443 0436 0435 043E 043D 0438 043D 0435 0433 043E 0432 043E 0440 044F "
            + "0442 043F 043E 0440 0443 0441 0441 043A 0438", "b1abfaaepdrnnbgefbaDotcwatmq2g4l"},
        {"(J) Spanish", "0050 006F 0072 0071 0075 00E9 006E 006F 0070 0075 0065 0064 0065 006E 0073 0069 006D 0070 006C 0065 006D "
            + "0065 006E 0074 0065 0068 0061 0062 006C 0061 0072 0065 006E 0045 0073 0070 0061 00F1 006F 006C",
            "PorqunopuedensimplementehablarenEspaol-fmd56a"},
        {"(K) Vietnamese", "0054 1EA1 0069 0073 0061 006F 0068 1ECD 006B 0068 00F4 006E 0067 0074 0068 1EC3 0063 0068 1EC9 006E "
            + "00F3 0069 0074 0069 1EBF 006E 0067 0056 0069 1EC7 0074", "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g"},
        {"(L) 3<nen>B<gumi><kinpachi><sensei>", "0033 5E74 0042 7D44 91D1 516B 5148 751F", "3B-ww4c5e180e575a65lsy2b"},
        {"(M) <amuro><namie>-with-SUPER-MONKEYS", "5B89 5BA4 5948 7F8E 6075 002D 0077 0069 0074 0068 002D 0053 0055 0050 0045 "
            + "0052 002D 004D 004F 004E 004B 0045 0059 0053", "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"},
        {"(N) Hello-Another-Way-<sorezore><no><basho>", "0048 0065 006C 006C 006F 002D 0041 006E 006F 0074 0068 0065 0072 002D 0057 "
            + "0061 0079 002D 305D 308C 305E 308C 306E 5834 6240", "Hello-Another-Way--fc4qua05auwb3674vfr0b"},
        {"(O) <hitotsu><yane><no><shita>2", "3072 3068 3064 5C4B 6839 306E 4E0B 0032", "2-u9tlzr9756bt3uc0v"},
        {"(P) Maji<de>Koi<suru>5<byou><mae>", "004D 0061 006A 0069 3067 004B 006F 0069 3059 308B 0035 79D2 524D",
            "MajiKoi5-783gue6qz075azm5e"},
        {"(Q) <pafii>de<runba>", "30D1 30D5 30A3 30FC 0064 0065 30EB 30F3 30D0", "de-jg4avhby1noc0d"},
        {"(R) <sono><supiido><de>", "305D 306E 30B9 30D4 30FC 30C9 3067", "d9juau41awczczp"},
        {"(S) -> $1.00 <-", "002D 003E 0020 0024 0031 002E 0030 0030 0020 003C 002D", "-> $1.00 <--"},
    };

    @Test
    void punycodeKnownAnswersFromRfc3492() {
        for (String[] sample : RFC3492) {
            int[] cps = Arrays.stream(sample[1].split(" ")).mapToInt(h -> Integer.parseInt(h, 16)).toArray();
            // The RFC's strings carry mixed-case annotations (e.g. the D of (I)); the encoder writes digits in lower case.
            String encoded = DomainNames.Punycode.encode(cps);
            assertTrue(sample[2].equalsIgnoreCase(encoded), sample[0] + ": " + encoded);
            assertEquals(sample[2].toLowerCase(java.util.Locale.ROOT), encoded.toLowerCase(java.util.Locale.ROOT));
            assertArrayEquals(cps, DomainNames.Punycode.decode(sample[2]), sample[0]);
        }
    }
}
