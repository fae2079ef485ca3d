package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.testing.FuzzInput;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end fuzz oracle is not vacuous: each placeholder of {@link FuzzWorld} reaches the
 * outcome it stands for, so the fuzzer can get past Verify, and an allow is possible only through
 * the allowable ones.
 */
class FuzzWorldTest {
    private static final FuzzWorld W = FuzzWorld.INSTANCE;

    private AuthResult bearer(String placeholder, String client) {
        W.next();
        byte[] header = W.substitute(("Bearer " + placeholder).getBytes(StandardCharsets.US_ASCII));
        return W.auth.authenticate(AuthRequest.http(FuzzInput.utf8(header), client));
    }

    @Test
    void placeholdersReachTheirOutcomes() {
        assertTrue(bearer("{KEY}", "203.0.113.7").allowed());
        assertEquals(DenyReason.IP_NOT_ALLOWED, bearer("{KEY}", "198.51.100.1").reason());
        assertTrue(bearer("{HTTPONLY}", "198.51.100.1").allowed());
        assertEquals(DenyReason.REVOKED, bearer("{REVOKED}", "203.0.113.7").reason());
        assertEquals(DenyReason.EXPIRED, bearer("{EXPIRED}", "203.0.113.7").reason());
        assertEquals(DenyReason.ACCOUNT_SUSPENDED, bearer("{SUSPENDED}", "203.0.113.7").reason());
        assertEquals(DenyReason.WRONG_SECRET, bearer("{FORGED}", "203.0.113.7").reason());
        assertEquals(DenyReason.UNKNOWN_KEY, bearer("{UNKNOWN}", "203.0.113.7").reason());
        W.next();
        String login = Fixtures.basic("postmaster@example.com", W.login.password());
        assertTrue(W.auth.authenticate(AuthRequest.http(login, "192.0.2.1")).allowed());
        W.next();
        for (int i = 0; i < 3; i++) {
            assertTrue(W.auth.authenticate(AuthRequest.http("Bearer " + W.live.token(), "203.0.113.7")).allowed());
        }
        assertEquals(DenyReason.RATE_LIMITED,
                W.auth.authenticate(AuthRequest.http("Bearer " + W.live.token(), "203.0.113.7")).reason());
        assertTrue(bearer("{KEY}", "203.0.113.7").allowed(), "a day later the limit has refilled");
    }

    @Test
    void onlyAllowablePlaceholdersMayBeAllowed() {
        byte[] data = "{KEY} {REVOKED} {FORGED}".getBytes(StandardCharsets.US_ASCII);
        assertEquals(java.util.Set.of(W.live.id()), W.mayBeAllowedAs(data));
        assertEquals(java.util.Set.of(), W.mayBeAllowedAs("{KEY".getBytes(StandardCharsets.US_ASCII)));
    }
}
