package dev.portcullis;

import dev.portcullis.internal.net.AddressText;
import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The network address of a client, as allowlists and failure budgets see it. Parsing is strict
 * and never touches DNS: IPv4 only as a dotted quad ({@code 010.1.2.3}, {@code 192.168.1},
 * {@code 3221225985} and {@code ""} are refused), IPv6 as RFC 4291 text, bracketed or not, with
 * any zone id dropped. An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}, in any spelling) is
 * the IPv4 address; other IPv6 forms that embed IPv4, such as {@code ::192.0.2.1}, stay IPv6.
 *
 * <p>Immutable; equal when the addresses are.
 */
public final class ClientAddress {
    /** The IPv4 address as 32 bits, when {@link #v6} is {@code null}. */
    private final int v4;
    /** The IPv6 address; {@code null} for IPv4. */
    private final V6 v6;
    /** The IPAddress form of an IPv4 address, built on first use: most requests never need it. */
    private volatile IPv4Address v4Address;

    private ClientAddress(int v4) {
        this.v4 = v4;
        this.v6 = null;
    }

    private ClientAddress(IPv6Address v6) {
        this.v4 = 0;
        this.v6 = new V6(v6);
    }

    /**
     * An IPv6 address and its two halves as longs, which allowlists hash. Apart from the IPv4
     * fields, so an IPv4 client (every request on most servers) stays a 24-byte object.
     */
    private static final class V6 {
        final IPv6Address address;
        final long high;
        final long low;

        V6(IPv6Address address) {
            this.address = address;
            this.high = AddressText.bits64(address, 0);
            this.low = AddressText.bits64(address, 4);
        }
    }

    private static ClientAddress of(IPAddress ip) {
        return ip.isIPv4() ? new ClientAddress(((IPv4Address) ip).intValue()) : new ClientAddress((IPv6Address) ip);
    }

    /** The address this literal spells, or {@code null} if it is not a strict literal (or is {@code null}). */
    public static @Nullable ClientAddress parse(@Nullable String literal) {
        return literal == null ? null : parse(literal, 0, literal.length());
    }

    static ClientAddress parse(CharSequence s, int from, int to) {
        long quad = AddressText.dottedQuad(s, from, to); // the common case, without building an IPAddress
        if (quad >= 0) {
            return new ClientAddress((int) quad);
        }
        IPAddress ip = AddressText.parse(s, from, to, true);
        return ip == null ? null : of(ip);
    }

    /** The address of a socket peer; an IPv4-mapped IPv6 address becomes IPv4, a scope id is dropped. */
    public static ClientAddress of(InetAddress address) {
        return of(AddressText.of(address.getAddress()));
    }

    /**
     * The client behind {@code peer}, the socket's remote address. Without trusted proxies, or
     * when the peer is not one, the peer is the client and the header is ignored (anyone can
     * write it). Otherwise all {@code headerValues} of the header {@code trusted} names are read as
     * one list from the right, skipping trusted hops: the first untrusted address is the client.
     * A hop that is not an address ({@code unknown}, an obfuscated {@code _hidden} identifier,
     * garbage) ends the walk, and the client is then the nearest trusted proxy, never the bad
     * value. At most {@value TrustedProxies#MAX_HOPS} list elements of at most
     * 512 chars each are read; beyond that, too, the nearest trusted proxy is the client.
     */
    public static ClientAddress resolve(ClientAddress peer, @Nullable List<String> headerValues, TrustedProxies trusted) {
        return trusted.resolve(Objects.requireNonNull(peer, "peer"), headerValues);
    }

    /** {@link #resolve(ClientAddress, List, TrustedProxies)} for a socket peer. */
    public static ClientAddress resolve(InetAddress peer, @Nullable List<String> headerValues, TrustedProxies trusted) {
        return resolve(of(peer), headerValues, trusted);
    }

    public boolean isIPv4() {
        return v6 == null;
    }

    public InetAddress toInetAddress() {
        return ip().toInetAddress();
    }

    /** The IPv4 address as 32 bits; meaningful only when {@link #isIPv4()}. */
    int v4() {
        return v4;
    }

    /** The IPv6 address's high 64 bits; only when not {@link #isIPv4()}. */
    long v6High() {
        return v6.high;
    }

    /** The IPv6 address's low 64 bits; only when not {@link #isIPv4()}. */
    long v6Low() {
        return v6.low;
    }

    /** For allowlists and proxy checks inside Portcullis; IPAddress types never leave the library. */
    IPAddress ip() {
        if (v6 != null) {
            return v6.address;
        }
        IPv4Address a = v4Address;
        if (a == null) {
            a = new IPv4Address(v4);
            v4Address = a;
        }
        return a;
    }

    /**
     * Whether {@code other} is in the same IPv4 /{@code v4Bits} or IPv6 /{@code v6Bits} network
     * (at most /64 for IPv6). Allocation-free: the hot path asks it on every allowed request.
     */
    boolean sameNetwork(ClientAddress other, int v4Bits, int v6Bits) {
        if (isIPv4() != other.isIPv4()) {
            return false;
        }
        if (isIPv4()) {
            return v4Bits == 0 || (v4 ^ other.v4) >>> (32 - v4Bits) == 0;
        }
        IPv6Address a = v6.address;
        IPv6Address b = other.v6.address;
        int bits = v6Bits;
        for (int i = 0; bits > 0; i++, bits -= 16) {
            int x = a.getSegment(i).getSegmentValue() ^ b.getSegment(i).getSegmentValue();
            if ((bits >= 16 ? x : x >>> (16 - bits)) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ClientAddress other
                && (v6 == null ? other.v6 == null && v4 == other.v4 : other.v6 != null && v6.address.equals(other.v6.address));
    }

    @Override
    public int hashCode() {
        return v6 == null ? v4 : v6.address.hashCode();
    }

    /** The canonical text: a dotted quad, or RFC 5952 IPv6 ({@code 2001:db8::1}). */
    @Override
    public String toString() {
        if (v6 != null) {
            return v6.address.toCanonicalString();
        }
        return (v4 >>> 24) + "." + (v4 >>> 16 & 0xFF) + "." + (v4 >>> 8 & 0xFF) + "." + (v4 & 0xFF);
    }
}
