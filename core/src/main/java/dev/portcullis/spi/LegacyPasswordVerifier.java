package dev.portcullis.spi;


/**
 * Verifies password hashes imported from another system (bcrypt, PBKDF2, …) so users keep their
 * passwords; on the first successful login the password is rehashed to Argon2id and the legacy
 * hash is gone. Implementations must compare in constant time and must not throw for malformed
 * hashes. Runs inside an Argon2 slot, so it shares their concurrency bound.
 */
public interface LegacyPasswordVerifier {
    /** Whether this verifier reads {@code storedHash} (e.g. it starts with {@code $2b$}). */
    boolean supports(String storedHash);

    /** Whether {@code password} (as the client sent it, unprepared) matches {@code storedHash}. */
    boolean verify(String storedHash, String password);
}
