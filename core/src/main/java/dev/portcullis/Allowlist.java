package dev.portcullis;

import inet.ipaddr.IPAddress;
import inet.ipaddr.format.util.DualIPv4v6Tries;

import java.util.List;

/**
 * The Network stage: a credential's CIDR allowlist, compiled once per record version and
 * immutable after. A few blocks are scanned linearly (as fast as a trie and allocation-free
 * for up to a dozen); more go into an IPAddress prefix trie, whose lookup walks at most 32 or
 * 128 bits however many blocks there are. IPAddress tries are safe to read concurrently once no
 * one modifies them, which holds: the trie is never touched after construction.
 */
abstract class Allowlist {
    /** Largest list scanned linearly; measured in {@code AllowlistBenchmark}. */
    static final int LINEAR_MAX = 12;

    static final Allowlist ANY = new Allowlist() {
        @Override
        boolean permits(ClientAddress client) {
            return true;
        }
    };

    /** Whether {@code client} may use the credential; an unparseable client ({@code null}) only where any address may. */
    abstract boolean permits(ClientAddress client);

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
        return blocks.length <= LINEAR_MAX ? new Linear(blocks) : new Trie(blocks);
    }

    /** IPv4 blocks as (network, mask) pairs checked with two int operations; IPv6 blocks through IPAddress. */
    private static final class Linear extends Allowlist {
        private final int[] v4Networks;
        private final int[] v4Masks;
        private final IPAddress[] v6Blocks;

        Linear(IPAddress[] blocks) {
            int v4 = 0;
            for (IPAddress b : blocks) {
                v4 += b.isIPv4() ? 1 : 0;
            }
            v4Networks = new int[v4];
            v4Masks = new int[v4];
            v6Blocks = new IPAddress[blocks.length - v4];
            int i = 0;
            int j = 0;
            for (IPAddress b : blocks) {
                if (b.isIPv4()) {
                    int prefix = b.getNetworkPrefixLength() == null ? 32 : b.getNetworkPrefixLength();
                    int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
                    v4Masks[i] = mask;
                    v4Networks[i] = ((inet.ipaddr.ipv4.IPv4Address) b.getLower()).intValue() & mask;
                    i++;
                } else {
                    v6Blocks[j++] = b;
                }
            }
        }

        @Override
        boolean permits(ClientAddress client) {
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
                return false;
            }
            IPAddress ip = client.ip();
            for (IPAddress b : v6Blocks) {
                if (b.contains(ip)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final class Trie extends Allowlist {
        private final DualIPv4v6Tries trie = new DualIPv4v6Tries();

        Trie(IPAddress[] blocks) {
            for (IPAddress b : blocks) {
                trie.add(b);
            }
        }

        @Override
        boolean permits(ClientAddress client) {
            return client != null && trie.elementContains(client.ip());
        }
    }
}
