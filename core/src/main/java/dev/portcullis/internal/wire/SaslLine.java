package dev.portcullis.internal.wire;

import java.util.Base64;

/**
 * One client line of an SMTP AUTH exchange (RFC 4954 §4), without its CRLF: {@code *} cancels,
 * {@code =} (or an empty line) is an empty response, anything else must be strict base64.
 */
public final class SaslLine {
    /** The longest line accepted, in octets; RFC 4954 calls 12288 "sufficient", Postfix's minimum. */
    public static final int MAX_LENGTH = 12288;

    private SaslLine() {
    }

    /**
     * Decodes a client line. A line of more than {@value #MAX_LENGTH} chars is {@code TOO_LONG}
     * (500 5.5.6) before any decoding; a shorter one of more octets holds non-ASCII and so is
     * {@code MALFORMED} (501 5.5.2), as is {@code null}.
     */
    public static Decoded decode(String line) {
        if (line == null) {
            return Decoded.MALFORMED;
        }
        if (line.length() > MAX_LENGTH) {
            return Decoded.TOO_LONG;
        }
        if (line.isEmpty() || line.equals("=")) {
            return Decoded.EMPTY;
        }
        if (line.equals("*")) {
            return Decoded.CANCEL;
        }
        byte[] data = StrictBase64.decode(line, 0, line.length());
        return data == null ? Decoded.MALFORMED : new Decoded(Decoded.Kind.DATA, data);
    }

    /** The text of a {@code 334} challenge carrying {@code data}; empty data gives "" ({@code 334 }). */
    public static String encode(byte[] data) {
        return Base64.getEncoder().encodeToString(data);
    }

    /** A decoded line. The data may be a secret: identity equality, and no content in {@code toString}. */
    public static final class Decoded {
        public enum Kind { CANCEL, EMPTY, DATA, TOO_LONG, MALFORMED }

        static final Decoded CANCEL = new Decoded(Kind.CANCEL, null);
        static final Decoded EMPTY = new Decoded(Kind.EMPTY, new byte[0]);
        static final Decoded TOO_LONG = new Decoded(Kind.TOO_LONG, null);
        static final Decoded MALFORMED = new Decoded(Kind.MALFORMED, null);

        private final Kind kind;
        private final byte[] data;

        private Decoded(Kind kind, byte[] data) {
            this.kind = kind;
            this.data = data;
        }

        public Kind kind() {
            return kind;
        }

        /**
         * The decoded bytes for {@code DATA}, an empty array for {@code EMPTY}, otherwise
         * {@code null}. Not a copy: read it, do not change it.
         */
        public byte[] data() {
            return data;
        }

        @Override
        public String toString() {
            return "Decoded[" + kind + "]";
        }
    }
}
