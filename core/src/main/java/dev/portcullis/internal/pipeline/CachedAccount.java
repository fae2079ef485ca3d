package dev.portcullis.internal.pipeline;

import dev.portcullis.Check;
import dev.portcullis.Limit;

import dev.portcullis.spi.AccountRecord;

import java.util.ArrayList;
import java.util.List;
import dev.portcullis.spi.RateLimiter;

/** An account as the hot path needs it: suspended or not, and its own quotas. */
final class CachedAccount extends RecordCache.Entry {
    final AccountRecord record;
    final boolean suspended;
    final List<RateLimiter.Quota> quotas;
    /** The account's credit balance, or {@code null} for none: read per request, so kept here, not behind the record. */
    final String creditBalance;
    /** Every credential's allowlist of this account only reports. */
    final boolean reportAllowlist;
    /** Every limit on this account's credentials only reports. */
    final boolean reportRate;
    /** The cache's account-change count when this entry's store read began (see {@code RecordCache.account}). */
    final long epoch;

    private CachedAccount(AccountRecord record, long loadedAt, long epoch) {
        super(loadedAt);
        this.record = record;
        this.epoch = epoch;
        this.suspended = record != null && record.isSuspended();
        List<RateLimiter.Quota> q = new ArrayList<>();
        if (record != null && record.rateLimit() != null) {
            for (Limit l : record.rateLimit().limits()) {
                // Account-level limits count every credential of the account, whatever the limit's own scope.
                q.add(new RateLimiter.Quota("A:" + record.account() + ":" + l, l));
            }
        }
        this.quotas = List.copyOf(q);
        this.creditBalance = record == null ? null : record.creditBalance();
        this.reportAllowlist = record != null && record.reportOnly().contains(Check.ALLOWLIST);
        this.reportRate = record != null && record.reportOnly().contains(Check.RATE_LIMIT);
    }

    static CachedAccount of(AccountRecord recordOrNull, long loadedAt, long epoch) {
        return new CachedAccount(recordOrNull, loadedAt, epoch);
    }
}
