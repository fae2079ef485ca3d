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
        AuthResult atAuth = AuthResult.deny(r, null, null, false, "realm");
        AuthResult atMail = AuthResult.deny(r, null, null, true, "realm");
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
        row(DenyReason.TOO_MANY_FAILURES, 429, "454 4.7.0", "454 4.7.0");
        row(DenyReason.ACCOUNT_SUSPENDED, 403, "535 5.7.8", "535 5.7.8");
        row(DenyReason.BUSY, 503, "454 4.7.0", "454 4.7.0");
        row(DenyReason.STORE_UNAVAILABLE, 503, "454 4.7.0", "454 4.7.0");
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUp() {
        AuthResult r = AuthResult.deny(DenyReason.RATE_LIMITED, Duration.ofMillis(1500), null, false, "x");
        assertEquals("2", r.http().headers().get("Retry-After"));
        assertEquals("Too Many Requests", r.http().message());
        AuthResult tiny = AuthResult.deny(DenyReason.BUSY, Duration.ofMillis(1), null, false, "x");
        assertEquals("1", tiny.http().headers().get("Retry-After"));
    }

    @Test
    void allowedRendersAsSuccessAndRateHeadersFollowTheDraft() {
        // 58 of 100 tokens missing at 100 per minute: full again in 34.8 s, rounded up.
        AuthResult ok = AuthResult.allow(null, RateLimiter.Take.admitted(Limit.perMinute(100), 42), false, "x");
        assertEquals(200, ok.http().status());
        assertEquals(new RateLimitStatus(100, 60, 42, 35), ok.rateLimit());
        assertEquals("\"default\";q=100;w=60", ok.http().headers().get("RateLimit-Policy"));
        assertEquals("\"default\";r=42;t=35", ok.http().headers().get("RateLimit"));
        assertFalse(ok.http().headers().containsKey("WWW-Authenticate"));
        assertEquals("235 2.7.0 Authentication successful", ok.smtp().line());
        assertEquals(250, AuthResult.allow(null, null, true, "x").smtp().code());
        assertNull(ok.reason());
    }
}
