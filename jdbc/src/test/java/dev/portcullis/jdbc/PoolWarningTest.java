package dev.portcullis.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * "H2 without a pool is 300× slower per miss" (issue 31): the store warns once, at build, when handed a
 * data source it knows opens a connection per call. Captured from {@code System.Logger}, which in
 * this JVM (no LoggerFinder on the class path) is java.util.logging.
 */
class PoolWarningTest {
    private static final String LOGGER = JdbcCredentialStore.class.getName();

    @TempDir
    Path dir;

    /** Held strongly: java.util.logging keeps loggers weakly. */
    private Logger jul;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void capture() {
        jul = Logger.getLogger(LOGGER);
        jul.addHandler(capture);
    }

    @AfterEach
    void release() {
        jul.removeHandler(capture);
    }

    private List<LogRecord> unpooledWarnings() {
        return records.stream().filter(r -> r.getLevel() == Level.WARNING && r.getMessage().contains("is not pooled")).toList();
    }

    private JdbcDataSource h2File() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("portcullis"));
        return ds;
    }

    @Test
    void aPlainH2DataSourceIsWarnedAboutOnceAtBuild() {
        try (JdbcCredentialStore store = JdbcCredentialStore.create(h2File())) {
            assertTrue(store.findById("abcdefghijkl").isEmpty());
            assertTrue(store.findById("abcdefghijkm").isEmpty());
        }
        List<LogRecord> warnings = unpooledWarnings();
        assertEquals(1, warnings.size(), "one warning, at build, none per call: " + records.stream().map(LogRecord::getMessage).toList());
        String message = warnings.get(0).getMessage();
        assertTrue(message.contains("org.h2.jdbcx.JdbcDataSource") && message.contains("HikariCP")
                && message.contains("times slower per miss"), message);
        assertEquals(LOGGER, warnings.get(0).getLoggerName());
    }

    @Test
    void aWrapperAroundAPlainDataSourceIsSeenThrough() {
        try (JdbcCredentialStore store = JdbcCredentialStore.create(new FaultyDataSource(h2File()))) {
            assertTrue(store.findById("abcdefghijkl").isEmpty());
        }
        List<LogRecord> warnings = unpooledWarnings();
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).getMessage().contains("wrapping org.h2.jdbcx.JdbcDataSource"), warnings.get(0).getMessage());
    }

    @Test
    void poolsAreNotWarnedAbout() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("portcullis"));
        config.setMaximumPoolSize(2);
        try (HikariDataSource hikari = new HikariDataSource(config);
                JdbcCredentialStore a = JdbcCredentialStore.create(hikari);
                JdbcCredentialStore b = JdbcCredentialStore.builder(new FaultyDataSource(hikari)).tablePrefix("wrapped_").build()) {
            assertTrue(a.findById("abcdefghijkl").isEmpty());
            assertTrue(b.findById("abcdefghijkl").isEmpty());
        }
        JdbcConnectionPool h2Pool = JdbcConnectionPool.create("jdbc:h2:mem:poolwarning;DB_CLOSE_DELAY=-1", "", "");
        try (JdbcCredentialStore c = JdbcCredentialStore.create(h2Pool)) {
            assertTrue(c.findById("abcdefghijkl").isEmpty());
        } finally {
            h2Pool.dispose();
        }
        assertEquals(List.of(), unpooledWarnings().stream().map(LogRecord::getMessage).toList());
    }

    @Test
    void detectionGoesByKnownNamesWithoutConnecting() {
        assertEquals("org.postgresql.ds.PGSimpleDataSource", PoolCheck.unpooled(new PGSimpleDataSource()));
        assertEquals("org.h2.jdbcx.JdbcDataSource", PoolCheck.unpooled(new JdbcDataSource()));
        // A pool around a plain data source is a pool: HikariCP's isWrapperFor answers for what it was given.
        try (HikariDataSource lazy = new HikariDataSource()) {
            lazy.setDataSource(new PGSimpleDataSource());
            assertNull(PoolCheck.unpooled(lazy));
        }
        assertNull(PoolCheck.unpooled(new Unknown()), "an unknown data source: no evidence, no warning");
    }

    /** A data source this check has never heard of. */
    private static final class Unknown implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            throw new SQLException("not used");
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            throw new SQLException("not used");
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
