package dev.portcullis.jmh;

import dev.portcullis.Portcullis.Argon2Parameters;
import dev.portcullis.Authenticator;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.Portcullis;
import dev.portcullis.SaslExchange;
import dev.portcullis.SaslExchange.SaslStep;
import dev.portcullis.KeySpec;
import dev.portcullis.internal.crypto.PasswordHasher;
import dev.portcullis.spi.CredentialStore;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
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
 * SMTP logins in process, OWASP-minimum Argon2id: a first login (the Argon2 verification it
 * costs) against a cached one (the whole PLAIN and LOGIN exchanges through the pipeline, answered
 * by the login cache's HMAC). Issue 6's target: cached at least 10,000× faster than first.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LoginBenchmark {
    private Portcullis portcullis;
    private Authenticator auth;
    private PasswordHasher hasher;
    private String phc;
    private String password;
    private String plain;
    private String user;
    private String pass;
    private String client = "203.0.113.7";

    @Setup
    public void setup() {
        portcullis = Portcullis.builder().store(CredentialStore.inMemory()).keyFormat(KeyFormat.withPrefix("bench")).build();
        auth = portcullis.authenticator();
        IssuedKey p = portcullis.keys().createSmtpCredential(KeySpec.builder()
                .account("bench").username("bench@example.com").build());
        password = p.password();
        plain = b64("\0bench@example.com\0" + password);
        user = b64("bench@example.com");
        pass = b64(password);
        hasher = new PasswordHasher(Argon2Parameters.OWASP_MINIMUM, 2, Duration.ofSeconds(10));
        phc = hasher.hash(password);
        if (!cachedPlain().result().allowed() || !cachedLogin().result().allowed()
                || hasher.verify(phc, "opaque-v1", password).outcome() != PasswordHasher.Outcome.MATCH) {
            throw new IllegalStateException("logins must succeed");
        }
    }

    @TearDown
    public void tearDown() {
        portcullis.close();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** What a first login costs above a cached one: one Argon2id verification at m=19456 KiB, t=2, p=1. */
    @Benchmark
    public PasswordHasher.Result firstLoginArgon2() {
        return hasher.verify(phc, "opaque-v1", password);
    }

    @Benchmark
    public SaslStep cachedPlain() {
        return auth.sasl("PLAIN", client, true).respond(plain);
    }

    @Benchmark
    public SaslStep cachedLogin() {
        SaslExchange x = auth.sasl("LOGIN", client, true);
        x.respond(null);
        x.respond(user);
        return x.respond(pass);
    }
}
