package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A suspended account's credentials are all denied until it is resumed (DESIGN §3). */
class SuspensionTest {
    private final Fixtures f = new Fixtures();

    @Test
    void suspendAndResume() {
        IssuedKey a = f.key();
        IssuedKey other = f.keys().create(KeySpec.builder().account("other").build());
        f.keys().createSmtpCredential(KeySpec.builder()
                .account("acme").username("app@example.com").password("a long chosen password").allowHttp().build());
        Principal session = f.withKey(a.token()).principal();
        assertTrue(f.withKey(a.token()).allowed());

        assertTrue(f.keys().suspend("acme").isSuspended());
        AuthResult r = f.withKey(a.token());
        assertEquals(DenyReason.ACCOUNT_SUSPENDED, r.reason());
        assertEquals(403, r.http().status());
        assertEquals(DenyReason.ACCOUNT_SUSPENDED, f.auth().authenticate(
                AuthRequest.http(Fixtures.basic("app@example.com", "a long chosen password"), "203.0.113.7")).reason());
        assertEquals(DenyReason.ACCOUNT_SUSPENDED, f.auth().authorize(session, "messages:send", "example.com").reason());
        assertTrue(f.withKey(other.token()).allowed(), "other accounts are unaffected");
        long v = f.keys().suspend("acme").version();
        assertEquals(v, f.keys().suspend("acme").version(), "suspending twice changes nothing");

        f.keys().resume("acme");
        assertTrue(f.withKey(a.token()).allowed());
        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("app@example.com", "a long chosen password"), "203.0.113.7")).allowed());
    }
}
