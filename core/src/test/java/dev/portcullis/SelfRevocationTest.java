package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@link KeyManager#revokeSelf}: holding the key is the whole check, and nothing else revokes. */
class SelfRevocationTest {
    private final List<KeyEvent> keyEvents = new CopyOnWriteArrayList<>();
    private final CredentialStore store = CredentialStore.inMemory();
    private final Fixtures f = new Fixtures(store, Portcullis.builder().listener(new AuthListener() {
        @Override
        public void onEvent(AuthEvent event) {}

        @Override
        public void onKeyEvent(KeyEvent event) {
            keyEvents.add(event);
        }
    }), Runnable::run);

    @Test
    void aKeyWorksBeforeItRevokesItselfAndNotAfterOnThisNodeAndAnother() {
        Fixtures otherNode = new Fixtures(store); // a second Portcullis on the same store: the change feed reaches it
        try {
            IssuedKey k = f.key();
            assertTrue(f.withKey(k.token()).allowed());
            assertTrue(otherNode.withKey(k.token()).allowed(), "cached on the other node too");

            KeyInfo revoked = f.keys().revokeSelf(k.token()).orElseThrow();
            assertEquals(k.id(), revoked.id());
            assertTrue(revoked.isRevoked());
            assertEquals(DenyReason.REVOKED, f.withKey(k.token()).reason());
            assertEquals(DenyReason.REVOKED, otherNode.withKey(k.token()).reason());

            KeyEvent e = keyEvents.get(keyEvents.size() - 1);
            assertEquals(KeyEvent.Type.REVOKED, e.type());
            assertEquals(k.id(), e.keyId());
            assertEquals("acme", e.account());
            assertEquals("self", e.detail());
            assertEquals("key:" + k.id(), e.actor());
        } finally {
            otherNode.portcullis.close();
        }
    }

    @Test
    void aKeyWithNoManagementGrantMayStillEndItself() {
        IssuedKey k = f.key(); // messages:send only
        Principal p = f.withKey(k.token()).principal();
        KeyManager asItself = f.keys().actingAs(p);
        assertTrue(asItself.revokeSelf(k.token()).orElseThrow().isRevoked());
        assertEquals(DenyReason.REVOKED, f.withKey(k.token()).reason());
    }

    @Test
    void tokensThatDoNotVerifyRevokeNothingAndSayNothing() {
        IssuedKey k = f.key();
        int before = keyEvents.size();
        for (String t : new String[] {
                DenyReasonsTest.sameIdOtherSecret(k.token()), // real id, wrong secret, valid checksum
                k.token().substring(0, k.token().length() - 1) + (k.token().endsWith("A") ? "B" : "A"), // bad checksum
                KeyFormat.withPrefix("kat").newToken(), // unknown id
                "", "kat_", k.id(), null}) {
            assertEquals(Optional.empty(), f.keys().revokeSelf(t), "no key for " + (t == null ? "null" : "a token of length " + t.length()));
        }
        assertEquals(before, keyEvents.size(), "an unverified attempt emits no key event");
        assertFalse(f.keys().get(k.id()).orElseThrow().isRevoked());
        assertTrue(f.withKey(k.token()).allowed());
    }

    @Test
    void anSmtpPasswordIsNoKeyToRevoke() {
        IssuedKey login = f.keys().createSmtpCredential(KeySpec.builder().account("acme").username("app@example.com")
                .grant("messages:send", "example.com").build());
        assertEquals(Optional.empty(), f.keys().revokeSelf(login.password()));
        assertFalse(f.keys().get(login.id()).orElseThrow().isRevoked());
    }

    @Test
    void revokingARevokedKeyChangesNothing() {
        IssuedKey k = f.key();
        KeyInfo first = f.keys().revokeSelf(k.token()).orElseThrow();
        int events = keyEvents.size();
        KeyInfo again = f.keys().revokeSelf(k.token()).orElseThrow();
        assertEquals(first.version(), again.version());
        assertEquals(first.revokedAt(), again.revokedAt());
        assertEquals(events, keyEvents.size());
    }

    @Test
    void aRotatedKeyInItsGraceEndsItselfAndLeavesItsSuccessorAlone() {
        IssuedKey old = f.key();
        IssuedKey successor = f.keys().rotate(old.id(), java.time.Duration.ofHours(1));
        assertTrue(f.keys().revokeSelf(old.token()).orElseThrow().isRevoked());
        assertEquals(DenyReason.REVOKED, f.withKey(old.token()).reason());
        assertTrue(f.withKey(successor.token()).allowed());
    }
}
