package dev.portcullis.jmh;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.Portcullis;
import dev.portcullis.spi.CredentialStore;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
 * The public entry point on the hot path: a Basic {@code api:KEY} header for a key already in
 * the cache, ending in an allowed decision. Everything a caller pays per request, including
 * building the {@link AuthRequest}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark {
    private Portcullis portcullis;
    private Authenticator authenticator;
    private String header;
    private String fullHeader;
    // Fields, not constants: a server gets these per request, so the JIT must not fold them.
    private String client = "203.0.113.7";
    private String domain = "example.com";

    @Setup
    public void setup() {
        portcullis = Portcullis.builder()
                .store(CredentialStore.inMemory())
                .keyFormat(KeyFormat.withPrefix("bench"))
                .build();
        authenticator = portcullis.authenticator();
        IssuedKey key = portcullis.keys().create(KeySpec.builder()
                .account("bench").name("bench")
                .grant("messages:send", "example.com")
                .build());
        header = basic("api", key.token());
        // The issue 5 composition: a 3-CIDR allowlist, one grant check, one local rate-limit take.
        IssuedKey full = portcullis.keys().create(KeySpec.builder()
                .account("bench").name("full")
                .grant("messages:send", "example.com")
                .allow("198.51.100.0/24", "2001:db8::/32", "203.0.113.0/24")
                .rateLimit(RateLimitPolicy.of(Limit.perSecond(1_000_000_000L)))
                .build());
        fullHeader = basic("api", full.token());
        requireAllowed(authenticateFull(), "authenticateFull");
        // The first call loads the record into the cache; both must allow, or we would time a denial.
        requireAllowed(authenticate(), "authenticate");
        requireAllowed(authenticateRequire(), "authenticateRequire");
    }

    /** Still allowed after each iteration: a cache expiry or refresh mid-run would show up here. */
    @TearDown(Level.Iteration)
    public void stillAllowed() {
        requireAllowed(authenticate(), "authenticate");
        requireAllowed(authenticateRequire(), "authenticateRequire");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        portcullis.close();
    }

    @Benchmark
    public AuthResult authenticate() {
        return authenticator.authenticate(AuthRequest.http(header, client));
    }

    @Benchmark
    public AuthResult authenticateRequire() {
        return authenticator.authenticate(AuthRequest.http(header, client).require("messages:send", domain));
    }

    @Benchmark
    public AuthResult authenticateFull() {
        return authenticator.authenticate(AuthRequest.http(fullHeader, client).require("messages:send", domain));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static void requireAllowed(AuthResult r, String what) {
        if (!r.allowed()) {
            throw new IllegalStateException(what + " was not allowed: " + r.reason());
        }
    }
}
