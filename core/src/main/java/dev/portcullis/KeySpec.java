package dev.portcullis;

import dev.portcullis.internal.access.ApiAccess;
import dev.portcullis.internal.rules.Names;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a new credential may do: an API key ({@link KeyManager#create}) or, with a
 * {@linkplain Builder#username username}, an SMTP login ({@link KeyManager#createSmtpCredential})
 * whose password is generated (≥ 128 bits) unless one is given. Built with {@link #builder()};
 * immutable; {@code toString} shows no password.
 *
 * <pre>{@code
 * KeySpec.builder().account("acme").name("billing mailer")
 *         .grant("messages:send", "example.com")
 *         .allow("203.0.113.0/24", "2001:db8::/32")
 *         .rateLimit(RateLimitPolicy.of(Limit.perSecond(100).burst(200)))
 *         .expiresAt(Instant.parse("2027-01-01T00:00:00Z"))
 *         .build();
 * KeySpec.builder().account("acme").username("postmaster@example.com")
 *         .grant("messages:send", "example.com")
 *         .build();                          // for createSmtpCredential
 * }</pre>
 */
public final class KeySpec {
    /** Shortest password a user may choose for an SMTP login. */
    public static final int MIN_PASSWORD_LENGTH = 12;

    private final String account;
    private final String name;
    private final List<Grant> grants;
    private final List<String> allowlist;
    private final RateLimitPolicy rateLimit;
    private final Instant expiresAt;
    private final Duration lifetime;
    private final Set<Channel> channels;
    private final Set<Check> reportOnly;
    /** The canonical SMTP username of a login; {@code null} for an API key. */
    private final String username;
    /** A login's chosen password, or {@code null} for a generated one. */
    private final String password;
    /** The starting credit balance, or {@code null}: unlimited. */
    private final Long credits;
    private final Limit.Refill refill;

    private KeySpec(Builder b) {
        this.account = Names.checkAccount(b.account);
        this.name = Names.checkName(b.name);
        this.grants = List.copyOf(b.grants);
        this.allowlist = List.copyOf(b.allowlist);
        this.rateLimit = b.rateLimit;
        KeySpec.checkOneExpiry(b.expiresAt, b.lifetime);
        this.expiresAt = b.expiresAt;
        this.lifetime = b.lifetime;
        this.username = b.username == null ? null : Names.canonicalUsername(b.username);
        if (username == null && (b.password != null || b.allowHttp)) {
            throw new IllegalStateException("a password and allowHttp are for SMTP logins: give a username");
        }
        this.password = b.password;
        Set<Channel> channels = b.channels != null ? b.channels
                : username == null ? EnumSet.allOf(Channel.class)
                : b.allowHttp ? EnumSet.of(Channel.SMTP, Channel.HTTP) : EnumSet.of(Channel.SMTP);
        if (username != null && !channels.contains(Channel.SMTP)) {
            throw new IllegalArgumentException("an SMTP login is usable on SMTP");
        }
        this.channels = Set.copyOf(channels);
        this.reportOnly = Set.copyOf(b.reportOnly);
        this.credits = b.credits;
        this.refill = b.refill;
    }

    /** What this spec holds, for key management. */
    ApiAccess.Spec view() {
        return new ApiAccess.Spec(account, name, grants, allowlist, rateLimit, expiresAt, lifetime, channels, reportOnly,
                username, password, credits, refill);
    }

    /** A credit balance as a spec or a manager may set it. */
    static long checkCredits(long remaining) {
        if (remaining < 0 || remaining > Limit.Refill.MAX_AMOUNT) {
            throw new IllegalArgumentException("credits are 0 to " + Limit.Refill.MAX_AMOUNT + ", got " + remaining);
        }
        return remaining;
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
        private String username;
        private String password;
        private boolean allowHttp;
        private Long credits;
        private Limit.Refill refill;

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

        /**
         * Makes this the spec of an SMTP login with this username (an address at a domain, e.g.
         * {@code postmaster@example.com}, stored canonical): {@link KeyManager#createSmtpCredential}.
         */
        public Builder username(String username) {
            this.username = Objects.requireNonNull(username, "username");
            return this;
        }

        /**
         * An SMTP login's password chosen by the user instead of a generated one.
         *
         * @throws IllegalArgumentException if shorter than {@value KeySpec#MIN_PASSWORD_LENGTH} characters
         */
        public Builder password(String password) {
            if (password == null || password.codePointCount(0, password.length()) < MIN_PASSWORD_LENGTH) {
                throw new IllegalArgumentException("password must have at least " + MIN_PASSWORD_LENGTH + " characters");
            }
            this.password = password;
            return this;
        }

        /** Lets an SMTP login be used in HTTP Basic {@code user:password} too (a login is SMTP-only by default). */
        public Builder allowHttp() {
            this.allowHttp = true;
            return this;
        }

        /**
         * Where the credential may be presented; by default HTTP and SMTP for an API key (on SMTP
         * as the password of a key username), SMTP for a login.
         */
        public Builder channels(Channel... channels) {
            if (channels.length == 0) {
                throw new IllegalArgumentException("at least one channel");
            }
            this.channels = EnumSet.copyOf(List.of(channels));
            return this;
        }

        /**
         * Gives the credential {@code remaining} credits: each allowed request takes its cost from
         * them (see {@link AuthRequest#cost}), and once they cannot pay it the credential is denied
         * with {@link DenyReason#CREDITS_EXHAUSTED}. Without this call it is unlimited.
         *
         * @throws IllegalArgumentException if {@code remaining} is negative or above {@link Limit.Refill#MAX_AMOUNT}
         */
        public Builder credits(long remaining) {
            this.credits = checkCredits(remaining);
            return this;
        }

        /**
         * {@link #credits(long)}, set back to the refill's amount at each of its boundaries (e.g.
         * {@code credits(500, Limit.Refill.monthly(500, 1))}: a trial of 500 messages a month).
         */
        public Builder credits(long remaining, Limit.Refill refill) {
            this.credits = checkCredits(remaining);
            this.refill = Objects.requireNonNull(refill, "refill");
            return this;
        }

        /** Runs these checks report-only: decided and reported, not enforced (see {@link Check}). */
        public Builder reportOnly(Check... checks) {
            reportOnly.addAll(List.of(checks));
            return this;
        }

        /**
         * @throws IllegalArgumentException if the account, name or username is invalid
         * @throws IllegalStateException if both an expiry instant and a lifetime were given, or a
         *     password without a username
         */
        public KeySpec build() {
            return new KeySpec(this);
        }
    }

    @Override
    public String toString() {
        return "KeySpec[" + account + (username != null ? ", login " + username : "") + "]";
    }
}
