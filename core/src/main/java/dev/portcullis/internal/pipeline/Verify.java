package dev.portcullis.internal.pipeline;

import dev.portcullis.Authenticator;
import dev.portcullis.internal.crypto.PasswordHasher;
import dev.portcullis.internal.crypto.TokenDigests;
import dev.portcullis.internal.wire.KeyBytes;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.LegacyPasswordVerifier;

/**
 * The Verify stage (DESIGN §2): an API key's whole-token digest in constant time against its
 * entry's (a placeholder for anything that is not a readable API key); a password through the
 * success cache, else Argon2id (the dummy hash for an unknown username), rehashed on success when
 * its parameters are out of date.
 */
final class Verify {
    private static final System.Logger LOG = System.getLogger(Authenticator.class.getName());

    private final TokenDigests digests;
    private final PasswordHasher hasher;
    private final LoginCache logins;
    /** {@code null} if none is configured. */
    private final LegacyPasswordVerifier legacy;
    /** Where a rehash is written. */
    private final CredentialStore store;

    Verify(TokenDigests digests, PasswordHasher hasher, LoginCache logins, LegacyPasswordVerifier legacy, CredentialStore store) {
        this.digests = digests;
        this.hasher = hasher;
        this.logins = logins;
        this.legacy = legacy;
        this.store = store;
    }

    /** The one token check every caller uses: the key in {@code key} against the entry, in constant time. */
    boolean token(CachedCredential c, KeyBytes key) {
        return digests.matches(c.digest, key.bytes(), key.from(), key.to()) & c.verifiable;
    }

    LoginCache.Fingerprint fingerprint(String username, String password) {
        return logins.fingerprint(username, password);
    }

    /** Whether this very login, at this record version, was verified before: one HMAC instead of Argon2. */
    boolean remembered(LoginCache.Fingerprint fingerprint, CachedCredential.Login l) {
        return logins.matches(fingerprint, l.record);
    }

    /** Argon2id (or the legacy verifier) against the login's hash; the dummy hash, which nothing matches, for no login. */
    PasswordHasher.Result password(CachedCredential.Login l, String password) {
        PasswordHasher.Result v = hasher.verify(l.hash, l.profile, password, legacy);
        // The dummy hash matches nothing; were it ever to, it would still be a failure.
        return v.outcome() == PasswordHasher.Outcome.MATCH & !l.exists()
                ? new PasswordHasher.Result(PasswordHasher.Outcome.MISMATCH, v.needsRehash()) : v;
    }

    /**
     * After a verified password: the record as it now stands (rehashed at the current parameters
     * if due, and a slot was free), remembered in the success cache.
     */
    KeyRecord verified(LoginCache.Fingerprint fingerprint, KeyRecord r, String password, boolean needsRehash) {
        KeyRecord current = needsRehash ? rehash(r, password) : r;
        logins.remember(fingerprint, current);
        return current;
    }

    /**
     * Writes an Argon2id hash at the current parameters back through the store, if a slot is
     * free and nobody changed the record meanwhile; otherwise the next login tries again.
     */
    private KeyRecord rehash(KeyRecord r, String password) {
        String hash = hasher.rehash(password);
        if (hash == null) {
            return r;
        }
        try {
            return store.save(r.toBuilder().secretHash(hash).passwordProfile(hasher.profile().id()).build(), r.version());
        } catch (RuntimeException e) { // a conflict or a store failure: the login itself stands
            LOG.log(System.Logger.Level.INFO, "rehash of " + r.id() + " not saved: " + e.getClass().getSimpleName());
            return r;
        }
    }
}
