package dev.portcullis.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.portcullis.Channel;
import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.StoreChange;
import dev.portcullis.spi.StoreException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The change feed's mechanics on H2: once-only delivery, gaps, lost history, outages, threads. */
class ChangeFeedTest {
    /** Long enough that only {@code pollNow()} polls, where a test wants control. */
    private static final Duration MANUAL = Duration.ofHours(1);

    private static KeyRecord record(String id) {
        return KeyRecord.builder().id(id).account("acme").kind(CredentialKind.API_KEY).prefix("kat")
                .secretHash("sha256$" + "D".repeat(43) + "=").channels(EnumSet.of(Channel.HTTP))
                .createdAt(Instant.parse("2026-01-01T00:00:00Z")).build();
    }

    private static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + within + ": " + what);
            }
            Thread.sleep(5);
        }
    }

    private static long count(List<StoreChange> changes, String id) {
        return changes.stream().filter(c -> c.id().equals(id)).count();
    }

    private static void sql(DataSource ds, String statement) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static long nextSequenceValue(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT NEXT VALUE FOR portcullis_change_seq")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void everyChangeIsAnnouncedOnceOnTheWritingNodeAndOnceOnTheOther() throws Exception {
        DataSource ds = Databases.h2();
        try (JdbcCredentialStore a = JdbcCredentialStore.builder(ds).pollInterval(MANUAL).build();
                JdbcCredentialStore b = JdbcCredentialStore.builder(ds).pollInterval(MANUAL).build()) {
            List<StoreChange> onA = new CopyOnWriteArrayList<>();
            List<StoreChange> onB = new CopyOnWriteArrayList<>();
            a.subscribe(onA::add);
            b.subscribe(onB::add);
            KeyRecord v1 = a.save(record("once00000001"), 0);
            assertEquals(1, count(onA, v1.id()), "the writer announces its own commit at once");
            assertEquals(0, count(onB, v1.id()));
            for (int i = 0; i < 3; i++) {
                a.pollNow();
                b.pollNow();
            }
            assertEquals(1, count(onA, v1.id()), "not again when the writer's poller reads it back");
            assertEquals(1, count(onB, v1.id()), "the other node hears it once");
            assertEquals(new StoreChange(StoreChange.Kind.CREDENTIAL, v1.id(), 1, java.util.Set.of()), onB.get(0));
        }
    }

    /**
     * A pushed notice of a node's own write can arrive after that node's poll has read the write:
     * it is still the node's own, and evicts nothing (an eviction then, with the database down,
     * would deny a key the outage bound still admits).
     */
    @Test
    void aWritersOwnChangeStaysItsOwnAfterItsPollReadsIt() throws Exception {
        DataSource ds = Databases.h2();
        try (JdbcCredentialStore a = JdbcCredentialStore.builder(ds).pollInterval(MANUAL).build();
                JdbcCredentialStore b = JdbcCredentialStore.builder(ds).pollInterval(MANUAL).build()) {
            a.save(record("own000000001"), 0);
            long seq;
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT MAX(seq) FROM portcullis_change")) {
                rs.next();
                seq = rs.getLong(1);
            }
            assertTrue(a.isOwnChange(seq), "announced by its writer");
            a.pollNow();
            b.pollNow();
            assertTrue(a.isOwnChange(seq), "and still its own once its poll read it");
            assertFalse(b.isOwnChange(seq), "another node's change for the other node");
        }
    }

    @Test
    void aNumberTakenButNotYetCommittedIsWaitedFor() throws Exception {
        DataSource ds = Databases.h2();
        try (JdbcCredentialStore writer = JdbcCredentialStore.builder(ds).pollInterval(MANUAL).build();
                JdbcCredentialStore reader = JdbcCredentialStore.builder(ds).pollInterval(MANUAL).build()) {
            List<StoreChange> heard = new CopyOnWriteArrayList<>();
            reader.subscribe(heard::add);
            writer.save(record("first0000001"), 0);
            long inFlight = nextSequenceValue(ds); // a writer that took its number and has not committed
            writer.save(record("after0000001"), 0);
            reader.pollNow();
            assertEquals(1, count(heard, "after0000001"));
            // The late writer commits its change row now.
            sql(ds, "INSERT INTO portcullis_change (seq, kind, ref, version, usernames, recorded_at)"
                    + " VALUES (" + inFlight + ", 'CREDENTIAL', 'late00000001', 7, '', CURRENT_TIMESTAMP)");
            reader.pollNow();
            assertEquals(1, count(heard, "late00000001"), "the gap was re-read");
            reader.pollNow();
            assertEquals(1, count(heard, "late00000001"), "and delivered once");
        }
    }

    @Test
    void aGapOlderThanTheLookbackIsGivenUp() throws Exception {
        DataSource ds = Databases.h2();
        try (JdbcCredentialStore reader = JdbcCredentialStore.builder(ds).pollInterval(MANUAL)
                .feedLookback(Duration.ofMillis(100)).build()) {
            List<StoreChange> heard = new CopyOnWriteArrayList<>();
            reader.subscribe(heard::add);
            long rolledBack = nextSequenceValue(ds);
            reader.save(record("next00000001"), 0);
            reader.pollNow();
            Thread.sleep(150);
            reader.pollNow(); // the gap expires here
            sql(ds, "INSERT INTO portcullis_change (seq, kind, ref, version, usernames, recorded_at)"
                    + " VALUES (" + rolledBack + ", 'CREDENTIAL', 'toolate00001', 1, '', CURRENT_TIMESTAMP)");
            reader.pollNow();
            assertEquals(0, count(heard, "toolate00001"), "the documented limit: a commit later than the lookback is not announced");
        }
    }

    @Test
    void aNodeThatMissedPrunedHistoryReannouncesEveryRecordChangedSince() throws Exception {
        DataSource ds = Databases.h2();
        try (JdbcCredentialStore behind = JdbcCredentialStore.builder(ds).pollInterval(MANUAL).build();
                JdbcCredentialStore writer = JdbcCredentialStore.builder(ds).pollInterval(MANUAL)
                        .feedLookback(Duration.ofMillis(1)).feedRetention(Duration.ofMillis(2)).build()) {
            List<StoreChange> heard = new CopyOnWriteArrayList<>();
            behind.subscribe(heard::add);
            KeyRecord k = writer.save(record("pruned000001"), 0);
            writer.save(k.toBuilder().name("second").build(), 1);
            writer.saveAccount(dev.portcullis.spi.AccountRecord.active("acme"), 0);
            Thread.sleep(20);
            writer.pruneNow(); // deletes all three rows before `behind` read them
            behind.pollNow();
            assertTrue(heard.contains(StoreChange.credential(k.id(), 2, java.util.Set.of())), "re-announced at its current version: " + heard);
            assertTrue(heard.contains(StoreChange.account("acme", 1)));
            heard.clear();
            behind.pollNow();
            assertTrue(heard.isEmpty(), "caught up: nothing more");
            writer.save(record("afterprune01"), 0);
            behind.pollNow();
            assertEquals(1, count(heard, "afterprune01"), "and polling goes on from the new position");
        }
    }

    @Test
    void thePollerSurvivesAnOutageAndCatchesUp() throws Exception {
        DataSource h2 = Databases.h2();
        FaultyDataSource flaky = new FaultyDataSource(h2);
        try (JdbcCredentialStore reader = JdbcCredentialStore.builder(flaky).pollInterval(Duration.ofMillis(50)).build();
                JdbcCredentialStore writer = JdbcCredentialStore.builder(h2).pollInterval(MANUAL).build()) {
            List<StoreChange> heard = new CopyOnWriteArrayList<>();
            reader.subscribe(heard::add);
            await("the feed is current", Duration.ofSeconds(5), () -> reader.changeFeedLag().compareTo(Duration.ofMillis(500)) < 0);

            flaky.down = true;
            assertThrows(StoreException.class, () -> reader.findById("whatever0001"), "lookups fail, never hang");
            writer.save(record("during000001"), 0);
            await("the lag shows the outage", Duration.ofSeconds(5), () -> reader.changeFeedLag().compareTo(Duration.ofMillis(500)) > 0);
            assertEquals(0, count(heard, "during000001"));

            flaky.down = false;
            await("caught up after the outage", Duration.ofSeconds(5), () -> count(heard, "during000001") == 1);
            await("and current again", Duration.ofSeconds(5), () -> reader.changeFeedLag().compareTo(Duration.ofMillis(500)) < 0);
        }
    }

    private static long feedThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("portcullis-jdbc-feed[leak"))
                .count();
    }

    @Test
    void eachStoreHasOnePollerThreadAndCloseStopsIt() throws Exception {
        DataSource ds = Databases.h2();
        assertEquals(0, feedThreads());
        JdbcCredentialStore[] stores = new JdbcCredentialStore[5];
        for (int i = 0; i < stores.length; i++) {
            stores[i] = JdbcCredentialStore.builder(ds).tablePrefix("leak" + i + "_").pollInterval(Duration.ofMillis(20)).build();
        }
        await("one poller per store", Duration.ofSeconds(5), () -> feedThreads() == stores.length);
        for (JdbcCredentialStore s : stores) {
            s.close();
            s.close(); // idempotent
        }
        await("no poller left", Duration.ofSeconds(10), () -> feedThreads() == 0);
        assertThrows(IllegalStateException.class, () -> stores[0].findById("closed000001"));
        assertThrows(IllegalStateException.class, () -> stores[0].subscribe(c -> {}));
    }

    @Test
    void aThrowingListenerDoesNotStopTheOthers() throws Exception {
        DataSource ds = Databases.h2();
        try (JdbcCredentialStore a = JdbcCredentialStore.builder(ds).pollInterval(MANUAL).build();
                JdbcCredentialStore b = JdbcCredentialStore.builder(ds).pollInterval(MANUAL).build()) {
            List<StoreChange> heard = new CopyOnWriteArrayList<>();
            b.subscribe(c -> {
                throw new IllegalStateException("listener bug (test)");
            });
            b.subscribe(heard::add);
            a.save(record("survive00001"), 0);
            b.pollNow();
            a.save(record("survive00002"), 0);
            b.pollNow();
            assertEquals(2, heard.size());
        }
    }

    @Test
    void builderSettingsAreCheckedAndSetOnce() {
        DataSource ds = Databases.h2();
        assertThrows(IllegalArgumentException.class, () -> JdbcCredentialStore.builder(ds).tablePrefix("Bad-Prefix"));
        assertThrows(IllegalArgumentException.class, () -> JdbcCredentialStore.builder(ds).pollInterval(Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> JdbcCredentialStore.builder(ds).lookupTimeout(Duration.ZERO));
        assertThrows(IllegalStateException.class, () -> JdbcCredentialStore.builder(ds).pollInterval(Duration.ofSeconds(1))
                .pollInterval(Duration.ofSeconds(2)));
        assertThrows(IllegalArgumentException.class, () -> JdbcCredentialStore.builder(ds).feedLookback(Duration.ofHours(2))
                .feedRetention(Duration.ofHours(1)).build());
    }
}
