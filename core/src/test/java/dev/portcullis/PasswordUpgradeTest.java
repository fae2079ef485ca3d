package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.KeyRecord;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import dev.portcullis.spi.LegacyPasswordVerifier;
import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.Portcullis.Argon2Parameters;
import dev.portcullis.SaslExchange.SaslStep;

/** needsRehash upgrades, legacy hashes, and the busy path (DESIGN §2 Verify; checklist H41). */
class PasswordUpgradeTest {

    @Test
    void aLoginUnderOldParametersIsRehashedToTheCurrentOnes() {
        CredentialStore store = CredentialStore.inMemory();
        Fixtures old = new Fixtures(store, Portcullis.builder(), Runnable::run, new Argon2Parameters(8192, 1, 1));
        IssuedKey p = old.keys().createSmtpCredential(KeySpec.builder()
                .account("acme").username("app@example.com").build());
        assertTrue(store.findById(p.id()).orElseThrow().secretHash().contains("m=8192,t=1,p=1"));

        Fixtures now = new Fixtures(store, Portcullis.builder(), Runnable::run, new Argon2Parameters(9216, 2, 1));
        assertTrue(now.auth().sasl("PLAIN", "203.0.113.7", true)
                .respond(SmtpSaslTest.b64("\0app@example.com\0" + p.password())).result().allowed());
        KeyRecord upgraded = store.findById(p.id()).orElseThrow();
        assertTrue(upgraded.secretHash().contains("m=9216,t=2,p=1"), upgraded.secretHash().substring(0, 30));
        assertEquals(2, upgraded.version());
        assertTrue(now.auth().sasl("PLAIN", "203.0.113.7", true)
                .respond(SmtpSaslTest.b64("\0app@example.com\0" + p.password())).result().allowed());
    }

    /** A stand-in for a real legacy scheme: {@code {sha256}hex}, compared in constant time. */
    static final class Sha256Legacy implements LegacyPasswordVerifier {
        @Override
        public boolean supports(String storedHash) {
            return storedHash.startsWith("{sha256}");
        }

        @Override
        public boolean verify(String storedHash, String password) {
            try {
                byte[] want = HexFormat.of().parseHex(storedHash.substring(8));
                byte[] got = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
                return MessageDigest.isEqual(want, got);
            } catch (Exception e) {
                return false;
            }
        }
    }

    @Test
    void legacyHashesVerifyOnceThenBecomeArgon2id() throws Exception {
        CredentialStore store = CredentialStore.inMemory();
        Fixtures f = new Fixtures(store, Portcullis.builder().legacyPasswordVerifier(new Sha256Legacy()), Runnable::run);
        String legacy = "{sha256}" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest("imported password".getBytes(StandardCharsets.UTF_8)));
        store.save(KeyRecord.builder().id("legacy000001").account("acme").kind(CredentialKind.PASSWORD)
                .username("old@example.com").secretHash(legacy).passwordProfile("opaque-v1")
                .channels(EnumSet.of(Channel.SMTP)).createdAt(f.clock.instant()).build(), 0);

        assertFalse(f.auth().sasl("PLAIN", "203.0.113.7", true)
                .respond(SmtpSaslTest.b64("\0old@example.com\0wrong password")).result().allowed());
        assertTrue(f.auth().sasl("PLAIN", "203.0.113.7", true)
                .respond(SmtpSaslTest.b64("\0old@example.com\0imported password")).result().allowed());
        assertTrue(store.findById("legacy000001").orElseThrow().secretHash().startsWith("$argon2id$"), "rehashed");
        assertTrue(f.auth().sasl("PLAIN", "203.0.113.7", true)
                .respond(SmtpSaslTest.b64("\0old@example.com\0imported password")).result().allowed());
    }

    @Test
    void busyWhenEveryArgon2SlotStaysFull() throws Exception {
        CredentialStore store = CredentialStore.inMemory();
        Argon2Parameters slow = new Argon2Parameters(262144, 3, 1);
        try (Portcullis p = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("kat")).argon2(slow)
                .argon2Concurrency(1, Duration.ofMillis(100)).build()) {
            IssuedKey login = p.keys().createSmtpCredential(KeySpec.builder()
                    .account("acme").username("app@example.com").build());
            // Another login: callers presenting the very same password would share the holder's check.
            IssuedKey other = p.keys().createSmtpCredential(KeySpec.builder()
                    .account("acme").username("other@example.com").build());
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                long runs = p.wiring.hasher().runs();
                Future<AuthResult> holder = pool.submit(() -> {
                    return p.authenticator().sasl("PLAIN", "203.0.113.7", true)
                            .respond(SmtpSaslTest.b64("\0app@example.com\0" + login.password())).result();
                });
                while (p.wiring.hasher().runs() == runs) { // until the holder is inside its slot
                    Thread.onSpinWait();
                }
                SaslStep busy = p.authenticator().sasl("PLAIN", "198.51.100.1", true)
                        .respond(SmtpSaslTest.b64("\0other@example.com\0" + other.password()));
                assertEquals(DenyReason.BUSY, busy.result().reason());
                assertEquals("454 4.7.0", busy.reply().code() + " " + busy.reply().enhanced());
                assertEquals(503, busy.result().http().status());
                assertTrue(busy.result().http().headers().containsKey("Retry-After"));
                assertTrue(holder.get().allowed());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
