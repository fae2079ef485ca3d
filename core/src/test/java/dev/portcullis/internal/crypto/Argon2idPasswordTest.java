package dev.portcullis.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.Portcullis.Argon2Parameters;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Argon2id password hashing (DESIGN §2 Verify; checklist H41, G39–40, C15). */
class Argon2idPasswordTest {
    private static final String OPAQUE = PasswordProfile.OPAQUE_V1.id();
    private final PasswordHasher hasher = new PasswordHasher(Argon2Parameters.OWASP_MINIMUM, 2, Duration.ofMillis(100));

    @Test
    void hashesAreOwaspMinimumPhcStringsThatVerify() {
        String phc = hasher.hash("correct horse battery staple");
        assertTrue(phc.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), phc);
        assertEquals(PasswordHasher.Outcome.MATCH, hasher.verify(phc, OPAQUE, "correct horse battery staple").outcome());
        assertFalse(hasher.verify(phc, OPAQUE, "correct horse battery staple").needsRehash());
    }

    @Test
    void wrongPasswordIsAMismatch() {
        String phc = hasher.hash("s3cret-password");
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify(phc, OPAQUE, "s3cret-passwore").outcome());
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify(phc, OPAQUE, "").outcome());
    }

    @Test
    void malformedStoredHashIsAMismatchNotAnException() {
        for (String bad : new String[] {"", "$argon2id$", "$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB", "$2a$10$abc", "plain"}) {
            assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify(bad, OPAQUE, "pw").outcome(), bad);
        }
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify(null, OPAQUE, "pw").outcome());
        String phc = hasher.hash("pw-with-unknown-profile");
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify(phc, "no-such-profile", "pw-with-unknown-profile").outcome());
    }

    @Test
    void opaqueProfileMapsSpacesAndComposes() {
        // checklist G40: "I\u00A0am" ≡ "I am" and "e\u0301" ≡ "é".
        String phc = hasher.hash("I\u00A0am");
        assertEquals(PasswordHasher.Outcome.MATCH, hasher.verify(phc, OPAQUE, "I am").outcome());
        String accent = hasher.hash("caf" + "e\u0301");
        assertEquals(PasswordHasher.Outcome.MATCH, hasher.verify(accent, OPAQUE, "caf\u00e9").outcome());
        assertEquals("I am", PasswordProfile.OPAQUE_V1.prepare("I\u2003am"));
        assertNull(PasswordProfile.OPAQUE_V1.prepare(""));
        assertNull(PasswordProfile.OPAQUE_V1.prepare("a\u0000b"));
        assertNull(PasswordProfile.OPAQUE_V1.prepare("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> hasher.hash(""));
    }

    @Test
    void needsRehashWhenParametersChange() {
        PasswordHasher weak = new PasswordHasher(new Argon2Parameters(8192, 1, 1), 1, Duration.ofMillis(100));
        String phc = weak.hash("old-parameters");
        assertTrue(hasher.needsRehash(phc));
        PasswordHasher.Result r = hasher.verify(phc, OPAQUE, "old-parameters");
        assertEquals(PasswordHasher.Outcome.MATCH, r.outcome());
        assertTrue(r.needsRehash());
        assertFalse(hasher.needsRehash(hasher.hash("new-parameters")));
    }

    @Test
    void busyWhenAllSlotsAreHeld() throws Exception {
        // One slot; a thread holds it with a slow verify while we try to get in.
        PasswordHasher one = new PasswordHasher(new Argon2Parameters(262144, 4, 1), 1, Duration.ofMillis(100));
        String slow = one.hash("slow-hash");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch started = new CountDownLatch(1);
            Future<PasswordHasher.Result> holder = pool.submit(() -> {
                started.countDown();
                return one.verify(slow, OPAQUE, "slow-hash");
            });
            started.await();
            Thread.sleep(20);
            long t0 = System.nanoTime();
            PasswordHasher.Result r = one.verify(slow, OPAQUE, "slow-hash");
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(PasswordHasher.Outcome.BUSY, r.outcome(), "second caller must be told busy");
            assertTrue(waitedMs >= 90, "waited only " + waitedMs + " ms");
            assertEquals(PasswordHasher.Outcome.BUSY, one.verifyDummy("x").outcome());
            assertEquals(PasswordHasher.Outcome.MATCH, holder.get().outcome());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void dummyVerifyIsAlwaysAMismatch() {
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verifyDummy("anything").outcome());
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verifyDummy("").outcome());
    }
}
