package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Revocation reaches the authenticator through the change feed, not the cache TTL (checklist L64). */
class RevocationTest {
    private final Fixtures f = new Fixtures();

    @Test
    void revokedKeyIsDeniedOnTheVeryNextRequest() {
        IssuedKey k = f.key();
        IssuedKey other = f.key();
        assertTrue(f.withKey(k.token()).allowed());
        f.keys().revoke(k.id());
        AuthResult r = f.withKey(k.token());
        assertEquals(DenyReason.REVOKED, r.reason());
        assertEquals(401, r.http().status());
        assertTrue(f.withKey(other.token()).allowed(), "other keys are unaffected");
    }

    @Test
    void revokeIsIdempotentAndNamesUnknownIds() {
        IssuedKey k = f.key();
        KeyInfo first = f.keys().revoke(k.id());
        KeyInfo again = f.keys().revoke(k.id());
        assertEquals(first.revokedAt(), again.revokedAt());
        assertEquals(first.version(), again.version());
        assertThrows(PortcullisException.NotFound.class, () -> f.keys().revoke("000000000000"));
    }

    @Test
    void aNewKeyIsUsableAtOnceEvenAfterItsIdWasLookedUp() {
        // A negative entry for an id must not outlive the creation of that id: creations are changes too.
        String token = KeyFormat.withPrefix("kat").newToken();
        assertEquals(DenyReason.UNKNOWN_KEY, f.withKey(token).reason());
        IssuedKey k = f.key();
        assertTrue(f.withKey(k.token()).allowed());
    }
}
