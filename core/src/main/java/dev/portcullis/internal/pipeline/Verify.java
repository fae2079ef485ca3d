package dev.portcullis.internal.pipeline;

import dev.portcullis.Authenticator;
import dev.portcullis.internal.crypto.PasswordHasher;
import dev.portcullis.internal.crypto.TokenDigests;
import dev.portcullis.internal.wire.KeyBytes;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.LegacyPasswordVerifier;
import org.jspecify.annotations.Nullable;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The Verify stage (DESIGN §2): an API key's whole-token digest in constant time against its
 * entry's (a placeholder for anything that is not a readable API key); a password through the
 * {@link LoginCache} (a pair verified before, or failed before from this network), else Argon2id
 * (the dummy hash for an unknown username) once per pair however many callers present it at once,
 * rehashed on success when its parameters are out of date.
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
    /** The checks running now, by pair and record version; each lands (is removed) when its answer is in. */
    private final ConcurrentHashMap<Flight, CompletableFuture<Checked>> flights = new ConcurrentHashMap<>();

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

    LoginCache.Fingerprint fingerprint(String login, String password) {
        return logins.fingerprint(login, password);
    }

    /** What this very pair was found to be at this record version: one HMAC and two lookups instead of Argon2. */
    LoginCache.Seen remembered(LoginCache.Fingerprint fingerprint, String network, CachedCredential.Login l) {
        return logins.seen(fingerprint, network, l);
    }

    /**
     * What Argon2 found for a password against a login's hash.
     *
     * @param current on a match, the record as it now stands (rehashed if that was due and a slot was free)
     * @param firstFailure on a mismatch, whether it is the pair's first from this network at this
     *     version: only then are the failure budgets spent
     */
    record Checked(PasswordHasher.Outcome outcome, @Nullable KeyRecord current, boolean firstFailure) {
        static final Checked BUSY = new Checked(PasswordHasher.Outcome.BUSY, null, false);
        static final Checked REPEATED = new Checked(PasswordHasher.Outcome.MISMATCH, null, false);
    }

    /** One check of one pair at one record version; the fingerprint stands for the pair, never the password itself. */
    private record Flight(LoginCache.Fingerprint pair, String id, long version) {}

    /**
     * Argon2id (or the legacy verifier) against the login's hash (the dummy hash, which nothing
     * matches, for no login), once for all callers presenting the same pair meanwhile (single
     * flight): right after a start, a client's parallel logins wait for one run instead of each
     * taking a slot and the rest getting {@code BUSY}. The pair's fingerprint is an HMAC of the
     * password, so a caller shares only the answer for the very password it presented; other
     * pairs still queue for the slots. The answer is remembered before the flight lands, so a
     * caller arriving after it finds the answer instead of a new run.
     */
    Checked password(LoginCache.Fingerprint fingerprint, String network, CachedCredential.Login l, String password) {
        Flight key = new Flight(fingerprint, l.checkId, l.checkVersion);
        CompletableFuture<Checked> mine = new CompletableFuture<>();
        CompletableFuture<Checked> running = flights.putIfAbsent(key, mine);
        if (running == null) {
            Checked c = Checked.BUSY; // what the followers get should this caller fail outright
            try {
                c = check(fingerprint, network, l, password);
                return c;
            } finally {
                mine.complete(c);
                flights.remove(key, mine);
            }
        }
        Checked shared = await(running);
        if (shared.outcome() != PasswordHasher.Outcome.MISMATCH) {
            return shared; // a match (with the record as it now stands) or BUSY, as the first caller got it
        }
        // The pair is wrong; this caller's network spends on it once, like the first caller's did.
        return logins.rememberFailure(fingerprint, network, l) ? new Checked(PasswordHasher.Outcome.MISMATCH, null, true)
                : Checked.REPEATED;
    }

    /** The check itself, by the caller holding the flight. */
    private Checked check(LoginCache.Fingerprint fingerprint, String network, CachedCredential.Login l, String password) {
        // Again, now that this caller holds the flight: one that just landed has left its answer here.
        LoginCache.Seen seen = logins.seen(fingerprint, network, l);
        if (seen == LoginCache.Seen.VERIFIED) {
            return new Checked(PasswordHasher.Outcome.MATCH, l.record, false);
        }
        if (seen == LoginCache.Seen.FAILED) {
            return Checked.REPEATED;
        }
        PasswordHasher.Result v = hasher.verify(l.hash, l.profile, password, legacy);
        KeyRecord r = l.record;
        // The dummy hash matches nothing; were it ever to, it would still be a failure.
        if (v.outcome() == PasswordHasher.Outcome.MATCH & r != null) {
            KeyRecord current = v.needsRehash() ? rehash(fingerprint, r, password) : r;
            logins.remember(fingerprint, current);
            return new Checked(PasswordHasher.Outcome.MATCH, current, false);
        }
        if (v.outcome() == PasswordHasher.Outcome.BUSY) {
            return Checked.BUSY;
        }
        return new Checked(PasswordHasher.Outcome.MISMATCH, null, logins.rememberFailure(fingerprint, network, l));
    }

    private static Checked await(CompletableFuture<Checked> running) {
        try {
            return running.get(); // bounded by the one check: a slot wait, a run, a rehash
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Checked.BUSY;
        } catch (ExecutionException e) {
            return Checked.BUSY;
        }
    }

    /**
     * Writes an Argon2id hash at the current parameters back through the store, if a slot is
     * free and nobody changed the record meanwhile; otherwise the next login tries again.
     */
    private KeyRecord rehash(LoginCache.Fingerprint fingerprint, KeyRecord r, String password) {
        String hash = hasher.rehash(password);
        if (hash == null) {
            return r;
        }
        try {
            return store.save(r.toBuilder().secretHash(hash).passwordProfile(hasher.profile().id()).build(), r.version());
        } catch (RuntimeException e) { // a conflict or a store failure: the login itself stands
            LOG.log(System.Logger.Level.INFO, "rehash of " + r.id() + " not saved: " + e.getClass().getSimpleName());
            return rehashedMeanwhile(fingerprint, r);
        }
    }

    /**
     * After a rehash lost to another write: the record as stored now if this very pair was verified
     * against it (another caller's rehash of the same password, which a caller that read the record
     * just before it and checked outside its flight races), else {@code r}. A session then carries
     * the hash the store has, and is not taken for a password change at its next MAIL FROM.
     */
    private KeyRecord rehashedMeanwhile(LoginCache.Fingerprint fingerprint, KeyRecord r) {
        try {
            KeyRecord now = store.findById(r.id()).orElse(null);
            return now != null && logins.verifiedAt(fingerprint, now) ? now : r;
        } catch (RuntimeException e) {
            return r;
        }
    }
}
