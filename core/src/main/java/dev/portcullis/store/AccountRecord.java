package dev.portcullis.store;

import dev.portcullis.RateLimitPolicy;

import java.time.Instant;
import java.util.Objects;

/**
 * What applies to every credential of an account: suspension and account-wide rate limits.
 * An account without a record is active and has no account-wide limits. Immutable.
 *
 * @param account the account name
 * @param suspendedAt when it was suspended, or {@code null} if active
 * @param rateLimit limits shared by all its credentials, or {@code null} for none
 * @param version optimistic-concurrency counter, as for {@link KeyRecord#version()}
 */
public record AccountRecord(String account, Instant suspendedAt, RateLimitPolicy rateLimit, long version) {
    public AccountRecord {
        Objects.requireNonNull(account, "account");
    }

    public static AccountRecord active(String account) {
        return new AccountRecord(account, null, null, 0);
    }

    public boolean isSuspended() {
        return suspendedAt != null;
    }

    public AccountRecord withSuspendedAt(Instant at) {
        return new AccountRecord(account, at, rateLimit, version);
    }

    public AccountRecord withRateLimit(RateLimitPolicy policy) {
        return new AccountRecord(account, suspendedAt, policy, version);
    }
}
