package dev.portcullis.jmh;

/**
 * {@link AllowlistBenchmark} for IPv6: 1, 10, 1,000 and 100,000 distinct /64 blocks
 * (2001:db8:0:0::/64, 2001:db8:0:1::/64, …), the probe in the last one.
 */
public class AllowlistIpv6Benchmark extends AllowlistBenchmark {
    @Override
    String block(int i) {
        return String.format("2001:db8:%x:%x::/64", i >> 16, i & 0xFFFF);
    }

    @Override
    String inBlock(int i) {
        return String.format("2001:db8:%x:%x::9", i >> 16, i & 0xFFFF);
    }
}
