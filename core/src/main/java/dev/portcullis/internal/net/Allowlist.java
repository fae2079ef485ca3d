package dev.portcullis.internal.net;

import dev.portcullis.ClientAddress;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;

import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Network stage: a credential's CIDR allowlist, compiled once per record version and
 * immutable after. Blocks are grouped by prefix length, each length an open-addressing hash set
 * of network numbers, so a lookup is one probe per length present, however many blocks there are;
 * IPv4 blocks are scanned as (network, mask) int pairs instead while there are at most four per
 * length, which is cheaper still ({@code AllowlistBenchmark}, {@code AllowlistIpv6Benchmark}).
 */
public final class Allowlist {
    private static final ApiAccess API = Api.get();
    private static final int PARAMS = 5;
    /** A probe of an IPv4 length's hash set costs about as much as this many int compares. */
    private static final int BLOCKS_PER_PROBE = 4;

    public static final Allowlist ANY = new Allowlist();

    private final boolean any;
    private final int[] v4Networks;
    private final int[] v4Masks;
    /**
     * The hash sets, one per prefix length, as {@value #PARAMS} ints each (shift to the network
     * number, hash shift, slot mask, the empty marker, offset into {@link #v4Slots}) and one
     * array of all their slots: flat, so a probe is two dependent loads.
     */
    private final int[] v4Sets;
    private final int[] v4Slots;
    /** With {@link #v4Sets}: a {@code /0} among the blocks, so every IPv4 client is in. */
    private final boolean v4All;
    private final V6Set[] v6Sets;
    /** A {@code ::/0} among the blocks: every IPv6 client is in. */
    private final boolean v6All;

    private Allowlist() {
        any = true;
        v4Networks = v4Masks = new int[0];
        v4Sets = v4Slots = new int[0];
        v4All = false;
        v6Sets = new V6Set[0];
        v6All = false;
    }

    private Allowlist(IPAddress[] blocks) {
        any = false;
        Map<Integer, Set<Integer>> byLength = new TreeMap<>();
        List<IPAddress> v4 = new ArrayList<>();
        List<IPAddress> v6 = new ArrayList<>();
        for (IPAddress b : blocks) {
            if (b.isIPv4()) {
                v4.add(b);
                int length = prefixLength(b);
                if (length > 0) {
                    byLength.computeIfAbsent(length, l -> new HashSet<>())
                            .add(((IPv4Address) b.getLower()).intValue() >>> (32 - length));
                }
            } else {
                v6.add(b);
            }
        }
        boolean sets = byLength.size() * BLOCKS_PER_PROBE < v4.size();
        if (sets) {
            v4Networks = v4Masks = new int[0];
            v4Sets = new int[byLength.size() * PARAMS];
            int slots = 0;
            for (Set<Integer> networks : byLength.values()) {
                slots += V4Set.size(networks.size());
            }
            v4Slots = new int[slots];
            int i = 0;
            int offset = 0;
            for (Map.Entry<Integer, Set<Integer>> e : byLength.entrySet()) {
                offset = V4Set.fill(e.getKey(), e.getValue(), v4Sets, i, v4Slots, offset);
                i += PARAMS;
            }
            v4All = v4.stream().anyMatch(b -> prefixLength(b) == 0);
        } else {
            v4Networks = new int[v4.size()];
            v4Masks = new int[v4.size()];
            for (int i = 0; i < v4.size(); i++) {
                int prefix = prefixLength(v4.get(i));
                int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
                v4Masks[i] = mask;
                v4Networks[i] = ((IPv4Address) v4.get(i).getLower()).intValue() & mask;
            }
            v4Sets = v4Slots = new int[0];
            v4All = false;
        }
        Map<Integer, List<IPv6Address>> v6ByLength = new TreeMap<>();
        for (IPAddress b : v6) {
            if (prefixLength(b) > 0) {
                v6ByLength.computeIfAbsent(prefixLength(b), l -> new ArrayList<>()).add(b.getLower().toIPv6());
            }
        }
        // Always sets: a probe costs a quarter of one IPAddress contains() (AllowlistIpv6Benchmark).
        v6Sets = v6ByLength.entrySet().stream().map(e -> new V6Set(e.getKey(), e.getValue())).toArray(V6Set[]::new);
        v6All = v6.stream().anyMatch(b -> prefixLength(b) == 0);
    }

    /**
     * @throws IllegalArgumentException if a stored CIDR is not a block (records are checked on save,
     *     so this means a record written around the {@code KeyManager})
     */
    public static Allowlist of(List<String> cidrs) {
        if (cidrs.isEmpty()) {
            return ANY;
        }
        IPAddress[] blocks = new IPAddress[cidrs.size()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = Cidrs.parseBlock(cidrs.get(i));
        }
        return new Allowlist(blocks);
    }

    private static int prefixLength(IPAddress b) {
        Integer p = b.getNetworkPrefixLength();
        return p == null ? b.getBitCount() : p;
    }

    /** Whether {@code client} may use the credential; an unparseable client ({@code null}) only where any address may. */
    public boolean permits(ClientAddress client) {
        if (any) {
            return true;
        }
        if (client == null) {
            return false;
        }
        if (client.isIPv4()) {
            int a = API.v4(client);
            for (int i = 0; i < v4Networks.length; i++) {
                if ((a & v4Masks[i]) == v4Networks[i]) {
                    return true;
                }
            }
            int[] sets = v4Sets;
            int[] slots = v4Slots;
            for (int i = 0; i < sets.length; i += PARAMS) {
                int network = a >>> sets[i];
                int mask = sets[i + 2];
                int empty = sets[i + 3];
                int offset = sets[i + 4];
                for (int h = V4Set.hash(network, sets[i + 1]), n; (n = slots[offset + h]) != empty; h = (h + 1) & mask) {
                    if (n == network) {
                        return true;
                    }
                }
            }
            return v4All;
        }
        long high = API.v6High(client);
        long low = API.v6Low(client);
        for (V6Set set : v6Sets) {
            if (set.contains(high, low)) {
                return true;
            }
        }
        return v6All;
    }

    /** Index bits of a hash table for {@code n} entries: a power of two more than twice {@code n}, so at most half full. */
    private static int tableBits(int n) {
        return Math.max(2, 33 - Integer.numberOfLeadingZeros(n));
    }

    /** How the IPv4 blocks are checked, for tests: {@code "linear"} or {@code "sets"}. */
    public String v4Strategy() {
        return v4Sets.length > 0 || v4All ? "sets" : "linear";
    }

    /**
     * Builds the hash set of one prefix length: the networks as the top {@code length} bits of
     * their address, in an open-addressing table with linear probing, at most half full, where
     * {@code empty} (a value no network of this length has) marks a free slot.
     */
    private static final class V4Set {
        private V4Set() {
        }

        /** Slots for {@code n} networks. */
        static int size(int n) {
            return 1 << tableBits(n);
        }

        static int hash(int network, int hashShift) {
            return (network * 0x9E3779B9) >>> hashShift; // Fibonacci hashing: the high bits mix all of them
        }

        /** Writes the set's parameters at {@code params[at]} and its slots at {@code slots[offset]}; the next offset. */
        static int fill(int length, Set<Integer> networks, int[] params, int at, int[] slots, int offset) {
            int bits = tableBits(networks.size());
            int mask = (1 << bits) - 1;
            int empty = -1;
            while (networks.contains(empty)) {
                empty--;
            }
            params[at] = 32 - length;
            params[at + 1] = 32 - bits;
            params[at + 2] = mask;
            params[at + 3] = empty;
            params[at + 4] = offset;
            Arrays.fill(slots, offset, offset + mask + 1, empty);
            for (int n : networks) {
                int h = hash(n, 32 - bits);
                while (slots[offset + h] != empty) {
                    h = (h + 1) & mask;
                }
                slots[offset + h] = n;
            }
            return offset + mask + 1;
        }
    }

    /**
     * The IPv6 networks of one prefix length, as their top {@code length} bits in two longs
     * (high, and low for lengths past 64, right-aligned), in an open-addressing table of pairs with
     * linear probing, at most half full; a slot whose high word is {@code empty} is free.
     */
    private static final class V6Set {
        private final int highShift;
        private final int lowShift;
        private final int hashShift;
        private final int mask;
        private final long empty;
        private final long[] slots;

        V6Set(int length, List<IPv6Address> networks) {
            // Lengths up to 64 keep high >>> (64 - length) and no low bits; longer ones all of high.
            this.highShift = Math.max(0, 64 - length);
            this.lowShift = length <= 64 ? 64 : 128 - length; // 64: no low bits (see lowBits)
            Set<Long> highs = new HashSet<>();
            List<long[]> keys = new ArrayList<>();
            Set<List<Long>> distinct = new HashSet<>();
            for (IPv6Address n : networks) {
                long high = AddressText.bits64(n, 0) >>> highShift;
                long low = lowBits(AddressText.bits64(n, 4));
                if (distinct.add(List.of(high, low))) {
                    keys.add(new long[] {high, low});
                    highs.add(high);
                }
            }
            int bits = tableBits(keys.size());
            this.hashShift = 64 - bits;
            this.mask = (1 << bits) - 1;
            long e = -1;
            while (highs.contains(e)) {
                e--;
            }
            this.empty = e;
            this.slots = new long[2 << bits];
            for (int i = 0; i < slots.length; i += 2) {
                slots[i] = e;
            }
            for (long[] k : keys) {
                int h = hash(k[0], k[1]);
                while (slots[2 * h] != e) {
                    h = (h + 1) & mask;
                }
                slots[2 * h] = k[0];
                slots[2 * h + 1] = k[1];
            }
        }

        private long lowBits(long low) {
            return lowShift == 64 ? 0 : low >>> lowShift;
        }

        private int hash(long high, long low) {
            return (int) ((high * 0x9E3779B97F4A7C15L + low * 0xC2B2AE3D27D4EB4FL) >>> hashShift);
        }

        boolean contains(long addressHigh, long addressLow) {
            long high = addressHigh >>> highShift;
            long low = lowBits(addressLow);
            for (int h = hash(high, low); slots[2 * h] != empty; h = (h + 1) & mask) {
                if (slots[2 * h] == high && slots[2 * h + 1] == low) {
                    return true;
                }
            }
            return false;
        }
    }
}
