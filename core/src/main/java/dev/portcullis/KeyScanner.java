package dev.portcullis;

import dev.portcullis.internal.crypto.Base62;

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
     * @param position index of the key's first character in the scanned text
     * @param keyId the public id (12 characters after the prefix)
     * @param checksumValid whether the key's checksum holds
     */
    public record Finding(int position, String keyId, boolean checksumValid) {}

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
        String lead = format.prefix() + "_";
        int len = format.tokenLength();
        int n = text.length();
        for (int i = 0; i + len <= n; i++) {
            if (!regionMatches(text, i, lead)) {
                continue;
            }
            if (i > 0 && isWordChar(text.charAt(i - 1))) {
                continue;
            }
            if (i + len < n && Base62.isBase62(text.charAt(i + len))) {
                continue;
            }
            KeyFormat.Parsed p = format.parse(text.subSequence(i, i + len));
            if (p.valid()) {
                found.add(new Finding(i, p.keyId(), true));
                i += len - 1;
            } else if (p.failure() == KeyFormat.Failure.CHECKSUM && includeBad) {
                int idAt = i + lead.length();
                found.add(new Finding(i, text.subSequence(idAt, idAt + KeyFormat.ID_LENGTH).toString(), false));
                i += len - 1;
            }
        }
        return found;
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
