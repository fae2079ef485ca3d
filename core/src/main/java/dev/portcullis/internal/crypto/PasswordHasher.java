package dev.portcullis.internal.crypto;

import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;
import dev.portcullis.Portcullis.Argon2Parameters;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Argon2id password hashes (PHC strings) through argon2-jvm, with bounded concurrency.
 *
 * <p>Each run allocates {@code m} KiB natively, so at most {@code slots} run at once. A verifier
 * waits at most {@code maxWait} for a slot, then gets {@link Outcome#BUSY}: a flood of logins
 * costs latency for nobody and memory for nobody. Password bytes are wiped after use (the
 * {@code String}s that protocols hand us cannot be).
 */
public final class PasswordHasher {
    public enum Outcome { MATCH, MISMATCH, BUSY }

    /** A verification outcome; {@code needsRehash} only ever set with {@link Outcome#MATCH}. */
    public record Result(Outcome outcome, boolean needsRehash) {
        static final Result MISMATCH = new Result(Outcome.MISMATCH, false);
        static final Result BUSY = new Result(Outcome.BUSY, false);
    }

    /** Thrown by {@link #hash} when no slot frees up in time. */
    public static final class BusyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BusyException() {
            super("all Argon2 slots are busy");
        }
    }

    private static final Duration HASH_WAIT = Duration.ofSeconds(30);

    private final Argon2 argon2 = Argon2Factory.create(Argon2Factory.Argon2Types.ARGON2id);
    private final Argon2Parameters params;
    private final Semaphore slots;
    private final long maxWaitNanos;
    private final PasswordProfile profile = PasswordProfile.OPAQUE_V1;
    private final String dummyHash;
    private final java.util.concurrent.atomic.LongAdder runs = new java.util.concurrent.atomic.LongAdder();

    public PasswordHasher(Argon2Parameters params, int slots, Duration maxWait) {
        this.params = Objects.requireNonNull(params, "params");
        if (slots < 1) {
            throw new IllegalArgumentException("Argon2 slots must be at least 1, got " + slots);
        }
        this.slots = new Semaphore(slots);
        this.maxWaitNanos = maxWait.toNanos();
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.dummyHash = argon2.hash(params.iterations(), params.memoryKiB(), params.parallelism(), random);
    }

    public Argon2Parameters parameters() {
        return params;
    }

    /** The profile new hashes are prepared with; its {@link PasswordProfile#id()} is stored beside the hash. */
    public PasswordProfile profile() {
        return profile;
    }

    /**
     * Hashes a new password with the current parameters.
     *
     * @throws IllegalArgumentException if the profile refuses the password (empty, control characters)
     * @throws BusyException if no slot frees up within 30 s
     */
    public String hash(CharSequence password) {
        byte[] bytes = prepared(profile, password);
        if (bytes == null) {
            throw new IllegalArgumentException("password is empty or contains control characters");
        }
        try {
            if (!slots.tryAcquire(HASH_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new BusyException();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusyException();
        }
        try {
            runs.increment();
            return argon2.hash(params.iterations(), params.memoryKiB(), params.parallelism(), bytes);
        } finally {
            slots.release();
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Verifies {@code password} against a stored PHC string prepared with {@code profileId}.
     * A malformed hash or an unknown profile is a mismatch, never an exception; either still
     * costs one default-cost run so that it is not told apart by timing.
     */
    public Result verify(String phc, String profileId, CharSequence password) {
        return verify(phc, profileId, password, null);
    }

    /**
     * As {@link #verify(String, String, CharSequence)}, and a hash that is not Argon2id is handed
     * to {@code legacy} if it reads it (inside a slot); a legacy match always needs a rehash.
     */
    public Result verify(String phc, String profileId, CharSequence password, dev.portcullis.spi.LegacyPasswordVerifier legacy) {
        return verify(phc, PasswordProfile.byId(profileId), password, legacy);
    }

    /** As {@link #verify(String, String, CharSequence, dev.portcullis.spi.LegacyPasswordVerifier)}, with the profile looked up ({@code null}: unknown). */
    public Result verify(String phc, PasswordProfile p, CharSequence password, dev.portcullis.spi.LegacyPasswordVerifier legacy) {
        if (phc != null && !phc.startsWith("$argon2id$") && legacy != null && supports(legacy, phc)) {
            return verifyLegacy(legacy, phc, password);
        }
        byte[] bytes = p == null ? null : prepared(p, password);
        if (bytes == null || phc == null || !phc.startsWith("$argon2id$")) {
            return verifyDummy(password);
        }
        if (!acquire()) {
            Arrays.fill(bytes, (byte) 0);
            return Result.BUSY;
        }
        try {
            runs.increment();
            if (!argon2.verify(phc, bytes)) {
                return Result.MISMATCH;
            }
            return new Result(Outcome.MATCH, p != profile || needsRehash(phc));
        } catch (RuntimeException e) {
            return Result.MISMATCH;
        } finally {
            slots.release();
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static boolean supports(dev.portcullis.spi.LegacyPasswordVerifier legacy, String phc) {
        try {
            return legacy.supports(phc);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Result verifyLegacy(dev.portcullis.spi.LegacyPasswordVerifier legacy, String hash, CharSequence password) {
        if (!acquire()) {
            return Result.BUSY;
        }
        try {
            runs.increment();
            return legacy.verify(hash, password.toString()) ? new Result(Outcome.MATCH, true) : Result.MISMATCH;
        } catch (RuntimeException e) {
            return Result.MISMATCH;
        } finally {
            slots.release();
        }
    }

    /**
     * A new hash if a slot is free within the verifier's wait, else {@code null}: for rehashing on
     * login, which must not hold the login up.
     */
    public String rehash(CharSequence password) {
        byte[] bytes = prepared(profile, password);
        if (bytes == null || !acquire()) {
            return null;
        }
        try {
            runs.increment();
            return argon2.hash(params.iterations(), params.memoryKiB(), params.parallelism(), bytes);
        } finally {
            slots.release();
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** One run at the current parameters against a dummy hash: the unknown-user path. */
    public Result verifyDummy(CharSequence password) {
        String dummy = dummyHash;
        if (!acquire()) {
            return Result.BUSY;
        }
        byte[] bytes = prepared(profile, password);
        if (bytes == null) {
            bytes = new byte[] {0};
        }
        try {
            runs.increment();
            argon2.verify(dummy, bytes);
            return Result.MISMATCH;
        } finally {
            slots.release();
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * A PHC string at the current parameters that no password matches (the hash of random bytes), for
     * verifying unknown usernames through {@link #verify} exactly as known ones are. Not a secret.
     */
    public String dummyHash() {
        return dummyHash;
    }

    /** Argon2 runs so far (hashes and verifications, dummy ones included): for metrics and tests. */
    public long runs() {
        return runs.sum();
    }

    /** Whether a stored hash was made with other parameters than the current ones. */
    public boolean needsRehash(String phc) {
        try {
            return argon2.needsRehash(phc, params.iterations(), params.memoryKiB(), params.parallelism());
        } catch (RuntimeException e) {
            return true;
        }
    }

    private boolean acquire() {
        try {
            return slots.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** UTF-8 of the prepared password in a wipeable array, or {@code null} if refused. */
    private static byte[] prepared(PasswordProfile p, CharSequence password) {
        String s = p.prepare(password);
        if (s == null) {
            return null;
        }
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer buf = enc.encode(CharBuffer.wrap(s));
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            Arrays.fill(buf.array(), (byte) 0);
            return out;
        } catch (CharacterCodingException e) {
            return null; // a lone surrogate: not a password anyone could type
        }
    }
}
