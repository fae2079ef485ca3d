package dev.portcullis;

import dev.portcullis.internal.crypto.Base62;
import dev.portcullis.internal.crypto.Crc32;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * The shape of an API key, checked offline before any cache or store is touched.
 *
 * <p>A native key is {@code {prefix}_{id}{secret}{check}}: {@code id} is 12 base62 characters
 * (random, public, loggable), {@code secret} 32 (about 190 bits from {@link SecureRandom}) and
 * {@code check} 6: the CRC32 of the ASCII bytes of {@code {prefix}_{id}{secret}} in base62,
 * left-padded with {@code 0}. The alphabet is {@code 0-9A-Za-z}. The checksum only rejects
 * typos and garbage and lets scanners find leaked keys; it is never authentication.
 *
 * <p>An {@linkplain #imported(Pattern) imported} format accepts opaque keys issued by another
 * system; their ids are derived from the token with the configured pepper.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class KeyFormat {
    /** The grammar of a prefix: {@code [a-z][a-z0-9]{0,15}(_[a-z0-9]{1,8})?}, e.g. {@code pc}, {@code mg_live}. */
    public static final Pattern PREFIX_GRAMMAR = Pattern.compile("[a-z][a-z0-9]{0,15}(_[a-z0-9]{1,8})?");
    public static final int ID_LENGTH = 12;
    public static final int SECRET_LENGTH = 32;
    public static final int CHECK_LENGTH = 6;
    /** Longest token an imported format considers; longer input fails with {@link Failure#LENGTH}. */
    public static final int MAX_IMPORTED_LENGTH = 512;

    private static final int BODY_LENGTH = ID_LENGTH + SECRET_LENGTH + CHECK_LENGTH;

    /** Why a string is not a key of this format. Safe to log: it never carries the input. */
    public enum Failure {
        /** It does not start with this format's prefix and an underscore. */
        PREFIX,
        /** The right prefix, the wrong length. */
        LENGTH,
        /** A character outside {@code 0-9A-Za-z} (or, for imported keys, outside printable ASCII). */
        ALPHABET,
        /** The checksum does not match: a typo, a truncation, or a forgery attempt. */
        CHECKSUM,
        /** An imported key that does not match the configured pattern. */
        PATTERN
    }

    private final String prefix;
    private final Pattern importPattern;
    private final SecureRandom random;

    private KeyFormat(String prefix, Pattern importPattern) {
        this.prefix = prefix;
        this.importPattern = importPattern;
        this.random = prefix == null ? null : new SecureRandom();
    }

    /**
     * The native format with this prefix.
     *
     * @throws IllegalArgumentException if the prefix does not match {@link #PREFIX_GRAMMAR}
     */
    public static KeyFormat withPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!PREFIX_GRAMMAR.matcher(prefix).matches()) {
            throw new IllegalArgumentException(
                    "key prefix must match " + PREFIX_GRAMMAR.pattern() + ", got \"" + prefix + "\"");
        }
        return new KeyFormat(prefix, null);
    }

    /**
     * A format for opaque keys from another system: a token is accepted if it is printable
     * ASCII, at most {@value #MAX_IMPORTED_LENGTH} characters, and matches {@code pattern} whole.
     * Such keys carry no id; the {@code Portcullis} root derives one from a pepper, so it refuses
     * an imported format without one.
     */
    public static KeyFormat imported(Pattern pattern) {
        return new KeyFormat(null, Objects.requireNonNull(pattern, "pattern"));
    }

    /** The prefix of a native format; {@code null} for an imported one. */
    public @Nullable String prefix() {
        return prefix;
    }

    public boolean isImported() {
        return prefix == null;
    }

    /** Length of every native token of this format. */
    int tokenLength() {
        return prefix.length() + 1 + BODY_LENGTH;
    }

    /**
     * Checks {@code token} against this format. Never throws for any non-null input, however
     * long or odd; the cost is bounded by the format's length, not the input's.
     */
    public Parsed parse(CharSequence token) {
        Objects.requireNonNull(token, "token");
        if (prefix == null) {
            return parseImported(token);
        }
        int p = prefix.length();
        if (token.length() <= p || token.charAt(p) != '_' || !startsWithPrefix(token)) {
            return Parsed.PREFIX;
        }
        if (token.length() != p + 1 + BODY_LENGTH) {
            return Parsed.LENGTH;
        }
        int body = p + 1;
        for (int i = body; i < token.length(); i++) {
            if (!Base62.isBase62(token.charAt(i))) {
                return Parsed.ALPHABET;
            }
        }
        int checkAt = body + ID_LENGTH + SECRET_LENGTH;
        if (Crc32.of(token, 0, checkAt) != Base62.decode(token, checkAt, CHECK_LENGTH)) {
            return Parsed.CHECKSUM;
        }
        return new Parsed(null, token.subSequence(body, body + ID_LENGTH).toString());
    }

    /**
     * {@link #parse} of a native format over the ASCII bytes {@code b[from, to)}: the same
     * verdict as on the same text, but nothing allocated; {@code null} if the token is valid.
     */
    Failure check(byte[] b, int from, int to) {
        int p = prefix.length();
        int n = to - from;
        if (n <= p || b[from + p] != '_' || !startsWithPrefix(b, from)) {
            return Failure.PREFIX;
        }
        if (n != p + 1 + BODY_LENGTH) {
            return Failure.LENGTH;
        }
        int body = from + p + 1;
        if (!Base62.isBase62(b, body, to)) {
            return Failure.ALPHABET;
        }
        int checkAt = body + ID_LENGTH + SECRET_LENGTH;
        CRC32 crc = new CRC32(); // the JDK's, an intrinsic over bytes; the same sum as Crc32 over chars
        crc.update(b, from, checkAt - from);
        return crc.getValue() != Base62.decode(b, checkAt, CHECK_LENGTH) ? Failure.CHECKSUM : null;
    }

    /** Where the key id starts in a native token: after the prefix and its underscore. */
    int idOffset() {
        return prefix.length() + 1;
    }

    private boolean startsWithPrefix(byte[] b, int from) {
        for (int i = 0; i < prefix.length(); i++) {
            if (b[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean startsWithPrefix(CharSequence token) {
        for (int i = 0; i < prefix.length(); i++) {
            if (token.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private Parsed parseImported(CharSequence token) {
        if (token.length() == 0 || token.length() > MAX_IMPORTED_LENGTH) {
            return Parsed.LENGTH;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return Parsed.ALPHABET;
            }
        }
        return importPattern.matcher(token).matches() ? Parsed.IMPORTED : Parsed.PATTERN;
    }

    /**
     * A new random token of this native format. Only {@code KeyManager} needs this; the token is
     * a secret and belongs in nothing but the one response that hands it to its owner.
     *
     * @throws IllegalStateException for an imported format, which Portcullis never generates
     */
    public String newToken() {
        if (prefix == null) {
            throw new IllegalStateException("an imported key format cannot generate keys");
        }
        StringBuilder sb = new StringBuilder(tokenLength());
        sb.append(prefix).append('_');
        Base62.random(random, sb, ID_LENGTH + SECRET_LENGTH);
        sb.append(Base62.fixedWidth(Crc32.of(sb, 0, sb.length()), CHECK_LENGTH));
        return sb.toString();
    }

    /** How a key of this format is shown after creation: {@code pc_0123456789ab…}, never more. */
    public String display(String keyId) {
        return (prefix == null ? "imported:" : prefix + "_") + keyId + "…";
    }

    @Override
    public String toString() {
        return prefix == null ? "KeyFormat[imported " + importPattern.pattern() + "]" : "KeyFormat[" + prefix + "]";
    }

    /** The outcome of {@link #parse}: either a failure, or a well-formed token and its public id. */
    public static final class Parsed {
        static final Parsed PREFIX = new Parsed(Failure.PREFIX, null);
        static final Parsed LENGTH = new Parsed(Failure.LENGTH, null);
        static final Parsed ALPHABET = new Parsed(Failure.ALPHABET, null);
        static final Parsed CHECKSUM = new Parsed(Failure.CHECKSUM, null);
        static final Parsed PATTERN = new Parsed(Failure.PATTERN, null);
        static final Parsed IMPORTED = new Parsed(null, null);

        private final Failure failure;
        private final String keyId;

        private Parsed(Failure failure, String keyId) {
            this.failure = failure;
            this.keyId = keyId;
        }

        public boolean valid() {
            return failure == null;
        }

        /** Why the token was refused; {@code null} if it is {@link #valid()}. */
        public @Nullable Failure failure() {
            return failure;
        }

        /**
         * The public key id of a valid native token; {@code null} for a failure and for an
         * imported token, whose id depends on the pepper.
         */
        public @Nullable String keyId() {
            return keyId;
        }

        @Override
        public String toString() {
            return failure != null ? "Parsed[" + failure + "]" : "Parsed[valid, id=" + keyId + "]";
        }
    }
}
