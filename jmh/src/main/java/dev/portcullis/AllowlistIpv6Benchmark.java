package dev.portcullis;

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
 * {@link AllowlistBenchmark} for IPv6: 1, 10, 1,000 and 100,000 distinct /64 blocks
 * (2001:db8:0:0::/64, 2001:db8:0:1::/64, …), the probe in the last one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AllowlistIpv6Benchmark {
    @Param({"1", "10", "1000", "100000"})
    public int blocks;

    private Allowlist allowlist;
    private IPAddress[] linear;
    private ClientAddress client;

    @Setup
    public void setup() {
        List<String> cidrs = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            cidrs.add(String.format("2001:db8:%x:%x::/64", i >> 16, i & 0xFFFF));
        }
        allowlist = Allowlist.of(cidrs);
        linear = cidrs.stream().map(Cidrs::parseBlock).toArray(IPAddress[]::new);
        int last = blocks - 1;
        client = ClientAddress.parse(String.format("2001:db8:%x:%x::9", last >> 16, last & 0xFFFF));
        if (!allowlist.permits(client) || !linearScan()) {
            throw new IllegalStateException("the probe must be allowed");
        }
    }

    @Benchmark
    public boolean portcullis() {
        return allowlist.permits(client);
    }

    @Benchmark
    public boolean linearScan() {
        IPAddress ip = client.ip();
        for (IPAddress b : linear) {
            if (b.contains(ip)) {
                return true;
            }
        }
        return false;
    }
}
