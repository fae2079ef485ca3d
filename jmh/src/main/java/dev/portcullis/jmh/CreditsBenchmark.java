package dev.portcullis.jmh;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.jdbc.JdbcCredentialStore;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.CredentialStore.CreditBalance;
import dev.portcullis.spi.CredentialStore.CreditTake;

import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost and credits (issue 26) on the cached hot path, in one run: {@link HotPathBenchmark}'s
 * request ({@link #plain}); the same request with {@code cost(1)} on a key without credits
 * ({@link #costOne}: the cost is taken from no balance, so no store call); and a key with credits
 * on the in-memory store, without and with a daily refill ({@link #credits}, {@link #creditsRefill}):
 * every allowed request takes its cost in one store call, since credits are never cached or leased
 * (a fleet never spends what it does not have). Then the store take on its own
 * ({@link #inMemoryTake}, {@link #jdbcH2Take}: {@code JdbcCredentialStore.takeCredits} on H2 in
 * this process, one transaction with a conditional {@code UPDATE} and a read of what is left), and
 * the whole request on that JDBC store ({@link #jdbcH2Credits}).
 *
 * <p>The balances start at {@link Limit.Refill#MAX_AMOUNT} (10<sup>12</sup>), which no run spends.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CreditsBenchmark {
    private Portcullis portcullis;
    private Authenticator authenticator;
    private CredentialStore store;
    private String plainHeader;
    private String creditsHeader;
    private String refillHeader;
    private List<CreditTake> take;
    // A field, not a constant: a server gets it per request.
    private String client = "203.0.113.7";

    @Setup
    public void setup() {
        store = CredentialStore.inMemory();
        portcullis = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("bench")).build();
        authenticator = portcullis.authenticator();
        plainHeader = HotPathBenchmark.basic("api", portcullis.keys().create(KeySpec.builder()
                .account("bench").name("unlimited").grant("messages:send", "example.com").build()).token());
        creditsHeader = HotPathBenchmark.basic("api", portcullis.keys().create(KeySpec.builder()
                .account("bench").name("credits").grant("messages:send", "example.com")
                .credits(Limit.Refill.MAX_AMOUNT).build()).token());
        refillHeader = HotPathBenchmark.basic("api", portcullis.keys().create(KeySpec.builder()
                .account("bench").name("refill").grant("messages:send", "example.com")
                .credits(Limit.Refill.MAX_AMOUNT, Limit.Refill.daily(Limit.Refill.MAX_AMOUNT)).build()).token());
        store.setCredits("bench-take", new CreditBalance(Limit.Refill.MAX_AMOUNT, Instant.now()));
        take = List.of(new CreditTake("bench-take", 0, null));
        stillAllowed();
        if (credits().credits() == null || plain().credits() != null) {
            throw new IllegalStateException("only the key with credits may show a credit status");
        }
    }

    /** Every request must be allowed, or we would time a denial. */
    @TearDown(Level.Iteration)
    public void stillAllowed() {
        HotPathBenchmark.requireAllowed(plain(), "plain");
        HotPathBenchmark.requireAllowed(costOne(), "costOne");
        HotPathBenchmark.requireAllowed(credits(), "credits");
        HotPathBenchmark.requireAllowed(creditsRefill(), "creditsRefill");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        portcullis.close();
    }

    @Benchmark
    public AuthResult plain() {
        return authenticator.authenticate(AuthRequest.http(plainHeader, client));
    }

    @Benchmark
    public AuthResult costOne() {
        return authenticator.authenticate(AuthRequest.http(plainHeader, client).cost(1));
    }

    @Benchmark
    public AuthResult credits() {
        return authenticator.authenticate(AuthRequest.http(creditsHeader, client).cost(1));
    }

    @Benchmark
    public AuthResult creditsRefill() {
        return authenticator.authenticate(AuthRequest.http(refillHeader, client).cost(1));
    }

    /** The in-memory store's take alone: what {@link #credits} adds to {@link #costOne}, less the status it reports. */
    @Benchmark
    public OptionalLong inMemoryTake() {
        return store.takeCredits(take, 1);
    }

    /** The JDBC store on H2 in memory, in this process, through HikariCP (pool of 4). */
    @State(Scope.Benchmark)
    public static class H2 {
        HikariDataSource pool;
        JdbcCredentialStore store;
        Portcullis portcullis;
        Authenticator authenticator;
        String header;
        List<CreditTake> take;
        String client = "203.0.113.7";

        @Setup(Level.Trial)
        public void setup() {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl("jdbc:h2:mem:credits;DB_CLOSE_DELAY=-1");
            config.setMaximumPoolSize(4);
            config.setConnectionTimeout(500);
            pool = new HikariDataSource(config);
            store = JdbcCredentialStore.create(pool);
            store.setCredits("bench-take", new CreditBalance(Limit.Refill.MAX_AMOUNT, Instant.now()));
            take = List.of(new CreditTake("bench-take", 0, null));
            portcullis = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("bench")).build();
            authenticator = portcullis.authenticator();
            header = HotPathBenchmark.basic("api", portcullis.keys().create(KeySpec.builder()
                    .account("bench").name("credits").grant("messages:send", "example.com")
                    .credits(Limit.Refill.MAX_AMOUNT).build()).token());
            HotPathBenchmark.requireAllowed(authenticator.authenticate(AuthRequest.http(header, client)), "jdbcH2Credits");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            portcullis.close();
            store.close();
            pool.close();
        }
    }

    /** One {@code takeCredits} on H2: a transaction with a conditional {@code UPDATE} and a read of what is left. */
    @Benchmark
    public OptionalLong jdbcH2Take(H2 h2) {
        return h2.store.takeCredits(h2.take, 1);
    }

    /** The cached request with credits on the JDBC store (H2): the record is cached, the take is not. */
    @Benchmark
    public AuthResult jdbcH2Credits(H2 h2) {
        return h2.authenticator.authenticate(AuthRequest.http(h2.header, h2.client).cost(1));
    }
}
