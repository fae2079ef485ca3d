package dev.portcullis.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.AuthResult;
import dev.portcullis.DenyReason;
import dev.portcullis.KeyFormat;
import dev.portcullis.spi.StoreException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Lookups have a deadline: a drained pool or a stalled database fails them fast, never hangs them. */
class PostgresDeadlineTest {
    private static EmbeddedPostgres pg;

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

    private static long millis(Executable e) {
        long start = System.nanoTime();
        assertThrows(StoreException.class, e);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void aDrainedPoolFailsALookupAfterItsConnectionTimeout() throws Exception {
        // Three connections: Flyway needs two at build time; then the change listener keeps one (build()
        // returns listening) and the test takes the other two.
        try (HikariDataSource pool = Databases.pool(pg, 3, Duration.ofMillis(300));
                JdbcCredentialStore store = JdbcCredentialStore.builder(pool).tablePrefix(Databases.freshPrefix()).build();
                Connection taken = pool.getConnection();
                Connection alsoTaken = pool.getConnection()) {
            assertTrue(store.pushConnected(), "the listener holds the third");
            long ms = millis(() -> store.findById("abcdefghijkl"));
            assertTrue(ms >= 250 && ms < 1500, "waited " + ms + " ms for a connection");
            millis(() -> store.findByUsername("postmaster@example.com"));
            millis(() -> store.findAccount("acme"));
        }
    }

    @Test
    void aStalledQueryIsCancelledAtTheLookupTimeout() throws Exception {
        String prefix = Databases.freshPrefix();
        try (HikariDataSource pool = Databases.pool(pg, 4, Duration.ofSeconds(2));
                JdbcCredentialStore store = JdbcCredentialStore.builder(pool).tablePrefix(prefix)
                        .lookupTimeout(Duration.ofSeconds(1)).build();
                Node node = new Node(store);
                Connection locker = pool.getConnection();
                Statement st = locker.createStatement()) {
            // Another session holds the table: every read of it waits, like a database in trouble.
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE " + prefix + "credential IN ACCESS EXCLUSIVE MODE");
            long ms = millis(() -> store.findById("abcdefghijkl"));
            assertTrue(ms >= 900 && ms < 3000, "the lookup took " + ms + " ms");

            long start = System.nanoTime();
            AuthResult r = node.authenticate(KeyFormat.withPrefix("kat").newToken());
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(DenyReason.STORE_UNAVAILABLE, r.reason());
            assertTrue(took < 3000, "the request took " + took + " ms");
            locker.rollback();

            assertTrue(store.findById("abcdefghijkl").isEmpty(), "answers again once the lock is gone");
        }
    }
}
