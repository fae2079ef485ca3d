package dev.portcullis.jmh;

import dev.portcullis.ClientAddress;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;
import dev.portcullis.internal.net.Allowlist;
import dev.portcullis.internal.net.Cidrs;
import inet.ipaddr.IPAddress;

import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Network stage at 1, 10, 1,000 and 100,000 distinct /28 blocks: Portcullis's {@link Allowlist}
 * (a linear int scan for a few blocks, a hash set per prefix length for more) against a linear scan
 * of the same blocks with IPAddress's {@code contains}. The probe is in the last block, the linear
 * scan's worst case.
 * The allowlist is reached through core's qualified export of {@code dev.portcullis.internal.net}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AllowlistBenchmark {
    private static final ApiAccess API = Api.get();

    @Param({"1", "10", "1000", "100000"})
    public int blocks;

    private Allowlist allowlist;
    private IPAddress[] linear;
    private ClientAddress client;

    @Setup
    public void setup() {
        List<String> cidrs = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            cidrs.add(block(i));
        }
        allowlist = Allowlist.of(cidrs);
        linear = cidrs.stream().map(Cidrs::parseBlock).toArray(IPAddress[]::new);
        int last = blocks - 1;
        client = ClientAddress.parse(inBlock(last));
        if (!allowlist.permits(client) || !linearScan()) {
            throw new IllegalStateException("the probe must be allowed");
        }
    }

    /** The {@code i}-th block: 10.0.0.0/28, 10.0.0.16/28, …, all distinct. */
    String block(int i) {
        return ipv4(0x0A00_0000 | i << 4) + "/28";
    }

    /** An address inside the {@code i}-th block. */
    String inBlock(int i) {
        return ipv4((0x0A00_0000 | i << 4) + 9);
    }

    private static String ipv4(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 0xFF) + "." + (a >>> 8 & 0xFF) + "." + (a & 0xFF);
    }

    @Benchmark
    public boolean portcullis() {
        return allowlist.permits(client);
    }

    @Benchmark
    public boolean linearScan() {
        IPAddress ip = API.ip(client);
        for (IPAddress b : linear) {
            if (b.contains(ip)) {
                return true;
            }
        }
        return false;
    }
}
