package dev.portcullis.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.AuthResult;
import dev.portcullis.DenyReason;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.spi.CredentialStore.CreditBalance;
import dev.portcullis.testkit.MutableClock;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Credits on a fleet: two {@code Portcullis} nodes, each with its own pool and store instance on one
 * PostgreSQL, as separate processes would have, and 8 threads on each, sending requests with one key
 * at once. Keys are made through {@code KeyManager}; every request goes the whole way through
 * {@code Authenticator.authenticate}, whose last stage takes the cost from the store in one
 * conditional UPDATE (credits are never cached, so no node spends what another took).
 */
class PostgresCreditsTest {
    private static final int TRIALS = 20;
    private static final int THREADS_PER_NODE = 8;
    private static final long N = 100;

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
        open.clear();
    }

    /** A node on its own pool: a connection per request thread, plus the listener, the poll and the usage flush. */
    private Node node(Clock clock) {
        HikariDataSource pool = Databases.pool(pg, THREADS_PER_NODE + 3, Duration.ofSeconds(5));
        open.add(pool);
        JdbcCredentialStore store = JdbcCredentialStore.builder(pool).tablePrefix(prefix).build();
        open.add(store);
        Node n = clock == null ? new Node(store) : Node.onClock(store, clock);
        open.add(n);
        return n;
    }

    private static IssuedKey keyWithCredits(Node on, long credits, Limit.Refill refill) {
        KeySpec.Builder spec = KeySpec.builder().account("acme").name("trial").grant("messages:send", "example.com");
        return on.portcullis.keys().create((refill == null ? spec.credits(credits) : spec.credits(credits, refill)).build());
    }

    private static long remaining(Node on, IssuedKey key) {
        String owner = on.store.findById(key.id()).orElseThrow().creditBalance();
        return on.store.credits(owner).orElseThrow().remaining();
    }

    /** Whether a request of {@code cost} was admitted; a denial for anything but credits fails the test. */
    private static boolean spend(Node node, IssuedKey key, long cost) {
        AuthResult r = node.authenticate(key.token(), cost);
        if (!r.allowed() && r.reason() != DenyReason.CREDITS_EXHAUSTED) {
            throw new AssertionError("denied for " + r.reason() + ", not for credits");
        }
        return r.allowed();
    }

    /**
     * 8 threads per node, started together, each sending requests until one of cost 1 is refused:
     * the balance is then empty, and as nothing refills it during a trial, it stays so. Returns the
     * admitted cost.
     */
    private static long spendUntilEmpty(List<Node> nodes, IssuedKey key, boolean randomCosts) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size() * THREADS_PER_NODE);
        CyclicBarrier start = new CyclicBarrier(nodes.size() * THREADS_PER_NODE);
        try {
            List<Future<Long>> threads = new ArrayList<>();
            for (int t = 0; t < nodes.size() * THREADS_PER_NODE; t++) {
                Node node = nodes.get(t % nodes.size());
                threads.add(pool.submit(() -> {
                    start.await();
                    long admitted = 0;
                    while (true) {
                        long cost = randomCosts ? 1 + ThreadLocalRandom.current().nextInt(5) : 1;
                        if (spend(node, key, cost)) {
                            admitted += cost;
                        } else if (cost == 1) {
                            return admitted;
                        }
                    }
                }));
            }
            long admitted = 0;
            for (Future<Long> f : threads) {
                admitted += f.get(120, TimeUnit.SECONDS);
            }
            return admitted;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoNodesOfEightThreadsAdmitExactlyTheCreditsAtCostOneInEachOfTwentyTrials() throws Exception {
        Node a = node(null);
        Node b = node(null);
        for (int trial = 0; trial < TRIALS; trial++) {
            IssuedKey key = keyWithCredits(a, N, null);
            long admitted = spendUntilEmpty(List.of(a, b), key, false);
            assertEquals(N, admitted, "trial " + trial + ": admitted cost");
            assertEquals(0, remaining(b, key), "trial " + trial);
        }
    }

    @Test
    void twoNodesOfEightThreadsNeverAdmitMoreThanTheCreditsAtRandomCosts() throws Exception {
        Node a = node(null);
        Node b = node(null);
        for (int trial = 0; trial < TRIALS; trial++) {
            IssuedKey key = keyWithCredits(a, N, null);
            long admitted = spendUntilEmpty(List.of(a, b), key, true);
            long left = remaining(b, key);
            assertTrue(admitted <= N, "trial " + trial + ": admitted " + admitted + " of " + N);
            assertEquals(N, admitted + left, "trial " + trial + ": every admitted cost taken once, none lost");
            // Each thread stopped only once a request of cost 1 was refused: nothing payable was left unspent.
            assertEquals(0, left, "trial " + trial);
        }
    }

    @Test
    void aMonthlyRefillOnThe31stRefillsAtMidnightOnFebruary28AndNotBefore() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-31T09:00:00Z"));
        Node a = node(clock);
        Node b = node(clock);
        IssuedKey key = keyWithCredits(a, 10, Limit.Refill.monthly(10, 31));
        for (int i = 0; i < 10; i++) {
            assertTrue(spend(i % 2 == 0 ? a : b, key, 1), "request " + i + " on January 31");
        }
        assertFalse(spend(a, key, 1) || spend(b, key, 1), "spent on January 31");

        clock.advance(Duration.between(clock.instant(), Instant.parse("2026-02-27T23:59:59.999Z")));
        assertFalse(spend(a, key, 1) || spend(b, key, 1), "not refilled before February 28 00:00");
        AuthResult denied = b.authenticate(key.token(), 1);
        assertEquals(DenyReason.CREDITS_EXHAUSTED, denied.reason());
        assertEquals(Duration.ofMillis(1), denied.retryAfter(), "the refill is due in a millisecond");

        clock.advance(Duration.ofMillis(1));
        assertTrue(spend(b, key, 4), "refilled at February 28 00:00, the last day of a short month");
        String owner = a.store.findById(key.id()).orElseThrow().creditBalance();
        assertEquals(new CreditBalance(6, Instant.parse("2026-02-28T00:00:00Z")), a.store.credits(owner).orElseThrow());
        assertTrue(spend(a, key, 6));
        assertFalse(spend(a, key, 1) || spend(b, key, 1), "one refill per boundary, however many nodes ask");

        clock.advance(Duration.between(clock.instant(), Instant.parse("2026-03-30T23:59:59Z")));
        assertFalse(spend(b, key, 1), "March's boundary is the 31st");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(spend(b, key, 10), "refilled on March 31");
        assertEquals(new CreditBalance(0, Instant.parse("2026-03-31T00:00:00Z")), b.store.credits(owner).orElseThrow());
    }
}
