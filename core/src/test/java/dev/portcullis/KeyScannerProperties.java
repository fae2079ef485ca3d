package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.internal.crypto.Base62;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/** The leak scanner finds what is planted and nothing else (DESIGN §3 leak response). */
class KeyScannerProperties {
    private final KeyFormat format = KeyFormat.withPrefix("kat");
    private final KeyScanner scanner = KeyScanner.forFormat(format);

    @Property(tries = 300)
    void findsEveryPlantedKey(
            @ForAll @StringLength(max = 300) String a,
            @ForAll @StringLength(max = 300) String b,
            @ForAll @IntRange(min = 1, max = 4) int count) {
        StringBuilder text = new StringBuilder();
        List<String> ids = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            text.append(i % 2 == 0 ? a : b).append(i % 2 == 0 ? ' ' : '\n');
            String token = format.newToken();
            positions.add((long) text.length());
            ids.add(format.parse(token).keyId());
            text.append(token).append(i % 2 == 0 ? '"' : ',');
        }
        text.append(b);
        List<KeyScanner.Finding> found = scanner.scan(text);
        List<String> foundIds = found.stream().map(KeyScanner.Finding::keyId).toList();
        List<Long> foundAt = found.stream().map(KeyScanner.Finding::position).toList();
        assertTrue(foundIds.containsAll(ids), "missed a planted key");
        assertTrue(foundAt.containsAll(positions));
        assertTrue(found.stream().allMatch(KeyScanner.Finding::checksumValid));
    }

    /** A reader that hands out text in random small pieces, so keys straddle every chunk boundary. */
    private static java.io.Reader choppy(String text, Random random) {
        return new java.io.Reader() {
            private int at;

            @Override
            public int read(char[] buf, int off, int len) {
                if (at >= text.length()) {
                    return -1;
                }
                int n = Math.min(Math.min(len, 1 + random.nextInt(70)), text.length() - at);
                text.getChars(at, at + n, buf, off);
                at += n;
                return n;
            }

            @Override
            public void close() {}
        };
    }

    @Property(tries = 200)
    void streamsFindWhatStringsFind(@ForAll @StringLength(max = 400) String noise, @ForAll @IntRange(min = 0, max = 5) int keys,
            @ForAll long seed) throws Exception {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < keys; i++) {
            int cut = random.nextInt(noise.length() + 1);
            text.append(noise, 0, cut).append(i % 3 == 0 ? "" : " ").append(format.newToken());
        }
        text.append(noise);
        String s = text.toString();
        assertEquals(scanner.scan(s), scanner.scan(choppy(s, random)));
        assertEquals(scanner.includingBadChecksums().scan(s), scanner.includingBadChecksums().scan(choppy(s, random)));
    }

    @Example
    void filesOfAnySizeScanInBoundedMemory() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("portcullis-scan", ".log");
        file.toFile().deleteOnExit();
        String token = format.newToken();
        try (var w = java.nio.file.Files.newBufferedWriter(file)) {
            for (int i = 0; i < 200_000; i++) {
                w.write("line " + i + " nothing to see here\n");
            }
            w.write("curl --user 'api:" + token + "'\n");
        }
        List<KeyScanner.Finding> found = scanner.scan(file);
        assertEquals(1, found.size());
        assertEquals(format.parse(token).keyId(), found.get(0).keyId());
        assertTrue(found.get(0).position() > 4_000_000L);
        java.nio.file.Files.delete(file);
    }

    @Example
    void nothingInOneHundredThousandRandomCandidates() {
        Random random = new SecureRandom();
        int found = 0;
        for (int i = 0; i < 100_000; i++) {
            StringBuilder sb = new StringBuilder("x kat_");
            for (int k = 0; k < 50; k++) {
                sb.append(Base62.ALPHABET.charAt(random.nextInt(62)));
            }
            sb.append(" y");
            found += scanner.scan(sb).size();
        }
        assertEquals(0, found);
    }

    @Example
    void findingsNeverCarryTheSecret() {
        String token = format.newToken();
        KeyScanner.Finding f = scanner.scan("leaked: " + token).get(0);
        String secret = token.substring(16, 48);
        assertFalse(f.toString().contains(secret));
        assertEquals(8L, f.position());
    }

    @Example
    void keysGluedToOtherWordsAreNotCandidates() {
        String token = format.newToken();
        assertEquals(0, scanner.scan("x" + token).size());
        assertEquals(0, scanner.scan("_" + token).size());
        assertEquals(0, scanner.scan(token + "Q").size());
        assertEquals(1, scanner.scan("=" + token + "&").size());
    }

    @Example
    void nearMissesAreReportedOnlyOnRequest() {
        String token = format.newToken();
        char last = token.charAt(token.length() - 1);
        String typo = token.substring(0, token.length() - 1) + (last == 'z' ? 'y' : 'z');
        assertEquals(0, scanner.scan(typo).size());
        List<KeyScanner.Finding> near = scanner.includingBadChecksums().scan(typo);
        assertEquals(1, near.size());
        assertFalse(near.get(0).checksumValid());
    }
}
