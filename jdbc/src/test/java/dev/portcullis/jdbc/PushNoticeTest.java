package dev.portcullis.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.StoreChange;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The NOTIFY payload: what a node sends with each write and what the others make of it. */
class PushNoticeTest {
    @Test
    void aChangeTravelsAsAnEvictionWithoutItsVersion() {
        StoreChange rename = StoreChange.credential("abcdefghijkl", 7, Set.of("old@example.com", "new@example.com"));
        PushNotice n = PushNotice.parse(PushNotice.payload("origin1", 42, rename));
        assertEquals("origin1", n.origin());
        assertEquals(42, n.seq());
        assertEquals(StoreChange.credential("abcdefghijkl", 0, rename.usernames()), n.change(),
                "version 0: a notice evicts, it raises no version floor (anyone connected can NOTIFY)");
        assertEquals(StoreChange.account("acme", 0), PushNotice.parse(PushNotice.payload("o", 1, StoreChange.account("acme", 3))).change());
    }

    @Test
    void aChangeTooLargeForPostgresGoesAsItsNumberAloneAndTheReceiverPolls() {
        StoreChange huge = StoreChange.credential("abcdefghijkl", 2, Set.of("a".repeat(5000) + "@example.com", "b".repeat(5000) + "@example.com"));
        String payload = PushNotice.payload("o", 9, huge);
        assertTrue(payload.getBytes(StandardCharsets.UTF_8).length < 8000);
        PushNotice n = PushNotice.parse(payload);
        assertEquals(9, n.seq());
        assertNull(n.change());
    }

    @Test
    void anythingElseOnTheChannelIsNotANotice() {
        for (String junk : new String[] {"", "hello", "p1\no", "p1\no\nx", "p2\no\n1\nC\nid", "p1\no\n1\nX\nid",
                "p1\no\n1\nC\n", "p1\no\n1\nA\nacme\nextra", "p1\no\n1\nC\nid\n", "p1\n\n1"}) {
            assertNull(PushNotice.parse(junk), junk);
        }
        assertNull(PushNotice.parse(null));
    }
}
