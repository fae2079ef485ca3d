package dev.portcullis;

import dev.portcullis.internal.pipeline.FailureBudgets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    // ---- issue 32: throttling as Dovecot does it ---------------------------------------------------

    @Test
    void tenThousandIdenticalWrongLoginsCostOneBudgetUnitAndOneArgon2Run() {
        String client = "198.51.100.66";
        long before = argon2Runs();
        for (int i = 0; i < 10_000; i++) {
            assertEquals(DenyReason.WRONG_SECRET, loginFrom(client, "owner@example.com", "last year's password").reason(),
                    "a misconfigured client is denied as wrong every time, never as over budget");
        }
        assertEquals(1, argon2Runs() - before, "one Argon2 run for the pair, however often it is retried");
        // One unit of the per-login budget is gone: exactly capacity - 1 new guesses still reach Argon2.
        long left = 0;
        for (int i = 0; i < 100; i++) {
            if (loginFrom(client, "owner@example.com", "guess " + i).reason() == DenyReason.WRONG_SECRET) {
                left++;
            }
        }
        assertEquals(FailureBudgets.DEFAULT_LOGIN.capacity() - 1, left);
        assertEquals(DenyReason.TOO_MANY_FAILURES, loginFrom(client, "owner@example.com", "last year's password").reason(),
                "an exhausted budget refuses even a remembered pair");
        assertTrue(loginFrom("203.0.113.7", "owner@example.com", "the owner's real password").allowed());
    }

    @Test
    void everySpellingOfALoginIsOnePair() {
        long before = argon2Runs();
        for (String spelling : new String[] {"owner@example.com", "owner@EXAMPLE.com", "owner@example.com.", "owner@Example.Com."}) {
            for (int i = 0; i < 100; i++) {
                assertEquals(DenyReason.WRONG_SECRET, loginFrom("198.51.100.66", spelling, "last year's password").reason());
            }
        }
        assertEquals(1, argon2Runs() - before, "the pair is kept under the canonical login, as its budget is");
    }

    @Test
    void aRememberedFailureIsPerNetworkAndEndsWithTheWindow() {
        long before = argon2Runs();
        loginFrom("198.51.100.66", "owner@example.com", "last year's password");
        loginFrom("198.51.100.67", "owner@example.com", "last year's password");
        assertEquals(2, argon2Runs() - before,
                "another network checks the pair afresh and spends its own budget: nobody learns by timing what others tried");
        loginFrom("198.51.100.66", "owner@example.com", "last year's password");
        assertEquals(2, argon2Runs() - before);
        f.clock.advance(FailureBudgets.DEFAULT_LOGIN.period().plusSeconds(1));
        loginFrom("198.51.100.66", "owner@example.com", "last year's password");
        assertEquals(3, argon2Runs() - before, "after the window the pair is checked, and spends, again");
    }

    @Test
    void aPasswordThatFailedBeforeIsRightAfterItBecomesThePassword() {
        String guess = "the password it is going to be";
        assertEquals(DenyReason.WRONG_SECRET, loginFrom("203.0.113.7", "owner@example.com", guess).reason());
        f.keys().changePassword(login.id(), guess);
        assertTrue(loginFrom("203.0.113.7", "owner@example.com", guess).allowed(),
                "the failure was remembered for the record's old version only");
    }

    @Test
    void theOwnerFromAKnownNetworkGetsInWhileTheirOldClientRetriesElsewhere() {
        assertTrue(loginFrom("203.0.113.7", "owner@example.com", "the owner's real password").allowed());
        // A forgotten device on another network keeps trying the old password, all day.
        for (int i = 0; i < 1000; i++) {
            loginFrom("192.0.2.10", "owner@example.com", "the owner's old password");
            f.clock.advance(Duration.ofSeconds(90));
        }
        assertTrue(loginFrom("203.0.113.7", "owner@example.com", "the owner's real password").allowed());
        assertTrue(loginFrom("198.18.0.1", "owner@example.com", "the owner's real password").allowed(),
                "one pair a window never drains the account budget for new networks");
    }

    @Test
    void anIpv6AttackerRotatingInsideOneSlash48IsOneNetworkWhenConfiguredSo() {
        Fixtures by48 = new Fixtures(new ControllableStore(), Portcullis.builder().failureBudgetIpv6Prefix(48), Runnable::run);
        Fixtures by64 = new Fixtures(new ControllableStore(), Portcullis.builder(), Runnable::run);
        for (Fixtures x : new Fixtures[] {by48, by64}) {
            long before = x.portcullis.wiring.hasher().runs();
            for (int i = 0; i < 1000; i++) {
                // A new /64 inside 2001:db8:66::/48 for every attempt, and a new username.
                String address = "2001:db8:66:" + Integer.toHexString(i) + "::" + Integer.toHexString(i + 1);
                x.auth().authenticate(AuthRequest.http(Fixtures.basic("user" + i + "@example.com", "password " + i), address));
            }
            long hashed = x.portcullis.wiring.hasher().runs() - before;
            if (x == by48) {
                assertEquals(FailureBudgets.DEFAULT_NETWORK.capacity(), hashed, "one /48, one network budget");
            } else {
                assertEquals(1000, hashed, "each /64 is a network of its own by default");
            }
            x.portcullis.close();
        }
    }

    @Test
    void trustedNetworksSpendNoNetworkBudgetButLoginBudgetsStillHold() {
        Fixtures gateway = new Fixtures(new ControllableStore(),
                Portcullis.builder().failureBudgetTrustedNetworks("10.20.0.0/16", "2001:db8:aa::/48"), Runnable::run);
        try {
            IssuedKey user = gateway.keys().createSmtpCredential(KeySpec.builder()
                    .account("acme").username("user@example.com").password("the user's real password").allowHttp().build());
            long before = gateway.portcullis.wiring.hasher().runs();
            // A webmail logs in 500 users who mistype: more than any network budget holds.
            for (int i = 0; i < 500; i++) {
                AuthResult r = gateway.auth().authenticate(
                        AuthRequest.http(Fixtures.basic("someone" + i + "@example.com", "typo " + i), "10.20.3.4"));
                assertEquals(DenyReason.UNKNOWN_KEY, r.reason());
            }
            assertEquals(500, gateway.portcullis.wiring.hasher().runs() - before);
            assertTrue(gateway.auth().authenticate(AuthRequest.http(
                    Fixtures.basic(user.username(), "the user's real password"), "2001:db8:aa:1::5")).allowed());
            // A guesser behind the gateway still gets one login budget per login.
            int checked = 0;
            for (int i = 0; i < 100; i++) {
                AuthResult r = gateway.auth().authenticate(
                        AuthRequest.http(Fixtures.basic(user.username(), "guess " + i), "10.20.3.4"));
                if (r.reason() == DenyReason.WRONG_SECRET) {
                    checked++;
                }
            }
            assertEquals(FailureBudgets.DEFAULT_LOGIN.capacity(), checked);
            // Outside the trusted blocks, the network budget holds as ever.
            long outside = gateway.portcullis.wiring.hasher().runs();
            for (int i = 0; i < 500; i++) {
                gateway.auth().authenticate(AuthRequest.http(Fixtures.basic("someone" + i + "@example.com", "typo " + i), "10.21.3.4"));
            }
            assertEquals(FailureBudgets.DEFAULT_NETWORK.capacity(), gateway.portcullis.wiring.hasher().runs() - outside);
        } finally {
            gateway.portcullis.close();
        }
    }

    @Test
    void throttlingOptionsRefuseNonsenseWhenSet() {
        assertThrows(IllegalArgumentException.class, () -> Portcullis.builder().failureBudgetIpv6Prefix(0));
        assertThrows(IllegalArgumentException.class, () -> Portcullis.builder().failureBudgetIpv6Prefix(16));
        assertThrows(IllegalArgumentException.class, () -> Portcullis.builder().failureBudgetIpv6Prefix(129));
        assertThrows(IllegalStateException.class, () -> Portcullis.builder().failureBudgetIpv6Prefix(48).failureBudgetIpv6Prefix(56));
        assertThrows(IllegalArgumentException.class, () -> Portcullis.builder().failureBudgetTrustedNetworks());
        IllegalArgumentException notABlock = assertThrows(IllegalArgumentException.class,
                () -> Portcullis.builder().failureBudgetTrustedNetworks("10.0.0.0/8", "10.1.2.3/8"));
        assertTrue(notABlock.getMessage().contains("10.1.2.3/8"), notABlock.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Portcullis.builder().failureBudgetTrustedNetworks("0.0.0.0/0"));
        assertThrows(IllegalArgumentException.class, () -> Portcullis.builder().failureBudgetTrustedNetworks("::/0"));
        assertThrows(IllegalArgumentException.class, () -> Portcullis.builder().failureBudgetTrustedNetworks("::ffff:0.0.0.0/96"));
        assertThrows(IllegalArgumentException.class, () -> Portcullis.builder().failureBudgetTrustedNetworks("webmail.example.com"));
        assertThrows(IllegalStateException.class,
                () -> Portcullis.builder().failureBudgetTrustedNetworks("10.0.0.0/8").failureBudgetTrustedNetworks("10.1.0.0/16"));
        Portcullis.builder().failureBudgetIpv6Prefix(32).failureBudgetTrustedNetworks("192.0.2.7", "2001:db8::/32");
    }
}
