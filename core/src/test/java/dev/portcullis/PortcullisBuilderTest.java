package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;

import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The root's builder: set-once, validated, and the pinned entry points of DESIGN §4. */
class PortcullisBuilderTest {

    @Test
    void settingsAreSetOnce() {
        Portcullis.Builder b = Portcullis.builder().store(CredentialStore.inMemory());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.store(CredentialStore.inMemory()));
        assertTrue(e.getMessage().contains("store was already set"), e.getMessage());
        b.keyFormat(KeyFormat.withPrefix("kat"));
        assertThrows(IllegalStateException.class, () -> b.keyFormat(KeyFormat.withPrefix("pc")));
        b.realm("mail api");
        assertThrows(IllegalStateException.class, () -> b.realm("x"));
        b.pepper("k1", new byte[32]);
        assertThrows(IllegalStateException.class, () -> b.pepper("k1", new byte[32]));
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(IllegalStateException.class, () -> Portcullis.builder().build());
        assertThrows(IllegalArgumentException.class, () -> Portcullis.builder().pepper("k1", new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> Portcullis.builder().realm("a\"b"));
        assertThrows(IllegalArgumentException.class, () -> Portcullis.builder().keyFormat(KeyFormat.imported(Pattern.compile("x"))));
        assertThrows(IllegalStateException.class, () -> Portcullis.builder().store(CredentialStore.inMemory())
                .cacheMaxStaleness(Duration.ofSeconds(30)).cacheRefreshInterval(Duration.ofSeconds(30)).build());
    }

    @Test
    void pinnedEntryPointsWorkTogether() {
        try (Portcullis p = Portcullis.builder().store(CredentialStore.inMemory()).keyFormat(KeyFormat.withPrefix("kat"))
                .pepper("k1", "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .realm("mail api").build()) {
            IssuedKey k = p.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            AuthResult r = p.authenticator().authenticate(AuthRequest.http("Bearer " + k.token(), "127.0.0.1")
                    .require("messages:send", "example.com"));
            assertTrue(r.allowed());
            assertEquals("acme", r.principal().account());
            assertEquals(k.id(), r.principal().getName());
            assertTrue(p.keys().get(k.id()).isPresent());
            AuthResult denied = p.authenticator().authenticate(AuthRequest.http((String) null, "127.0.0.1"));
            assertEquals("Basic realm=\"mail api\", charset=\"UTF-8\"", denied.http().headers().get("WWW-Authenticate"));
        }
    }
}
