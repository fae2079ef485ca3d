package dev.portcullis;

import dev.portcullis.internal.net.Allowlist;
import dev.portcullis.internal.net.Cidrs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link Allowlist} (hash sets per prefix length, or a linear scan for a few IPv4 blocks)
 * says exactly what IPAddress's own {@code contains} says over the same blocks, for clients inside
 * blocks, at their edges, and anywhere (checklist J52: on bytes, never strings).
 */
class AllowlistProperties {
    @Property(tries = 300)
    void agreesWithALinearScanOfTheSameBlocks(@ForAll long seed, @ForAll @IntRange(min = 1, max = 80) int size) {
        check(new Random(seed), size, 4);
    }

    /** Lists of IPv6 blocks only, up to 300 of them. */
    @Property(tries = 150)
    void agreesForIpv6Lists(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int size) {
        check(new Random(seed), size, 1);
    }

    /** {@code size} blocks, one in {@code v6Every} of them IPv6 on average, probed 100 times. */
    private static void check(Random random, int size, int v6Every) {
        List<String> cidrs = new ArrayList<>();
        List<IPAddress> blocks = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String cidr = randomBlock(random, v6Every);
            cidrs.add(cidr);
            blocks.add(Cidrs.parseBlock(cidr));
        }
        Allowlist list = Allowlist.of(cidrs);
        for (int probe = 0; probe < 100; probe++) {
            String address = probe % 2 == 0 ? near(blocks.get(random.nextInt(blocks.size())), random) : anywhere(random);
            ClientAddress client = ClientAddress.parse(address);
            boolean expected = false;
            for (IPAddress b : blocks) {
                expected |= b.contains(client.ip());
            }
            assertEquals(expected, list.permits(client), address + " against " + cidrs);
        }
    }

    /** Prefixes skewed to a few common lengths (so hash sets share a length), rarely /0; IPv6 one in {@code v6Every} (1: all). */
    private static String randomBlock(Random r, int v6Every) {
        if (r.nextInt(v6Every) == 0) {
            int prefix = r.nextInt(50) == 0 ? 0 : new int[] {32, 48, 56, 64, 128, r.nextInt(129)}[r.nextInt(6)];
            return prefix(new BigInteger(128, r).or(BigInteger.valueOf(0x2001_0db8L).shiftLeft(96)), 128, prefix);
        }
        int prefix = r.nextInt(50) == 0 ? 0 : new int[] {8, 16, 24, 28, 32, 1 + r.nextInt(32)}[r.nextInt(6)];
        int a = r.nextInt(4) == 0 ? r.nextInt() : 0x0A00_0000 | r.nextInt(1 << 16); // half in 10.0/16: neighbours
        return prefix(BigInteger.valueOf(a & 0xFFFF_FFFFL), 32, prefix);
    }

    private static String prefix(BigInteger address, int bits, int prefix) {
        BigInteger network = address.shiftRight(bits - prefix).shiftLeft(bits - prefix);
        return text(network, bits) + "/" + prefix;
    }

    /** An address inside {@code block}, or one step past either end of it. */
    private static String near(IPAddress block, Random r) {
        BigInteger low = block.getLower().getValue();
        BigInteger high = block.getUpper().getValue();
        int bits = block.getBitCount();
        BigInteger span = high.subtract(low);
        BigInteger v = switch (r.nextInt(4)) {
            case 0 -> low.subtract(BigInteger.ONE);
            case 1 -> high.add(BigInteger.ONE);
            default -> low.add(new BigInteger(span.bitLength() + 1, r).mod(span.add(BigInteger.ONE)));
        };
        BigInteger max = BigInteger.ONE.shiftLeft(bits);
        return text(v.mod(max), bits);
    }

    private static String anywhere(Random r) {
        return r.nextBoolean() ? text(BigInteger.valueOf(r.nextInt() & 0xFFFF_FFFFL), 32)
                : text(new BigInteger(128, r), 128);
    }

    private static String text(BigInteger v, int bits) {
        if (bits == 32) {
            long a = v.longValue();
            return (a >>> 24 & 0xFF) + "." + (a >>> 16 & 0xFF) + "." + (a >>> 8 & 0xFF) + "." + (a & 0xFF);
        }
        StringBuilder s = new StringBuilder();
        for (int i = 7; i >= 0; i--) {
            s.append(Integer.toHexString(v.shiftRight(16 * i).intValue() & 0xFFFF)).append(i > 0 ? ":" : "");
        }
        return new IPAddressString(s.toString()).getAddress().toCanonicalString();
    }
}
