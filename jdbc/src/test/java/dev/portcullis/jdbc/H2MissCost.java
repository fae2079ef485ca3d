package dev.portcullis.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * What a cache miss ({@code findById}) costs on an H2 file database with and without a pool: H2's
 * plain {@code JdbcDataSource} opens the file again for every connection. Not a test; a throwaway
 * measurement kept so the figure in {@code docs/integration-jdbc.md} ("Pooling") can be re-taken:
 *
 * <pre>
 * bash jdbc/bench/revocation-two-jvms.sh --trials 1 --warmup 0     # builds, and writes the class path
 * java -cp "jdbc/target/test-classes:jdbc/target/classes:$(cat jdbc/target/bench-classpath.txt)" dev.portcullis.jdbc.H2MissCost
 * </pre>
 */
public final class H2MissCost {
    private H2MissCost() {}

    /** p50 and p99 of {@code n} lookups, in microseconds, after 500 unmeasured ones. */
    private static double[] lookups(DataSource ds, int n) {
        try (JdbcCredentialStore s = JdbcCredentialStore.builder(ds).pollInterval(Duration.ofHours(1)).build()) {
            for (int i = 0; i < 500; i++) {
                s.findById("abcdefghijkl");
            }
            long[] t = new long[n];
            for (int i = 0; i < n; i++) {
                long start = System.nanoTime();
                s.findById("abcdefghijk" + (i % 10));
                t[i] = System.nanoTime() - start;
            }
            Arrays.sort(t);
            return new double[] {t[n / 2] / 1e3, t[(int) (n * 0.99)] / 1e3};
        }
    }

    public static void main(String[] args) throws Exception {
        for (int round = 1; round <= 3; round++) {
            // Each on its own file, one at a time: an open pool on the same file would keep it open for the other.
            JdbcDataSource plain = new JdbcDataSource();
            plain.setURL("jdbc:h2:file:" + Files.createTempDirectory("h2miss").resolve("p"));
            double[] u = lookups(plain, 300);
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl("jdbc:h2:file:" + Files.createTempDirectory("h2miss").resolve("p"));
            config.setMaximumPoolSize(4);
            double[] p;
            try (HikariDataSource pool = new HikariDataSource(config)) {
                p = lookups(pool, 5000);
            }
            System.out.printf(Locale.ROOT, "round %d: HikariCP p50 %.1f µs, p99 %.1f µs; plain JdbcDataSource p50 %.1f µs,"
                    + " p99 %.1f µs; plain/pooled at p50: %.0f×%n", round, p[0], p[1], u[0], u[1], u[0] / p[0]);
        }
        System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }
}
