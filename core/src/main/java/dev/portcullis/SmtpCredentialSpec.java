package dev.portcullis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A new SMTP login: a username (an address at a domain, e.g. {@code postmaster@example.com}) and
 * a password, generated (≥ 128 bits) unless one is given. Usable on SMTP only unless
 * {@link Builder#allowHttp()} is called. Immutable; {@code toString} shows no password.
 */
public final class SmtpCredentialSpec {
    /** Shortest password a user may choose. */
    public static final int MIN_PASSWORD_LENGTH = 12;

    final String account;
    final String username;
    final String name;
    final List<Grant> grants;
    final List<String> allowlist;
    final RateLimitPolicy rateLimit;
    final Instant expiresAt;
    final Duration lifetime;
    final String password;
    final boolean allowHttp;

    private SmtpCredentialSpec(Builder b) {
        this.account = KeySpec.checkAccount(b.account);
        this.username = canonicalUsername(b.username);
        this.name = KeySpec.checkName(b.name);
        this.grants = List.copyOf(b.grants);
        this.allowlist = List.copyOf(b.allowlist);
        this.rateLimit = b.rateLimit;
        KeySpec.checkOneExpiry(b.expiresAt, b.lifetime);
        this.expiresAt = b.expiresAt;
        this.lifetime = b.lifetime;
        this.password = b.password;
        this.allowHttp = b.allowHttp;
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
        return local + "@" + domain.toLowerCase(Locale.ROOT);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return "SmtpCredentialSpec[" + username + "]";
    }

    /** Builds an {@link SmtpCredentialSpec}; not thread-safe. */
    public static final class Builder {
        private String account;
        private String username;
        private String name;
        private final List<Grant> grants = new ArrayList<>();
        private final List<String> allowlist = new ArrayList<>();
        private RateLimitPolicy rateLimit;
        private Instant expiresAt;
        private Duration lifetime;
        private String password;
        private boolean allowHttp;

        private Builder() {}

        public Builder account(String account) { this.account = account; return this; }
        public Builder username(String username) { this.username = username; return this; }
        public Builder name(String name) { this.name = name; return this; }
        public Builder grant(String permission, String resourcePattern) {
            grants.add(Grant.of(permission, resourcePattern));
            return this;
        }
        public Builder allow(String... cidrs) {
            for (String c : cidrs) {
                allowlist.add(Objects.requireNonNull(c, "cidr"));
            }
            return this;
        }
        public Builder rateLimit(RateLimitPolicy policy) { this.rateLimit = Objects.requireNonNull(policy); return this; }
        public Builder expiresAt(Instant at) { this.expiresAt = Objects.requireNonNull(at); return this; }
        public Builder expiresIn(Duration lifetime) {
            KeySpec.checkLifetime(lifetime);
            this.lifetime = lifetime;
            return this;
        }

        /**
         * A password chosen by the user instead of a generated one.
         *
         * @throws IllegalArgumentException if shorter than {@value #MIN_PASSWORD_LENGTH} characters
         */
        public Builder password(String password) {
            if (password == null || password.codePointCount(0, password.length()) < MIN_PASSWORD_LENGTH) {
                throw new IllegalArgumentException("password must have at least " + MIN_PASSWORD_LENGTH + " characters");
            }
            this.password = password;
            return this;
        }

        /** Lets the login be used in HTTP Basic {@code user:password} too. */
        public Builder allowHttp() { this.allowHttp = true; return this; }

        public SmtpCredentialSpec build() {
            return new SmtpCredentialSpec(this);
        }
    }
}
