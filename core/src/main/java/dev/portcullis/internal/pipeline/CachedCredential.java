package dev.portcullis.internal.pipeline;

import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.Channel;
import dev.portcullis.Check;
import dev.portcullis.DenyReason;
import dev.portcullis.Grant;
import dev.portcullis.Limit;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.internal.net.Allowlist;

import dev.portcullis.internal.crypto.PasswordHasher;
import dev.portcullis.internal.crypto.PasswordProfile;
import dev.portcullis.internal.crypto.TokenDigests;
import dev.portcullis.spi.KeyRecord;

import java.util.ArrayList;
import java.util.List;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.KeyInfo.CredentialKind;

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
    /** What a password check reads: the same fields whether or not this is a login (see {@link Login}). */
    final Login login;
    /** What an allowed request's principal shows of the record; {@code null} for a negative entry. */
    final Identity identity;
    /**
     * Decoded token digest of an API key; for anything else (a negative entry, a password, an
     * unreadable digest) a {@linkplain TokenDigests#placeholder placeholder} nothing matches, so
     * that every lookup by id runs the same check.
     */
    final TokenDigests.Stored digest;
    /** Whether this is an API key whose digest could be read: the only kind a token may match. */
    final boolean verifiable;
    /**
     * What a token checked against this entry names: its id, and the account only of an API key
     * (so only an API key's usage is counted here); for a negative entry, the unknown id.
     */
    final Subject subject;
    /** How a token that does not match is denied, and the detail: fixed per entry, so the deny path is one path. */
    final DenyReason mismatch;
    final String mismatchDetail;
    final long expiresAtMillis;
    /** The channels the record may be used on, one bit per {@code Channel} ordinal: no set to read per request. */
    final int channels;
    /*
     * What the record stages read of the record, copied into the entry: the record is an object of
     * its own, made when the store was read and lying far from the entry, and with a million keys
     * reading it cost a cache miss per request (ScaleBenchmark, issue 30). A negative entry has none.
     */
    final boolean revoked;
    /** Whether the record runs its rate limits, or its allowlist, report-only. */
    final boolean reportsRate;
    final boolean reportsAllowlist;
    /** The key's credit balance, or {@code null} for none (see {@link KeyRecord#creditBalance}). */
    final String creditBalance;
    /** The stored hash: what an allowed principal was verified against. */
    final String secretHash;
    final List<Grant> grants;
    /** {@code null} when a stored CIDR is unreadable: such a record is denied everywhere. */
    final Allowlist allowlist;
    /** The record's own limits (or the default policy), keyed per key and per account. */
    final List<RateLimiter.Quota> quotas;
    /** {@link #quotas} plus an account's own limits, for the last account entry seen. */
    private volatile Combined combined;
    /** The account entry the last request of this credential was given, or {@code null}: see {@code RecordCache.account}. */
    volatile CachedAccount account;
    /** The credit takes of the last admitted request, for the next in the same refill period ({@link Credits}). */
    volatile Credits.Takes creditTakes;

    /**
     * The result of this entry's last allowed request, given again to the next one that would get an
     * equal result: same client, channel and verified hash, and no limit or credit state to report
     * (a result with some, or a re-authorization's at MAIL FROM, is made anew around the same principal).
     * A key's requests mostly come from its sender's few servers, so a hit allocates neither a
     * principal nor a result. A plain field: the result is immutable (final fields), so a racing
     * reader sees either whole value, and a lost write costs one allocation.
     */
    AuthResult lastAllowed;

    private record Combined(CachedAccount account, List<RateLimiter.Quota> quotas) {}

    /**
     * A username's entry as the password check sees it. For a login it holds the record's hash and
     * account; for anything else (a negative entry, a record that is not a login) the hasher's dummy
     * hash at the default profile and a stand-in account whose budget never refuses.
     * Every entry looked up by username has one of its own (login or not), so a known and an unknown
     * username run the same code over the same kind of objects up to the single denial (the timing
     * invariant of the package note); entries by id, which no login reads, share one.
     */
    static final class Login {
        /** The record, or {@code null}: what the success cache binds to. */
        final KeyRecord record;
        /** The record's id and account, or no id and no account, usage counted under the username looked up. */
        final Subject subject;
        /** The account the failure budgets and known networks are kept under: {@link FailureBudgets#NO_ACCOUNT} if none. */
        final String budgetAccount;
        final RateLimiter.Quota accountBudget;
        /** A copy of the stored hash, or of the dummy hash (see the constructor). */
        final String hash;
        /** How the password is prepared; {@code null} for an unknown stored profile (then verified as a dummy). */
        final PasswordProfile profile;
        final DenyReason mismatch;
        final String mismatchDetail;
        /**
         * What a check of this login is bound to in the {@link LoginCache} and the single flight: the
         * record's id (interned, as {@link LoginCache#NO_RECORD} is a constant, so a remembered answer is
         * recognised by a reference check for both) and version; no record and no version for none.
         */
        final String checkId;
        final long checkVersion;

        private Login(KeyRecord loginOrNull, String username, FailureBudgets budgets, PasswordHasher hasher) {
            boolean exists = loginOrNull != null;
            this.record = loginOrNull;
            // An unknown login's usage key is a String of its own, as a known one's (the record id) is:
            // the username itself is the cache's key, which the lookup has just read, so counting under
            // it would touch one object less (the timing invariant).
            this.subject = exists ? new Subject(loginOrNull.id(), loginOrNull.account(), loginOrNull.id())
                    : new Subject(null, null, username == null ? null : new String(username));
            // Interned, as the stand-in is a constant: the known-networks lookup then ends at a
            // reference check for both, whatever the account's name.
            this.budgetAccount = exists ? loginOrNull.account().intern() : FailureBudgets.NO_ACCOUNT;
            this.accountBudget = budgets.accountBudget(budgetAccount);
            // A copy either way, made here: the stored hash and the dummy then both lie beside the
            // entry that reads them, instead of one with the record and the other with the hasher.
            this.hash = new String((exists ? loginOrNull.secretHash() : hasher.dummyHash()).toCharArray());
            this.profile = exists ? PasswordProfile.byId(loginOrNull.passwordProfile()) : hasher.profile();
            this.mismatch = exists ? DenyReason.WRONG_SECRET : DenyReason.UNKNOWN_KEY;
            this.mismatchDetail = exists ? null : "UNKNOWN_USERNAME";
            this.checkId = exists ? loginOrNull.id().intern() : LoginCache.NO_RECORD;
            this.checkVersion = exists ? loginOrNull.version() : LoginCache.NO_VERSION;
        }

        boolean exists() {
            return record != null;
        }
    }

    /** Compiles records for a {@link RecordCache}, with what the hot path checks them against. */
    static final class Compiler implements RecordCache.Compiler {
        private final RateLimitPolicy defaultPolicy;
        private final FailureBudgets budgets;
        private final TokenDigests digests;
        private final PasswordHasher hasher;
        /** The password check of entries no login reads (API keys, entries by id) and of usernames that cannot be logins. */
        private final Login none;

        Compiler(RateLimitPolicy defaultPolicy, FailureBudgets budgets, TokenDigests digests, PasswordHasher hasher) {
            this.defaultPolicy = defaultPolicy;
            this.budgets = budgets;
            this.digests = digests;
            this.hasher = hasher;
            this.none = new Login(null, null, budgets, hasher);
        }

        Login none() {
            return none;
        }

        @Override
        public CachedCredential compile(String id, String username, KeyRecord recordOrNull, long loadedAt) {
            boolean isLogin = recordOrNull != null && recordOrNull.kind() == CredentialKind.PASSWORD;
            // A login, and the absence of one, looked up by username each get a Login of their own, laid
            // out with their entry; an entry by id is never read by a login.
            Login login = username != null && (isLogin || recordOrNull == null)
                    ? new Login(isLogin ? recordOrNull : null, username, budgets, hasher) : none;
            return new CachedCredential(id, recordOrNull, loadedAt, defaultPolicy, digests, login);
        }
    }

    private CachedCredential(String id, KeyRecord record, long loadedAt, RateLimitPolicy defaultPolicy, TokenDigests digests,
            Login login) {
        super(loadedAt);
        // The record's own id when it is the one looked up: one copy of the text per entry, not two.
        this.id = record != null && record.id().equals(id) ? record.id() : id;
        this.record = record;
        this.login = login;
        boolean apiKey = record != null && record.kind() == CredentialKind.API_KEY;
        TokenDigests.Stored readable = apiKey ? decode(record) : null;
        this.digest = readable != null ? readable : digests.placeholder();
        this.verifiable = readable != null;
        this.subject = new Subject(this.id, apiKey ? record.account() : null, this.id);
        // An API key's token check and its principal's re-authorizations name the same (id, account, id):
        // one subject, and one remembered tally, for both.
        this.identity = record == null ? null
                : new Identity(record, apiKey && this.id == record.id() ? subject : new Subject(record.id(), record.account(), record.id()));
        this.mismatch = apiKey ? DenyReason.WRONG_SECRET : DenyReason.UNKNOWN_KEY;
        this.mismatchDetail = !apiKey ? "UNKNOWN_ID" : readable == null ? "UNREADABLE_DIGEST" : null;
        if (record == null) {
            this.revoked = false;
            this.reportsRate = false;
            this.reportsAllowlist = false;
            this.creditBalance = null;
            this.secretHash = null;
            this.grants = List.of();
            this.channels = 0;
            this.expiresAtMillis = Long.MAX_VALUE;
            this.allowlist = null;
            this.quotas = List.of();
            return;
        }
        this.revoked = record.isRevoked();
        this.reportsRate = record.reportOnly().contains(Check.RATE_LIMIT);
        this.reportsAllowlist = record.reportOnly().contains(Check.ALLOWLIST);
        this.creditBalance = record.creditBalance();
        this.secretHash = record.secretHash();
        this.grants = record.grants();
        int mask = 0;
        for (Channel ch : record.channels()) {
            mask |= 1 << ch.ordinal();
        }
        this.channels = mask;
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
