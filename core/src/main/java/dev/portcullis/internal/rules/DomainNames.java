package dev.portcullis.internal.rules;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Canonical resource names, and with them domain names compared as IDNA2008 / UTS #46
 * non-transitional A-labels (issue 24, findings 4 and 10). Internal: {@link
 * dev.portcullis.Grant#canonicalResource} is the way in, after its ASCII fast path.
 *
 * <p>The rule, fail closed: a name is either accepted as exactly one A-label form, or refused
 * ({@code null}); nothing is silently dropped or folded into another name, and the result is a
 * fixed point ({@code canonical(canonical(x)).equals(canonical(x))}).
 *
 * <ul>
 *   <li><b>Labels.</b> Separated by {@code .}; in a name with non-ASCII text also by the ideographic
 *       and full-width full stops U+3002, U+FF0E, U+FF61 (UTS #46 maps them to {@code .}). One
 *       trailing separator is dropped; any other empty label (two trailing dots, a leading dot,
 *       {@code ..}) refuses the name.
 *   <li><b>ASCII names</b> keep the resource grammar: lower-cased, {@code a-z 0-9 - _ @ +} per
 *       label, at most 253 characters. A label starting {@code xn--} must be a valid A-label: its
 *       Punycode (RFC 3492) decodes, the U-label passes every check a typed U-label must pass
 *       (with no mapping: already NFC and lower case), and encodes back to the same text.
 *   <li><b>Names with non-ASCII text</b> are domain names: every ASCII label is LDH
 *       ({@code a-z 0-9 -}) with no hyphen first or last and none at positions 3 and 4 unless it
 *       is an A-label; every label is at most 63 octets in its A-label form.
 *   <li><b>A U-label</b> is lower-cased only where the case mapping is one code point to one and
 *       round-trips (so {@code Ü}→{@code ü}, {@code Σ}→{@code σ}, but never {@code ẞ}, {@code İ},
 *       Kelvin {@code K}: those are refused), then put in NFC. Each code point must then be one this
 *       class can decide is PVALID in IDNA2008 and valid in UTS #46: {@code ß}, {@code ς} and the
 *       other RFC 5892 PVALID exceptions as themselves (never {@code ss}, {@code σ}); otherwise a
 *       letter, mark or decimal digit (Ll, Lo, Lm, Mn, Mc, Nd) that NFKC and case folding leave as
 *       it is. Refused: default-ignorable code points (soft hyphen, ZWJ, ZWNJ, variation
 *       selectors, …: they would map to nothing), symbols and punctuation, unassigned code
 *       points (as of this JVM's Unicode), old Hangul jamo, the RFC 5892 DISALLOWED exceptions,
 *       Cherokee (its case folding goes to upper case, which the JDK cannot compute), the three
 *       code points whose category, bidi class or script changed after Unicode 13. A label
 *       must not start with a combining mark; the CONTEXTO rules of RFC 5892 appendix A hold;
 *       the CONTEXTJ characters (ZWJ, ZWNJ) are refused; a name with right-to-left text obeys the
 *       Bidi rule of RFC 5893 in every label.
 * </ul>
 */
public final class DomainNames {
    private DomainNames() {
    }

    public static final int MAX_NAME = 253;
    public static final int MAX_LABEL = 63;

    /** The canonical form of {@code name}, or {@code null}. Never throws. */
    public static String canonical(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
            return null;
        }
        boolean ascii = true;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        List<String> labels = split(name, !ascii);
        if (labels == null) {
            return null;
        }
        int n = labels.size();
        String[] out = new String[n];     // canonical A-label or ASCII label
        int[][] unicode = new int[n][];   // the label as code points (decoded, for an A-label)
        boolean bidi = false;
        for (int i = 0; i < n; i++) {
            String label = labels.get(i);
            String lower = asciiOnly(label) ? label.toLowerCase(Locale.ROOT) : null;
            if (lower != null && lower.startsWith("xn--")) {
                int[] u = aLabel(lower);
                if (u == null) {
                    return null;
                }
                out[i] = lower;
                unicode[i] = u;
            } else if (lower != null) {
                if (ascii ? !resourceLabel(lower) : !ldhLabel(lower)) {
                    return null;
                }
                out[i] = lower;
                unicode[i] = lower.codePoints().toArray();
            } else {
                int[] u = uLabel(label);
                String a = u == null ? null : Punycode.encode(u);
                if (a == null || a.length() + 4 > MAX_LABEL) {
                    return null;
                }
                out[i] = "xn--" + a;
                unicode[i] = u;
            }
            bidi |= hasRtl(unicode[i]);
        }
        if (bidi) {
            for (int[] u : unicode) {
                if (!bidiRule(u)) {
                    return null;
                }
            }
        }
        String result = String.join(".", out);
        return result.length() <= MAX_NAME ? result : null;
    }

    /** Labels, one trailing separator dropped; {@code null} if any label is empty. */
    private static List<String> split(String name, boolean wideDots) {
        List<String> labels = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || isDot(name.charAt(i), wideDots)) {
                labels.add(name.substring(start, i));
                start = i + 1;
            }
        }
        if (labels.size() > 1 && labels.get(labels.size() - 1).isEmpty()) {
            labels.remove(labels.size() - 1);
        }
        for (String l : labels) {
            if (l.isEmpty()) {
                return null;
            }
        }
        return labels;
    }

    private static boolean isDot(char c, boolean wideDots) {
        return c == '.' || wideDots && (c == '\u3002' || c == '\uFF0E' || c == '\uFF61');
    }

    private static boolean asciiOnly(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The resource grammar for a label of an ASCII name (lower case already): {@code a-z 0-9 - _ @ +}. */
    private static boolean resourceLabel(String l) {
        for (int i = 0; i < l.length(); i++) {
            char c = l.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '@' || c == '+')) {
                return false;
            }
        }
        return true;
    }

    /** An ASCII label of a domain name: LDH, hyphen rules, at most 63 octets (A-labels go to {@link #aLabel}). */
    private static boolean ldhLabel(String l) {
        if (l.length() > MAX_LABEL || !hyphensOk(l.codePoints().toArray())) {
            return false;
        }
        for (int i = 0; i < l.length(); i++) {
            char c = l.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * No hyphen first or last, none at positions 3 and 4 (reserved for {@code xn--} and the like),
     * counted in code points (RFC 5891) and in UTF-16 units (as ICU counts) alike.
     */
    private static boolean hyphensOk(int[] u) {
        if (u.length == 0 || u[0] == '-' || u[u.length - 1] == '-' || u.length >= 4 && u[2] == '-' && u[3] == '-') {
            return false;
        }
        String s = new String(u, 0, u.length);
        return !(s.length() >= 4 && s.charAt(2) == '-' && s.charAt(3) == '-');
    }

    /**
     * The U-label of the lower-case A-label {@code a} ({@code xn--…}), or {@code null} unless it
     * decodes, the U-label is valid as it is (no mapping: NFC, lower case), and it encodes back to {@code a}.
     */
    private static int[] aLabel(String a) {
        if (a.length() > MAX_LABEL) {
            return null;
        }
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return null;
            }
        }
        int[] u = Punycode.decode(a.substring(4));
        if (u == null || asciiOnly(u)) {
            return null;
        }
        for (int cp : u) {
            if (map(cp) != cp) {
                return null;
            }
        }
        String s = new String(u, 0, u.length);
        if (!Normalizer.isNormalized(s, Normalizer.Form.NFC) || !validULabel(u) || !a.substring(4).equals(Punycode.encode(u))) {
            return null;
        }
        return u;
    }

    private static boolean asciiOnly(int[] u) {
        for (int cp : u) {
            if (cp >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** A typed U-label (some non-ASCII) mapped (case, NFC) and checked, as code points; or {@code null}. */
    private static int[] uLabel(String label) {
        int[] cps = label.codePoints().toArray();
        StringBuilder mapped = new StringBuilder(label.length());
        for (int cp : cps) {
            int m = map(cp);
            if (m < 0) {
                return null;
            }
            mapped.appendCodePoint(m);
        }
        int[] u = Normalizer.normalize(mapped, Normalizer.Form.NFC).codePoints().toArray();
        for (int cp : u) {
            if (map(cp) != cp) { // NFC composed something that is not valid as it is
                return null;
            }
        }
        return validULabel(u) ? u : null;
    }

    /**
     * The code point a U-label holds for {@code cp}: itself if valid as it is; the lower case of an
     * upper-case letter when that is one code point, valid, and upper-cases back to {@code cp}; else -1.
     */
    private static int map(int cp) {
        if (cp < 0x80) {
            if (cp >= 'A' && cp <= 'Z') {
                return cp + ('a' - 'A');
            }
            return cp >= 'a' && cp <= 'z' || cp >= '0' && cp <= '9' || cp == '-' ? cp : -1;
        }
        if (validAsIs(cp)) {
            return cp;
        }
        int type = Character.getType(cp);
        if (type != Character.UPPERCASE_LETTER || cherokee(cp) || !nfkcStable(cp)) {
            return -1;
        }
        String s = new String(Character.toChars(cp));
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.codePointCount(0, lower.length()) != 1) {
            return -1;
        }
        int l = lower.codePointAt(0);
        return l >= 0x80 && validAsIs(l) && lower.toUpperCase(Locale.ROOT).equals(s) ? l : -1;
    }

    /**
     * Whether the non-ASCII code point {@code cp} may stand in a U-label as it is: PVALID in IDNA2008
     * (or CONTEXTO, checked per label) and valid in UTS #46, as far as the JDK's Unicode tables can
     * decide; anything undecidable is refused.
     */
    private static boolean validAsIs(int cp) {
        switch (cp) {
            // RFC 5892 2.6 exceptions, PVALID: sharp s, final sigma, two Arabic signs, Tibetan tsheg, ideographic zero.
            case 0x00DF, 0x03C2, 0x06FD, 0x06FE, 0x0F0B, 0x3007:
                return true;
            // CONTEXTO (their rules are checked per label): middle dot, keraia, geresh, gershayim, katakana middle dot.
            case 0x00B7, 0x0375, 0x05F3, 0x05F4, 0x30FB:
                return true;
            // RFC 5892 2.6 exceptions, DISALLOWED: tatweel, NKo lajanyalan, Hangul tone marks, vertical kana repeats.
            case 0x0640, 0x07FA, 0x302E, 0x302F, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303B:
                return false;
            // Dotless i: case folding leaves it alone, but the JDK's round trip through I cannot show that.
            case 0x0131:
                return true;
            // General category, bidi class or script changed after Unicode 13 (the JDK 17 floor): which rule applies
            // depends on the JDK's Unicode version, so undecidable here. Hanunoo pamudpod, Ahom medial ra, Old Chinese iteration mark.
            case 0x1734, 0x1171E, 0x16FE3:
                return false;
            default:
                break;
        }
        if (cp < 0x80 || defaultIgnorable(cp) || oldHangulJamo(cp) || ignorableBlock(cp) || cherokee(cp)) {
            return false;
        }
        switch (Character.getType(cp)) {
            case Character.LOWERCASE_LETTER, Character.OTHER_LETTER, Character.MODIFIER_LETTER,
                    Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER:
                break;
            default:
                return false; // upper/title case (mapped, not valid), symbols, punctuation, spaces, controls, unassigned
        }
        if (!nfkcStable(cp)) {
            return false;
        }
        String s = new String(Character.toChars(cp));
        // Case folding must leave it alone; full lower(upper(x)) stands in for the fold the JDK lacks.
        return s.toLowerCase(Locale.ROOT).equals(s) && s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT).equals(s);
    }

    private static boolean nfkcStable(int cp) {
        String s = new String(Character.toChars(cp));
        return Normalizer.isNormalized(s, Normalizer.Form.NFKC);
    }

    /** Default_Ignorable_Code_Point (DerivedCoreProperties.txt): code points that would map to nothing. */
    private static boolean defaultIgnorable(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160
                || cp == 0x17B4 || cp == 0x17B5 || cp >= 0x180B && cp <= 0x180F
                || cp >= 0x200B && cp <= 0x200F || cp >= 0x202A && cp <= 0x202E || cp >= 0x2060 && cp <= 0x206F
                || cp == 0x3164 || cp >= 0xFE00 && cp <= 0xFE0F || cp == 0xFEFF || cp == 0xFFA0
                || cp >= 0xFFF0 && cp <= 0xFFF8 || cp >= 0x1BCA0 && cp <= 0x1BCA3 || cp >= 0x1D173 && cp <= 0x1D17A
                || cp >= 0xE0000 && cp <= 0xE0FFF;
    }

    /** RFC 5892 2.9 OldHangulJamo: conjoining jamo, DISALLOWED (precomposed syllables are the valid form). */
    private static boolean oldHangulJamo(int cp) {
        return cp >= 0x1100 && cp <= 0x11FF || cp >= 0xA960 && cp <= 0xA97F || cp >= 0xD7B0 && cp <= 0xD7FF;
    }

    /** RFC 5892 2.8 IgnorableBlocks: combining marks for symbols, musical symbols, ancient Greek musical notation. */
    private static boolean ignorableBlock(int cp) {
        return cp >= 0x20D0 && cp <= 0x20FF || cp >= 0x1D100 && cp <= 0x1D24F;
    }

    /** Cherokee letters fold to upper case; without the fold table their status cannot be decided here. */
    private static boolean cherokee(int cp) {
        return cp >= 0x13A0 && cp <= 0x13FF || cp >= 0xAB70 && cp <= 0xABBF;
    }

    /** The per-label IDNA2008 rules on a U-label whose every code point maps to itself. */
    private static boolean validULabel(int[] u) {
        if (!hyphensOk(u)) {
            return false;
        }
        int first = Character.getType(u[0]);
        if (first == Character.NON_SPACING_MARK || first == Character.COMBINING_SPACING_MARK || first == Character.ENCLOSING_MARK) {
            return false;
        }
        boolean arabicIndic = false;
        boolean extendedArabicIndic = false;
        for (int i = 0; i < u.length; i++) {
            int cp = u[i];
            switch (cp) {
                case 0x00B7: // A.3 MIDDLE DOT: between two l
                    if (i == 0 || i == u.length - 1 || u[i - 1] != 'l' || u[i + 1] != 'l') {
                        return false;
                    }
                    break;
                case 0x0375: // A.4 GREEK KERAIA: followed by Greek
                    if (i == u.length - 1 || Character.UnicodeScript.of(u[i + 1]) != Character.UnicodeScript.GREEK) {
                        return false;
                    }
                    break;
                case 0x05F3, 0x05F4: // A.5, A.6 HEBREW GERESH, GERSHAYIM: preceded by Hebrew
                    if (i == 0 || Character.UnicodeScript.of(u[i - 1]) != Character.UnicodeScript.HEBREW) {
                        return false;
                    }
                    break;
                case 0x30FB: // A.7 KATAKANA MIDDLE DOT: some Hiragana, Katakana or Han in the label
                    if (!hasJapanese(u)) {
                        return false;
                    }
                    break;
                default:
                    arabicIndic |= cp >= 0x0660 && cp <= 0x0669; // A.8, A.9: the two Arabic digit sets never mix
                    extendedArabicIndic |= cp >= 0x06F0 && cp <= 0x06F9;
                    break;
            }
        }
        return !(arabicIndic && extendedArabicIndic);
    }

    private static boolean hasJapanese(int[] u) {
        for (int cp : u) {
            if (cp != 0x30FB) {
                Character.UnicodeScript s = Character.UnicodeScript.of(cp);
                if (s == Character.UnicodeScript.HIRAGANA || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HAN) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasRtl(int[] u) {
        for (int cp : u) {
            byte d = Character.getDirectionality(cp);
            if (d == Character.DIRECTIONALITY_RIGHT_TO_LEFT || d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC
                    || d == Character.DIRECTIONALITY_ARABIC_NUMBER) {
                return true;
            }
        }
        return false;
    }

    /** RFC 5893 section 2, its six conditions, for one label of a name with right-to-left text. */
    private static boolean bidiRule(int[] u) {
        byte first = Character.getDirectionality(u[0]);
        boolean rtl;
        if (first == Character.DIRECTIONALITY_LEFT_TO_RIGHT) {
            rtl = false;
        } else if (first == Character.DIRECTIONALITY_RIGHT_TO_LEFT || first == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC) {
            rtl = true;
        } else {
            return false; // 1
        }
        boolean en = false;
        boolean an = false;
        byte last = first;
        for (int cp : u) {
            byte d = Character.getDirectionality(cp);
            switch (d) {
                case Character.DIRECTIONALITY_EUROPEAN_NUMBER -> en = true;
                case Character.DIRECTIONALITY_ARABIC_NUMBER -> {
                    if (!rtl) {
                        return false; // 5
                    }
                    an = true;
                }
                case Character.DIRECTIONALITY_LEFT_TO_RIGHT -> {
                    if (rtl) {
                        return false; // 2
                    }
                }
                case Character.DIRECTIONALITY_RIGHT_TO_LEFT, Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC -> {
                    if (!rtl) {
                        return false; // 5
                    }
                }
                case Character.DIRECTIONALITY_EUROPEAN_NUMBER_SEPARATOR, Character.DIRECTIONALITY_COMMON_NUMBER_SEPARATOR,
                        Character.DIRECTIONALITY_EUROPEAN_NUMBER_TERMINATOR, Character.DIRECTIONALITY_OTHER_NEUTRALS,
                        Character.DIRECTIONALITY_BOUNDARY_NEUTRAL, Character.DIRECTIONALITY_NONSPACING_MARK -> {
                }
                default -> {
                    return false; // 2, 5: no other class in either
                }
            }
            if (d != Character.DIRECTIONALITY_NONSPACING_MARK) {
                last = d;
            }
        }
        if (rtl) {
            return !(en && an) // 4
                    && (last == Character.DIRECTIONALITY_RIGHT_TO_LEFT || last == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC
                    || last == Character.DIRECTIONALITY_EUROPEAN_NUMBER || last == Character.DIRECTIONALITY_ARABIC_NUMBER); // 3
        }
        return last == Character.DIRECTIONALITY_LEFT_TO_RIGHT || last == Character.DIRECTIONALITY_EUROPEAN_NUMBER; // 6
    }

    /** RFC 3492 Punycode with the IDNA parameters; {@code null} instead of an overflow or a bad digit. */
    public static final class Punycode {
        private Punycode() {
        }

        private static final int BASE = 36;
        private static final int TMIN = 1;
        private static final int TMAX = 26;
        private static final int SKEW = 38;
        private static final int DAMP = 700;
        private static final int INITIAL_BIAS = 72;
        private static final int INITIAL_N = 0x80;

        /** The encoding of {@code input} (code points), lower case, without {@code xn--}; or {@code null}. */
        public static String encode(int[] input) {
            int n = INITIAL_N;
            int delta = 0;
            int bias = INITIAL_BIAS;
            StringBuilder out = new StringBuilder();
            for (int c : input) {
                if (c < 0 || c > Character.MAX_CODE_POINT) {
                    return null;
                }
                if (c < 0x80) {
                    out.append((char) c);
                }
            }
            int b = out.length();
            int h = b;
            if (b > 0) {
                out.append('-');
            }
            while (h < input.length) {
                int m = Integer.MAX_VALUE;
                for (int c : input) {
                    if (c >= n && c < m) {
                        m = c;
                    }
                }
                if ((long) (m - n) * (h + 1) > Integer.MAX_VALUE - delta) {
                    return null;
                }
                delta += (m - n) * (h + 1);
                n = m;
                for (int c : input) {
                    if (c < n && ++delta == Integer.MIN_VALUE) {
                        return null;
                    }
                    if (c == n) {
                        int q = delta;
                        for (int k = BASE; ; k += BASE) {
                            int t = k <= bias ? TMIN : Math.min(k - bias, TMAX);
                            if (q < t) {
                                break;
                            }
                            out.append(digit(t + (q - t) % (BASE - t)));
                            q = (q - t) / (BASE - t);
                        }
                        out.append(digit(q));
                        bias = adapt(delta, h + 1, h == b);
                        delta = 0;
                        h++;
                    }
                }
                delta++;
                n++;
            }
            return out.toString();
        }

        /** The code points {@code s} (without {@code xn--}) encodes, or {@code null} if it is not Punycode. */
        public static int[] decode(String s) {
            int n = INITIAL_N;
            int i = 0;
            int bias = INITIAL_BIAS;
            int b = Math.max(s.lastIndexOf('-'), 0);
            int[] out = new int[s.length()];
            int len = 0;
            for (int j = 0; j < b; j++) {
                char c = s.charAt(j);
                if (c >= 0x80) {
                    return null;
                }
                out[len++] = c;
            }
            for (int in = b > 0 ? b + 1 : 0; in < s.length(); ) {
                int oldi = i;
                int w = 1;
                for (int k = BASE; ; k += BASE) {
                    if (in >= s.length()) {
                        return null;
                    }
                    int digit = digitValue(s.charAt(in++));
                    if (digit < 0 || digit > (Integer.MAX_VALUE - i) / w) {
                        return null;
                    }
                    i += digit * w;
                    int t = k <= bias ? TMIN : Math.min(k - bias, TMAX);
                    if (digit < t) {
                        break;
                    }
                    if ((long) w * (BASE - t) > Integer.MAX_VALUE) {
                        return null;
                    }
                    w *= BASE - t;
                }
                bias = adapt(i - oldi, len + 1, oldi == 0);
                if (i / (len + 1) > Integer.MAX_VALUE - n) {
                    return null;
                }
                n += i / (len + 1);
                i %= len + 1;
                if (n > Character.MAX_CODE_POINT || n >= Character.MIN_SURROGATE && n <= Character.MAX_SURROGATE) {
                    return null;
                }
                System.arraycopy(out, i, out, i + 1, len - i); // every code point costs at least one character of s
                out[i++] = n;
                len++;
            }
            return java.util.Arrays.copyOf(out, len);
        }

        private static int adapt(int delta, int numPoints, boolean first) {
            delta = first ? delta / DAMP : delta / 2;
            delta += delta / numPoints;
            int k = 0;
            while (delta > ((BASE - TMIN) * TMAX) / 2) {
                delta /= BASE - TMIN;
                k += BASE;
            }
            return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
        }

        private static char digit(int d) {
            return (char) (d < 26 ? 'a' + d : '0' + d - 26);
        }

        private static int digitValue(char c) {
            if (c >= 'a' && c <= 'z') {
                return c - 'a';
            }
            if (c >= 'A' && c <= 'Z') {
                return c - 'A';
            }
            return c >= '0' && c <= '9' ? c - '0' + 26 : -1;
        }
    }
}
