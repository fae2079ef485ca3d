package dev.portcullis;

import dev.portcullis.internal.access.ApiAccess;
import dev.portcullis.internal.rules.Names;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A change to a live key: only what is set changes; grants and the allowlist are replaced whole.
 * Built with {@link #builder()}; immutable.
 */
public final class KeyUpdate {
    private final String name;
    private final List<Grant> grants;
    private final List<String> allowlist;
    private final RateLimitPolicy rateLimit;
    private final boolean rateLimitSet;
    private final Instant expiresAt;
    private final Duration lifetime;
    private final boolean expirySet;
    private final java.util.Set<Check> reportOnly;

    private KeyUpdate(Builder b) {
        this.name = b.name == null ? null : Names.checkName(b.name);
        this.grants = b.grants == null ? null : List.copyOf(b.grants);
        this.allowlist = b.allowlist == null ? null : List.copyOf(b.allowlist);
        this.rateLimit = b.rateLimit;
        this.rateLimitSet = b.rateLimitSet;
        this.expiresAt = b.expiresAt;
        this.lifetime = b.lifetime;
        this.expirySet = b.expirySet;
        this.reportOnly = b.reportOnly == null ? null : java.util.Set.copyOf(b.reportOnly);
    }

    /** What this update changes, for key management. */
    ApiAccess.Update view() {
        return new ApiAccess.Update(name, grants, allowlist, rateLimit, rateLimitSet, expiresAt, lifetime, expirySet, reportOnly);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link KeyUpdate}; each property may be set once. */
    public static final class Builder {
        private String name;
        private List<Grant> grants;
        private List<String> allowlist;
        private RateLimitPolicy rateLimit;
        private boolean rateLimitSet;
        private Instant expiresAt;
        private Duration lifetime;
        private boolean expirySet;
        private java.util.Set<Check> reportOnly;

        private Builder() {}

        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Replaces the grants with exactly these (call {@link #grant} once per grant, or pass none to clear). */
        public Builder grants(Grant... grants) {
            this.grants = new ArrayList<>(List.of(grants));
            return this;
        }

        public Builder grant(String permission, String resourcePattern) {
            if (grants == null) {
                grants = new ArrayList<>();
            }
            grants.add(Grant.of(permission, resourcePattern));
            return this;
        }

        /** Replaces the allowlist; none means any address. */
        public Builder allowlist(String... cidrs) {
            this.allowlist = List.of(cidrs);
            return this;
        }

        /** The key's own limits; {@code null} to fall back to the default policy. */
        public Builder rateLimit(@Nullable RateLimitPolicy policy) {
            this.rateLimit = policy;
            this.rateLimitSet = true;
            return this;
        }

        public Builder expiresAt(Instant at) {
            return expiry(Objects.requireNonNull(at, "at"), null);
        }

        /** Expires this long from now; the lifetime is stored too, and renews on rotation. */
        public Builder expiresIn(Duration lifetime) {
            KeySpec.checkLifetime(lifetime);
            return expiry(null, lifetime);
        }

        public Builder neverExpires() {
            return expiry(null, null);
        }

        private Builder expiry(Instant at, Duration lifetime) {
            if (expirySet) {
                throw new IllegalStateException("the expiry was already set");
            }
            this.expirySet = true;
            this.expiresAt = at;
            this.lifetime = lifetime;
            return this;
        }

        /** Replaces the report-only checks: exactly these report, everything else is enforced (none: enforce all). */
        public Builder reportOnly(Check... checks) {
            this.reportOnly = java.util.EnumSet.noneOf(Check.class);
            this.reportOnly.addAll(List.of(checks));
            return this;
        }

        public KeyUpdate build() {
            return new KeyUpdate(this);
        }
    }
}
