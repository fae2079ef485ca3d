package dev.portcullis.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.Channel;
import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.DenyReason;
import dev.portcullis.IssuedKey;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.StoreConflictException;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** What the contract leaves open, on H2: error messages, stored precision, a whole Portcullis on the store. */
class JdbcStoreTest {

    private static KeyRecord.Builder login(String id, String username) {
        return KeyRecord.builder().id(id).account("acme").kind(CredentialKind.PASSWORD).username(username)
                .secretHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA")
                .passwordProfile("opaque-v1").channels(EnumSet.of(Channel.SMTP))
                .createdAt(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void conflictsSayWhatWentWrongWithoutEchoingTheUsername() {
        try (JdbcCredentialStore store = JdbcCredentialStore.create(Databases.h2())) {
            KeyRecord a = store.save(login("login0000001", "postmaster@example.com").build(), 0);
            StoreConflictException taken = assertThrows(StoreConflictException.class,
                    () -> store.save(login("login0000002", "postmaster@example.com").build(), 0));
            assertEquals("username is already taken", taken.getMessage());
            StoreConflictException exists = assertThrows(StoreConflictException.class,
                    () -> store.save(login("login0000001", "other@example.com").build(), 0));
            assertEquals("record login0000001 already exists", exists.getMessage());
            StoreConflictException stale = assertThrows(StoreConflictException.class,
                    () -> store.save(a.toBuilder().name("stale").build(), 3));
            assertEquals("record login0000001 is at version 1, not 3", stale.getMessage());
            StoreConflictException missing = assertThrows(StoreConflictException.class,
                    () -> store.save(login("login0000009", "x@example.com").build(), 1));
            assertEquals("record login0000009 does not exist", missing.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> store.save(login("login0000003", "two\nlines@example.com").build(), 0));
        }
    }

    @Test
    void instantsAreStoredToTheMicrosecondAndSaveReturnsWhatAReadReturns() {
        try (JdbcCredentialStore store = JdbcCredentialStore.create(Databases.h2())) {
            Instant t = Instant.parse("2026-05-05T05:05:05.123456789Z");
            KeyRecord saved = store.save(login("micros000001", "m@example.com").createdAt(t).expiresAt(t.plusSeconds(60))
                    .revokedAt(t).lifetime(Duration.ofNanos(1_500)).build(), 0);
            KeyRecord read = store.findById("micros000001").orElseThrow();
            assertEquals(Instant.parse("2026-05-05T05:05:05.123456Z"), read.createdAt());
            assertEquals(saved.createdAt(), read.createdAt());
            assertEquals(saved.expiresAt(), read.expiresAt());
            assertEquals(saved.revokedAt(), read.revokedAt());
            assertEquals(Duration.ofNanos(1_500), read.lifetime(), "a lifetime is kept exactly");
        }
    }

    @Test
    void aPortcullisOnAnEmbeddedH2StoreIssuesAuthenticatesAndRevokes() {
        DataSource ds = Databases.h2();
        try (Node node = new Node(JdbcCredentialStore.create(ds))) {
            IssuedKey k = node.newKey();
            assertTrue(node.allows(k));
            assertEquals(DenyReason.UNKNOWN_KEY, node.authenticate(dev.portcullis.KeyFormat.withPrefix("kat").newToken()).reason());
            node.portcullis.keys().revoke(k.id());
            assertEquals(DenyReason.REVOKED, node.authenticate(k.token()).reason(), "the local write is announced at once");
            assertFalse(node.store.toString().contains(k.token().substring(4, 20)));
        }
    }
}
