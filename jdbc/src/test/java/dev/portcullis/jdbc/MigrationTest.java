package dev.portcullis.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.Channel;
import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.spi.KeyRecord;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Flyway migrations (its history table keeps Flyway's quoted lower-case column names): from an empty database, next to an application's tables, and again on every restart. */
class MigrationTest {
    private static EmbeddedPostgres pg;
    private static int databases;

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

    /** A new, empty PostgreSQL database in the class's cluster. */
    private static DataSource emptyPostgres() throws Exception {
        String name = "empty" + (++databases);
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return pg.getDatabase("postgres", name);
    }

    private static List<String> column(DataSource ds, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static KeyRecord record(String id) {
        return KeyRecord.builder().id(id).account("acme").kind(CredentialKind.API_KEY).prefix("kat")
                .secretHash("sha256$" + "C".repeat(43) + "=").channels(EnumSet.of(Channel.HTTP))
                .createdAt(Instant.parse("2026-01-01T00:00:00Z")).build();
    }

    private static void fromEmptyThenRestarts(DataSource ds) throws Exception {
        try (JdbcCredentialStore first = JdbcCredentialStore.create(ds)) {
            first.save(record("migrated0001"), 0);
        }
        assertEquals(List.of("1", "2", "3"), column(ds, "SELECT \"version\" FROM portcullis_schema_history WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\""));
        for (int restart = 0; restart < 3; restart++) {
            try (JdbcCredentialStore again = JdbcCredentialStore.create(ds)) {
                assertEquals(1, again.findById("migrated0001").orElseThrow().version(), "data survives a restart");
            }
        }
        assertEquals(List.of("1", "2", "3"), column(ds, "SELECT \"version\" FROM portcullis_schema_history WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\""),
                "a restart applies nothing twice");
        assertEquals(List.of("true", "true", "true"), column(ds, "SELECT CAST(\"success\" AS VARCHAR(5)) FROM portcullis_schema_history"
                + " WHERE \"version\" IS NOT NULL").stream().map(s -> s.toLowerCase(java.util.Locale.ROOT)).toList());
    }

    @Test
    void h2FromEmptyAndIdempotentRestarts() throws Exception {
        fromEmptyThenRestarts(Databases.h2());
    }

    @Test
    void postgresFromEmptyAndIdempotentRestarts() throws Exception {
        fromEmptyThenRestarts(emptyPostgres());
    }

    @Test
    void aSchemaWithTheApplicationsOwnTablesIsBaselinedBelowTheFirstMigration() throws Exception {
        for (DataSource ds : List.of(Databases.h2(), emptyPostgres())) {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE app_orders (id INTEGER PRIMARY KEY)");
            }
            try (JdbcCredentialStore store = JdbcCredentialStore.builder(ds).tablePrefix("auth_").build()) {
                store.save(record("baselined001"), 0);
            }
            assertEquals(List.of("0", "1", "2", "3"), column(ds, "SELECT \"version\" FROM auth_schema_history WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\""));
        }
    }

    /** A database at V2 (before credits), as a running release left it, with a key and an account in it. */
    private static void upgradesFromVersionTwo(DataSource ds, boolean h2) throws Exception {
        org.flywaydb.core.Flyway.configure(JdbcCredentialStore.class.getClassLoader()).dataSource(ds)
                .table(h2 ? "PORTCULLIS_SCHEMA_HISTORY" : "portcullis_schema_history")
                .locations("classpath:dev/portcullis/jdbc/migration/" + (h2 ? "h2" : "postgresql"))
                .placeholders(java.util.Map.of("prefix", "portcullis_")).target("2").load().migrate();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO portcullis_credential (id, account, name, kind, key_prefix, secret_hash, grants, allowlist,"
                    + " channels, created_at, version, change_seq) VALUES ('beforecredit', 'acme', 'old', 'API_KEY', 'kat',"
                    + " 'sha256$" + "C".repeat(43) + "=', '', '', 'HTTP', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', 1, 1)");
            st.execute("INSERT INTO portcullis_account (account, version, change_seq) VALUES ('acme', 1, 2)");
        }
        try (JdbcCredentialStore store = JdbcCredentialStore.create(ds)) {
            KeyRecord old = store.findById("beforecredit").orElseThrow();
            assertEquals(null, old.creditBalance(), "a key from before credits is unlimited");
            assertEquals(null, old.refill());
            assertEquals(null, store.findAccount("acme").orElseThrow().creditBalance());
            store.save(old.toBuilder().creditBalance("key:beforecredit").refill(dev.portcullis.Limit.Refill.daily(5)).build(), 1);
            store.setCredits("key:beforecredit", new dev.portcullis.spi.CredentialStore.CreditBalance(5, Instant.EPOCH));
            assertEquals(java.util.OptionalLong.of(4), store.takeCredits(
                    List.of(new dev.portcullis.spi.CredentialStore.CreditTake("key:beforecredit", 0, null)), 1));
        }
        assertEquals(List.of("1", "2", "3"), column(ds, "SELECT \"version\" FROM portcullis_schema_history WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\""));
    }

    @Test
    void h2UpgradesFromBeforeCreditsInPlace() throws Exception {
        upgradesFromVersionTwo(Databases.h2(), true);
    }

    @Test
    void postgresUpgradesFromBeforeCreditsInPlace() throws Exception {
        upgradesFromVersionTwo(emptyPostgres(), false);
    }

    @Test
    void twoPrefixesInOneDatabaseAreTwoStores() throws Exception {
        DataSource ds = Databases.h2();
        try (JdbcCredentialStore a = JdbcCredentialStore.builder(ds).tablePrefix("a_").build();
                JdbcCredentialStore b = JdbcCredentialStore.builder(ds).tablePrefix("b_").build()) {
            a.save(record("onlyina0001"), 0);
            assertTrue(b.findById("onlyina0001").isEmpty());
        }
    }

    /** Nodes starting at once on an empty database: Flyway's lock plus the store's retry (they raced here once). */
    @Test
    void aFleetStartingTogetherMigratesOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                DataSource ds = emptyPostgres();
                CountDownLatch go = new CountDownLatch(1);
                List<Future<JdbcCredentialStore>> starts = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    starts.add(pool.submit(() -> {
                        go.await();
                        return JdbcCredentialStore.create(ds);
                    }));
                }
                go.countDown();
                for (Future<JdbcCredentialStore> f : starts) {
                    f.get(60, TimeUnit.SECONDS).close();
                }
                assertEquals(List.of("1", "2", "3"), column(ds, "SELECT \"version\" FROM portcullis_schema_history WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\""));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withoutMigrationAMissingSchemaFailsTheFirstCall() {
        DataSource ds = Databases.h2();
        assertThrows(dev.portcullis.spi.StoreException.class,
                () -> JdbcCredentialStore.builder(ds).migrateSchema(false).build(),
                "the feed cannot take its position without the tables");
    }
}
