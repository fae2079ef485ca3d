package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** DESIGN §3 leak response: only a token whose secret matches revokes; anything else changes nothing. */
class LeakReportTest {
    private final List<KeyEvent> keyEvents = new CopyOnWriteArrayList<>();
    private final Fixtures f = new Fixtures(CredentialStore.inMemory(), Portcullis.builder().listener(new AuthListener() {
        @Override
        public void onEvent(AuthEvent event) {}

        @Override
        public void onKeyEvent(KeyEvent event) {
            keyEvents.add(event);
        }
    }), Runnable::run);

    private KeyEvent last() {
        return keyEvents.get(keyEvents.size() - 1);
    }

    @Test
    void aForgedReportRevokesNothing() {
        IssuedKey k = f.key();
        String forged = DenyReasonsTest.sameIdOtherSecret(k.token()); // real id, random secret, recomputed checksum
        assertTrue(KeyFormat.withPrefix("kat").parse(forged).valid());
        assertEquals(KeyManager.LeakReport.UNVERIFIED, f.keys().reportLeaked(forged, "github-secret-scanning"));
        assertEquals(KeyEvent.Type.LEAK_REPORT_UNVERIFIED, last().type());
        assertNull(last().keyId(), "an unverified report names no key");
        assertEquals("source=github-secret-scanning", last().detail());
        assertFalse(f.keys().get(k.id()).orElseThrow().isRevoked());
        assertTrue(f.withKey(k.token()).allowed());
        assertEquals(KeyManager.LeakReport.UNVERIFIED, f.keys().reportLeaked("kat_garbage", "paste"));
        assertEquals(KeyManager.LeakReport.UNVERIFIED, f.keys().reportLeaked(KeyFormat.withPrefix("kat").newToken(), "paste"));
    }

    @Test
    void aGenuineReportRevokesAtOnce() {
        IssuedKey k = f.key();
        assertTrue(f.withKey(k.token()).allowed());
        assertEquals(KeyManager.LeakReport.REVOKED, f.keys().reportLeaked(k.token(), "public gist"));
        assertEquals(DenyReason.REVOKED, f.withKey(k.token()).reason());
        KeyEvent e = last();
        assertEquals(KeyEvent.Type.LEAK_REPORTED, e.type());
        assertEquals(k.id(), e.keyId());
        assertEquals("source=public gist", e.detail());
        KeyInfo info = f.keys().get(k.id()).orElseThrow();
        assertEquals("leaked: public gist", info.changeReason());

        assertEquals(KeyManager.LeakReport.ALREADY_REVOKED, f.keys().reportLeaked(k.token(), "second scanner"));
        assertEquals(KeyEvent.Type.LEAK_REPORT_ALREADY_REVOKED, last().type());
        assertEquals(info.version(), f.keys().get(k.id()).orElseThrow().version(), "a repeated report changes nothing");
    }
}
