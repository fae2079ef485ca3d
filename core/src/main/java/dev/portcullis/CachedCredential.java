package dev.portcullis;

import dev.portcullis.internal.crypto.TokenDigests;
import dev.portcullis.store.KeyRecord;

/**
 * A record as the hot path needs it, compiled once per record version: the decoded digest, the
 * principal, the expiry as epoch millis. A {@code null} record is a negative entry.
 */
final class CachedCredential {
    private static final System.Logger LOG = System.getLogger(Authenticator.class.getName());

    final KeyRecord record;
    final long loadedAt;
    /** Decoded token digest of an API key; {@code null} for passwords and unreadable digests. */
    final TokenDigests.Stored digest;
    final Principal principal;
    final long expiresAtMillis;

    private CachedCredential(KeyRecord record, long loadedAt) {
        this.record = record;
        this.loadedAt = loadedAt;
        if (record == null) {
            this.digest = null;
            this.principal = null;
            this.expiresAtMillis = Long.MAX_VALUE;
            return;
        }
        this.digest = record.kind() == CredentialKind.API_KEY ? decode(record) : null;
        this.principal = new Principal(record.id(), record.account(), record.name(), record.kind(), record.username(),
                record.grants(), record.channels(), record.expiresAt(), record.version());
        this.expiresAtMillis = record.expiresAt() == null ? Long.MAX_VALUE : record.expiresAt().toEpochMilli();
    }

    static CachedCredential of(KeyRecord recordOrNull, long loadedAt) {
        return new CachedCredential(recordOrNull, loadedAt);
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

    long loadedAt() {
        return loadedAt;
    }

    boolean present() {
        return record != null;
    }
}
