package dev.portcullis.internal.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Digests of whole API tokens, stored as {@code sha256$<base64>} or
 * {@code hmac-sha256$<pepperId>$<base64>}, and their constant-time check.
 *
 * <p>Tokens are printable ASCII (the key formats guarantee it), so a digest is taken over the
 * low byte of each char through a per-thread buffer, or straight over bytes the caller decoded:
 * the hot path allocates nothing.
 * A stored digest is compared in constant time (every byte, no early exit) against the computed
 * one, and an unknown key id is checked against a dummy digest with the same algorithm, so both
 * take the same work.
 */
public final class TokenDigests {
    public static final String SHA256 = "sha256$";
    public static final String HMAC_SHA256 = "hmac-sha256$";
    private static final int DIGEST_LENGTH = 32;
    /** Tokens longer than this are refused by every key format long before they get here. */
    private static final int MAX_TOKEN = 1024;

    private final Map<String, byte[]> peppers;
    private final String currentPepperId;
    /** What a check that must not match is compared with, as a real digest would be. */
    private final Stored dummy;
    private final ThreadLocal<Worker> workers = ThreadLocal.withInitial(Worker::new);

    /**
     * @param peppers pepper id → secret bytes, in order of addition; the last one digests new
     *     keys. Empty: new keys get plain SHA-256 (fine for secrets of ≥ 112 bits, NIST 800-63B).
     */
    public TokenDigests(Map<String, byte[]> peppers) {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        String last = null;
        for (Map.Entry<String, byte[]> e : peppers.entrySet()) {
            copy.put(e.getKey(), e.getValue().clone());
            last = e.getKey();
        }
        this.peppers = copy;
        this.currentPepperId = last;
        byte[] random = new byte[DIGEST_LENGTH];
        new SecureRandom().nextBytes(random);
        this.dummy = new Stored(null, random);
    }

    /** The stored form of {@code token}'s digest under the current algorithm. */
    public String encode(CharSequence token) {
        Worker w = workers.get();
        int n = w.load(token);
        byte[] d = currentPepperId == null ? w.sha256(w.in, 0, n) : w.hmac(currentPepperId, w.in, 0, n);
        Arrays.fill(w.in, 0, n, (byte) 0);
        String b64 = Base64.getEncoder().encodeToString(d);
        return currentPepperId == null ? SHA256 + b64 : HMAC_SHA256 + currentPepperId + "$" + b64;
    }

    /**
     * Parses a stored digest once, when a record is loaded, so the hot path never decodes it.
     *
     * @throws IllegalArgumentException if {@code stored} is not one of the two forms
     */
    public static Stored parse(String stored) {
        Objects.requireNonNull(stored, "stored digest");
        String pepperId = null;
        String b64;
        if (stored.startsWith(SHA256)) {
            b64 = stored.substring(SHA256.length());
        } else if (stored.startsWith(HMAC_SHA256)) {
            int dollar = stored.indexOf('$', HMAC_SHA256.length());
            if (dollar <= HMAC_SHA256.length()) {
                throw new IllegalArgumentException("hmac-sha256 digest without a pepper id");
            }
            pepperId = stored.substring(HMAC_SHA256.length(), dollar);
            b64 = stored.substring(dollar + 1);
        } else {
            throw new IllegalArgumentException("unknown token digest algorithm");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("token digest is not base64");
        }
        if (bytes.length != DIGEST_LENGTH) {
            throw new IllegalArgumentException("token digest must be 32 bytes, got " + bytes.length);
        }
        return new Stored(pepperId, bytes);
    }

    /** Whether {@code token} hashes to {@code stored}, in time independent of where they differ. */
    public boolean matches(Stored stored, CharSequence token) {
        Worker w = workers.get();
        int n = w.load(token);
        try {
            return matches(w, stored, w.in, 0, n);
        } finally {
            Arrays.fill(w.in, 0, n, (byte) 0);
        }
    }

    /** {@link #matches(Stored, CharSequence)} over the token's ASCII bytes {@code b[from, to)}: no copy. */
    public boolean matches(Stored stored, byte[] b, int from, int to) {
        return matches(workers.get(), stored, b, from, to);
    }

    private boolean matches(Worker w, Stored stored, byte[] b, int from, int to) {
        if (stored.pepperId == null) {
            return stored.equalTo(w.sha256(b, from, to));
        }
        if (!peppers.containsKey(stored.pepperId)) {
            // A record peppered with a key this process does not hold can never match; spend the
            // same work anyway so the miss is not visible.
            dummy.equalTo(w.sha256(b, from, to));
            return false;
        }
        return stored.equalTo(w.hmac(stored.pepperId, b, from, to));
    }

    /** The unknown-id path: the same digest and compare as a real check, against a dummy. */
    public void matchDummy(CharSequence token) {
        Worker w = workers.get();
        int n = w.load(token);
        try {
            matchDummy(w, w.in, 0, n);
        } finally {
            Arrays.fill(w.in, 0, n, (byte) 0);
        }
    }

    private void matchDummy(Worker w, byte[] b, int from, int to) {
        byte[] d = currentPepperId == null ? w.sha256(b, from, to) : w.hmac(currentPepperId, b, from, to);
        dummy.equalTo(d);
    }

    /**
     * A digest of the current algorithm that no token has, for a record without a readable one
     * (an unknown id's negative entry, a corrupt record): checking against it is the same work,
     * on an object of its own, as checking against a real one. Nothing could match it but a
     * SHA-256 preimage of random bytes.
     */
    public Stored placeholder() {
        byte[] bytes = new byte[DIGEST_LENGTH];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(bytes);
        // A pepper id of its own, as a parsed record's is: looking it up then compares its text, as there.
        return new Stored(currentPepperId == null ? null : new String(currentPepperId.toCharArray()), bytes);
    }

    /** HMAC-SHA-256 of {@code token} under the current pepper, for deriving imported key ids. */
    public byte[] importedIdMac(CharSequence token) {
        if (currentPepperId == null) {
            throw new IllegalStateException("imported keys need a pepper");
        }
        Worker w = workers.get();
        int n = w.load(token);
        byte[] mac = w.hmac(currentPepperId, w.in, 0, n).clone();
        Arrays.fill(w.in, 0, n, (byte) 0);
        return mac;
    }

    /** Length of the ids derived for imported keys: unlike native ids (12), so the two never meet. */
    public static final int IMPORTED_ID_LENGTH = 16;

    /**
     * The id of an imported key: base62 of the token's HMAC under the current pepper, stable,
     * public, and useless for guessing the token.
     */
    public String importedId(CharSequence token) {
        byte[] mac = importedIdMac(token);
        StringBuilder sb = new StringBuilder(IMPORTED_ID_LENGTH);
        for (int i = 0; i < IMPORTED_ID_LENGTH; i++) {
            sb.append(Base62.ALPHABET.charAt((mac[i] & 0xFF) % 62));
        }
        return sb.toString();
    }

    /**
     * A stored digest, decoded. Holds no secret (a digest of a ≥ 190-bit key), but prints none either.
     * The 32 bytes are four longs of the object itself, not an array beside it: one object per
     * cached credential less, and one memory access less per check.
     */
    public static final class Stored {
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

        private final String pepperId;
        private final long d0;
        private final long d1;
        private final long d2;
        private final long d3;

        private Stored(String pepperId, byte[] bytes) {
            this.pepperId = pepperId;
            this.d0 = (long) LONGS.get(bytes, 0);
            this.d1 = (long) LONGS.get(bytes, 8);
            this.d2 = (long) LONGS.get(bytes, 16);
            this.d3 = (long) LONGS.get(bytes, 24);
        }

        /** Whether {@code digest} (32 bytes) is this one, in constant time: every word compared, no early exit. */
        boolean equalTo(byte[] digest) {
            long diff = d0 ^ (long) LONGS.get(digest, 0);
            diff |= d1 ^ (long) LONGS.get(digest, 8);
            diff |= d2 ^ (long) LONGS.get(digest, 16);
            diff |= d3 ^ (long) LONGS.get(digest, 24);
            return diff == 0;
        }

        @Override
        public String toString() {
            return pepperId == null ? "sha256$…" : "hmac-sha256$" + pepperId + "$…";
        }
    }

    /** Per-thread digest state: reused instances and buffers, so a check allocates nothing. */
    private final class Worker {
        private final MessageDigest sha256;
        private final Map<String, Mac> macs = new LinkedHashMap<>();
        private final byte[] in = new byte[MAX_TOKEN];
        private final byte[] out = new byte[DIGEST_LENGTH];

        Worker() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required on every JVM", e);
            }
        }

        private int load(CharSequence token) {
            int n = token.length();
            if (n > MAX_TOKEN) {
                throw new IllegalArgumentException("token longer than any key format allows");
            }
            for (int i = 0; i < n; i++) {
                in[i] = (byte) token.charAt(i);
            }
            return n;
        }

        byte[] sha256(byte[] b, int from, int to) {
            sha256.update(b, from, to - from);
            try {
                sha256.digest(out, 0, DIGEST_LENGTH);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            return out;
        }

        byte[] hmac(String pepperId, byte[] b, int from, int to) {
            Mac mac = macs.computeIfAbsent(pepperId, id -> {
                try {
                    Mac m = Mac.getInstance("HmacSHA256");
                    m.init(new SecretKeySpec(peppers.get(id), "HmacSHA256"));
                    return m;
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("HmacSHA256 is required on every JVM", e);
                }
            });
            mac.update(b, from, to - from);
            try {
                mac.doFinal(out, 0);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            return out;
        }
    }
}
