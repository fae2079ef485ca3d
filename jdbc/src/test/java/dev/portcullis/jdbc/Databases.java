package dev.portcullis.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** Test databases: a fresh in-memory H2, or a real PostgreSQL cluster (one per test class) behind HikariCP. */
final class Databases {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Databases() {}

    /** A new, empty in-memory H2 database that lives until the JVM exits. */
    static DataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:portcullis" + COUNTER.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }

    /** A table prefix no other test uses, so one database serves many fresh stores. */
    static String freshPrefix() {
        return "t" + COUNTER.incrementAndGet() + "_";
    }

    /** Starts PostgreSQL on 127.0.0.1; fails (never skips) if it cannot. */
    static EmbeddedPostgres postgres() throws IOException {
        return postgres(EmbeddedPostgres.builder());
    }

    /** Starts PostgreSQL on 127.0.0.1 on a given port and data directory, keeping the data on close. */
    static EmbeddedPostgres postgres(Path dataDirectory, int port) throws IOException {
        return postgres(EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false).setPort(port));
    }

    private static EmbeddedPostgres postgres(EmbeddedPostgres.Builder builder) throws IOException {
        return builder.setServerConfig("listen_addresses", "127.0.0.1")
                .setOutputRedirector(Redirect.DISCARD)
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
    }

    /** A real pool whose wait for a connection is bounded, as production should configure it. */
    static HikariDataSource pool(EmbeddedPostgres pg, int size, Duration connectionTimeout) {
        return pool(pg.getPort(), size, connectionTimeout);
    }

    static HikariDataSource pool(int port, int size, Duration connectionTimeout) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
        config.setUsername("postgres");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setValidationTimeout(Math.max(250, connectionTimeout.toMillis() / 2));
        config.setPoolName("test-" + COUNTER.incrementAndGet());
        // Fail fast at the socket too when the server is gone.
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", "10");
        // Do not fail pool creation while the server is down.
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }
}
