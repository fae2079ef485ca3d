package dev.portcullis.jmh;

import dev.portcullis.Portcullis.Argon2Parameters;
import dev.portcullis.internal.crypto.PasswordHasher;
import dev.portcullis.internal.crypto.PasswordProfile;

import java.security.SecureRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Verify stage for SMTP passwords: one Argon2id verify at the default (OWASP minimum)
 * parameters, ~30 ms, so few iterations. Its m KiB are allocated natively by libargon2 and do
 * not show in {@code gc.alloc.rate.norm}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class Argon2Benchmark {
    private PasswordHasher hasher;
    private String phc;
    private String password;

    @Setup
    public void setup() {
        hasher = new PasswordHasher(Argon2Parameters.OWASP_MINIMUM, 2, Duration.ofSeconds(1));
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        password = Base64.getEncoder().encodeToString(random); // generated per run, never a literal
        phc = hasher.hash(password);
        if (verify().outcome() != PasswordHasher.Outcome.MATCH) {
            throw new IllegalStateException("the hash must verify its own password");
        }
    }

    @Benchmark
    public PasswordHasher.Result verify() {
        return hasher.verify(phc, PasswordProfile.OPAQUE_V1.id(), password);
    }
}
