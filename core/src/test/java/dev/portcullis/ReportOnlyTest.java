package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Report-only allowlists and limits: decided, reported, counted, not enforced — until switched on. */
class ReportOnlyTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Fixtures f = new Fixtures(CredentialStore.inMemory(), Portcullis.builder().meterRegistry(registry), Runnable::run);

    private double reported(DenyReason r) {
        return registry.get("portcullis.report_only").tag("would_deny", r.name()).counter().count();
    }

    @Test
    void aReportOnlyAllowlistAllowsAndReportsThenEnforcesThroughTheFeed() {
        IssuedKey k = f.keys().create(KeySpec.builder().account("acme").allow("203.0.113.0/24").reportOnly(Check.ALLOWLIST).build());
        AuthResult outside = f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "198.51.100.9"));
        assertTrue(outside.allowed(), "report-only does not deny");
        assertEquals(DenyReason.IP_NOT_ALLOWED, f.lastEvent().wouldDeny());
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "203.0.113.9"));
        assertNull(f.lastEvent().wouldDeny(), "an allowed address reports nothing");
        assertEquals(1, reported(DenyReason.IP_NOT_ALLOWED));

        f.keys().update(k.id(), KeyUpdate.builder().reportOnly().build()); // enforce
        assertEquals(DenyReason.IP_NOT_ALLOWED,
                f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", k.token()), "198.51.100.9")).reason());
    }

    @Test
    void aReportOnlyRateLimitAllowsAndReports() {
        IssuedKey k = f.keys().create(KeySpec.builder().account("acme")
                .rateLimit(RateLimitPolicy.of(Limit.perHour(2))).reportOnly(Check.RATE_LIMIT).build());
        for (int i = 0; i < 5; i++) {
            assertTrue(f.withKey(k.token()).allowed());
        }
        assertEquals(3, reported(DenyReason.RATE_LIMITED));
        f.keys().update(k.id(), KeyUpdate.builder().reportOnly().build());
        assertEquals(DenyReason.RATE_LIMITED, f.withKey(k.token()).reason(), "enforced now: the bucket is still empty");
    }

    @Test
    void accountWideReportOnlyCoversEveryKeyAndTheAccountsLimits() {
        IssuedKey a = f.keys().create(KeySpec.builder().account("acme").allow("203.0.113.0/24").build());
        f.keys().setAccountRateLimit("acme", RateLimitPolicy.of(Limit.perHour(1)));
        f.keys().setAccountReportOnly("acme", Check.ALLOWLIST, Check.RATE_LIMIT);
        for (int i = 0; i < 3; i++) {
            assertTrue(f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", a.token()), "198.51.100.9")).allowed());
        }
        assertEquals(3, reported(DenyReason.IP_NOT_ALLOWED), "the allowlist is checked first, so it is what is reported");
        f.keys().setAccountReportOnly("acme", Check.ALLOWLIST);
        assertEquals(DenyReason.RATE_LIMITED,
                f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", a.token()), "203.0.113.1")).reason());
        f.keys().setAccountReportOnly("acme");
        assertEquals(DenyReason.IP_NOT_ALLOWED,
                f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", a.token()), "198.51.100.9")).reason());
    }

    @Test
    void keyLevelReportOnlyLeavesTheAccountsOwnLimitsEnforced() {
        IssuedKey a = f.keys().create(KeySpec.builder().account("acme")
                .rateLimit(RateLimitPolicy.of(Limit.perHour(1))).reportOnly(Check.RATE_LIMIT).build());
        f.keys().setAccountRateLimit("acme", RateLimitPolicy.of(Limit.perHour(2)));
        assertTrue(f.withKey(a.token()).allowed());
        assertTrue(f.withKey(a.token()).allowed());
        assertEquals(DenyReason.RATE_LIMITED, f.withKey(a.token()).reason(), "the account limit is enforced");
    }
}
