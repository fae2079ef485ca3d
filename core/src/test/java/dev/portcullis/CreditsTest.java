package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Cost per request and credits with refill (issue 26), on one node: the in-memory store. */
class CreditsTest {
    private final Fixtures f = new Fixtures();

    private IssuedKey trial(long credits, Limit.Refill refill, Limit... limits) {
        KeySpec.Builder b = KeySpec.builder().account("acme").grant("messages:send", "example.com").grant("keys:write", "*");
        if (limits.length > 0) {
            b.rateLimit(RateLimitPolicy.of(limits));
        }
        return f.keys().create((refill == null ? b.credits(credits) : b.credits(credits, refill)).build());
    }

    private AuthResult send(IssuedKey k, long cost) {
        return f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.113.7")
                .require("messages:send", "example.com").cost(cost));
    }

    private long left(IssuedKey k) {
        return f.keys().get(k.id()).orElseThrow().credits();
    }

    @Test
    void aTrialKeyRunsOutAndIsDeniedWithItsOwnReason() {
        IssuedKey k = trial(3, null);
        for (int i = 0; i < 3; i++) {
            assertTrue(send(k, 1).allowed());
        }
        AuthResult out = send(k, 1);
        assertEquals(DenyReason.CREDITS_EXHAUSTED, out.reason());
        assertEquals(429, out.http().status());
        assertEquals("\"credits\";r=0", out.http().headers().get("RateLimit"));
        assertNull(out.http().headers().get("Retry-After"), "no refill is due, so no Retry-After");
        assertEquals(0, left(k));
        assertEquals(DenyReason.CREDITS_EXHAUSTED, f.lastEvent().reason());
    }

    @Test
    void aRequestCostsWhatItSaysAndAFreeOneIsNeverRefused() {
        IssuedKey k = trial(5, null);
        assertTrue(send(k, 3).allowed());
        assertEquals(2, left(k));
        assertEquals(DenyReason.CREDITS_EXHAUSTED, send(k, 3).reason(), "all or nothing: 2 cannot pay 3");
        assertEquals(2, left(k), "a refused request takes nothing");
        assertTrue(send(k, 2).allowed());
        assertTrue(send(k, 0).allowed(), "cost 0: a read stays free when credits run out");
        IssuedKey limited = trial(100, null, Limit.perHour(1));
        assertTrue(send(limited, 1).allowed());
        assertEquals(DenyReason.RATE_LIMITED, send(limited, 0).reason(), "free, but not past a spent rate limit");
        assertEquals(0, left(k));
        assertThrows(IllegalArgumentException.class, () -> AuthRequest.http("x", null).cost(-1));
        assertThrows(IllegalArgumentException.class, () -> AuthRequest.http("x", null).cost(AuthRequest.MAX_COST + 1));
    }

    @Test
    void aDenialAtAnyStageTakesNothingFromAnyLimitOrCredit() {
        IssuedKey k = trial(10, null, Limit.perHour(4));
        AuthResult notGranted = f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.113.7")
                .require("messages:send", "other.test").cost(3));
        assertEquals(DenyReason.PERMISSION_DENIED, notGranted.reason());
        assertEquals(10, left(k));
        assertTrue(send(k, 4).allowed(), "the grant denial took no token either: all 4 are there");
        assertEquals(6, left(k));
        assertEquals(DenyReason.RATE_LIMITED, send(k, 1).reason());
        assertEquals(6, left(k), "a rate-limited request takes no credit");
    }

    @Test
    void aCreditRefusalGivesTheRateLimitTokensBack() {
        IssuedKey k = trial(1, null, Limit.perHour(5));
        assertTrue(send(k, 1).allowed());
        for (int i = 0; i < 10; i++) {
            assertEquals(DenyReason.CREDITS_EXHAUSTED, send(k, 1).reason());
        }
        f.keys().addCredits(k.id(), 100);
        for (int i = 0; i < 4; i++) {
            assertTrue(send(k, 1).allowed(), "the refused requests gave their tokens back: " + i);
        }
        assertEquals(DenyReason.RATE_LIMITED, send(k, 1).reason());
        assertEquals(96, left(k));
    }

    @Test
    void aMonthlyRefillOnThe31stLandsOnTheLastDayOfShortMonths() {
        f.clock.advance(Duration.between(f.clock.instant(), Instant.parse("2027-01-20T12:00:00Z")));
        IssuedKey k = trial(2, Limit.Refill.monthly(5, 31));
        assertTrue(send(k, 2).allowed());
        AuthResult out = send(k, 1);
        assertEquals(DenyReason.CREDITS_EXHAUSTED, out.reason());
        assertEquals(Duration.ofDays(10).plusHours(12), out.retryAfter(), "the refill is due on Jan 31, 00:00 UTC");
        assertEquals("\"credits\";r=0;t=" + Duration.ofDays(10).plusHours(12).toSeconds(), out.http().headers().get("RateLimit"));
        f.clock.advance(Duration.between(f.clock.instant(), Instant.parse("2027-01-30T23:59:59Z")));
        assertEquals(DenyReason.CREDITS_EXHAUSTED, send(k, 1).reason(), "not a second early");
        f.clock.advance(Duration.ofSeconds(1));
        assertTrue(send(k, 5).allowed(), "set to the refill amount, not added to");
        assertEquals(0, left(k));
        f.clock.advance(Duration.between(f.clock.instant(), Instant.parse("2027-02-27T23:59:59Z")));
        assertEquals(DenyReason.CREDITS_EXHAUSTED, send(k, 1).reason());
        f.clock.advance(Duration.ofSeconds(1));
        assertEquals(5, left(k), "February has no 31st: its last day");
        assertTrue(send(k, 1).allowed());
        assertEquals(4, left(k));
    }

    @Test
    void refillSchedulesHaveTheirBoundariesInUtc() {
        Instant t = Instant.parse("2027-03-15T10:30:00Z");
        assertEquals(Instant.parse("2027-03-15T00:00:00Z"), Limit.Refill.daily(1).lastBoundary(t));
        assertEquals(Instant.parse("2027-03-16T00:00:00Z"), Limit.Refill.daily(1).nextBoundary(t));
        assertEquals(Instant.parse("2027-03-01T00:00:00Z"), Limit.Refill.monthly(1, 1).lastBoundary(t));
        assertEquals(Instant.parse("2027-02-28T00:00:00Z"), Limit.Refill.monthly(1, 31).lastBoundary(t));
        assertEquals(Instant.parse("2027-03-31T00:00:00Z"), Limit.Refill.monthly(1, 31).nextBoundary(t));
        assertEquals(Instant.parse("2027-03-15T06:00:00Z"), Limit.Refill.every(1, "PT6H").lastBoundary(t));
        assertEquals(Instant.parse("2027-03-15T12:00:00Z"), Limit.Refill.every(1, "PT6H").nextBoundary(t));
        Instant week = Limit.Refill.every(1, "P7D").lastBoundary(t);
        assertTrue(!week.isAfter(t) && Limit.Refill.every(1, "P7D").nextBoundary(t).equals(week.plus(Duration.ofDays(7))));
        for (Limit.Refill r : new Limit.Refill[] {Limit.Refill.daily(9), Limit.Refill.monthly(9, 30), Limit.Refill.every(9, "P1M"),
                Limit.Refill.every(9, "PT90M")}) {
            assertEquals(r, Limit.Refill.parse(r.toString()), r.toString());
        }
        for (String bad : new String[] {"P0D", "PT30S", "P1M2D", "-P1D", "1D", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Limit.Refill.every(1, bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Limit.Refill.monthly(1, 32));
        assertThrows(IllegalArgumentException.class, () -> Limit.Refill.daily(0));
    }

    @Test
    void accountCreditsAreSharedByEveryKeyOfTheAccount() {
        IssuedKey a = f.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
        IssuedKey b = f.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
        f.keys().setAccountCredits("acme", 3L, null);
        assertTrue(send(a, 2).allowed());
        assertEquals(DenyReason.CREDITS_EXHAUSTED, send(b, 2).reason());
        assertTrue(send(b, 1).allowed());
        assertEquals(5, f.keys().addAccountCredits("acme", 5));
        f.keys().setAccountCredits("acme", null, null);
        for (int i = 0; i < 20; i++) {
            assertTrue(send(a, 1).allowed(), "unlimited again");
        }
        assertNull(f.keys().get(a.id()).orElseThrow().credits(), "a key without credits of its own shows none");
    }

    @Test
    void aRotatedKeyAndItsSuccessorShareOneBalance() {
        IssuedKey old = trial(3, null);
        IssuedKey next = f.keys().rotate(old.id(), Duration.ofHours(1));
        assertTrue(send(old, 2).allowed());
        assertEquals(1, left(next), "rotating makes no credits");
        assertEquals(DenyReason.CREDITS_EXHAUSTED, send(next, 2).reason());
    }

    @Test
    void managersSetAndAddCreditsAndEveryChangeIsAudited() {
        java.util.List<KeyEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        AuthListener keyEvents = new AuthListener() {
            @Override
            public void onEvent(AuthEvent event) {
            }

            @Override
            public void onKeyEvent(KeyEvent event) {
                events.add(event);
            }
        };
        Fixtures g = new Fixtures(dev.portcullis.spi.CredentialStore.inMemory(), Portcullis.builder().listener(keyEvents), Runnable::run);
        IssuedKey k = g.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
        assertNull(g.keys().get(k.id()).orElseThrow().credits(), "unlimited by default");
        assertThrows(IllegalStateException.class, () -> g.keys().addCredits(k.id(), 1), "an unlimited key has no balance to add to");
        assertEquals(10, g.keys().setCredits(k.id(), 10L, Limit.Refill.daily(10)).credits());
        assertEquals(Limit.Refill.daily(10), g.keys().get(k.id()).orElseThrow().refill());
        assertEquals(4, g.keys().addCredits(k.id(), -6).credits());
        assertEquals(0, g.keys().addCredits(k.id(), -60).credits(), "never below zero");
        assertNull(g.keys().setCredits(k.id(), null, null).credits());
        assertThrows(IllegalArgumentException.class, () -> g.keys().setCredits(k.id(), null, Limit.Refill.daily(1)));
        assertThrows(IllegalArgumentException.class, () -> g.keys().setCredits(k.id(), -1L, null));
        long audited = events.stream().filter(e -> e.type() == KeyEvent.Type.CREDITS_CHANGED).count();
        assertEquals(4, audited);
        assertFalse(events.stream().anyMatch(e -> String.valueOf(e).contains(k.token())));
    }

    @Test
    void aManagerWithCreditsGivesOnlyFromItsOwnAndMakesNone() {
        IssuedKey manager = trial(20, null);
        Principal p = f.withKey(manager.token()).principal(); // that request cost 1: 19 left
        KeyManager scoped = f.keys().actingAs(p);
        KeySpec.Builder unlimited = KeySpec.builder().account("acme").grant("messages:send", "example.com");
        assertThrows(PortcullisException.Denied.class, () -> scoped.create(unlimited.build()), "an unlimited key from a metered one");
        assertThrows(PortcullisException.Denied.class, () -> scoped.create(
                KeySpec.builder().account("acme").grant("messages:send", "example.com").credits(25).build()), "more than it has");
        assertThrows(PortcullisException.Denied.class, () -> scoped.create(KeySpec.builder().account("acme")
                .grant("messages:send", "example.com").credits(1, Limit.Refill.every(10, "PT1M")).build()), "a refill makes credits");
        IssuedKey small = scoped.create(KeySpec.builder().account("acme").grant("messages:send", "example.com").credits(5).build());
        assertEquals(14, left(manager), "the manager paid for what it gave");
        assertEquals(9, scoped.addCredits(small.id(), 4).credits());
        assertEquals(10, left(manager));
        assertThrows(PortcullisException.Denied.class, () -> scoped.addCredits(small.id(), 11), "it has 10 left");
        assertEquals(19, left(manager) + left(small), "credits moved; none were made");
        for (int i = 0; i < 2; i++) { // spend and top up again: each top-up is paid for
            assertTrue(send(small, 3).allowed());
            scoped.addCredits(small.id(), 3);
        }
        assertEquals(4, left(manager));
        assertTrue(send(small, 3).allowed());
        assertThrows(PortcullisException.Denied.class, () -> scoped.addCredits(small.id(), 1),
                "holding 6 against the manager's 4, it is out of the manager's reach");
        assertThrows(PortcullisException.Denied.class, () -> scoped.addCredits(manager.id(), 1), "no top-up of itself");
        assertThrows(PortcullisException.Denied.class, () -> scoped.setCredits(manager.id(), 11L, null));
        assertThrows(PortcullisException.Denied.class, () -> scoped.setCredits(manager.id(), null, null));
        assertThrows(PortcullisException.Denied.class, () -> scoped.setCredits(manager.id(), 1L, Limit.Refill.every(10, "PT1M")),
                "nor a refill of its own");
        assertEquals(0, scoped.setCredits(manager.id(), 0L, null).credits(), "lowering its own is fine");
        IssuedKey rich = f.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com")
                .credits(1_000_000).build());
        assertThrows(PortcullisException.Denied.class, () -> scoped.rotate(rich.id(), Duration.ZERO),
                "a key holding more credits than the manager is out of its reach");
        assertThrows(PortcullisException.Denied.class, () -> scoped.setAccountCredits("acme", 100L, null));
        assertEquals(6, left(small));
    }

    @Test
    void aTopUpAfterARefillBoundaryIsAddedToTheRefilledBalance() {
        IssuedKey k = trial(5, Limit.Refill.daily(5));
        assertTrue(send(k, 5).allowed());
        f.clock.advance(Duration.ofDays(1));
        assertEquals(105, f.keys().addCredits(k.id(), 100).credits());
        assertTrue(send(k, 105).allowed(), "the top-up survived the refill that was due");
        assertEquals(0, left(k));
    }

    @Test
    void whenTheAccountsBalanceRefusesItsRefillIsTheOneShown() {
        IssuedKey k = trial(100, Limit.Refill.daily(100));
        f.keys().setAccountCredits("acme", 1L, null);
        assertTrue(send(k, 1).allowed());
        AuthResult out = send(k, 1);
        assertEquals(DenyReason.CREDITS_EXHAUSTED, out.reason());
        assertNull(out.retryAfter(), "the account's credits do not refill: waiting does not help");
    }
}
