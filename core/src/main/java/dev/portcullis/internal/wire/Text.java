package dev.portcullis.internal.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** Character-level helpers shared by the wire parsers. */
final class Text {
    private Text() {
    }

    /** Optional whitespace of RFC 9110 §5.6.3: SP and HTAB only. */
    static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    /**
     * Whether {@code s[from, to)} equals {@code lower} (lowercase ASCII letters) ignoring ASCII
     * case only. String.equalsIgnoreCase would also match look-alikes such as U+0130 (İ) for
     * {@code i} and the Kelvin sign for {@code k}.
     */
    static boolean equalsIgnoreCase(CharSequence s, int from, int to, String lower) {
        if (to - from != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            // |0x20 folds only A-Z onto a-z: no other char maps onto a lowercase letter.
            if ((s.charAt(from + i) | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** The text of {@code b[from, to)}, or {@code null} unless it is well-formed UTF-8. */
    static String utf8(byte[] b, int from, int to) {
        String s = new String(b, from, to - from, StandardCharsets.UTF_8);
        // That constructor turns malformed input into U+FFFD, so only text holding one needs the
        // strict decoder (which reports errors) to tell a genuine U+FFFD from a bad sequence.
        if (s.indexOf('\uFFFD') < 0) {
            return s;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b, from, to - from));
            return s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
