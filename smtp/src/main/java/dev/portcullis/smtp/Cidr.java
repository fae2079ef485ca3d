package dev.portcullis.smtp;

import dev.portcullis.ClientAddress;

import java.net.InetAddress;

/**
 * A CIDR block of configuration, for the PROXY protocol's trusted peers. The address part is
 * parsed by {@link ClientAddress#parse}, as strictly as client addresses (no DNS, no octal,
 * {@code ::ffff:a.b.c.d} is IPv4); host bits must be zero.
 */
record Cidr(byte[] network, int prefix, String text) {

    static Cidr parse(String cidr) {
        int slash = cidr.indexOf('/');
        ClientAddress a = ClientAddress.parse(slash < 0 ? cidr : cidr.substring(0, slash));
        if (a == null) {
            throw new IllegalArgumentException("\"" + cidr + "\" is not a CIDR block: expected a dotted-quad IPv4 "
                    + "or an RFC 4291 IPv6 address, optionally followed by /prefix-length");
        }
        byte[] net = a.toInetAddress().getAddress();
        int bits = net.length * 8;
        String length = slash < 0 ? Integer.toString(bits) : cidr.substring(slash + 1);
        if (!length.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(length) > bits) {
            throw new IllegalArgumentException("\"" + cidr + "\" is not a CIDR block: the prefix length must be 0-" + bits);
        }
        Cidr block = new Cidr(net, Integer.parseInt(length), a + "/" + length);
        if (!block.contains(net, true)) {
            throw new IllegalArgumentException("\"" + cidr + "\" is not a CIDR block: bits are set past the prefix");
        }
        return block;
    }

    boolean contains(InetAddress address) {
        return contains(ClientAddress.of(address).toInetAddress().getAddress(), false);
    }

    /** Whether {@code a} is in the block; with {@code exact}, whether it is the block's own address. */
    private boolean contains(byte[] a, boolean exact) {
        if (a.length != network.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            int mask = (0xFF00 >> keep) & 0xFF;
            if ((a[i] & mask) != (network[i] & mask) || exact && (a[i] & ~mask & 0xFF) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
