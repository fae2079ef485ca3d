package dev.portcullis.internal.wire;

import java.util.Arrays;

/**
 * Base64 (RFC 4648 §4) with no leniency: length a multiple of 4, only {@code A-Za-z0-9+/}, one
 * or two {@code =} only at the end, and the bits the padding leaves unused must be zero. So each
 * byte string has exactly one accepted spelling, the one {@link java.util.Base64} encodes.
 * {@code Base64.getDecoder()} accepts {@code QQ} and {@code QR==}; the MIME decoder skips
 * whitespace (checklist E24).
 */
final class StrictBase64 {
    private static final int[] VALUES = new int[128];

    static {
        Arrays.fill(VALUES, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = i;
        }
    }

    private StrictBase64() {
    }

    /**
     * The bytes {@code s[from, to)} encodes, or {@code null} if it is not strict base64. A length
     * that cannot be base64 is refused before anything is allocated.
     */
    static byte[] decode(String s, int from, int to) {
        int n = decodeInto(s, from, to, null); // validate first: a refusal allocates nothing
        if (n < 0) {
            return null;
        }
        byte[] out = new byte[n];
        decodeInto(s, from, to, out);
        return out;
    }

    /**
     * How many bytes {@code s[from, to)} decodes to, judged from its length and padding alone;
     * -1 if those already rule base64 out.
     */
    static int decodedLength(String s, int from, int to) {
        int length = to - from;
        if ((length & 3) != 0) {
            return -1;
        }
        return length / 4 * 3 - padding(s, from, to);
    }

    private static int padding(String s, int from, int to) {
        if (to - from < 4 || s.charAt(to - 1) != '=') {
            return 0;
        }
        return s.charAt(to - 2) == '=' ? 2 : 1;
    }

    /**
     * Decodes {@code s[from, to)} into {@code out} (at least {@link #decodedLength} long) in one
     * pass, with no branch on any character; returns the length, or -1 if it is not strict base64
     * (then {@code out} holds garbage). With {@code out == null} it only validates.
     */
    static int decodeInto(String s, int from, int to, byte[] out) {
        int n = decodedLength(s, from, to);
        if (n < 0) {
            return -1;
        }
        int pad = padding(s, from, to);
        int full = pad == 0 ? to : to - 4;
        int values = 0; // negative once some character is outside the alphabet
        int chars = 0; // >= 0x80 once some character is not ASCII
        int o = 0;
        int i = from;
        for (; i < full; i += 4) {
            char c0 = s.charAt(i);
            char c1 = s.charAt(i + 1);
            char c2 = s.charAt(i + 2);
            char c3 = s.charAt(i + 3);
            int v = VALUES[c0 & 0x7F] << 18 | VALUES[c1 & 0x7F] << 12 | VALUES[c2 & 0x7F] << 6 | VALUES[c3 & 0x7F];
            values |= v;
            chars |= c0 | c1 | c2 | c3;
            if (out != null) {
                out[o] = (byte) (v >> 16);
                out[o + 1] = (byte) (v >> 8);
                out[o + 2] = (byte) v;
            }
            o += 3;
        }
        int unused = 0;
        if (pad > 0) {
            char c0 = s.charAt(i);
            char c1 = s.charAt(i + 1);
            char c2 = pad == 1 ? s.charAt(i + 2) : 'A'; // 'A' is 0: stands in for the padded position
            int v1 = VALUES[c1 & 0x7F];
            int v2 = VALUES[c2 & 0x7F];
            int v = VALUES[c0 & 0x7F] << 18 | v1 << 12 | v2 << 6;
            values |= v;
            chars |= c0 | c1 | c2;
            // The bits the padding leaves unused must be zero: one spelling per byte string.
            unused = pad == 2 ? v1 & 0x0F : v2 & 0x03;
            if (out != null) {
                out[o] = (byte) (v >> 16);
                if (pad == 1) {
                    out[o + 1] = (byte) (v >> 8);
                }
            }
        }
        return values < 0 || chars >= 0x80 || unused != 0 ? -1 : n;
    }
}
