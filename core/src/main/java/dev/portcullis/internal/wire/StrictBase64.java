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
    private static final byte[] VALUES = new byte[128];

    static {
        Arrays.fill(VALUES, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
    }

    private StrictBase64() {
    }

    /**
     * The bytes {@code s[from, to)} encodes, or {@code null} if it is not strict base64. Invalid
     * input is refused before anything is allocated.
     */
    static byte[] decode(CharSequence s, int from, int to) {
        int length = to - from;
        if ((length & 3) != 0) {
            return null;
        }
        int pad = 0;
        if (length > 0 && s.charAt(to - 1) == '=') {
            pad = s.charAt(to - 2) == '=' ? 2 : 1;
        }
        int end = to - pad;
        for (int i = from; i < end; i++) {
            if (value(s.charAt(i)) < 0) {
                return null;
            }
        }
        int unusedBits = pad == 2 ? 0x0F : pad == 1 ? 0x03 : 0;
        if (pad > 0 && (VALUES[s.charAt(end - 1)] & unusedBits) != 0) {
            return null;
        }
        byte[] out = new byte[length / 4 * 3 - pad];
        int o = 0;
        int i = from;
        for (; i + 4 <= end; i += 4) {
            int n = VALUES[s.charAt(i)] << 18 | VALUES[s.charAt(i + 1)] << 12
                    | VALUES[s.charAt(i + 2)] << 6 | VALUES[s.charAt(i + 3)];
            out[o++] = (byte) (n >> 16);
            out[o++] = (byte) (n >> 8);
            out[o++] = (byte) n;
        }
        if (pad > 0) {
            int n = VALUES[s.charAt(i)] << 18 | VALUES[s.charAt(i + 1)] << 12
                    | (pad == 1 ? VALUES[s.charAt(i + 2)] << 6 : 0);
            out[o++] = (byte) (n >> 16);
            if (pad == 1) {
                out[o] = (byte) (n >> 8);
            }
        }
        return out;
    }

    private static int value(char c) {
        return c < 128 ? VALUES[c] : -1;
    }
}
