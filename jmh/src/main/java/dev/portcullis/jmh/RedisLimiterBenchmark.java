package dev.portcullis.jmh;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.redis.BreakerEvent;
import dev.portcullis.redis.RedisRateLimiter;
import dev.portcullis.redis.RedisRateLimiterOptions;
import dev.portcullis.spi.CredentialStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The hot path (a cached key, allowed) with its rate limits on a loopback Redis versus in this
 * process, and a Lettuce {@code PING} on the same Redis as the floor of any Redis decision: one
 * round trip. SampleTime, for p50 and p99: a Redis decision is a network round trip, so the tail
 * matters. Starts its own {@code redis-server} from the PATH on 127.0.0.1 and a free port (for both
 * parameters, so that {@link #redisPing} runs beside each). The Redis limiter runs at its default
 * options; the run fails if its breaker switched, so every Redis figure is a decision made on Redis.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RedisLimiterBenchmark {
    @Param({"local", "redis"})
    public String limiter;

    private Process redis;
    private RedisClient client;
    private StatefulRedisConnection<String, String> pingConnection;
    private RedisCommands<String, String> ping;
    private RedisRateLimiter redisLimiter;
    private final List<BreakerEvent> switches = new CopyOnWriteArrayList<>();
    private Portcullis portcullis;
    private Authenticator authenticator;
    private String oneLimit;
    private String keyAndAccount;
    // A field, not a constant: a server gets it per request, so the JIT must not fold it.
    private String clientIp = "203.0.113.7";

    @Setup
    public void setup() throws Exception {
        RateLimiter l;
        int port = startRedis();
        client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port).build());
        pingConnection = client.connect();
        ping = pingConnection.sync();
        if (limiter.equals("redis")) {
            redisLimiter = RedisRateLimiter.create(client, RedisRateLimiterOptions.builder().listener(switches::add).build());
            l = redisLimiter;
        } else {
            l = RateLimiter.local(Clock.systemUTC());
        }
        portcullis = Portcullis.builder().store(CredentialStore.inMemory()).keyFormat(KeyFormat.withPrefix("bench"))
                .rateLimiter(l).build();
        authenticator = portcullis.authenticator();
        // Limits far above what a run can spend: every call is an allowed decision that took its tokens.
        Limit high = Limit.perSecond(1_000_000_000L);
        IssuedKey k1 = portcullis.keys().create(KeySpec.builder().account("one").rateLimit(RateLimitPolicy.of(high)).build());
        IssuedKey k2 = portcullis.keys().create(KeySpec.builder().account("two")
                .rateLimit(RateLimitPolicy.of(high, high.perAccount())).build());
        oneLimit = k1.token();
        keyAndAccount = k2.token();
        requireAllowed(authenticateOneLimit(), "authenticateOneLimit");
        requireAllowed(authenticateKeyAndAccountLimits(), "authenticateKeyAndAccountLimits");
    }

    @TearDown
    public void tearDown() throws Exception {
        portcullis.close();
        if (redisLimiter != null) {
            redisLimiter.close();
        }
        pingConnection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        redis.destroy();
        redis.waitFor(10, TimeUnit.SECONDS);
        if (!switches.isEmpty()) {
            throw new IllegalStateException("the breaker switched during the run, figures are not Redis's: " + switches);
        }
    }

    /** One per-key limit: one bucket. */
    @Benchmark
    public AuthResult authenticateOneLimit() {
        return authenticator.authenticate(AuthRequest.apiKey(oneLimit, clientIp));
    }

    /** A per-key and a per-account limit: two buckets, in the same one Redis call. */
    @Benchmark
    public AuthResult authenticateKeyAndAccountLimits() {
        return authenticator.authenticate(AuthRequest.apiKey(keyAndAccount, clientIp));
    }

    /** The floor: one Lettuce round trip to the same Redis, on a connection of the same client. */
    @Benchmark
    public String redisPing() {
        return ping.ping();
    }

    private static void requireAllowed(AuthResult r, String what) {
        if (!r.allowed()) {
            throw new IllegalStateException(what + " was not allowed: " + r.reason());
        }
    }

    private int startRedis() throws IOException, InterruptedException {
        String binary = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (binary == null && Files.isExecutable(Path.of(dir, "redis-server"))) {
                binary = Path.of(dir, "redis-server").toString();
            }
        }
        if (binary == null) {
            throw new IllegalStateException("redis-server not on PATH: apt-get install -y redis-server");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        redis = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        for (int i = 0; i < 500; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return port;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        redis.destroy();
        throw new IllegalStateException("redis-server did not listen on " + port + " within 10 s");
    }
}
