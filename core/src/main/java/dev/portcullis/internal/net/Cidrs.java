package dev.portcullis.internal.net;

import inet.ipaddr.IPAddress;

import java.util.Objects;

/** CIDR blocks from configuration, parsed as strictly as client addresses. */
public final class Cidrs {
    private Cidrs() {
    }

    /**
     * The block {@code cidr} names: {@code address/prefix} or a bare address ({@code /32} or
     * {@code /128}). A block inside {@code ::ffff:0:0/96} is the IPv4 block it maps, because
     * client addresses are canonicalised the same way.
     *
     * @throws IllegalArgumentException if it is not an address with an optional prefix length, or
     *     the address has bits set past the prefix ({@code 10.1.2.3/8})
     */
    public static IPAddress parseBlock(String cidr) {
        Objects.requireNonNull(cidr, "cidr");
        int slash = cidr.indexOf('/');
        int end = slash < 0 ? cidr.length() : slash;
        IPAddress ip = AddressText.parse(cidr, 0, end, false);
        if (ip == null) {
            throw new IllegalArgumentException("\"" + cidr + "\" is not a CIDR block: expected a dotted-quad IPv4 "
                    + "or an RFC 4291 IPv6 address, optionally followed by /prefix-length");
        }
        boolean mapped = ip.isIPv4() && AddressText.indexOf(cidr, ':', 0, end) >= 0;
        int bits = mapped ? 128 : ip.getBitCount();
        int prefix = slash < 0 ? bits : prefixLength(cidr, slash + 1, bits);
        if (mapped && prefix < 96) {
            // Wider than ::ffff:0:0/96, so the mapped address's ffff bits are host bits.
            throw notABlock(cidr, ip.toIPv6().toPrefixBlock(prefix));
        }
        int ownPrefix = mapped ? prefix - 96 : prefix;
        IPAddress block = ip.toPrefixBlock(ownPrefix);
        if (!block.getLower().withoutPrefixLength().equals(ip)) {
            throw notABlock(cidr, mapped ? block.toIPv6().toPrefixBlock(prefix) : block);
        }
        return block;
    }

    /** The canonical text of the block {@code cidr} names, for storage (e.g. {@code 2001:db8::/32}). */
    public static String canonical(String cidr) {
        return parseBlock(cidr).toCanonicalString();
    }

    private static int prefixLength(String cidr, int from, int bits) {
        int length = cidr.length() - from;
        boolean ok = length >= 1 && length <= 3 && (length == 1 || cidr.charAt(from) != '0');
        int n = 0;
        for (int i = from; ok && i < cidr.length(); i++) {
            ok = AddressText.isDigit(cidr.charAt(i));
            n = n * 10 + cidr.charAt(i) - '0';
        }
        if (!ok || n > bits) {
            throw new IllegalArgumentException("\"" + cidr + "\" is not a CIDR block: the prefix length must be "
                    + "0-" + bits + " in decimal without leading zeros");
        }
        return n;
    }

    private static IllegalArgumentException notABlock(String cidr, IPAddress suggestion) {
        return new IllegalArgumentException(
                cidr + " is not a CIDR block (did you mean " + suggestion.toCanonicalString() + "?)");
    }
}
