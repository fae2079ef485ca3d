package dev.portcullis;

import dev.portcullis.spi.KeyRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What key management shows of a credential: everything but its digest or hash.
 *
 * @param display how to show an API key ({@code pc_0123456789ab…}) or an SMTP login (its username)
 */
public record KeyInfo(
        String id,
        String display,
        String account,
        String name,
        CredentialKind kind,
        String username,
        List<Grant> grants,
        List<String> allowlist,
        RateLimitPolicy rateLimit,
        Set<Channel> channels,
        Instant createdAt,
        Instant expiresAt,
        Duration lifetime,
        Instant revokedAt,
        String replacedBy,
        Instant changedAt,
        String changedBy,
        String changeReason,
        Set<Check> reportOnly,
        long version) {

    static KeyInfo of(KeyRecord r) {
        String display = r.kind() == CredentialKind.PASSWORD
                ? r.username()
                : (r.prefix() == null ? "imported:" : r.prefix() + "_") + r.id() + "…";
        return new KeyInfo(r.id(), display, r.account(), r.name(), r.kind(), r.username(), r.grants(), r.allowlist(),
                r.rateLimit(), r.channels(), r.createdAt(), r.expiresAt(), r.lifetime(), r.revokedAt(), r.replacedBy(),
                r.changedAt(), r.changedBy(), r.changeReason(), r.reportOnly(), r.version());
    }

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
