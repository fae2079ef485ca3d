package dev.portcullis.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.Channel;
import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.DenyReason;
import dev.portcullis.IssuedKey;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.StoreConflictException;
import dev.portcullis.spi.Usage;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fleet on one PostgreSQL: each node has its own pool and store instance, as separate processes would.
 * The delay test turns the push off: it measures the polled feed, the backstop (the push has its own
 * tests, {@link PostgresPushTest}, and its two-JVM measurement, {@link RevocationAcrossJvms}).
 */
class PostgresFleetTest {
    private static final Duration POLL = Duration.ofMillis(200);
    /** What the feed promises (one interval) plus room for a busy 2-core machine. */
    private static final Duration BOUND = POLL.plusMillis(800);

    private static EmbeddedPostgres pg;
    private final List<AutoCloseable> open = new ArrayList<>();
    private String prefix;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = Databases.postgres();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void freshTables() {
        prefix = Databases.freshPrefix();
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private HikariDataSource pool() {
        HikariDataSource pool = Databases.pool(pg, 4, Duration.ofSeconds(2));
        open.add(pool);
        return pool;
    }

    private JdbcCredentialStore store(javax.sql.DataSource ds) {
        return store(ds, true);
    }

    private JdbcCredentialStore store(javax.sql.DataSource ds, boolean push) {
        JdbcCredentialStore s = JdbcCredentialStore.builder(ds).tablePrefix(prefix).pollInterval(POLL).pushChanges(push).build();
        open.add(s);
        return s;
    }

    private Node node(javax.sql.DataSource ds) {
        return node(ds, true);
    }

    private Node node(javax.sql.DataSource ds, boolean push) {
        Node n = new Node(store(ds, push));
        open.add(n);
        return n;
    }

    private static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + within + ": " + what);
            }
            Thread.sleep(2);
        }
    }

    @Test
    void withoutPushARevocationOnOneNodeIsDeniedOnTheOtherWithinThePollInterval() throws Exception {
        Node a = node(pool(), false);
        Node b = node(pool(), false);
        assertFalse(b.store.pushConnected());
        List<Long> delays = new ArrayList<>();
        for (int trial = 0; trial < 20; trial++) {
            IssuedKey k = a.newKey();
            assertTrue(b.allows(k), "the other node reads the new key from the database");
            assertTrue(b.allows(k), "and serves it from its cache");
            a.portcullis.keys().revoke(k.id());
            long revoked = System.nanoTime();
            assertEquals(DenyReason.REVOKED, a.authenticate(k.token()).reason(), "the revoking node knows at once");
            while (b.allows(k)) {
                if (System.nanoTime() - revoked > BOUND.toNanos()) {
                    fail("trial " + trial + ": node B still allowed the key " + BOUND + " after the revocation");
                }
                Thread.sleep(1);
            }
            delays.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revoked));
            assertEquals(DenyReason.REVOKED, b.authenticate(k.token()).reason());
            // A random phase against B's poll schedule, so the trials sample the whole interval.
            Thread.sleep(ThreadLocalRandom.current().nextLong(POLL.toMillis()));
        }
        List<Long> sorted = new ArrayList<>(delays);
        Collections.sort(sorted);
        String report = "revocation delay without push over " + sorted.size() + " trials, poll interval " + POLL.toMillis() + " ms: p50 "
                + sorted.get(sorted.size() / 2 - 1) + " ms, max " + sorted.get(sorted.size() - 1) + " ms; all " + delays;
        System.out.println(report);
        Files.writeString(Path.of("target", "revocation-delay.txt"), report + System.lineSeparator());
    }

    @Test
    void aRevocationWhoseTransactionCommitsLateIsStillSeen() throws Exception {
        FaultyDataSource slowA = new FaultyDataSource(pool());
        Node a = node(slowA);
        Node b = node(pool());
        Node c = node(pool());
        IssuedKey late = a.newKey();
        IssuedKey prompt = a.newKey();
        assertTrue(b.allows(late));
        assertTrue(b.allows(prompt));

        CountDownLatch release = new CountDownLatch(1);
        slowA.holdNextCommit(release);
        ExecutorService revoker = Executors.newSingleThreadExecutor();
        try {
            Future<?> revoking = revoker.submit(() -> a.portcullis.keys().revoke(late.id()));
            assertTrue(slowA.holding.await(10, TimeUnit.SECONDS), "the revocation took its number and holds its commit");

            c.portcullis.keys().revoke(prompt.id()); // a higher number, committed first
            await("B sees the later revocation", BOUND, () -> !b.allows(prompt));
            Thread.sleep(POLL.toMillis() * 3); // several polls pass while the lower number is uncommitted
            assertTrue(b.allows(late), "not committed yet: still valid");

            release.countDown();
            revoking.get(10, TimeUnit.SECONDS);
            long committed = System.nanoTime();
            await("B sees the late commit", BOUND, () -> !b.allows(late));
            System.out.println("late commit seen after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - committed) + " ms");
            assertEquals(DenyReason.REVOKED, b.authenticate(late.token()).reason());
        } finally {
            release.countDown();
            revoker.shutdownNow();
        }
    }

    private static KeyRecord record(String id) {
        return KeyRecord.builder().id(id).account("acme").name("race").kind(CredentialKind.API_KEY).prefix("kat")
                .secretHash("sha256$" + "B".repeat(43) + "=").channels(EnumSet.of(Channel.HTTP))
                .createdAt(Instant.parse("2026-01-01T00:00:00Z")).build();
    }

    @Test
    void concurrentUpdatesOfOneKeyThroughTwoStoresOneWinsTheOtherConflicts() throws Exception {
        JdbcCredentialStore a = store(pool());
        JdbcCredentialStore b = store(pool());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                KeyRecord v1 = a.save(record("race" + round), 0);
                KeyRecord readByB = b.findById(v1.id()).orElseThrow();
                CyclicBarrier start = new CyclicBarrier(2);
                Future<KeyRecord> fromA = pool.submit(() -> {
                    start.await();
                    return a.save(v1.toBuilder().name("from a").build(), v1.version());
                });
                Future<KeyRecord> fromB = pool.submit(() -> {
                    start.await();
                    return b.save(readByB.toBuilder().name("from b").build(), readByB.version());
                });
                String winner = null;
                int conflicts = 0;
                for (Future<KeyRecord> f : List.of(fromA, fromB)) {
                    try {
                        winner = f.get(10, TimeUnit.SECONDS).name();
                    } catch (ExecutionException e) {
                        assertInstanceOf(StoreConflictException.class, e.getCause());
                        conflicts++;
                    }
                }
                assertEquals(1, conflicts, "round " + round + ": exactly one save must lose");
                KeyRecord stored = a.findById(v1.id()).orElseThrow();
                assertEquals(2, stored.version());
                assertEquals(winner, stored.name(), "the winner's write is the one stored");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void usageFlushedConcurrentlyFromTwoNodesAddsUp() throws Exception {
        JdbcCredentialStore a = store(pool());
        JdbcCredentialStore b = store(pool());
        KeyRecord k = a.save(record("usage0000001"), 0);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> flushes = new ArrayList<>();
            for (JdbcCredentialStore s : List.of(a, b)) {
                flushes.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        s.addUsage(List.of(new Usage(k.id(), Instant.parse("2026-03-01T00:00:00Z").plusSeconds(i), "192.0.2." + i,
                                Map.of("ALLOWED", 2L, "WRONG_SECRET", 1L), Set.of("192.0.2.0/24", "10." + i + ".0.0/24"))));
                    }
                    return null;
                }));
            }
            for (Future<?> f : flushes) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Usage u = b.usage(k.id()).orElseThrow();
        assertEquals(100L, u.counts().get("ALLOWED"));
        assertEquals(50L, u.counts().get("WRONG_SECRET"));
        assertEquals(26, u.networks().size());
        assertEquals(Instant.parse("2026-03-01T00:00:24Z"), u.lastUsedAt());
        assertEquals("192.0.2.24", u.lastClientAddress());
        assertFalse(a.usage("nosuchkey000").isPresent());
    }
}
