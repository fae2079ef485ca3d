package dev.portcullis.jmh;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;
import dev.portcullis.spi.AccountRecord;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.CredentialStore.CreditBalance;
import dev.portcullis.spi.CredentialStore.CreditTake;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.Page;
import dev.portcullis.spi.StoreChange;
import dev.portcullis.spi.Usage;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The hot path with many keys: {@code keys} API keys in {@link CredentialStore#inMemory()}, made
 * through the public API, and a request stream drawn from a Zipf distribution over them, with
 * a record cache a tenth the size of the key set. Every request is a Basic {@code api:KEY}
 * header for one of the keys and is allowed; a miss costs a store lookup and a cache insert
 * (and, once the cache is full, an eviction).
 *
 * <ul>
 *   <li>Zipf exponent {@value #ZIPF_EXPONENT}: the rank-r key is drawn with probability
 *       proportional to 1/r, so a few keys are very hot and the long tail still matters.
 *       Ranks are assigned to keys in a shuffled order (fixed seed), so creation order says
 *       nothing about heat.
 *   <li>The stream is {@value #STREAM} requests precomputed in setup (seed {@value #SEED}),
 *       replayed in a loop: the same requests in every run.
 *   <li>{@code cacheMaximumSize} = keys / 10: the cache must hold less than the key set, or
 *       after warm-up every request would hit and this would measure a single hot key again.
 *       Ten per cent is the common sizing for a working set under a skewed load.
 *   <li>{@value #KEYS_PER_ACCOUNT} keys per account, so there are keys / 10 accounts and the
 *       account cache (same maximum size) holds them all: the misses measured are key misses.
 *   <li>Setup replays the whole stream once, so the measurement starts from a full, trained
 *       cache. The stream repeats every 2<sup>20</sup> requests; a key of the far tail that
 *       appears once in it comes back a whole stream later, long after it was evicted.
 * </ul>
 *
 * <p>The hit ratio is measured, through the public {@link CredentialStore} interface: the store
 * is wrapped by one that counts the {@code findById} calls made on the benchmark thread (a miss
 * loads synchronously on the caller; background refreshes run elsewhere and are not counted).
 * JMH reports them as the secondary results {@code requests} and {@code storeLookups}; the hit
 * ratio is 1 − storeLookups / requests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class ScaleBenchmark {
    static final double ZIPF_EXPONENT = 1.0;
    static final int STREAM = 1 << 20;
    static final long SEED = 20261201L;
    static final int KEYS_PER_ACCOUNT = 10;

    @Param({"1000", "100000", "1000000"})
    public int keys;

    /**
     * The cache's maximum size as a share of the key set, in per cent. The report uses 10; 100
     * (every key fits) separates the cost of a large working set from the cost of the misses.
     */
    @Param({"10"})
    public int cachePercent;

    private Portcullis portcullis;
    private Authenticator authenticator;
    private CountingStore store;
    private String[] headers;
    private int[] stream;
    private String client = "203.0.113.7";

    /** Per-iteration counters, reported by JMH as secondary results. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Counters {
        public long requests;
        public long storeLookups;
        /** Account reads on the benchmark thread: a credential reuses its account's entry, so these should be rare. */
        public long accountLookups;
        int cursor;

        @Setup(Level.Iteration)
        public void reset(ScaleBenchmark b) {
            requests = 0;
            storeLookups = 0;
            accountLookups = 0;
            b.store.counting(this, Thread.currentThread());
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        store = new CountingStore(CredentialStore.inMemory());
        portcullis = Portcullis.builder()
                .store(store)
                .keyFormat(KeyFormat.withPrefix("bench"))
                .cacheMaximumSize(Math.max(1, (long) keys * cachePercent / 100))
                .build();
        authenticator = portcullis.authenticator();
        headers = new String[keys];
        int accounts = Math.max(1, keys / KEYS_PER_ACCOUNT);
        for (int i = 0; i < keys; i++) {
            IssuedKey k = portcullis.keys().create(KeySpec.builder()
                    .account("acct" + (i % accounts)).name("k" + i)
                    .build());
            headers[i] = HotPathBenchmark.basic("api", k.token());
        }
        SplittableRandom random = new SplittableRandom(SEED);
        // Shuffle: rank r (0 = hottest) is headers[i] for a random i.
        for (int i = keys - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String t = headers[i];
            headers[i] = headers[j];
            headers[j] = t;
        }
        stream = zipf(keys, ZIPF_EXPONENT, STREAM, random);
        // One pass over the whole stream: every request must be allowed, and the cache starts the
        // measurement in its steady state (full, its frequency sketch trained), as in a server
        // that has been up for a while, not filling from empty.
        for (int i = 0; i < STREAM; i++) {
            HotPathBenchmark.requireAllowed(
                    authenticator.authenticate(AuthRequest.http(headers[stream[i]], client)), "request " + i);
        }
    }

    /** {@code n} ranks in [0, size) drawn with P(r) ∝ 1/(r+1)^s, by inverting the cumulative distribution. */
    static int[] zipf(int size, double s, int n, SplittableRandom random) {
        double[] cdf = new double[size];
        double sum = 0;
        for (int r = 0; r < size; r++) {
            sum += 1 / Math.pow(r + 1, s);
            cdf[r] = sum;
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble() * sum;
            int lo = 0;
            int hi = size - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            out[i] = lo;
        }
        return out;
    }

    /** The hit ratio an ideal cache of the {@code cache} hottest keys would reach: H(cache, s) / H(keys, s). */
    public static double idealHitRatio(int keys, int cache, double s) {
        double top = 0;
        double all = 0;
        for (int r = 1; r <= keys; r++) {
            double p = 1 / Math.pow(r, s);
            all += p;
            if (r <= cache) {
                top += p;
            }
        }
        return top / all;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        portcullis.close();
    }

    @Benchmark
    public AuthResult zipfRequests(Counters c) {
        int i = c.cursor;
        c.cursor = (i + 1) & (STREAM - 1);
        c.requests++;
        return authenticator.authenticate(AuthRequest.http(headers[stream[i]], client));
    }

    /**
     * The harness alone: the stream read and the header's two ends touched, as the parse touches
     * them. What {@link #zipfRequests} pays that a server would not, whose header string it has just
     * built: with a million keys the stream's headers are not in the CPU caches.
     */
    @Benchmark
    public int streamOnly(Counters c) {
        int i = c.cursor;
        c.cursor = (i + 1) & (STREAM - 1);
        c.requests++;
        String h = headers[stream[i]];
        return h.charAt(h.length() - 1) + h.charAt(20);
    }

    /** Prints the ideal hit ratios the measured ones compare with. */
    public static void main(String[] args) {
        for (int k : new int[] {1000, 100_000, 1_000_000}) {
            System.out.printf("keys %,d cache %,d: ideal hit ratio %.3f%n", k, k / 10, idealHitRatio(k, k / 10, ZIPF_EXPONENT));
        }
    }

    /** Delegates everything; counts {@code findById} on the measured thread. */
    static final class CountingStore implements CredentialStore {
        private final CredentialStore inner;
        private volatile Counters counters;
        private volatile Thread owner;

        CountingStore(CredentialStore inner) {
            this.inner = inner;
        }

        void counting(Counters c, Thread t) {
            counters = c;
            owner = t;
        }

        @Override
        public Optional<KeyRecord> findById(String id) {
            Counters c = counters;
            if (c != null && Thread.currentThread() == owner) {
                c.storeLookups++;
            }
            return inner.findById(id);
        }

        @Override
        public Optional<KeyRecord> findByUsername(String username) {
            return inner.findByUsername(username);
        }

        @Override
        public KeyRecord save(KeyRecord record, long expectedVersion) {
            return inner.save(record, expectedVersion);
        }

        @Override
        public Page<KeyRecord> listByAccount(String account, String cursor, int limit) {
            return inner.listByAccount(account, cursor, limit);
        }

        @Override
        public void addUsage(Collection<Usage> batch) {
            inner.addUsage(batch);
        }

        @Override
        public Optional<Usage> usage(String keyId) {
            return inner.usage(keyId);
        }

        @Override
        public Optional<AccountRecord> findAccount(String account) {
            Counters c = counters;
            if (c != null && Thread.currentThread() == owner) {
                c.accountLookups++;
            }
            return inner.findAccount(account);
        }

        @Override
        public AccountRecord saveAccount(AccountRecord account, long expectedVersion) {
            return inner.saveAccount(account, expectedVersion);
        }

        @Override
        public AutoCloseable subscribe(Consumer<StoreChange> listener) {
            return inner.subscribe(listener);
        }

        @Override
        public boolean hasChangeFeed() {
            return inner.hasChangeFeed();
        }

        @Override
        public Duration changeFeedLag() {
            return inner.changeFeedLag();
        }

        @Override
        public boolean pushConnected() {
            return inner.pushConnected();
        }

        @Override
        public OptionalLong takeCredits(List<CreditTake> takes, long cost) {
            return inner.takeCredits(takes, cost);
        }

        @Override
        public Optional<CreditBalance> credits(String owner) {
            return inner.credits(owner);
        }

        @Override
        public void setCredits(String owner, CreditBalance balance) {
            inner.setCredits(owner, balance);
        }

        @Override
        public OptionalLong addCredits(CreditTake balance, long delta) {
            return inner.addCredits(balance, delta);
        }
    }
}
