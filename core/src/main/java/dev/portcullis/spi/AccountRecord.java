package dev.portcullis.spi;

import dev.portcullis.Check;
import dev.portcullis.RateLimitPolicy;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What applies to every credential of an account: suspension and account-wide rate limits.
 * An account without a record is active and has no account-wide limits. Immutable.
 *
 * @param account the account name
 * @param suspendedAt when it was suspended, or {@code null} if active
 * @param rateLimit limits shared by all its credentials, or {@code null} for none
 * @param reportOnly checks that only report for every credential of the account
 * @param version optimistic-concurrency counter, as for {@link KeyRecord#version()}
 */
public record AccountRecord(String account, Instant suspendedAt, RateLimitPolicy rateLimit, Set<Check> reportOnly, long version) {
    public AccountRecord {
        Objects.requireNonNull(account, "account");
        reportOnly = reportOnly == null || reportOnly.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(reportOnly));
    }

    public static AccountRecord active(String account) {
        return new AccountRecord(account, null, null, Set.of(), 0);
    }

    public boolean isSuspended() {
        return suspendedAt != null;
    }

    public AccountRecord withSuspendedAt(Instant at) {
        return new AccountRecord(account, at, rateLimit, reportOnly, version);
    }

    public AccountRecord withRateLimit(RateLimitPolicy policy) {
        return new AccountRecord(account, suspendedAt, policy, reportOnly, version);
    }

    /** Report-only for every credential of the account: {@code ALLOWLIST} for their allowlists, {@code RATE_LIMIT} for all limits. */
    public AccountRecord withReportOnly(Set<Check> checks) {
        return new AccountRecord(account, suspendedAt, rateLimit, checks, version);
    }
}
