package dev.portcullis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a new API key may do. Built with {@link #builder()}; immutable.
 *
 * <pre>{@code
 * KeySpec.builder().account("acme").name("billing mailer")
 *         .grant("messages:send", "example.com")
 *         .allow("203.0.113.0/24", "2001:db8::/32")
 *         .rateLimit(RateLimitPolicy.of(Limit.perSecond(100).burst(200)))
 *         .expiresAt(Instant.parse("2027-01-01T00:00:00Z"))
 *         .build();
 * }</pre>
 */
public final class KeySpec {
    static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    final String account;
    final String name;
    final List<Grant> grants;
    final List<String> allowlist;
    final RateLimitPolicy rateLimit;
    final Instant expiresAt;
    final Duration lifetime;
    final Set<Channel> channels;
    final Set<Check> reportOnly;

    private KeySpec(Builder b) {
        this.account = checkAccount(b.account);
        this.name = checkName(b.name);
        this.grants = List.copyOf(b.grants);
        this.allowlist = List.copyOf(b.allowlist);
        this.rateLimit = b.rateLimit;
        KeySpec.checkOneExpiry(b.expiresAt, b.lifetime);
        this.expiresAt = b.expiresAt;
        this.lifetime = b.lifetime;
        this.channels = b.channels == null ? Set.copyOf(EnumSet.allOf(Channel.class)) : Set.copyOf(b.channels);
        this.reportOnly = Set.copyOf(b.reportOnly);
    }

    static String checkAccount(String account) {
        if (account == null || !ACCOUNT.matcher(account).matches()) {
            throw new IllegalArgumentException("account must match " + ACCOUNT.pattern());
        }
        return account;
    }

    /** Shared by every spec and update: a lifetime must be positive. */
    static void checkLifetime(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive");
        }
    }

    /** An expiry is given as an instant or as a lifetime, never both. */
    static void checkOneExpiry(Instant at, Duration lifetime) {
        if (at != null && lifetime != null) {
            throw new IllegalStateException("give an expiry as an instant or as a lifetime, not both");
        }
    }

    static String checkName(String name) {
        if (name == null) {
            return "";
        }
        if (name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("name must be at most 200 characters without control characters");
        }
        return name;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link KeySpec}; not thread-safe. */
    public static final class Builder {
        private String account;
        private String name;
        private final List<Grant> grants = new ArrayList<>();
        private final List<String> allowlist = new ArrayList<>();
        private RateLimitPolicy rateLimit;
        private Instant expiresAt;
        private Duration lifetime;
        private Set<Channel> channels;
        private final Set<Check> reportOnly = EnumSet.noneOf(Check.class);

        private Builder() {}

        public Builder account(String account) {
            this.account = account;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Adds a grant; see {@link Grant} for the grammar. */
        public Builder grant(String permission, String resourcePattern) {
            grants.add(Grant.of(permission, resourcePattern));
            return this;
        }

        /** Adds CIDR blocks (IPv4 or IPv6) the key may be used from; none means any address. */
        public Builder allow(String... cidrs) {
            for (String c : cidrs) {
                allowlist.add(Objects.requireNonNull(c, "cidr"));
            }
            return this;
        }

        /** This key's own limits; without them the {@code Portcullis} default policy applies. */
        public Builder rateLimit(RateLimitPolicy policy) {
            this.rateLimit = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public Builder expiresAt(Instant at) {
            this.expiresAt = Objects.requireNonNull(at, "at");
            return this;
        }

        /** Expires this long after creation; the lifetime is stored beside the absolute expiry. */
        public Builder expiresIn(Duration lifetime) {
            KeySpec.checkLifetime(lifetime);
            this.lifetime = lifetime;
            return this;
        }

        /** Where the key may be presented; by default HTTP and SMTP (as the password of a key username). */
        public Builder channels(Channel... channels) {
            if (channels.length == 0) {
                throw new IllegalArgumentException("at least one channel");
            }
            this.channels = EnumSet.copyOf(List.of(channels));
            return this;
        }

        /** Runs these checks report-only: decided and reported, not enforced (see {@link Check}). */
        public Builder reportOnly(Check... checks) {
            reportOnly.addAll(List.of(checks));
            return this;
        }

        /**
         * @throws IllegalArgumentException if the account or name is invalid
         * @throws IllegalStateException if both an expiry instant and a lifetime were given
         */
        public KeySpec build() {
            return new KeySpec(this);
        }
    }
}
