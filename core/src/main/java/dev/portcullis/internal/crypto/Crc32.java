package dev.portcullis.internal.crypto;

/**
 * CRC-32 (IEEE, as {@link java.util.zip.CRC32}) over the low byte of each char. Callers pass
 * ASCII only; working on chars directly lets the hot path check a token without copying it.
 */
public final class Crc32 {
    private static final int[] TABLE = new int[256];

    static {
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
            }
            TABLE[n] = c;
        }
    }

    private Crc32() {}

    public static long of(CharSequence s, int from, int to) {
        int crc = 0xFFFFFFFF;
        for (int i = from; i < to; i++) {
            crc = TABLE[(crc ^ s.charAt(i)) & 0xFF] ^ (crc >>> 8);
        }
        return ~crc & 0xFFFFFFFFL;
    }
}
