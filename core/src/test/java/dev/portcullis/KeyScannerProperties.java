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
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            text.append(i % 2 == 0 ? a : b).append(i % 2 == 0 ? ' ' : '\n');
            String token = format.newToken();
            positions.add(text.length());
            ids.add(format.parse(token).keyId());
            text.append(token).append(i % 2 == 0 ? '"' : ',');
        }
        text.append(b);
        List<KeyScanner.Finding> found = scanner.scan(text);
        List<String> foundIds = found.stream().map(KeyScanner.Finding::keyId).toList();
        List<Integer> foundAt = found.stream().map(KeyScanner.Finding::position).toList();
        assertTrue(foundIds.containsAll(ids), "missed a planted key");
        assertTrue(foundAt.containsAll(positions));
        assertTrue(found.stream().allMatch(KeyScanner.Finding::checksumValid));
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
        assertEquals(8, f.position());
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
