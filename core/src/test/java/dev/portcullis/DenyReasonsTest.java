package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import dev.portcullis.AuthResult.HttpVerdict;

/**
 * Each credential problem has its own audit reason and one wire rendering (DESIGN §4; checklist
 * A6, A8, L63).
 */
class DenyReasonsTest {
    private final Fixtures f = new Fixtures();

    @Test
    void everyCredentialProblemHasItsReasonAndTheSameHttpAnswer() {
        IssuedKey live = f.key();
        IssuedKey revoked = f.key();
        f.keys().revoke(revoked.id());
        IssuedKey expiring = f.keys().create(KeySpec.builder().account("acme").expiresIn(Duration.ofHours(1)).build());
        f.clock.advance(Duration.ofHours(1));

        String token = live.token();
        char last = token.charAt(token.length() - 1);
        String badChecksum = token.substring(0, token.length() - 1) + (last == 'a' ? 'b' : 'a');
        String otherPrefix = KeyFormat.withPrefix("kau").newToken();
        String unknownId = KeyFormat.withPrefix("kat").newToken();
        String wrongSecret = sameIdOtherSecret(token);

        record Case(String token, DenyReason reason, String detail) {}
        List<Case> cases = List.of(
                new Case(otherPrefix, DenyReason.UNKNOWN_KEY, "FORMAT_PREFIX"),
                new Case(badChecksum, DenyReason.UNKNOWN_KEY, "FORMAT_CHECKSUM"),
                new Case(unknownId, DenyReason.UNKNOWN_KEY, "UNKNOWN_ID"),
                new Case(wrongSecret, DenyReason.WRONG_SECRET, null),
                new Case(revoked.token(), DenyReason.REVOKED, null),
                new Case(expiring.token(), DenyReason.EXPIRED, null));
        HttpVerdict reference = null;
        for (Case c : cases) {
            AuthResult r = f.withKey(c.token);
            assertEquals(c.reason, r.reason(), c.toString());
            assertEquals(c.detail, f.lastEvent().detail(), c.toString());
            assertFalse(f.lastEvent().allowed());
            HttpVerdict h = r.http();
            if (reference == null) {
                reference = h;
            }
            assertEquals(reference, h, "the wire must not tell " + c.reason + " apart");
            assertEquals(535, r.smtp().code());
            assertEquals("5.7.8", r.smtp().enhanced());
        }
        assertEquals(401, reference.status());
        assertEquals("Basic realm=\"portcullis\", charset=\"UTF-8\"", reference.headers().get("WWW-Authenticate"));
        assertEquals("{\"message\":\"Unauthorized\"}", reference.jsonBody());
        assertTrue(f.withKey(token).allowed());
    }

    @Test
    void keyIdsAreNamedOnlyOnceTheChecksumHeld() {
        IssuedKey live = f.key();
        String token = live.token();
        char last = token.charAt(token.length() - 1);
        f.withKey(token.substring(0, token.length() - 1) + (last == 'a' ? 'b' : 'a'));
        assertNull(f.lastEvent().keyId(), "a forged or mistyped token names no id");
        f.withKey(sameIdOtherSecret(token));
        assertEquals(live.id(), f.lastEvent().keyId());
        assertEquals("acme", f.lastEvent().account());
    }

    @Test
    void missingAndMalformedCredentials() {
        AuthResult none = f.auth().authenticate(AuthRequest.http((String) null, "203.0.113.7"));
        assertEquals(DenyReason.MISSING_CREDENTIALS, none.reason());
        assertEquals(401, none.http().status());
        assertEquals(530, none.smtp().code());
        AuthResult digest = f.auth().authenticate(AuthRequest.http("Digest username=\"x\"", "203.0.113.7"));
        assertEquals(DenyReason.MISSING_CREDENTIALS, digest.reason());
        AuthResult bad = f.auth().authenticate(AuthRequest.http("Basic !!!!", "203.0.113.7"));
        assertEquals(DenyReason.MALFORMED_CREDENTIALS, bad.reason());
        assertEquals(none.http(), bad.http(), "one 401 for all credential problems");
        AuthResult two = f.auth().authenticate(AuthRequest.http(List.of(Fixtures.basic("api", f.key().token()), "Bearer x"), "203.0.113.7"));
        assertEquals(DenyReason.MALFORMED_CREDENTIALS, two.reason());
        assertEquals("MULTIPLE_VALUES", f.lastEvent().detail());
    }

    @Test
    void bearerAndStripeStyleAndGatewayFormsAllWork() {
        IssuedKey k = f.key();
        assertTrue(f.auth().authenticate(AuthRequest.http("Bearer " + k.token(), "203.0.113.7")).allowed());
        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic(k.token(), ""), "203.0.113.7")).allowed());
        assertTrue(f.auth().authenticate(AuthRequest.apiKey(k.token(), "203.0.113.7")).allowed());
        assertEquals(DenyReason.MALFORMED_CREDENTIALS,
                f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", ""), "203.0.113.7")).reason());
    }

    @Test
    void gatewayTokensOfAnyLengthOrAlphabetGetTheTextParsesVerdict() {
        String key = f.key().token();
        // Far longer than any format: refused as the text parse would, without being copied.
        assertEquals(DenyReason.UNKNOWN_KEY, f.auth().authenticate(AuthRequest.apiKey(key + "0".repeat(5_000_000), "203.0.113.7")).reason());
        assertEquals("FORMAT_LENGTH", f.lastEvent().detail());
        // Not ASCII: 'Ł' would be 'A' in its low byte, so it must never reach the byte check.
        String nonAscii = key.substring(0, 10) + "\u0141" + key.substring(11);
        assertEquals(DenyReason.UNKNOWN_KEY, f.auth().authenticate(AuthRequest.apiKey(nonAscii, "203.0.113.7")).reason());
        assertEquals("FORMAT_ALPHABET", f.lastEvent().detail());
        assertTrue(f.auth().authenticate(AuthRequest.apiKey(key, "203.0.113.7")).allowed(), "the buffer is clean again");
    }

    /** The same prefix and id with another (checksum-correct) secret. */
    static String sameIdOtherSecret(String token) {
        KeyFormat kat = KeyFormat.withPrefix("kat");
        String id = kat.parse(token).keyId();
        while (true) {
            String other = kat.newToken();
            String candidate = "kat_" + id + other.substring(16, 48);
            String withCheck = candidate + dev.portcullis.internal.crypto.Base62.fixedWidth(
                    dev.portcullis.internal.crypto.Crc32.of(candidate, 0, candidate.length()), 6);
            if (!withCheck.equals(token)) {
                return withCheck;
            }
        }
    }
}
