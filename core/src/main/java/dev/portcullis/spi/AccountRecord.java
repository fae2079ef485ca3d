package dev.portcullis.spi;

import dev.portcullis.Check;
import dev.portcullis.Limit;
import dev.portcullis.RateLimitPolicy;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What applies to every credential of an account: suspension and account-wide rate limits.
 * An account without a record is active and has no account-wide limits. Immutable.
 *
 * @param account the account name
 * @param suspendedAt when it was suspended, or {@code null} if active
 * @param rateLimit limits shared by all its credentials, or {@code null} for none
 * @param reportOnly checks that only report for every credential of the account
 * @param creditBalance the owner of the balance every allowed request of the account also takes
 *     its cost from ({@link CredentialStore#takeCredits}); {@code null}: unlimited
 * @param refill how that balance refills; {@code null}: it does not
 * @param version optimistic-concurrency counter, as for {@link KeyRecord#version()}
 */
public record AccountRecord(String account, @Nullable Instant suspendedAt, @Nullable RateLimitPolicy rateLimit, Set<Check> reportOnly,
        @Nullable String creditBalance, Limit.@Nullable Refill refill, long version) {
    public AccountRecord {
        Objects.requireNonNull(account, "account");
        reportOnly = reportOnly == null || reportOnly.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(reportOnly));
        if (refill != null && creditBalance == null) {
            throw new IllegalArgumentException("a refill needs a credit balance");
        }
    }

    /** An account without credits. */
    public AccountRecord(String account, @Nullable Instant suspendedAt, @Nullable RateLimitPolicy rateLimit, Set<Check> reportOnly, long version) {
        this(account, suspendedAt, rateLimit, reportOnly, null, null, version);
    }

    public static AccountRecord active(String account) {
        return new AccountRecord(account, null, null, Set.of(), null, null, 0);
    }

    /** The same account with credits in {@code owner}'s balance refilling as {@code refill} (both {@code null}: unlimited). */
    public AccountRecord withCredits(@Nullable String owner, Limit.@Nullable Refill refill) {
        return new AccountRecord(account, suspendedAt, rateLimit, reportOnly, owner, refill, version);
    }

    public boolean isSuspended() {
        return suspendedAt != null;
    }

    public AccountRecord withSuspendedAt(@Nullable Instant at) {
        return new AccountRecord(account, at, rateLimit, reportOnly, creditBalance, refill, version);
    }

    public AccountRecord withRateLimit(@Nullable RateLimitPolicy policy) {
        return new AccountRecord(account, suspendedAt, policy, reportOnly, creditBalance, refill, version);
    }

    /** Report-only for every credential of the account: {@code ALLOWLIST} for their allowlists, {@code RATE_LIMIT} for all limits. */
    public AccountRecord withReportOnly(Set<Check> checks) {
        return new AccountRecord(account, suspendedAt, rateLimit, checks, creditBalance, refill, version);
    }
}
