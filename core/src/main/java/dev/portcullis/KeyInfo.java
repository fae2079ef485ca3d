package dev.portcullis;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What key management shows of a credential: everything but its digest or hash.
 *
 * @param display how to show an API key ({@code pc_0123456789ab…}) or an SMTP login (its username)
 * @param credits the credits left now (a refill due is counted as done), or {@code null}: unlimited
 * @param refill how the credits refill, or {@code null}
 */
public record KeyInfo(
        String id,
        String display,
        String account,
        String name,
        CredentialKind kind,
        @Nullable String username,
        List<Grant> grants,
        List<String> allowlist,
        @Nullable RateLimitPolicy rateLimit,
        Set<Channel> channels,
        Instant createdAt,
        @Nullable Instant expiresAt,
        @Nullable Duration lifetime,
        @Nullable Instant revokedAt,
        @Nullable String replacedBy,
        @Nullable Instant changedAt,
        @Nullable String changedBy,
        @Nullable String changeReason,
        Set<Check> reportOnly,
        @Nullable Long credits,
        Limit.@Nullable Refill refill,
        long version) {

    public boolean isRevoked() {
        return revokedAt != null;
    }

    /** What a record holds: the digest of a generated API key, or the hash of a password. */
    public enum CredentialKind {
        /** A generated high-entropy key, stored as a SHA-256 or HMAC-SHA-256 digest. */
        API_KEY,
        /** A username and password (SMTP credentials), stored as an Argon2id PHC string. */
        PASSWORD
    }
}
