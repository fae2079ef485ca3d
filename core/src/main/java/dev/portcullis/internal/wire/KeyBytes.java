package dev.portcullis.internal.wire;

import java.util.Arrays;

/**
 * A reusable buffer that {@link AuthorizationParser#parse(String, KeyBytes)} decodes into, so a
 * request carrying an API key is parsed without allocating: the key is the ASCII bytes
 * {@code bytes()[from(), to())}. One per thread; {@link #wipe} after each use, because the
 * buffer then holds a secret.
 */
public final class KeyBytes {
    private byte[] bytes = new byte[128];
    private int from;
    private int to;
    private int used;

    /** A buffer of at least {@code n} bytes, to decode into; its old content is wiped. */
    byte[] buffer(int n) {
        wipe();
        if (bytes.length < n) {
            bytes = new byte[Math.max(n, bytes.length * 2)];
        }
        used = n;
        return bytes;
    }

    void key(int from, int to) {
        this.from = from;
        this.to = to;
    }

    public byte[] bytes() {
        return bytes;
    }

    public int from() {
        return from;
    }

    public int to() {
        return to;
    }

    /** Copies {@code s} into the buffer as the key, if it is all ASCII; returns whether it was. */
    public boolean setAscii(CharSequence s) {
        return setAscii(s, 0, s.length());
    }

    /** Copies {@code s[from, to)} into the buffer as the key; returns whether it was all ASCII. */
    boolean setAscii(CharSequence s, int from, int to) {
        byte[] b = buffer(to - from);
        int all = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            all |= c;
            b[i - from] = (byte) c;
        }
        key(0, to - from);
        return all < 0x80;
    }

    /**
     * Whether the key is all 0x20–0x7E, checked without a branch on any byte (they are a secret).
     * A key that is cannot fail the UTF-8 and control-character checks of a parse.
     */
    public boolean printableAscii() {
        int out = 0;
        for (int i = from; i < to; i++) {
            int c = bytes[i] & 0xFF;
            out |= (c - 0x20) | (0x7E - c);
        }
        return out >= 0;
    }

    /** Zeroes what the last use wrote. */
    public void wipe() {
        if (used > 0) {
            Arrays.fill(bytes, 0, used, (byte) 0);
            used = 0;
        }
        from = 0;
        to = 0;
    }

    @Override
    public String toString() {
        return "KeyBytes[redacted]";
    }
}
