package dev.portcullis.jmh;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.ClientAddress;
import dev.portcullis.Grant;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;
import dev.portcullis.internal.crypto.TokenDigests;
import dev.portcullis.internal.wire.AuthorizationParser;
import dev.portcullis.internal.wire.KeyBytes;
import dev.portcullis.internal.wire.ParseResult;
import dev.portcullis.spi.CredentialStore;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The stages of {@link HotPathBenchmark} one at a time, to say where its time goes beyond the
 * {@link FloorBenchmark}. Each calls the same public or internal code the pipeline calls, on the
 * same inputs. The record cache is package-private, so {@link #recordCacheHit} times a Caffeine
 * cache built the way {@code RecordCache} builds it (bounded by size only, the same kind of
 * executor), and {@link #expiringCacheHit} one with the variable expiry and refresh it used to have. The {@code floor*} methods are FloorBenchmark's versions of the stages that
 * differ, so each pair compares like with like in one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathStagesBenchmark {
    /** Stand-in for CachedCredential: only its load time matters to the cache. */
    record Entry(long loadedAt) {}

    private String header;
    private String token;
    private String keyId;
    private String client = "203.0.113.7";
    private String domain = "example.com";
    private AuthorizationParser parser;
    private final KeyBytes keyBytes = new KeyBytes();
    private final dev.portcullis.spi.RateLimiter limiter = dev.portcullis.spi.RateLimiter.local(java.time.Clock.systemUTC());
    private final java.util.List<dev.portcullis.spi.RateLimiter.Quota> quotas =
            java.util.List.of(new dev.portcullis.spi.RateLimiter.Quota("k:bench", dev.portcullis.Limit.perSecond(1_000_000_000L)));
    private final io.github.bucket4j.Bucket bucket = io.github.bucket4j.Bucket.builder()
            .addLimit(l -> l.capacity(1_000_000_000L).refillGreedy(1_000_000_000L, java.time.Duration.ofSeconds(1)))
            .withSynchronizationStrategy(io.github.bucket4j.local.SynchronizationStrategy.SYNCHRONIZED).build();
    private KeyFormat format;
    private TokenDigests digests;
    private TokenDigests.Stored stored;
    private LoadingCache<String, Entry> cache;
    private com.github.benmanes.caffeine.cache.Cache<String, Entry> sizeBound;
    private ThreadPoolExecutor pool;
    private Portcullis portcullis;
    private Authenticator authenticator;
    // The floor's parts.
    private byte[] tokenBytes;
    private final ConcurrentHashMap<String, Object> floorRecords = new ConcurrentHashMap<>();
    private MessageDigest floorSha256;
    private byte[] floorDigest;
    private final byte[] floorOut = new byte[32];

    @Setup
    public void setup() {
        portcullis = Portcullis.builder()
                .store(CredentialStore.inMemory())
                .keyFormat(KeyFormat.withPrefix("bench"))
                .build();
        authenticator = portcullis.authenticator();
        IssuedKey key = portcullis.keys().create(KeySpec.builder()
                .account("bench").name("bench").grant("messages:send", "example.com").build());
        token = key.token();
        keyId = key.id();
        tokenBytes = token.getBytes(StandardCharsets.US_ASCII);
        header = HotPathBenchmark.basic("api", token);
        HotPathBenchmark.requireAllowed(apiKeyRequest(), "apiKeyRequest");

        parser = AuthorizationParser.builder().keyUsernames(Set.of("api")).build();
        format = KeyFormat.withPrefix("bench");
        digests = new TokenDigests(Map.of());
        stored = TokenDigests.parse(digests.encode(token));
        if (!digests.matches(stored, token) || authorizationHeader().credential() == null || !format.parse(token).valid()) {
            throw new IllegalStateException("stage inputs must be valid");
        }
        pool = portcullisLikePool();
        cache = expiringCacheLike(pool);
        cache.get(keyId);
        sizeBound = Caffeine.newBuilder().executor(pool).maximumSize(100_000).build();
        sizeBound.put(keyId, new Entry(0));

        floorRecords.put(keyId, stored);
        try {
            floorSha256 = MessageDigest.getInstance("SHA-256");
            floorDigest = MessageDigest.getInstance("SHA-256").digest(tokenBytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!floorDigest() || !floorHeader().equals(token)) {
            throw new IllegalStateException("floor stage inputs must be valid");
        }
    }

    /** The executor Portcullis builds when none is given (see Portcullis' constructor). */
    private static ThreadPoolExecutor portcullisLikePool() {
        ThreadPoolExecutor p = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, "bench-refresh");
            t.setDaemon(true);
            return t;
        });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /** Caffeine with RecordCache's former settings: 100k bound, expireAfter (5 min hard bound), refresh 60 s. */
    private static LoadingCache<String, Entry> expiringCacheLike(Executor executor) {
        long hardBound = Duration.ofMinutes(5).toNanos();
        Ticker ticker = Ticker.systemTicker();
        return Caffeine.newBuilder()
                .ticker(ticker)
                .executor(executor)
                .maximumSize(100_000)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String k, Entry v, long now) {
                        return Math.max(0, hardBound - (now - v.loadedAt()));
                    }

                    @Override
                    public long expireAfterUpdate(String k, Entry v, long now, long current) {
                        return Math.max(0, hardBound - (now - v.loadedAt()));
                    }

                    @Override
                    public long expireAfterRead(String k, Entry v, long now, long current) {
                        return current;
                    }
                })
                .refreshAfterWrite(Duration.ofSeconds(60))
                .build(k -> new Entry(ticker.read()));
    }

    @TearDown
    public void tearDown() {
        portcullis.close();
        pool.shutdownNow();
    }

    /** Building the request object, as the caller does. */
    @Benchmark
    public AuthRequest request() {
        return AuthRequest.http(header, client);
    }

    /** The same plus {@code require}, which validates the permission's grammar. */
    @Benchmark
    public AuthRequest requestRequire() {
        return AuthRequest.http(header, client).require("messages:send", domain);
    }

    /** Parsing the client address, done for every request (allowlist or not). */
    @Benchmark
    public ClientAddress clientAddress() {
        return ClientAddress.parse(client);
    }

    /** Parse: the Authorization header to an API-key credential (strict base64, UTF-8, controls). */
    @Benchmark
    public ParseResult authorizationHeader() {
        return parser.parse(header);
    }

    /** Parse as the hot path does it: the key decoded into a reused buffer, nothing allocated. */
    @Benchmark
    public ParseResult authorizationHeaderIntoBuffer() {
        ParseResult r = parser.parse(header, keyBytes);
        keyBytes.wipe();
        return r;
    }

    /** Rate-limit: one quota through the local limiter (bucket lookup, take, remaining). */
    @Benchmark
    public dev.portcullis.spi.RateLimiter.Take rateLimitTake() {
        return limiter.tryTakeAll(quotas);
    }

    /** FloorBenchmark's rate limit: one SYNCHRONIZED Bucket4j bucket held in a field. */
    @Benchmark
    public boolean floorRateLimit() {
        return bucket.tryConsume(1);
    }

    /** Identify: prefix, length, alphabet, CRC32, and the key id substring. */
    @Benchmark
    public KeyFormat.Parsed keyFormat() {
        return format.parse(token);
    }

    /** A hit in a Caffeine cache with variable expiry and refresh: a ticker read and timer-wheel work per hit. */
    @Benchmark
    public Entry expiringCacheHit() {
        return cache.get(keyId);
    }

    /** Lookup: a hit in a cache built like RecordCache, bounded by size only (RecordCache keeps the ages). */
    @Benchmark
    public Entry recordCacheHit() {
        return sizeBound.getIfPresent(keyId);
    }

    /** One read of the system clock in nanoseconds (what an expiring Caffeine cache reads per hit). */
    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    /** Verify: SHA-256 through TokenDigests' per-thread worker, and isEqual. */
    @Benchmark
    public boolean digest() {
        return digests.matches(stored, token);
    }

    /** Authorize: canonicalising the requested resource name (done per request). */
    @Benchmark
    public String canonicalResource() {
        return Grant.canonicalResource(domain);
    }

    /** The whole pipeline minus header parsing: a gateway hands over the bare token. */
    @Benchmark
    public AuthResult apiKeyRequest() {
        return authenticator.authenticate(AuthRequest.apiKey(token, client));
    }

    /** FloorBenchmark's Parse: java.util.Base64, split at the colon, token as a String. */
    @Benchmark
    public String floorHeader() {
        byte[] raw = Base64.getDecoder().decode(header.substring(6));
        int colon = 0;
        while (colon < raw.length && raw[colon] != ':') {
            colon++;
        }
        return new String(raw, colon + 1, raw.length - colon - 1, StandardCharsets.ISO_8859_1);
    }

    /** FloorBenchmark's Lookup: a ConcurrentHashMap hit. */
    @Benchmark
    public Object floorLookup() {
        return floorRecords.get(keyId);
    }

    /** FloorBenchmark's Verify: a reused MessageDigest over the token's bytes, and isEqual. */
    @Benchmark
    public boolean floorDigest() {
        byte[] t = tokenBytes;
        floorSha256.update(t, 0, t.length);
        try {
            floorSha256.digest(floorOut, 0, floorOut.length);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        return MessageDigest.isEqual(floorDigest, floorOut);
    }
}
