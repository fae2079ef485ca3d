package dev.portcullis;

import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6AddressTrie;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Network stage: a credential's CIDR allowlist, compiled once per record version and
 * immutable after. IPv4 blocks are either scanned linearly as (network, mask) int pairs, or
 * grouped by prefix length, each length an open-addressing hash set of network numbers: then a
 * lookup is one probe per distinct length, however many blocks there are. The sets are chosen
 * when a probe per length is cheaper than the scan, at about four blocks per length
 * ({@code AllowlistBenchmark}). Up to {@value #LINEAR_MAX} IPv6 blocks are scanned with IPAddress's
 * {@code contains}; more go into an IPAddress prefix trie, whose lookup walks at most 128 bits and
 * which is safe to read concurrently because nothing modifies it after construction.
 */
final class Allowlist {
    /** Most IPv6 blocks scanned linearly before the trie. */
    static final int LINEAR_MAX = 12;
    private static final int PARAMS = 5;
    /** A probe of a length's hash set costs about as much as this many linear compares. */
    private static final int BLOCKS_PER_PROBE = 4;

    static final Allowlist ANY = new Allowlist();

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
    private final IPAddress[] v6Blocks;
    /** Past {@link #LINEAR_MAX} IPv6 blocks, instead of scanning {@link #v6Blocks}. */
    private final IPv6AddressTrie v6Trie;

    private Allowlist() {
        any = true;
        v4Networks = v4Masks = new int[0];
        v4Sets = v4Slots = new int[0];
        v4All = false;
        v6Blocks = new IPAddress[0];
        v6Trie = null;
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
        if (v6.size() > LINEAR_MAX) {
            v6Blocks = new IPAddress[0];
            v6Trie = new IPv6AddressTrie();
            for (IPAddress b : v6) {
                v6Trie.add(b.toIPv6());
            }
        } else {
            v6Blocks = v6.toArray(IPAddress[]::new);
            v6Trie = null;
        }
    }

    /**
     * @throws IllegalArgumentException if a stored CIDR is not a block (records are checked on save,
     *     so this means a record written around the {@code KeyManager})
     */
    static Allowlist of(List<String> cidrs) {
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
    boolean permits(ClientAddress client) {
        if (any) {
            return true;
        }
        if (client == null) {
            return false;
        }
        if (client.isIPv4()) {
            int a = client.v4();
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
        if (v6Trie != null) {
            return v6Trie.elementContains(client.ip().toIPv6());
        }
        IPAddress ip = client.ip();
        for (IPAddress b : v6Blocks) {
            if (b.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    /** How the IPv4 blocks are checked, for tests: {@code "linear"} or {@code "sets"}. */
    String v4Strategy() {
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

        /** Slots for {@code n} networks: a power of two, more than twice {@code n}. */
        static int size(int n) {
            return 1 << bits(n);
        }

        private static int bits(int n) {
            return Math.max(2, 33 - Integer.numberOfLeadingZeros(n));
        }

        static int hash(int network, int hashShift) {
            return (network * 0x9E3779B9) >>> hashShift; // Fibonacci hashing: the high bits mix all of them
        }

        /** Writes the set's parameters at {@code params[at]} and its slots at {@code slots[offset]}; the next offset. */
        static int fill(int length, Set<Integer> networks, int[] params, int at, int[] slots, int offset) {
            int bits = bits(networks.size());
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
}
