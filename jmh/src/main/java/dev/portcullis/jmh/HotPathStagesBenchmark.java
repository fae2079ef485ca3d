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
import dev.portcullis.internal.wire.ParseResult;
import dev.portcullis.store.CredentialStore;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
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
 * cache built the way {@code RecordCache} builds it (bounded, variable expiry, refresh).
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
    private String callerRunsToken;
    private String keyId;
    private String client = "203.0.113.7";
    private String domain = "example.com";
    private AuthorizationParser parser;
    private KeyFormat format;
    private TokenDigests digests;
    private TokenDigests.Stored stored;
    private LoadingCache<String, Entry> cache;
    private LoadingCache<String, Entry> cacheCallerRuns;
    private ThreadPoolExecutor pool;
    private Portcullis portcullis;
    private Authenticator authenticator;
    private Portcullis callerRuns;
    private Authenticator callerRunsAuthenticator;

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
        cache = recordCacheLike(pool);
        cache.get(keyId);
        cacheCallerRuns = recordCacheLike(Runnable::run);
        cacheCallerRuns.get(keyId);

        // The same pipeline, but Caffeine's maintenance runs on the calling thread.
        callerRuns = Portcullis.builder()
                .store(CredentialStore.inMemory())
                .keyFormat(KeyFormat.withPrefix("bench"))
                .refreshExecutor(Runnable::run)
                .build();
        callerRunsAuthenticator = callerRuns.authenticator();
        IssuedKey k2 = callerRuns.keys().create(KeySpec.builder()
                .account("bench").name("bench").grant("messages:send", "example.com").build());
        callerRunsToken = k2.token();
        HotPathBenchmark.requireAllowed(apiKeyRequestCallerRuns(), "apiKeyRequestCallerRuns");
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

    /** Caffeine with RecordCache's settings: 100k bound, expireAfter (5 min hard bound), refresh 60 s. */
    private static LoadingCache<String, Entry> recordCacheLike(Executor executor) {
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
        callerRuns.close();
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

    /** Identify: prefix, length, alphabet, CRC32, and the key id substring. */
    @Benchmark
    public KeyFormat.Parsed keyFormat() {
        return format.parse(token);
    }

    /** Lookup: a hit in a cache configured like RecordCache. */
    @Benchmark
    public Entry recordCacheHit() {
        return cache.get(keyId);
    }

    /** The same hit, with the cache's maintenance run on the calling thread. */
    @Benchmark
    public Entry recordCacheHitCallerRuns() {
        return cacheCallerRuns.get(keyId);
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

    /** The same with {@code refreshExecutor(Runnable::run)}: no hand-off to the refresh pool. */
    @Benchmark
    public AuthResult apiKeyRequestCallerRuns() {
        return callerRunsAuthenticator.authenticate(AuthRequest.apiKey(callerRunsToken, client));
    }
}
