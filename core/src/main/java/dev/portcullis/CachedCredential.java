package dev.portcullis;

import dev.portcullis.internal.crypto.TokenDigests;
import dev.portcullis.store.KeyRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * A credential as the hot path needs it, compiled once per record version: the decoded digest,
 * the allowlist, the rate-limit quotas, the expiry as epoch millis. A {@code null} record is a
 * negative entry.
 */
final class CachedCredential extends RecordCache.Entry {
    private static final System.Logger LOG = System.getLogger(Authenticator.class.getName());

    /** The id it was looked up by: the record's, or the unknown one a negative entry stands for. */
    final String id;
    final KeyRecord record;
    /** The account's failure budget, for logins; {@code null} for a negative entry. */
    final RateLimiter.Quota accountBudget;
    /** What an allowed request's principal shows of the record; {@code null} for a negative entry. */
    final Principal.Identity identity;
    /**
     * Decoded token digest of an API key; for anything else (a negative entry, a password, an
     * unreadable digest) a {@linkplain TokenDigests#placeholder placeholder} nothing matches, so
     * that every lookup by id runs the same check.
     */
    final TokenDigests.Stored digest;
    /** Whether this is an API key whose digest could be read: the only kind a token may match. */
    final boolean verifiable;
    /** The account an API key's failures are reported under; {@code null} if not an API key. */
    final String keyAccount;
    /** How a token that does not match is denied, and the detail: fixed per entry, so the deny path is one path. */
    final DenyReason mismatch;
    final String mismatchDetail;
    final long expiresAtMillis;
    /** {@code null} when a stored CIDR is unreadable: such a record is denied everywhere. */
    final Allowlist allowlist;
    /** The record's own limits (or the default policy), keyed per key and per account. */
    final List<RateLimiter.Quota> quotas;
    /** {@link #quotas} plus an account's own limits, for the last account entry seen. */
    private volatile Combined combined;

    private record Combined(CachedAccount account, List<RateLimiter.Quota> quotas) {}

    private CachedCredential(String id, KeyRecord record, long loadedAt, RateLimitPolicy defaultPolicy, FailureBudgets budgets,
            TokenDigests digests) {
        super(loadedAt);
        this.id = id;
        this.record = record;
        this.identity = record == null ? null : new Principal.Identity(record);
        this.accountBudget = record == null ? null : budgets.accountBudget(record.account());
        boolean apiKey = record != null && record.kind() == CredentialKind.API_KEY;
        TokenDigests.Stored readable = apiKey ? decode(record) : null;
        this.digest = readable != null ? readable : digests.placeholder();
        this.verifiable = readable != null;
        this.keyAccount = apiKey ? record.account() : null;
        this.mismatch = apiKey ? DenyReason.WRONG_SECRET : DenyReason.UNKNOWN_KEY;
        this.mismatchDetail = !apiKey ? "UNKNOWN_ID" : readable == null ? "UNREADABLE_DIGEST" : null;
        if (record == null) {
            this.expiresAtMillis = Long.MAX_VALUE;
            this.allowlist = null;
            this.quotas = List.of();
            return;
        }
        this.expiresAtMillis = record.expiresAt() == null ? Long.MAX_VALUE : record.expiresAt().toEpochMilli();
        this.allowlist = compileAllowlist(record);
        RateLimitPolicy policy = record.rateLimit() != null ? record.rateLimit() : defaultPolicy;
        List<RateLimiter.Quota> q = new ArrayList<>(policy.limits().size());
        for (Limit l : policy.limits()) {
            q.add(l.scope() == Limit.Scope.ACCOUNT
                    ? new RateLimiter.Quota("a:" + record.account() + ":" + l, l)
                    : new RateLimiter.Quota("k:" + record.id() + ":" + l, l));
        }
        this.quotas = List.copyOf(q);
    }

    static CachedCredential of(String id, KeyRecord recordOrNull, long loadedAt, RateLimitPolicy defaultPolicy,
            FailureBudgets budgets, TokenDigests digests) {
        return new CachedCredential(id, recordOrNull, loadedAt, defaultPolicy, budgets, digests);
    }

    /** This credential's quotas followed by its account's, without allocating while the account entry stays. */
    List<RateLimiter.Quota> quotasWith(CachedAccount account) {
        if (account.quotas.isEmpty()) {
            return quotas;
        }
        Combined c = combined;
        if (c == null || c.account != account) {
            List<RateLimiter.Quota> all = new ArrayList<>(quotas);
            all.addAll(account.quotas);
            c = new Combined(account, List.copyOf(all));
            combined = c;
        }
        return c.quotas;
    }

    private static TokenDigests.Stored decode(KeyRecord r) {
        try {
            return TokenDigests.parse(r.secretHash());
        } catch (IllegalArgumentException e) {
            // A corrupt record can never match; say so once per load, without the digest itself.
            LOG.log(System.Logger.Level.WARNING, "record " + r.id() + " has an unreadable token digest: " + e.getMessage());
            return null;
        }
    }

    private static Allowlist compileAllowlist(KeyRecord r) {
        try {
            return Allowlist.of(r.allowlist());
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "record " + r.id() + " has an unreadable allowlist; denied everywhere: "
                    + e.getMessage());
            return null;
        }
    }

    boolean present() {
        return record != null;
    }
}
