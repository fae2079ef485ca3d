package dev.portcullis.bcrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.portcullis.AuthRequest;
import dev.portcullis.Portcullis.Argon2Parameters;
import dev.portcullis.DenyReason;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeyInfo;
import dev.portcullis.Portcullis;
import dev.portcullis.KeySpec;
import dev.portcullis.spi.CredentialStore;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** An imported bcrypt hash authenticates, and is Argon2id after its first login (DESIGN §3 import). */
class BcryptImportTest {

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void bcryptHashesVerifyOnceThenBecomeArgon2id() {
        CredentialStore store = CredentialStore.inMemory();
        try (Portcullis p = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("kat"))
                .argon2(new Argon2Parameters(8192, 1, 1)).legacyPasswordVerifier(new BcryptVerifier()).build()) {
            String bcrypt = BCrypt.withDefaults().hashToString(6, "the old site's password".toCharArray());
            KeyInfo info = p.keys().importSmtpCredential(KeySpec.builder()
                    .account("acme").username("old@example.com").allowHttp().build(), bcrypt);

            assertEquals(DenyReason.WRONG_SECRET, p.authenticator().authenticate(
                    AuthRequest.http(basic("old@example.com", "not the password"), "203.0.113.7")).reason());
            assertTrue(store.findById(info.id()).orElseThrow().secretHash().startsWith("$2a$"), "a failure rehashes nothing");

            assertTrue(p.authenticator().authenticate(
                    AuthRequest.http(basic("old@example.com", "the old site's password"), "203.0.113.7")).allowed());
            String now = store.findById(info.id()).orElseThrow().secretHash();
            assertTrue(now.startsWith("$argon2id$"), "rehashed on the first successful login");
            assertTrue(p.authenticator().authenticate(
                    AuthRequest.http(basic("old@example.com", "the old site's password"), "198.51.100.7")).allowed());
        }
    }

    @Test
    void theVerifierRefusesWhatItCannotRead() {
        BcryptVerifier v = new BcryptVerifier();
        String hash = BCrypt.withDefaults().hashToString(4, "pw".toCharArray());
        assertTrue(v.supports(hash));
        assertTrue(v.verify(hash, "pw"));
        assertFalse(v.verify(hash, "pw2"));
        assertFalse(v.supports("$argon2id$v=19$m=19456,t=2,p=1$x$y"));
        assertFalse(v.supports("$2b$10$short"));
        assertFalse(v.verify("$2b$10$" + "!".repeat(53), "pw"), "a malformed hash is a mismatch, not an exception");
        assertFalse(v.verify(hash, "x".repeat(100)), "over 72 bytes is refused, never truncated");
    }
}
