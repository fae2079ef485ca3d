package dev.portcullis.jmh;

import dev.portcullis.KeyFormat;

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

/** Token parse with checksum: the Identify stage. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KeyFormatBenchmark {
    private KeyFormat format;
    private String token;
    private String badChecksum;

    @Setup
    public void setup() {
        format = KeyFormat.withPrefix("bench");
        token = format.newToken();
        char last = token.charAt(token.length() - 1);
        badChecksum = token.substring(0, token.length() - 1) + (last == 'a' ? 'b' : 'a');
    }

    @Benchmark
    public KeyFormat.Parsed parseValid() {
        return format.parse(token);
    }

    @Benchmark
    public KeyFormat.Parsed parseBadChecksum() {
        return format.parse(badChecksum);
    }
}
