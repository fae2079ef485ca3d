package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.testing.FuzzInput;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Fuzz targets for the token format and the leak scanner (DESIGN §2 Identify; checklist L61-L63).
 * Oracles: {@link KeyFormat#parse} agrees with a reference written from the DESIGN text (using the
 * JDK's own CRC32), never throws; {@link KeyScanner} reports exactly the well-bounded valid keys a
 * brute-force reference finds, with the same answer on a string and on a stream read in ragged
 * chunks.
 */
class KeyFormatFuzzTest {
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final List<KeyFormat> NATIVE = List.of(KeyFormat.withPrefix("kat"), KeyFormat.withPrefix("kat_live"));
    private static final KeyFormat IMPORTED = KeyFormat.imported(Pattern.compile("kat-legacy-[0-9a-f]{32}"));

    /** Each field is a presented token, checked against two native formats and an imported one. */
    @FuzzTest(maxDuration = "60s")
    void tokens(byte[] data) {
        for (String token : FuzzInput.texts(data)) {
            if (token == null) {
                continue;
            }
            for (KeyFormat f : NATIVE) {
                KeyFormat.Parsed p = f.parse(token);
                assertNotNull(p);
                KeyFormat.Failure expected = reference(f.prefix(), token);
                assertEquals(expected, p.failure(), () -> f + " on " + token);
                assertEquals(expected == null ? token.substring(f.prefix().length() + 1, f.prefix().length() + 13) : null,
                        p.keyId());
                assertTrue(p.toString().startsWith("Parsed["));
            }
            KeyFormat.Parsed imported = IMPORTED.parse(token);
            KeyFormat.Failure expected = token.isEmpty() || token.length() > KeyFormat.MAX_IMPORTED_LENGTH ? KeyFormat.Failure.LENGTH
                    : !token.chars().allMatch(c -> c > 0x20 && c < 0x7F) ? KeyFormat.Failure.ALPHABET
                    : token.matches("kat-legacy-[0-9a-f]{32}") ? null : KeyFormat.Failure.PATTERN;
            assertEquals(expected, imported.failure());
            assertNull(imported.keyId(), "an imported token's id depends on the pepper");
        }
    }

    /** The whole input is text to scan for leaked keys. */
    @FuzzTest(maxDuration = "60s")
    void scans(byte[] data) throws IOException {
        String text = FuzzInput.utf8(FuzzInput.replace(data, "{K}", "kat_"));
        for (KeyFormat f : NATIVE) {
            for (boolean bad : new boolean[] {false, true}) {
                KeyScanner scanner = bad ? KeyScanner.forFormat(f).includingBadChecksums() : KeyScanner.forFormat(f);
                List<KeyScanner.Finding> expected = referenceScan(f, text, bad);
                assertEquals(expected, scanner.scan(text), "scan(CharSequence)");
                assertEquals(expected, scanner.scan(new StringReader(text)), "scan(Reader)");
                int chunk = 1 + (data.length == 0 ? 0 : (data[0] & 0x3F));
                assertEquals(expected, scanner.scan(new Ragged(text, chunk)), "scan(Reader) in chunks of " + chunk);
            }
        }
    }

    /** DESIGN §2: {@code {prefix}_{id}{secret}{check}}, 12 + 32 + 6 base62, check = CRC32 in base62. */
    static KeyFormat.Failure reference(String prefix, String token) {
        if (!token.startsWith(prefix + "_")) {
            return KeyFormat.Failure.PREFIX;
        }
        String body = token.substring(prefix.length() + 1);
        if (body.length() != 50) {
            return KeyFormat.Failure.LENGTH;
        }
        for (char c : body.toCharArray()) {
            if (ALPHABET.indexOf(c) < 0) {
                return KeyFormat.Failure.ALPHABET;
            }
        }
        CRC32 crc = new CRC32();
        crc.update(token.substring(0, token.length() - 6).getBytes(StandardCharsets.US_ASCII));
        return base62(crc.getValue()).equals(token.substring(token.length() - 6)) ? null : KeyFormat.Failure.CHECKSUM;
    }

    private static String base62(long v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            sb.insert(0, ALPHABET.charAt((int) (v % 62)));
            v /= 62;
        }
        return sb.toString();
    }

    /** Every start of the prefix not after a word character, with exactly 50 base62 characters after it. */
    private static List<KeyScanner.Finding> referenceScan(KeyFormat f, String text, boolean includeBad) {
        List<KeyScanner.Finding> found = new ArrayList<>();
        String lead = f.prefix() + "_";
        int len = lead.length() + 50;
        for (int i = 0; i + len <= text.length(); i++) {
            if (!text.startsWith(lead, i)) {
                continue;
            }
            if (i > 0 && (text.charAt(i - 1) == '_' || ALPHABET.indexOf(text.charAt(i - 1)) >= 0)) {
                continue;
            }
            if (i + len < text.length() && ALPHABET.indexOf(text.charAt(i + len)) >= 0) {
                continue;
            }
            String candidate = text.substring(i, i + len);
            KeyFormat.Failure failure = reference(f.prefix(), candidate);
            if (failure == null || includeBad && failure == KeyFormat.Failure.CHECKSUM) {
                found.add(new KeyScanner.Finding(i, candidate.substring(lead.length(), lead.length() + 12), failure == null));
            }
        }
        return found;
    }

    /** A reader that hands out at most {@code chunk} chars a read, to probe window boundaries. */
    private static final class Ragged extends Reader {
        private final String text;
        private final int chunk;
        private int at;

        Ragged(String text, int chunk) {
            this.text = text;
            this.chunk = chunk;
        }

        @Override
        public int read(char[] buf, int off, int len) {
            if (at >= text.length()) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), text.length() - at);
            text.getChars(at, at + n, buf, off);
            at += n;
            return n;
        }

        @Override
        public void close() {
        }
    }
}
