package dev.portcullis.spi;

import dev.portcullis.Channel;
import dev.portcullis.Check;
import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.Grant;
import dev.portcullis.RateLimitPolicy;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One stored credential: an API key (its digest) or an SMTP login (its password hash), with
 * everything needed to decide on a request. Immutable; {@link #toBuilder()} derives changes.
 *
 * <p>{@code version} is the store's optimistic-concurrency counter: 1 for a new record, one more
 * on each save. A record never holds a token or a password, only their digest or hash, and its
 * {@code toString} shows neither.
 */
public final class KeyRecord {
    private final String id;
    private final String account;
    private final String name;
    private final CredentialKind kind;
    private final String prefix;
    private final String username;
    private final String secretHash;
    private final String passwordProfile;
    private final List<Grant> grants;
    private final List<String> allowlist;
    private final RateLimitPolicy rateLimit;
    private final Set<Channel> channels;
    private final Instant createdAt;
    private final Instant expiresAt;
    private final Duration lifetime;
    private final Instant revokedAt;
    private final String replacedBy;
    private final Instant changedAt;
    private final String changedBy;
    private final String changeReason;
    private final Set<Check> reportOnly;
    private final String creditBalance;
    private final dev.portcullis.Limit.Refill refill;
    private final long version;

    private KeyRecord(Builder b) {
        this.id = require(b.id, "id");
        this.account = require(b.account, "account");
        this.name = b.name == null ? "" : b.name;
        this.kind = Objects.requireNonNull(b.kind, "kind");
        this.prefix = b.prefix;
        this.username = b.username;
        this.secretHash = require(b.secretHash, "secretHash");
        this.passwordProfile = b.passwordProfile;
        this.grants = List.copyOf(b.grants);
        this.allowlist = List.copyOf(b.allowlist);
        this.rateLimit = b.rateLimit;
        this.channels = b.channels.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(b.channels));
        this.createdAt = Objects.requireNonNull(b.createdAt, "createdAt");
        this.expiresAt = b.expiresAt;
        this.lifetime = b.lifetime;
        this.revokedAt = b.revokedAt;
        this.replacedBy = b.replacedBy;
        this.changedAt = b.changedAt;
        this.changedBy = b.changedBy;
        this.changeReason = b.changeReason;
        this.reportOnly = b.reportOnly.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(b.reportOnly));
        this.creditBalance = b.creditBalance;
        this.refill = b.refill;
        this.version = b.version;
        if (refill != null && creditBalance == null) {
            throw new IllegalArgumentException("a refill needs a credit balance");
        }
        if (kind == CredentialKind.PASSWORD && (username == null || passwordProfile == null)) {
            throw new IllegalArgumentException("a password record needs a username and a password profile");
        }
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0");
        }
    }

    private static String require(String s, String what) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException(what + " is required");
        }
        return s;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.account = account;
        b.name = name;
        b.kind = kind;
        b.prefix = prefix;
        b.username = username;
        b.secretHash = secretHash;
        b.passwordProfile = passwordProfile;
        b.grants = grants;
        b.allowlist = allowlist;
        b.rateLimit = rateLimit;
        b.channels = channels;
        b.createdAt = createdAt;
        b.expiresAt = expiresAt;
        b.lifetime = lifetime;
        b.revokedAt = revokedAt;
        b.replacedBy = replacedBy;
        b.changedAt = changedAt;
        b.changedBy = changedBy;
        b.changeReason = changeReason;
        b.reportOnly = reportOnly;
        b.creditBalance = creditBalance;
        b.refill = refill;
        b.version = version;
        return b;
    }

    /** The public key id (API keys) or a generated id (passwords); unique in the store. */
    public String id() { return id; }
    public String account() { return account; }
    public String name() { return name; }
    public CredentialKind kind() { return kind; }
    /** The key format prefix of an API key; {@code null} for passwords and imported keys. */
    public @Nullable String prefix() { return prefix; }
    /** The login of a password credential, unique in the store; {@code null} for API keys. */
    public @Nullable String username() { return username; }
    /** {@code sha256$…} / {@code hmac-sha256$…} for API keys, an Argon2id PHC string for passwords. */
    public String secretHash() { return secretHash; }
    /** The preparation profile the password was hashed with (e.g. {@code opaque-v1}); {@code null} for API keys. */
    public @Nullable String passwordProfile() { return passwordProfile; }
    public List<Grant> grants() { return grants; }
    /** CIDR blocks the credential may be used from; empty means any address. */
    public List<String> allowlist() { return allowlist; }
    /** The credential's own limits; {@code null} means the {@code Portcullis} default policy applies. */
    public @Nullable RateLimitPolicy rateLimit() { return rateLimit; }
    /** Where the credential may be presented. */
    public Set<Channel> channels() { return channels; }
    public Instant createdAt() { return createdAt; }
    /** The absolute expiry, or {@code null} for none. */
    public @Nullable Instant expiresAt() { return expiresAt; }
    /** The lifetime the expiry was given as, if it was given as one; {@code null} otherwise. */
    public @Nullable Duration lifetime() { return lifetime; }
    public @Nullable Instant revokedAt() { return revokedAt; }
    /** The id of the key this one was rotated to; {@code null} if it was not rotated. */
    public @Nullable String replacedBy() { return replacedBy; }
    /** When the record last changed (creation included); {@code null} in records stored before it was kept. */
    public @Nullable Instant changedAt() { return changedAt; }
    /** Who made the last change, as the application named them; {@code null} if unnamed. */
    public @Nullable String changedBy() { return changedBy; }
    /** Why, as the application said; {@code null} if unsaid. */
    public @Nullable String changeReason() { return changeReason; }
    /** Checks that only report for this credential (see {@link Check}); empty: everything is enforced. */
    public Set<Check> reportOnly() { return reportOnly; }
    /**
     * The owner of the credit balance each allowed request takes its cost from, in
     * {@link CredentialStore#takeCredits}; {@code null}: unlimited. A rotated key's successor
     * shares its balance, so rotating never makes credits.
     */
    public @Nullable String creditBalance() { return creditBalance; }
    /** How the credit balance refills; {@code null}: it does not. */
    public dev.portcullis.Limit.@Nullable Refill refill() { return refill; }
    public long version() { return version; }

    public boolean isRevoked() {
        return revokedAt != null;
    }

    /** Whether the record is expired at {@code now} (an expiry is the first instant it is denied). */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "KeyRecord[" + id + ", account=" + account + ", " + kind + ", v" + version
                + (revokedAt != null ? ", revoked" : "") + "]";
    }

    /** Builds a {@link KeyRecord}; not thread-safe. */
    public static final class Builder {
        private String id;
        private String account;
        private String name;
        private CredentialKind kind;
        private String prefix;
        private String username;
        private String secretHash;
        private String passwordProfile;
        private List<Grant> grants = List.of();
        private List<String> allowlist = List.of();
        private RateLimitPolicy rateLimit;
        private Set<Channel> channels = Set.of();
        private Instant createdAt;
        private Instant expiresAt;
        private Duration lifetime;
        private Instant revokedAt;
        private String replacedBy;
        private Instant changedAt;
        private String changedBy;
        private String changeReason;
        private Set<Check> reportOnly = Set.of();
        private String creditBalance;
        private dev.portcullis.Limit.Refill refill;
        private long version;

        private Builder() {}

        public Builder id(String id) { this.id = id; return this; }
        public Builder account(String account) { this.account = account; return this; }
        public Builder name(@Nullable String name) { this.name = name; return this; }
        public Builder kind(CredentialKind kind) { this.kind = kind; return this; }
        public Builder prefix(@Nullable String prefix) { this.prefix = prefix; return this; }
        public Builder username(@Nullable String username) { this.username = username; return this; }
        public Builder secretHash(String secretHash) { this.secretHash = secretHash; return this; }
        public Builder passwordProfile(@Nullable String profile) { this.passwordProfile = profile; return this; }
        public Builder grants(List<Grant> grants) { this.grants = Objects.requireNonNull(grants); return this; }
        public Builder allowlist(List<String> cidrs) { this.allowlist = Objects.requireNonNull(cidrs); return this; }
        public Builder rateLimit(@Nullable RateLimitPolicy policy) { this.rateLimit = policy; return this; }
        public Builder channels(Set<Channel> channels) { this.channels = Objects.requireNonNull(channels); return this; }
        public Builder createdAt(Instant at) { this.createdAt = at; return this; }
        public Builder expiresAt(@Nullable Instant at) { this.expiresAt = at; return this; }
        public Builder lifetime(@Nullable Duration lifetime) { this.lifetime = lifetime; return this; }
        public Builder revokedAt(@Nullable Instant at) { this.revokedAt = at; return this; }
        public Builder replacedBy(@Nullable String id) { this.replacedBy = id; return this; }
        public Builder changedAt(@Nullable Instant at) { this.changedAt = at; return this; }
        public Builder changedBy(@Nullable String actor) { this.changedBy = actor; return this; }
        public Builder changeReason(@Nullable String reason) { this.changeReason = reason; return this; }
        public Builder reportOnly(Set<Check> checks) { this.reportOnly = Objects.requireNonNull(checks); return this; }
        public Builder creditBalance(@Nullable String owner) { this.creditBalance = owner; return this; }
        public Builder refill(dev.portcullis.Limit.@Nullable Refill refill) { this.refill = refill; return this; }
        public Builder version(long version) { this.version = version; return this; }

        public KeyRecord build() {
            return new KeyRecord(this);
        }
    }
}
