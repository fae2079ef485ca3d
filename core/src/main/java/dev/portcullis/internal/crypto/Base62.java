package dev.portcullis.internal.crypto;

import java.security.SecureRandom;

/** The base62 alphabet {@code 0-9A-Za-z} used by the key format. */
public final class Base62 {
    public static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static final byte[] VALUE = new byte[128];

    static {
        java.util.Arrays.fill(VALUE, (byte) -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            VALUE[ALPHABET.charAt(i)] = (byte) i;
        }
    }

    private Base62() {}

    /** The digit value of {@code c}, or -1 if it is not a base62 character. */
    public static int value(char c) {
        return c < 128 ? VALUE[c] : -1;
    }

    public static boolean isBase62(char c) {
        return value(c) >= 0;
    }

    /** Whether every byte of {@code b[from, to)} is base62, without a branch on any of them. */
    public static boolean isBase62(byte[] b, int from, int to) {
        int out = 0;
        for (int i = from; i < to; i++) {
            out |= VALUE[b[i] & 0x7F] | b[i]; // negative for a byte outside the alphabet or above 0x7F
        }
        return out >= 0;
    }

    /** Decodes {@code len} base62 digits of {@code b} at {@code from}; -1 if one is not base62. */
    public static long decode(byte[] b, int from, int len) {
        long v = 0;
        for (int i = from; i < from + len; i++) {
            int d = b[i] < 0 ? -1 : VALUE[b[i]];
            if (d < 0) {
                return -1;
            }
            v = v * 62 + d;
        }
        return v;
    }

    /** {@code n} uniformly random base62 characters. */
    public static void random(SecureRandom random, StringBuilder out, int n) {
        for (int i = 0; i < n; i++) {
            out.append(ALPHABET.charAt(random.nextInt(62)));
        }
    }

    /** {@code value} (unsigned) in exactly {@code width} base62 digits, left-padded with '0'. */
    public static String fixedWidth(long value, int width) {
        char[] out = new char[width];
        long v = value;
        for (int i = width - 1; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) Long.remainderUnsigned(v, 62));
            v = Long.divideUnsigned(v, 62);
        }
        if (v != 0) {
            throw new IllegalArgumentException("value does not fit in " + width + " base62 digits");
        }
        return new String(out);
    }

    /** Decodes {@code len} base62 digits of {@code s} at {@code from}; -1 if one is not base62. */
    public static long decode(CharSequence s, int from, int len) {
        long v = 0;
        for (int i = from; i < from + len; i++) {
            int d = value(s.charAt(i));
            if (d < 0) {
                return -1;
            }
            v = v * 62 + d;
        }
        return v;
    }
}
