package dev.portcullis.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.AuthResult;
import dev.portcullis.DenyReason;
import dev.portcullis.Portcullis.Health;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.portcullis.testkit.MutableClock;

/**
 * PostgreSQL stopped mid-test (the cluster is shut down), then started again on the same data
 * directory and port. The node's cache runs on a test clock, so the hard bound is exact; the feed
 * and the pool run in real time.
 */
class PostgresOutageTest {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration CONNECTION_TIMEOUT = Duration.ofMillis(500);

    @TempDir
    static Path data;
    private static int port;
    private static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        pg = Databases.postgres(data.resolve("pg"), port);
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + within + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Authenticates and checks the answer came fast: a down database must not stall a request. */
    private static AuthResult quickly(Node n, String token) {
        long start = System.nanoTime();
        AuthResult r = n.authenticate(token);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < CONNECTION_TIMEOUT.toMillis() + 1500, "a request took " + ms + " ms");
        return r;
    }

    private static boolean feedThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("portcullis-jdbc-feed"));
    }

    @Test
    void cachedKeysServeUntilTheHardBoundUnknownKeysNeverPassAndEverythingRecovers() throws Exception {
        MutableClock clock = new MutableClock();
        try (HikariDataSource poolA = Databases.pool(port, 4, CONNECTION_TIMEOUT);
                HikariDataSource poolB = Databases.pool(port, 4, CONNECTION_TIMEOUT);
                Node a = Node.onClock(JdbcCredentialStore.builder(poolA).pollInterval(POLL).build(), clock)) {
            IssuedKey k = a.newKey();
            String stranger = KeyFormat.withPrefix("kat").newToken();
            assertTrue(a.allows(k));
            assertEquals(DenyReason.UNKNOWN_KEY, a.authenticate(stranger).reason(), "negatively cached");
            assertEquals(Health.Status.UP, a.portcullis.health().status());

            pg.close();
            pg = null;

            clock.advance(Duration.ofSeconds(61)); // past the refresh interval: the refresh fails
            assertTrue(quickly(a, k.token()).allowed(), "stale but within the hard bound");
            for (int i = 0; i < 20; i++) {
                AuthResult r = quickly(a, KeyFormat.withPrefix("kat").newToken());
                assertFalse(r.allowed());
                assertEquals(DenyReason.STORE_UNAVAILABLE, r.reason());
                assertEquals(503, r.http().status());
            }
            assertEquals(DenyReason.UNKNOWN_KEY, quickly(a, stranger).reason(), "the negative entry has the same bound");
            clock.advance(Duration.ofMinutes(3).plusSeconds(56)); // 4:57 since the last good read
            assertTrue(quickly(a, k.token()).allowed());
            clock.advance(Duration.ofSeconds(4)); // 5:01: past the hard bound
            assertEquals(DenyReason.STORE_UNAVAILABLE, quickly(a, k.token()).reason());
            assertEquals(DenyReason.STORE_UNAVAILABLE, quickly(a, stranger).reason());

            await("the feed reports its lag", Duration.ofSeconds(10), () -> a.store.changeFeedLag().compareTo(Duration.ofSeconds(1)) > 0);
            Health down = a.portcullis.health();
            assertEquals(Health.Status.DOWN, down.status(), "health shows the stopped database");
            assertFalse(down.storeReachable());
            assertTrue(down.changeFeedLag().compareTo(Duration.ofSeconds(1)) > 0);
            assertTrue(feedThreadAlive(), "the poller survives the outage");

            pg = Databases.postgres(data.resolve("pg"), port);

            await("the feed catches up after the restart", Duration.ofSeconds(30),
                    () -> a.store.changeFeedLag().compareTo(POLL.multipliedBy(5)) < 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!a.allows(k)) {
                if (System.nanoTime() > deadline) {
                    fail("the key never authenticated again after the restart: " + a.authenticate(k.token()).reason());
                }
                clock.advance(Duration.ofSeconds(6)); // past the cache's backoff
                Thread.sleep(50);
            }
            assertEquals(DenyReason.UNKNOWN_KEY, a.authenticate(stranger).reason());
            assertEquals(Health.Status.UP, a.portcullis.health().status(), "and the restarted one");

            // Full recovery: a revocation made on another node after the restart reaches this one.
            try (Node b = new Node(JdbcCredentialStore.builder(poolB).pollInterval(POLL).build())) {
                b.portcullis.keys().revoke(k.id());
                await("the revocation reaches node A", POLL.plusMillis(900), () -> !a.allows(k));
                assertEquals(DenyReason.REVOKED, a.authenticate(k.token()).reason());
            }
        }
    }
}
