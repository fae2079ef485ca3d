package dev.portcullis.jmh;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.Channel;
import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.Grant;
import dev.portcullis.jdbc.JdbcCredentialStore;
import dev.portcullis.spi.KeyRecord;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.lang.ProcessBuilder.Redirect;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a cache miss costs with the JDBC store: one {@code findById} through a HikariCP pool, on
 * embedded H2 (in memory, same process) and on PostgreSQL (embedded cluster on 127.0.0.1, a real
 * TCP round trip). One thread, {@value #KEYS} stored keys, a random one per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// H2's engine takes a while to compile: 5 x 2 s of warm-up still left interpreted iterations.
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class JdbcLookupBenchmark {
    private static final int KEYS = 5_000;
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    @Param({"h2", "postgresql"})
    public String database;

    private EmbeddedPostgres pg;
    private HikariDataSource pool;
    private JdbcCredentialStore store;
    private String[] ids;
    private String[] unknown;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        HikariConfig config = new HikariConfig();
        if (database.equals("h2")) {
            config.setJdbcUrl("jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1");
        } else {
            pg = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1")
                    .setOutputRedirector(Redirect.DISCARD).start();
            config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres");
            config.setUsername("postgres");
        }
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(500);
        pool = new HikariDataSource(config);
        store = JdbcCredentialStore.create(pool);

        SecureRandom random = new SecureRandom();
        ids = new String[KEYS];
        unknown = new String[KEYS];
        byte[] digest = new byte[32];
        for (int i = 0; i < KEYS; i++) {
            ids[i] = randomId(random);
            unknown[i] = randomId(random);
            random.nextBytes(digest);
            store.save(KeyRecord.builder().id(ids[i]).account("acct" + (i % 50)).name("bench " + i)
                    .kind(CredentialKind.API_KEY).prefix("kat")
                    .secretHash("sha256$" + Base64.getEncoder().encodeToString(digest))
                    .grants(List.of(Grant.of("messages:send", "example.com"), Grant.of("domains:read", "*")))
                    .allowlist(List.of("203.0.113.0/24", "2001:db8::/32"))
                    .channels(EnumSet.of(Channel.HTTP))
                    .createdAt(Instant.now()).build(), 0);
        }
    }

    private static String randomId(SecureRandom random) {
        StringBuilder sb = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(62)));
        }
        return sb.toString();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        store.close();
        pool.close();
        if (pg != null) {
            pg.close();
        }
    }

    /** A miss for a key that exists: the row is read and decoded into a record. */
    @Benchmark
    public Optional<KeyRecord> findExisting() {
        return store.findById(ids[ThreadLocalRandom.current().nextInt(KEYS)]);
    }

    /** A miss for an id that does not exist (a typo'd or forged key with a valid checksum). */
    @Benchmark
    public Optional<KeyRecord> findUnknown() {
        return store.findById(unknown[ThreadLocalRandom.current().nextInt(KEYS)]);
    }
}
