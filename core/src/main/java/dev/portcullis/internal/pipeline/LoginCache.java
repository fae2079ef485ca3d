package dev.portcullis.internal.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.spi.KeyRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The password success cache (DESIGN §2 Verify): after one Argon2 verification, the same
 * {@code username NUL password} is recognised by one HMAC-SHA-256 under a key that lives only in
 * this process's memory, so the cache holds nothing an attacker could test guesses against
 * offline. An entry is bound to the record's id and version: a password change or a revocation
 * is a new version (brought by the change feed), after which the entry never matches again;
 * suspension and expiry are checked on every request anyway.
 */
final class LoginCache {
    record Fingerprint(long a, long b, long c, long d) {}

    private record Verified(String id, long version) {}

    private final byte[] key = new byte[32];
    private final ThreadLocal<Mac> macs;
    private final Cache<Fingerprint, Verified> verified;

    LoginCache(long maximumSize, Duration idle) {
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
        this.verified = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterAccess(idle).build();
    }

    Fingerprint fingerprint(String username, String password) {
        Mac mac = macs.get();
        mac.update(username.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        mac.update(pw);
        java.util.Arrays.fill(pw, (byte) 0);
        ByteBuffer d = ByteBuffer.wrap(mac.doFinal());
        return new Fingerprint(d.getLong(), d.getLong(), d.getLong(), d.getLong());
    }

    boolean matches(Fingerprint fingerprint, KeyRecord r) {
        Verified v = verified.getIfPresent(fingerprint);
        // r is null for an unknown username's probe, which never finds an entry (no fingerprint of it is remembered).
        return v != null && r != null && v.version == r.version() && v.id.equals(r.id());
    }

    void remember(Fingerprint fingerprint, KeyRecord r) {
        verified.put(fingerprint, new Verified(r.id(), r.version()));
    }
}
