package dev.portcullis.internal.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.portcullis.spi.KeyRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What Argon2 found for a {@code login NUL password} pair, remembered under one HMAC-SHA-256 of
 * the pair with a key that lives only in this process's memory, so nothing here lets an attacker
 * test guesses offline, and no password is kept:
 * <ul>
 *   <li>a success (DESIGN §2 Verify), for anyone presenting the pair again, until it lies idle;
 *   <li>a failure, per client network, for the login budget's window (Dovecot's auth penalty keeps
 *       the pairs an address failed with likewise): the same client retrying the same wrong pair, a
 *       misconfigured client rather than a guesser, is denied again without Argon2 and spends its
 *       budgets once. Per network, so that no client learns by timing which pairs others tried.
 * </ul>
 * Both are bound to the record's id and version the check ran against: a password change, a rehash
 * or a revocation is a new version (brought by the change feed), after which neither matches;
 * suspension and expiry are checked on every request anyway. An unknown login binds to
 * {@link #NO_RECORD} and is never remembered as a success (its dummy hash matches nothing), so a
 * login created later is checked afresh.
 */
final class LoginCache {
    record Fingerprint(long a, long b, long c, long d) {}

    /** What a pair was last found to be, for the attempt's record version and network. */
    enum Seen { NOTHING, VERIFIED, FAILED }

    /** What an unknown login's checks are bound to: no record id is this (ids are base62). */
    static final String NO_RECORD = "\0";
    /** The version an unknown login's checks are bound to; stored records start at 1. */
    static final long NO_VERSION = -1;

    private record Bound(String id, long version) {}

    private record Failure(Fingerprint pair, String network) {}

    private final byte[] key = new byte[32];
    private final ThreadLocal<Mac> macs;
    private final Cache<Fingerprint, Bound> verified;
    private final Cache<Failure, Bound> failed;

    /**
     * @param idle how long a remembered success lasts unused
     * @param failureWindow how long a failed pair is remembered per network
     * @param ticker the clock both are kept on (the one the requests read)
     */
    LoginCache(long maximumSize, Duration idle, Duration failureWindow, Ticker ticker) {
        new SecureRandom().nextBytes(key);
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(new SecretKeySpec(key, "HmacSHA256"));
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is required on every JVM", e);
            }
        });
        this.verified = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterAccess(idle).ticker(ticker).build();
        // Written once per distinct pair and network, and each write cost its writer a budget unit,
        // so what a guesser can put here is bounded by the budgets as well as by the size.
        this.failed = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(failureWindow).ticker(ticker).build();
    }

    /** The HMAC of {@code login NUL password}; the password's UTF-8 copy is wiped. */
    Fingerprint fingerprint(String login, String password) {
        Mac mac = macs.get();
        mac.update(login.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        mac.update(pw);
        java.util.Arrays.fill(pw, (byte) 0);
        ByteBuffer d = ByteBuffer.wrap(mac.doFinal());
        return new Fingerprint(d.getLong(), d.getLong(), d.getLong(), d.getLong());
    }

    /**
     * What the pair was found to be at this login's record version: verified (by anyone), failed
     * (from this network), or nothing known. Both caches are read for every login alike, known or
     * not (the timing invariant of the package note); ids are interned, so a match ends at a
     * reference check either way.
     */
    Seen seen(Fingerprint pair, String network, CachedCredential.Login l) {
        Bound v = verified.getIfPresent(pair);
        if (v != null && v.version == l.checkVersion && v.id.equals(l.checkId)) {
            return Seen.VERIFIED;
        }
        Bound f = failed.getIfPresent(new Failure(pair, network));
        return f != null && f.version == l.checkVersion && f.id.equals(l.checkId) ? Seen.FAILED : Seen.NOTHING;
    }

    /** Whether the pair was verified against this very version of {@code r}. */
    boolean verifiedAt(Fingerprint pair, KeyRecord r) {
        Bound v = verified.getIfPresent(pair);
        return v != null && v.version == r.version() && v.id.equals(r.id());
    }

    /** After Argon2 matched: the pair is right for {@code r} (the record as it now stands, rehashed or not). */
    void remember(Fingerprint pair, KeyRecord r) {
        verified.put(pair, new Bound(r.id().intern(), r.version()));
    }

    /**
     * After Argon2 did not match: the pair is wrong at this login's version, from this network.
     *
     * @return whether this is news (the pair's first failure from the network at this version), so
     *     the caller spends the failure budgets; exactly one of concurrent callers gets {@code true}
     */
    boolean rememberFailure(Fingerprint pair, String network, CachedCredential.Login l) {
        Failure k = new Failure(pair, network);
        Bound b = new Bound(l.checkId, l.checkVersion);
        java.util.concurrent.ConcurrentMap<Failure, Bound> map = failed.asMap();
        Bound before = map.putIfAbsent(k, b);
        if (before == null) {
            return true;
        }
        // A failure at another version (before a password change) is stale: this one is news.
        return !before.equals(b) && map.replace(k, before, b);
    }
}
