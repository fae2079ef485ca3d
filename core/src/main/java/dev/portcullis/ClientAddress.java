package dev.portcullis;

import inet.ipaddr.IPAddress;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

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
    private final IPAddress ip;

    private ClientAddress(IPAddress ip) {
        this.ip = ip;
    }

    /** The address this literal spells, or {@code null} if it is not a strict literal (or is {@code null}). */
    public static ClientAddress parse(String literal) {
        return literal == null ? null : parse(literal, 0, literal.length());
    }

    static ClientAddress parse(CharSequence s, int from, int to) {
        IPAddress ip = AddressText.parse(s, from, to, true);
        return ip == null ? null : new ClientAddress(ip);
    }

    /** The address of a socket peer; an IPv4-mapped IPv6 address becomes IPv4, a scope id is dropped. */
    public static ClientAddress of(InetAddress address) {
        return new ClientAddress(AddressText.of(address.getAddress()));
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
    public static ClientAddress resolve(ClientAddress peer, List<String> headerValues, TrustedProxies trusted) {
        return trusted.resolve(Objects.requireNonNull(peer, "peer"), headerValues);
    }

    /** {@link #resolve(ClientAddress, List, TrustedProxies)} for a socket peer. */
    public static ClientAddress resolve(InetAddress peer, List<String> headerValues, TrustedProxies trusted) {
        return resolve(of(peer), headerValues, trusted);
    }

    public boolean isIPv4() {
        return ip.isIPv4();
    }

    public InetAddress toInetAddress() {
        return ip.toInetAddress();
    }

    /** For allowlists and proxy checks inside Portcullis; IPAddress types never leave the library. */
    IPAddress ip() {
        return ip;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientAddress other && ip.equals(other.ip);
    }

    @Override
    public int hashCode() {
        return ip.hashCode();
    }

    /** The canonical text: a dotted quad, or RFC 5952 IPv6 ({@code 2001:db8::1}). */
    @Override
    public String toString() {
        return ip.toCanonicalString();
    }
}
