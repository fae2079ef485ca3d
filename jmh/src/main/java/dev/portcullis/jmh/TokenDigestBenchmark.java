package dev.portcullis.jmh;

import dev.portcullis.KeyFormat;
import dev.portcullis.internal.crypto.TokenDigests;

import java.security.SecureRandom;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;

/** The Verify stage for API keys: digest of the whole token and constant-time compare. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenDigestBenchmark {
    private String token;
    private TokenDigests plain;
    private TokenDigests peppered;
    private TokenDigests.Stored sha256Record;
    private TokenDigests.Stored hmacRecord;

    @Setup
    public void setup() {
        token = KeyFormat.withPrefix("bench").newToken();
        byte[] pepper = new byte[32]; // generated, never a literal
        new SecureRandom().nextBytes(pepper);
        plain = new TokenDigests(Map.of());
        peppered = new TokenDigests(Map.of("p1", pepper));
        sha256Record = TokenDigests.parse(plain.encode(token));
        hmacRecord = TokenDigests.parse(peppered.encode(token));
        if (!sha256() || !hmacSha256()) {
            throw new IllegalStateException("the records must match their own token");
        }
    }

    @Benchmark
    public boolean sha256() {
        return plain.matches(sha256Record, token);
    }

    @Benchmark
    public boolean hmacSha256() {
        return peppered.matches(hmacRecord, token);
    }

    /** The unknown-id path without a pepper: SHA-256 against the dummy digest. */
    @Benchmark
    public void matchDummySha256() {
        plain.matchDummy(token); // returns nothing; the digest writes per-thread state, so it is not dead code
    }

    /** The unknown-id path with a pepper: HMAC-SHA-256 against the dummy digest. */
    @Benchmark
    public void matchDummyHmac() {
        peppered.matchDummy(token);
    }
}
