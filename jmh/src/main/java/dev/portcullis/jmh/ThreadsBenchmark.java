package dev.portcullis.jmh;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;
import dev.portcullis.spi.CredentialStore;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot path ({@link HotPathBenchmark#authenticate}'s request) on 1 and on 2 threads, each
 * thread on its own cached key of its own account, so nothing but the authenticator's shared
 * structures (caches, usage tallies) is shared. Throughput, all threads together: perfect
 * scaling would double it. Reported, not gated: the machine has 2 cores, shared with other jobs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ThreadsBenchmark {
    private static final int KEYS = 2;

    private Portcullis portcullis;
    private Authenticator authenticator;
    private final String[] headers = new String[KEYS];
    private final AtomicInteger next = new AtomicInteger();
    private String client = "203.0.113.7";

    @Setup
    public void setup() {
        portcullis = Portcullis.builder()
                .store(CredentialStore.inMemory())
                .keyFormat(KeyFormat.withPrefix("bench"))
                .build();
        authenticator = portcullis.authenticator();
        for (int i = 0; i < KEYS; i++) {
            IssuedKey key = portcullis.keys().create(KeySpec.builder()
                    .account("bench" + i).name("thread" + i).build());
            headers[i] = HotPathBenchmark.basic("api", key.token());
            HotPathBenchmark.requireAllowed(authenticator.authenticate(AuthRequest.http(headers[i], client)), "key " + i);
        }
    }

    /** Still allowed after each iteration: a denial would be timed as a (cheaper) request. */
    @TearDown(Level.Iteration)
    public void stillAllowed() {
        for (String h : headers) {
            HotPathBenchmark.requireAllowed(authenticator.authenticate(AuthRequest.http(h, client)), "stillAllowed");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        portcullis.close();
    }

    /** Each thread takes the next key, once. */
    @State(Scope.Thread)
    public static class Own {
        String header;

        @Setup
        public void pick(ThreadsBenchmark b) {
            header = b.headers[b.next.getAndIncrement() % KEYS];
        }
    }

    @Benchmark
    @Threads(1)
    public AuthResult oneThread(Own own) {
        return authenticator.authenticate(AuthRequest.http(own.header, client));
    }

    @Benchmark
    @Threads(2)
    public AuthResult twoThreads(Own own) {
        return authenticator.authenticate(AuthRequest.http(own.header, client));
    }
}
