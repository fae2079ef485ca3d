package dev.portcullis.internal.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A credential id as the key of the record cache: its UTF-8 bytes (ASCII for every id this
 * library makes) with their hash. A cache hit looks
 * up a {@linkplain #probe() probe} that points into the decoded request instead of a new string;
 * only keys that are stored ({@link #of}) own their bytes. Ids are public: nothing here is secret.
 */
final class KeyId {
    private byte[] bytes;
    private int from;
    private int length;
    private int hash;

    private KeyId() {
    }

    /** An immutable id, to store in a cache. */
    static KeyId of(String id) {
        KeyId k = new KeyId();
        byte[] b = id.getBytes(StandardCharsets.UTF_8); // lossless for any id a custom store may hold
        k.set(b, 0, b.length);
        return k;
    }

    /**
     * A reusable id for lookups only ({@code getIfPresent}, which keeps no reference to its key):
     * one per thread, re-pointed by {@link #set} for each request.
     */
    static KeyId probe() {
        return new KeyId();
    }

    KeyId set(byte[] b, int from, int length) {
        this.bytes = b;
        this.from = from;
        this.length = length;
        int h = 1;
        for (int i = from; i < from + length; i++) {
            h = 31 * h + b[i];
        }
        this.hash = h;
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyId k && k.length == length && k.hash == hash
                && Arrays.equals(bytes, from, from + length, k.bytes, k.from, k.from + length);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return new String(bytes, from, length, StandardCharsets.UTF_8);
    }
}
