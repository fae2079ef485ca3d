package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** One event per attempt; a throwing listener never changes a decision (DESIGN §2; checklist H44). */
class ListenerContractTest {

    @Test
    void aThrowingListenerChangesNoDecisionAndOthersStillHear() {
        List<AuthEvent> heard = new CopyOnWriteArrayList<>();
        Fixtures f = new Fixtures(CredentialStore.inMemory(), Portcullis.builder()
                .listener(e -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(heard::add), Runnable::run);
        IssuedKey k = f.key();
        assertTrue(f.withKey(k.token()).allowed());
        assertEquals(DenyReason.UNKNOWN_KEY, f.withKey(KeyFormat.withPrefix("kat").newToken()).reason());
        assertEquals(2, heard.size());
        assertTrue(heard.get(0).allowed());
        assertFalse(heard.get(1).allowed());
    }

    @Test
    void everyAttemptEmitsExactlyOneEvent() {
        Fixtures f = new Fixtures();
        IssuedKey k = f.key();
        f.withKey(k.token());
        f.withKey("garbage");
        f.auth().authenticate(AuthRequest.http((String) null, "203.0.113.7"));
        f.auth().authenticate(AuthRequest.http("Basic ====", "203.0.113.7"));
        assertEquals(4, f.events.size());
        AuthEvent ok = f.events.get(0);
        assertTrue(ok.allowed());
        assertEquals(k.id(), ok.keyId());
        assertEquals("acme", ok.account());
        assertEquals(Channel.HTTP, ok.channel());
        assertEquals(f.clock.instant(), ok.at());
    }
}
