package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.AuthResult.RateLimitStatus;

/** The DESIGN §4 table, row by row, for HTTP and both SMTP phases (checklist A6, E27, K57). */
class WireRenderingTest {

    private static void row(DenyReason r, int http, String authReply, String mailReply) {
        AuthResult atAuth = AuthResult.deny(r, null, null, null, false, "realm");
        AuthResult atMail = AuthResult.deny(r, null, null, null, true, "realm");
        assertEquals(http, atAuth.http().status(), r.name());
        assertEquals(authReply, atAuth.smtp().code() + " " + atAuth.smtp().enhanced(), r.name());
        assertEquals(mailReply, atMail.smtp().code() + " " + atMail.smtp().enhanced(), r.name());
        assertEquals(http == 401, atAuth.http().headers().containsKey("WWW-Authenticate"), r.name());
    }

    @Test
    void everyReasonRendersAsTheTableSays() {
        row(DenyReason.MISSING_CREDENTIALS, 401, "530 5.7.0", "530 5.7.0");
        row(DenyReason.MALFORMED_CREDENTIALS, 401, "501 5.5.2", "501 5.5.2");
        for (DenyReason r : new DenyReason[] {DenyReason.UNKNOWN_KEY, DenyReason.WRONG_SECRET, DenyReason.REVOKED, DenyReason.EXPIRED}) {
            row(r, 401, "535 5.7.8", "535 5.7.8");
        }
        row(DenyReason.IP_NOT_ALLOWED, 403, "535 5.7.8", "550 5.7.1");
        row(DenyReason.PERMISSION_DENIED, 403, "550 5.7.1", "550 5.7.1");
        row(DenyReason.RATE_LIMITED, 429, "450 4.7.1", "450 4.7.1");
        row(DenyReason.CREDITS_EXHAUSTED, 429, "452 4.5.3", "452 4.5.3");
        row(DenyReason.TOO_MANY_FAILURES, 429, "454 4.7.0", "454 4.7.0");
        row(DenyReason.ACCOUNT_SUSPENDED, 403, "535 5.7.8", "535 5.7.8");
        row(DenyReason.BUSY, 503, "454 4.7.0", "454 4.7.0");
        row(DenyReason.STORE_UNAVAILABLE, 503, "454 4.7.0", "454 4.7.0");
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUp() {
        AuthResult r = AuthResult.deny(DenyReason.RATE_LIMITED, Duration.ofMillis(1500), null, null, false, "x");
        assertEquals("2", r.http().headers().get("Retry-After"));
        assertEquals("Too Many Requests", r.http().message());
        AuthResult tiny = AuthResult.deny(DenyReason.BUSY, Duration.ofMillis(1), null, null, false, "x");
        assertEquals("1", tiny.http().headers().get("Retry-After"));
    }

    @Test
    void allowedRendersAsSuccessAndRateHeadersFollowTheDraft() {
        // 58 of 100 tokens missing at 100 per minute: full again in 34.8 s, rounded up.
        AuthResult ok = AuthResult.allow(null, RateLimiter.Take.admitted(Limit.perMinute(100), 42), null, false, "x");
        assertEquals(200, ok.http().status());
        assertEquals(new RateLimitStatus(100, 60, 42, 35), ok.rateLimit());
        assertEquals("\"default\";q=100;w=60", ok.http().headers().get("RateLimit-Policy"));
        // draft -11: "t" is the time within which no more than "r" can be used, which no refilling
        // bucket that admitted can promise, so an admitted request's item has no "t".
        assertEquals("\"default\";r=42", ok.http().headers().get("RateLimit"));
        assertFalse(ok.http().headers().containsKey("WWW-Authenticate"));
        assertEquals("235 2.7.0 Authentication successful", ok.smtp().line());
        assertEquals(250, AuthResult.allow(null, null, null, true, "x").smtp().code());
        assertNull(ok.reason());
    }

    @Test
    void creditsAreAPolicyOfTheirOwnWithTheRefillAsTheirWindow() {
        AuthResult.CreditStatus left = new AuthResult.CreditStatus(7, 500, Duration.ofSeconds(3600), 86_400);
        AuthResult ok = AuthResult.allow(null, RateLimiter.Take.admitted(Limit.perMinute(100), 42), left, false, "x");
        assertEquals("\"default\";q=100;w=60, \"credits\";q=500;w=86400", ok.http().headers().get("RateLimit-Policy"));
        assertEquals("\"default\";r=42, \"credits\";r=7;t=3600", ok.http().headers().get("RateLimit"));
        AuthResult.CreditStatus none = new AuthResult.CreditStatus(0, 0, null, 0);
        AuthResult out = AuthResult.deny(DenyReason.CREDITS_EXHAUSTED, null, null, none, false, "x");
        assertEquals(429, out.http().status());
        assertNull(out.http().headers().get("RateLimit-Policy"), "credits that do not refill have no constant quota to announce");
        assertEquals("\"credits\";r=0", out.http().headers().get("RateLimit"));
        assertNull(out.http().headers().get("Retry-After"), "no refill due: waiting does not help");
        assertEquals("452 4.5.3 Out of credits for more recipients, try again later",
                AuthResult.deny(DenyReason.CREDITS_EXHAUSTED, null, null, none, true, "x").smtp().line());
    }
}
