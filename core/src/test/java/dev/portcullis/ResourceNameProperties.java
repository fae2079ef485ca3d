package dev.portcullis;

import dev.portcullis.internal.rules.DomainNames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ibm.icu.text.IDNA;
import dev.portcullis.testing.Hostile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of {@link Grant#canonicalResource} (issue 24, findings 4 and 10): never throws; the
 * result is {@code null} or ASCII and a fixed point; and where it accepts a non-ASCII name, ICU4J's
 * UTS #46 non-transitional toASCII (test scope only: the oracle, never in core's runtime) gives the
 * same A-labels without errors. Ours may refuse more than ICU, never differ.
 */
class ResourceNameProperties {
    /** UTS #46 non-transitional, STD3 ASCII rules, Bidi, CONTEXTJ and CONTEXTO: the strictest ICU offers. */
    static final IDNA UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.NONTRANSITIONAL_TO_UNICODE
            | IDNA.USE_STD3_RULES | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ | IDNA.CHECK_CONTEXTO);

    /** ICU's A-label form of {@code name}, one trailing dot dropped; or an error text (never equal to a name). */
    static String icu(String name) {
        StringBuilder out = new StringBuilder();
        IDNA.Info info = new IDNA.Info();
        UTS46.nameToASCII(name, out, info);
        if (info.hasErrors()) {
            return "ICU errors " + info.getErrors();
        }
        String r = out.toString();
        return r.endsWith(".") ? r.substring(0, r.length() - 1) : r;
    }

    /**
     * What names are made of: ASCII of every kind (letters of both cases, digits, hyphen, the resource
     * extras {@code _ @ +}, space), dots of every kind, Latin-1 and Latin Extended (ß and ẞ, dotted and
     * dotless i), Greek with both sigmas, Cyrillic, CJK and kana, Hangul syllables and conjoining jamo,
     * Hebrew, Arabic and both sets of Arabic digits, Devanagari, combining marks, the CONTEXTO
     * characters, default-ignorables (soft hyphen, ZWJ, ZWNJ, variation selectors, tags), look-alikes
     * (full-width letters, Kelvin sign, ohm sign), case traps (long s, micro sign, ypogegrammeni),
     * Cherokee, emoji, private use and unassigned code points.
     */
    static final int[] PIECES = (
            "abcdefxyzABCXYZ0129-_@+ ."
            + "\u3002\uFF0E\uFF61\uFE52"
            + "\u00E9\u00C9\u00FC\u00DC\u00F1\u00E0\u00DF\u1E9E\u0130\u0131\u0069\u0049\u0142\u00F8"
            + "\u03B1\u0391\u03C3\u03C2\u03A3\u03BF\u039F\u03C6\u03A6\u0390\u1F80\u1F88\u0345"
            + "\u0430\u0410\u0435\u043E\u0440\u0441\u0451"
            + "\u4E2D\u6587\u56FD\u4F8B\u3048\u30C6\u30B9\u30C8\u3042\u30A2\u3005\u3007"
            + "\uAC00\uD55C\u1100\u1161\u11A8\u3164"
            + "\u05D0\u05D1\u05D2\u05B0\u05F3\u05F4\u0627\u0644\u0628\u064B\u0660\u0661\u06F0\u06F1\u0640\u06FD"
            + "\u0915\u094D\u0937\u093F"
            + "\u0301\u0308\u0327\u0300\u0340"
            + "\u00B7\u0375\u30FB\u0F0B"
            + "\u00AD\u200B\u200C\u200D\u2060\uFEFF\uFE00\uFE0F\u034F\u180B\u061C\u202E"
            + "\uFF21\uFF41\uFF10\u212A\u2126\u017F\u00B5\u00AA\u00B2\u2160\u2460"
            + "\u13A0\uAB70\u01C5\u01C6\uFB01"
            + "\u2665\u00A0\u0009\u007F\u0000"
    ).codePoints().toArray();

    private static final int[] SUPPLEMENTARY = {0xE0100, 0xE01EF, 0xE0041, 0x1D400, 0x10400, 0x10428, 0x1F600, 0x20000,
            0x1734, 0x1171E, 0x16FE3, 0xF0000, 0x1FFFF, 0x10FFFF};

    private static Arbitrary<Integer> codePoint() {
        return Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.of(Arrays.stream(PIECES).boxed().toList())),
                Tuple.of(1, Arbitraries.of(Arrays.stream(SUPPLEMENTARY).boxed().toList())),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0x2FFFF)),
                Tuple.of(1, Arbitraries.integers().between(0, Character.MAX_CODE_POINT)));
    }

    private static String text(List<Integer> cps) {
        StringBuilder b = new StringBuilder();
        for (int cp : cps) {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                b.append((char) cp); // a lone surrogate: hostile input too
            } else {
                b.appendCodePoint(cp);
            }
        }
        return b.toString();
    }

    /** Names that are, or nearly are, valid: labels of 1-12 code points, joined by one of the four full stops. */
    private static Arbitrary<String> labelled() {
        Arbitrary<String> label = codePoint().list().ofMinSize(1).ofMaxSize(12).map(ResourceNameProperties::text);
        return Combinators.combine(label.list().ofMinSize(1).ofMaxSize(4), Arbitraries.of(".", "\u3002", "\uFF0E", "\uFF61"),
                Arbitraries.of("", "", "", ".", "\u3002", "..", ".\u3002"))
                .as((labels, dot, tail) -> String.join(dot, labels) + tail);
    }

    static final List<String> SEEDS = List.of("faß.de", "fass.de", "xn--fa-hia.de", "bücher.example", "BÜCHER.example.",
            "σοφος.gr", "ΣΟΦΟΣ.gr", "中文。中国", "例え.テスト", "\u05D0\u05D1.com", "\u0645\u062B\u0627\u0644.\u0625\u062E\u062A\u0628\u0627\u0631",
            "l\u00B7l.cat", "\u30A2\u30FB\u30A2.jp", "xn--bcher-kva.example", "user@example.com", "a.example.com..",
            "example.com\u3002", "\uD55C\uAD6D.kr", "\u0915\u094D\u0937.in", "ı.tr", "e\u0301.fr");

    /** A seed name, then up to four insertions, replacements, deletions or case changes. */
    private static Arbitrary<String> mutatedSeeds() {
        Arbitrary<Tuple.Tuple3<Integer, Integer, Integer>> edit = Combinators.combine(
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 64), codePoint()).as(Tuple::of);
        return Combinators.combine(Arbitraries.of(SEEDS), edit.list().ofMaxSize(4)).as((seed, edits) -> {
            List<Integer> cps = new ArrayList<>();
            seed.codePoints().forEach(cps::add);
            for (Tuple.Tuple3<Integer, Integer, Integer> e : edits) {
                int at = cps.isEmpty() ? 0 : e.get2() % (cps.size() + 1);
                switch (e.get1()) {
                    case 0 -> cps.add(at, e.get3());
                    case 1 -> {
                        if (at < cps.size()) {
                            cps.set(at, e.get3());
                        }
                    }
                    case 2 -> {
                        if (at < cps.size()) {
                            cps.remove(at);
                        }
                    }
                    default -> {
                        if (at < cps.size()) {
                            cps.set(at, Character.toUpperCase(cps.get(at)));
                        }
                    }
                }
            }
            return text(cps);
        });
    }

    @Provide
    static Arbitrary<String> names() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, codePoint().list().ofMaxSize(40).map(ResourceNameProperties::text)),
                Tuple.of(4, labelled()),
                Tuple.of(4, mutatedSeeds()),
                Tuple.of(1, Hostile.strings()));
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    @Property(tries = 20_000)
    @Label("issue 24 finding 10: canonicalResource never throws, and its result is null or an ASCII fixed point")
    void canonicalisationIsIdempotent(@ForAll("names") String name) {
        String once = Grant.canonicalResource(name);
        if (once != null) {
            assertTrue(ascii(once), () -> name + " -> " + once);
            assertEquals(once, Grant.canonicalResource(once), () -> "not a fixed point: " + name + " -> " + once);
            assertEquals(once, DomainNames.canonical(once), "the fast path and the full rule agree");
        }
    }

    @Property(tries = 20_000)
    @Label("issue 24 finding 4: an accepted non-ASCII name has exactly ICU's UTS 46 non-transitional A-labels")
    void acceptedUnicodeAgreesWithIcu(@ForAll("names") String name) {
        String ours = Grant.canonicalResource(name);
        if (ours != null && !ascii(name)) {
            assertEquals(icu(name), ours, () -> escaped(name));
        }
        Statistics.label("names").collect(ascii(name) ? "ASCII" : ours != null ? "non-ASCII accepted" : "non-ASCII refused");
        Statistics.label("names").coverage(c -> c.check("non-ASCII accepted").percentage(p -> p >= 10.0));
    }

    /** Random code points (weighted to the pieces above) as one label: no surrogates, no full stops, ASCII only letters and digits. */
    @Provide
    static Arbitrary<int[]> labels() {
        return codePoint().filter(cp -> (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
                        && (cp >= 0x80 ? cp != 0x3002 && cp != 0xFF0E && cp != 0xFF61 : Character.isLetterOrDigit(cp)))
                .list().ofMinSize(1).ofMaxSize(16).map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    @Property(tries = 5_000)
    @Label("RFC 3492: Punycode decodes what it encodes")
    void punycodeRoundTrips(@ForAll("labels") int[] cps) {
        String encoded = DomainNames.Punycode.encode(cps);
        assertArrayEquals(cps, DomainNames.Punycode.decode(encoded), encoded);
    }

    @Property(tries = 10_000)
    @Label("an xn-- label is accepted only as ICU accepts it, and its U-label typed directly gives it back")
    void aLabelsAreCheckedAsTheirULabels(@ForAll("labels") int[] cps) {
        String a = "xn--" + DomainNames.Punycode.encode(cps);
        String name = (cps.length % 2 == 0 ? a.toUpperCase(java.util.Locale.ROOT) : a) + ".example";
        String ours = Grant.canonicalResource(name);
        if (ours != null) {
            assertEquals(icu(name), ours, name);
            String typed = new String(cps, 0, cps.length) + ".example";
            assertEquals(ours, Grant.canonicalResource(typed), () -> escaped(typed));
        }
    }

    @Property(tries = 5_000)
    @Label("random Punycode digits after xn-- never throw, and what is accepted ICU accepts alike")
    void randomPunycodeDigits(@ForAll("punycodeDigits") String digits) {
        String name = "xn--" + digits;
        String ours = Grant.canonicalResource(name);
        if (ours != null) {
            assertEquals(icu(name), ours, name);
        }
    }

    @Provide
    static Arbitrary<String> punycodeDigits() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-").ofMinLength(1).ofMaxLength(20);
    }

    /**
     * Every code point, alone and in contexts (after a Latin letter, before and after right-to-left
     * letters, next to hyphens): where ours accepts, ICU gives the same. Exhaustive, so each single
     * code point's status (valid, mapped by case, refused) is checked against UTS #46 once.
     */
    @Example
    @Label("every code point: where ours accepts, ICU's UTS 46 non-transitional toASCII gives the same")
    void everyCodePointAgreesWithIcuWhereAccepted() {
        String[] contexts = {"%s", "a%s.de", "%sb.de", "\u05D0%s.com", "\u0627%s", "%s\u05D0", "x-%s-y", "\u4E2D%s\u3002de"};
        int accepted = 0;
        for (int cp = 0x80; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp == Character.MIN_SURROGATE) {
                cp = Character.MAX_SURROGATE + 1;
            }
            String c = new String(Character.toChars(cp));
            for (String context : contexts) {
                String name = context.replace("%s", c);
                String ours = Grant.canonicalResource(name);
                if (ours != null) {
                    accepted++;
                    assertEquals(icu(name), ours, () -> escaped(name));
                }
            }
        }
        assertTrue(accepted > 500_000, "most letters of most scripts are accepted: " + accepted);
    }

    private static String escaped(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> b.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\u{%X}", c)));
        return b.toString();
    }
}
