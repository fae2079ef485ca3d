package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Checklist L63: a bad format or checksum is refused before any cache or store lookup, with the same 401. */
class ChecksumBeforeLookupTest {

    @Test
    void badChecksumsNeverReachTheStore() {
        ControllableStore store = new ControllableStore();
        Fixtures f = new Fixtures(store);
        IssuedKey k = f.key();
        String token = k.token();
        int reads = store.reads.get();
        for (int i = 0; i < 100; i++) {
            String typo = token.substring(0, 20) + (char) ('a' + i % 26) + token.substring(21);
            if (typo.equals(token)) {
                continue;
            }
            AuthResult r = f.withKey(typo);
            assertEquals(DenyReason.UNKNOWN_KEY, r.reason());
            assertEquals(401, r.http().status());
            assertEquals("FORMAT_CHECKSUM", f.lastEvent().detail());
        }
        assertEquals(reads, store.reads.get(), "a token whose checksum fails reached the store");
    }
}
