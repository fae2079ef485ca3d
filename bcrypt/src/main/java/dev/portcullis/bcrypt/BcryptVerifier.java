package dev.portcullis.bcrypt;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import dev.portcullis.spi.LegacyPasswordVerifier;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads bcrypt hashes ({@code $2a$}, {@code $2b$}, {@code $2y$}) imported from another system,
 * through Patrick Favre's maintained bcrypt library, so their owners keep their passwords until
 * the first login rehashes them to Argon2id.
 *
 * <pre>{@code Portcullis.builder().legacyPasswordVerifier(new BcryptVerifier())…}</pre>
 *
 * Passwords longer than bcrypt's 72 bytes are refused rather than truncated, as the library's
 * strict strategy does: a hash made by a system that truncated them will not verify them.
 */
public final class BcryptVerifier implements LegacyPasswordVerifier {
    private final BCrypt.Verifyer verifyer = BCrypt.verifyer(null, LongPasswordStrategies.strict(BCrypt.Version.VERSION_2A));

    @Override
    public boolean supports(String storedHash) {
        return storedHash.length() == 60
                && (storedHash.startsWith("$2a$") || storedHash.startsWith("$2b$") || storedHash.startsWith("$2y$"));
    }

    @Override
    public boolean verify(String storedHash, String password) {
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        byte[] hash = storedHash.getBytes(StandardCharsets.US_ASCII);
        try {
            return verifyer.verify(pw, hash).verified; // the library compares in constant time
        } catch (RuntimeException e) {
            return false; // malformed hash or over-long password
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "BcryptVerifier";
    }
}
