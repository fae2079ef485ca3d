package dev.portcullis;

import dev.portcullis.internal.crypto.Base62;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Finds keys of one native format in arbitrary text (logs, commits, pastes), for leak
 * response. A finding names where the key is and its public id, never its secret.
 *
 * <p>A candidate is the prefix and an underscore, not preceded by a letter, digit or
 * underscore, followed by exactly the format's 50 base62 characters and no further one. By
 * default only candidates whose checksum holds are reported, so random text yields no
 * findings (a random tail passes with probability 62<sup>-6</sup>); {@link #includingBadChecksums()}
 * reports near-misses too, marked as such.
 */
public final class KeyScanner {
    /**
     * One key found.
     *
     * @param position index of the key's first character in the scanned text or stream
     * @param keyId the public id (12 characters after the prefix)
     * @param checksumValid whether the key's checksum holds
     */
    public record Finding(long position, String keyId, boolean checksumValid) {}

    private final KeyFormat format;
    private final boolean includeBad;

    private KeyScanner(KeyFormat format, boolean includeBad) {
        this.format = format;
        this.includeBad = includeBad;
    }

    /**
     * @throws IllegalArgumentException for an imported format: opaque keys have no shape to find
     */
    public static KeyScanner forFormat(KeyFormat format) {
        Objects.requireNonNull(format, "format");
        if (format.isImported()) {
            throw new IllegalArgumentException("an imported key format has no shape a scanner can find");
        }
        return new KeyScanner(format, false);
    }

    /** A scanner that also reports well-shaped candidates whose checksum fails. */
    public KeyScanner includingBadChecksums() {
        return new KeyScanner(format, true);
    }

    public List<Finding> scan(CharSequence text) {
        Objects.requireNonNull(text, "text");
        List<Finding> found = new ArrayList<>();
        scan(text, 0, true, 0, found);
        return found;
    }

    /**
     * Scans a stream of any length in bounded memory (a chunk and one key's length). Positions
     * count chars from the start of the stream. The reader is read to its end, not closed.
     */
    public List<Finding> scan(Reader in) throws IOException {
        Objects.requireNonNull(in, "in");
        List<Finding> found = new ArrayList<>();
        StringBuilder window = new StringBuilder();
        char[] chunk = new char[8192];
        long base = 0;
        int next = 0;
        for (int n; (n = in.read(chunk)) != -1; ) {
            window.append(chunk, 0, n);
            next = scan(window, next, false, base, found);
            int drop = Math.max(0, next - 1); // keep one char before the next candidate: the boundary check needs it
            window.delete(0, drop);
            base += drop;
            next -= drop;
        }
        scan(window, next, true, base, found);
        return found;
    }

    /** Scans a UTF-8 text file; malformed bytes are read as U+FFFD, so a binary file scans too. */
    public List<Finding> scan(Path file) throws IOException {
        try (Reader r = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
            return scan(r);
        }
    }

    /**
     * Reports candidates starting at {@code from} or later that can be decided, and returns the first
     * start it could not decide yet (at the end of a window that more text may follow).
     */
    private int scan(CharSequence text, int from, boolean atEnd, long base, List<Finding> found) {
        String lead = format.prefix() + "_";
        int len = format.tokenLength();
        int n = text.length();
        int i = from;
        for (; i + len <= n; i++) {
            if (!atEnd && i + len == n) {
                break; // the char after the candidate is not here yet
            }
            if (!regionMatches(text, i, lead) || (i > 0 && isWordChar(text.charAt(i - 1)))
                    || (i + len < n && Base62.isBase62(text.charAt(i + len)))) {
                continue;
            }
            KeyFormat.Parsed p = format.parse(text.subSequence(i, i + len));
            if (p.valid()) {
                found.add(new Finding(base + i, p.keyId(), true));
                i += len - 1;
            } else if (p.failure() == KeyFormat.Failure.CHECKSUM && includeBad) {
                int idAt = i + lead.length();
                found.add(new Finding(base + i, text.subSequence(idAt, idAt + KeyFormat.ID_LENGTH).toString(), false));
                i += len - 1;
            }
        }
        return Math.min(i, Math.max(from, n - len));
    }

    private static boolean isWordChar(char c) {
        return c == '_' || Base62.isBase62(c);
    }

    private static boolean regionMatches(CharSequence text, int at, String s) {
        for (int k = 0; k < s.length(); k++) {
            if (text.charAt(at + k) != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "KeyScanner[" + format.prefix() + (includeBad ? ", including bad checksums]" : "]");
    }
}
