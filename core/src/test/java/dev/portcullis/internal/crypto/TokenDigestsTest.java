package dev.portcullis.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.KeyFormat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Stored token digests (DESIGN §2 Verify; checklist H42, I48). */
class TokenDigestsTest {
    private final String token = KeyFormat.withPrefix("kat").newToken();

    @Test
    void sha256FormIsTheBase64OfTheWholeToken() throws Exception {
        TokenDigests d = new TokenDigests(Map.of());
        String stored = d.encode(token);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        assertEquals("sha256$" + Base64.getEncoder().encodeToString(expected), stored);
        assertTrue(d.matches(TokenDigests.parse(stored), token));
        assertFalse(d.matches(TokenDigests.parse(stored), token.substring(0, token.length() - 1) + (token.endsWith("x") ? "y" : "x")));
    }

    @Test
    void hmacFormNamesThePepperAndUsesTheLastOneAdded() throws Exception {
        byte[] k1 = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] k2 = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
        Map<String, byte[]> peppers = new LinkedHashMap<>();
        peppers.put("k1", k1);
        peppers.put("k2", k2);
        TokenDigests d = new TokenDigests(peppers);
        String stored = d.encode(token);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(k2, "HmacSHA256"));
        String b64 = Base64.getEncoder().encodeToString(mac.doFinal(token.getBytes(StandardCharsets.US_ASCII)));
        assertEquals("hmac-sha256$k2$" + b64, stored);
        assertTrue(d.matches(TokenDigests.parse(stored), token));

        // A record peppered with k1 still verifies (pepper rotation) …
        TokenDigests old = new TokenDigests(Map.of("k1", k1));
        assertTrue(d.matches(TokenDigests.parse(old.encode(token)), token));
        // … and plain SHA-256 records too.
        assertTrue(d.matches(TokenDigests.parse(new TokenDigests(Map.of()).encode(token)), token));
        // A pepper this process does not hold never matches.
        assertFalse(new TokenDigests(Map.of("k3", k1)).matches(TokenDigests.parse(stored), token));
    }

    @Test
    void malformedStoredDigestsAreRefusedAtLoad() {
        for (String bad : new String[] {"", "md5$abc", "sha256$", "sha256$!!!!", "sha256$AAAA", "hmac-sha256$$AAAA", "hmac-sha256$k1"}) {
            assertThrows(IllegalArgumentException.class, () -> TokenDigests.parse(bad), bad);
        }
    }

    @Test
    void dummyPathRunsAndNothingPrintsTheDigest() {
        TokenDigests d = new TokenDigests(Map.of());
        d.matchDummy(token);
        String stored = d.encode(token);
        assertFalse(TokenDigests.parse(stored).toString().contains(stored.substring(7, 20)));
    }
}
