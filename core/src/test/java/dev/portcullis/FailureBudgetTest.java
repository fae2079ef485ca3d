package dev.portcullis;

import dev.portcullis.internal.pipeline.FailureBudgets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** DESIGN §2 Throttle (checklist H46, OWASP API2): guessing costs the guesser, never the owner. */
class FailureBudgetTest {
    private final ControllableStore store = new ControllableStore();
    private final Fixtures f = new Fixtures(store);
    private final IssuedKey login = f.keys().createSmtpCredential(KeySpec.builder()
            .account("acme").username("owner@example.com").password("the owner's real password").allowHttp().build());

    private AuthResult loginFrom(String network, String user, String password) {
        return f.auth().authenticate(AuthRequest.http(Fixtures.basic(user, password), network));
    }

    private long argon2Runs() {
        return f.portcullis.wiring.hasher().runs();
    }

    @Test
    void tenThousandWrongPasswordsCostAtMostTheBudgetInHashing() {
        long before = argon2Runs();
        int refused = 0;
        for (int i = 0; i < 10_000; i++) {
            AuthResult r = loginFrom("198.51.100.66", "owner@example.com", "guess " + i);
            if (r.reason() == DenyReason.TOO_MANY_FAILURES) {
                refused++;
            }
        }
        long hashed = argon2Runs() - before;
        assertEquals(FailureBudgets.DEFAULT_LOGIN.capacity(), hashed, "hashing beyond the per-login budget");
        assertEquals(10_000 - hashed, refused);
        AuthResult last = loginFrom("198.51.100.66", "owner@example.com", "guess");
        assertEquals(429, last.http().status());
        assertNotNull(last.http().headers().get("Retry-After"));
        assertEquals("454 4.7.0", last.smtp().code() + " " + last.smtp().enhanced());

        assertTrue(loginFrom("203.0.113.7", "owner@example.com", "the owner's real password").allowed(),
                "the owner, from another network, still gets in");
    }

    @Test
    void sprayingUsernamesHitsTheNetworkBudget() {
        long before = argon2Runs();
        for (int i = 0; i < 10_000; i++) {
            loginFrom("2001:db8:66::" + Integer.toHexString(i % 65536), "user" + i + "@example.com", "password " + i);
        }
        assertEquals(FailureBudgets.DEFAULT_NETWORK.capacity(), argon2Runs() - before,
                "one IPv6 /64 is one network, whatever the host part");
        assertTrue(loginFrom("2001:db8:77::1", "owner@example.com", "the owner's real password").allowed());
    }

    @Test
    void theOwnerFromAKnownNetworkIsNeverLockedOut() {
        assertTrue(loginFrom("203.0.113.7", "owner@example.com", "the owner's real password").allowed());
        // 150 attackers on 150 networks, 1 guess each: the account budget for new networks runs out.
        int accountRefusals = 0;
        for (int i = 0; i < 150; i++) {
            AuthResult r = loginFrom("192.0.2." + i, "owner@example.com", "guess " + i);
            if (r.reason() == DenyReason.TOO_MANY_FAILURES) {
                accountRefusals++;
                assertEquals("ACCOUNT_BUDGET", f.lastEvent().detail());
            }
        }
        assertEquals(50, accountRefusals, "100 failures an hour from new networks (ASVS 2.2.1), then refused");
        assertEquals(DenyReason.TOO_MANY_FAILURES, loginFrom("198.18.0.1", "owner@example.com", "the owner's real password").reason(),
                "a new network waits, even with the right password");
        assertTrue(loginFrom("203.0.113.7", "owner@example.com", "the owner's real password").allowed(),
                "the owner's known network is not locked out");
        f.clock.advance(Duration.ofHours(1));
        assertTrue(loginFrom("198.18.0.1", "owner@example.com", "the owner's real password").allowed());
    }

    @Test
    void cachedKeysAreServedFromAnOverBudgetNetworkButMissesAreNot() {
        IssuedKey cached = f.keys().create(KeySpec.builder().account("acme").build());
        String attacker = "198.51.100.66";
        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", cached.token()), attacker)).allowed());
        int readsBefore = store.reads.get();
        KeyFormat kat = KeyFormat.withPrefix("kat");
        for (int i = 0; i < 1000; i++) {
            f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", kat.newToken()), attacker));
        }
        assertTrue(store.reads.get() - readsBefore <= FailureBudgets.DEFAULT_NETWORK.capacity(),
                "random ids hammered the store: " + (store.reads.get() - readsBefore));
        assertEquals(DenyReason.TOO_MANY_FAILURES,
                f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", kat.newToken()), attacker)).reason());

        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", cached.token()), attacker)).allowed(),
                "a cached key verifies even from an over-budget network");
        IssuedKey fresh = f.keys().create(KeySpec.builder().account("acme").build());
        assertEquals(DenyReason.TOO_MANY_FAILURES,
                f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", fresh.token()), attacker)).reason(),
                "an uncached key is a store miss");
        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", fresh.token()), "203.0.113.7")).allowed());
        f.clock.advance(Duration.ofMinutes(10));
        assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", fresh.token()), attacker)).allowed(),
                "the budget refills");
    }
}
