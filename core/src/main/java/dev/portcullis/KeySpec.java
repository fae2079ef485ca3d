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
    static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Shortest password a user may choose for an SMTP login. */
    public static final int MIN_PASSWORD_LENGTH = 12;

    final String account;
    final String name;
    final List<Grant> grants;
    final List<String> allowlist;
    final RateLimitPolicy rateLimit;
    final Instant expiresAt;
    final Duration lifetime;
    final Set<Channel> channels;
    final Set<Check> reportOnly;
    /** The canonical SMTP username of a login; {@code null} for an API key. */
    final String username;
    /** A login's chosen password, or {@code null} for a generated one. */
    final String password;

    private KeySpec(Builder b) {
        this.account = checkAccount(b.account);
        this.name = checkName(b.name);
        this.grants = List.copyOf(b.grants);
        this.allowlist = List.copyOf(b.allowlist);
        this.rateLimit = b.rateLimit;
        KeySpec.checkOneExpiry(b.expiresAt, b.lifetime);
        this.expiresAt = b.expiresAt;
        this.lifetime = b.lifetime;
        this.username = b.username == null ? null : canonicalUsername(b.username);
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
    }

    /** Whether this is the spec of an SMTP login (it has a username). */
    boolean isLogin() {
        return username != null;
    }

    /**
     * {@code local@domain}: the local part printable ASCII without spaces or {@code @}, the domain
     * canonicalised like a resource ({@link Grant#canonicalResource}); at most 254 characters.
     */
    static String canonicalUsername(String username) {
        if (username == null) {
            throw new IllegalArgumentException("username is required");
        }
        int at = username.lastIndexOf('@');
        if (at <= 0 || at == username.length() - 1 || username.length() > 254) {
            throw new IllegalArgumentException("username must be an address at a domain, like postmaster@example.com");
        }
        String local = username.substring(0, at);
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '@' || c == ':') {
                throw new IllegalArgumentException("username's local part must be printable ASCII without spaces, '@' or ':'");
            }
        }
        String domain = Grant.canonicalResource(username.substring(at + 1));
        if (domain == null || domain.indexOf('.') < 0) {
            throw new IllegalArgumentException("username's domain is not a domain name");
        }
        return local + "@" + domain;
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
        private String username;
        private String password;
        private boolean allowHttp;

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
