package dev.portcullis;

import dev.portcullis.internal.net.AddressText;
import dev.portcullis.internal.net.Cidrs;
import inet.ipaddr.IPAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which reverse proxies may name the client, and in which header. Trusting a proxy header is
 * opt-in: with {@link #none()} the socket peer is always the client. Configure the proxies that
 * can reach the server directly, and make sure nothing else can.
 *
 * <p>Immutable and thread-safe.
 */
public final class TrustedProxies {
    /** List elements read at most; a longer chain ends at the nearest trusted proxy read. */
    public static final int MAX_HOPS = 64;
    /** Longest list element read; a longer one is not an address and ends the walk. */
    private static final int MAX_ELEMENT = 512;

    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    private static final String FORWARDED = "Forwarded";
    private static final TrustedProxies NONE = new TrustedProxies(null, new IPAddress[0]);

    private final String header;
    private final IPAddress[] blocks;

    private TrustedProxies(String header, IPAddress[] blocks) {
        this.header = header;
        this.blocks = blocks;
    }

    /** No proxy is trusted: the socket peer is the client. */
    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * Proxies in these CIDR blocks that append to {@code X-Forwarded-For}.
     *
     * @throws IllegalArgumentException for an entry that is not a CIDR block (named in the message)
     */
    public static TrustedProxies xForwardedFor(String... cidrs) {
        return new TrustedProxies(X_FORWARDED_FOR, blocks(cidrs));
    }

    /**
     * Proxies in these CIDR blocks that append to {@code Forwarded} (RFC 7239), whose
     * {@code for=} parameters name the hops.
     *
     * @throws IllegalArgumentException for an entry that is not a CIDR block (named in the message)
     */
    public static TrustedProxies forwarded(String... cidrs) {
        return new TrustedProxies(FORWARDED, blocks(cidrs));
    }

    private static IPAddress[] blocks(String... cidrs) {
        IPAddress[] blocks = new IPAddress[cidrs.length];
        for (int i = 0; i < cidrs.length; i++) {
            blocks[i] = Cidrs.parseBlock(cidrs[i]);
        }
        return blocks;
    }

    /** The request header whose values to pass to {@link ClientAddress#resolve}, or {@code null} for {@link #none()}. */
    public @Nullable String headerName() {
        return header;
    }

    /**
     * Whether {@code address} is in one of the trusted blocks, for a protocol that names the
     * client another way, such as the PROXY protocol of an SMTP server. A linear scan: proxy lists
     * are short, and it allocates nothing.
     */
    public boolean trusts(ClientAddress address) {
        for (IPAddress block : blocks) {
            if (block.contains(address.ip())) {
                return true;
            }
        }
        return false;
    }

    ClientAddress resolve(ClientAddress peer, List<String> headerValues) {
        if (headerValues == null || !trusts(peer)) {
            return peer;
        }
        boolean forwarded = FORWARDED.equals(header);
        ClientAddress client = peer;
        int hops = 0;
        for (int v = headerValues.size() - 1; v >= 0; v--) {
            String value = Objects.requireNonNullElse(headerValues.get(v), "");
            for (int end = value.length(); end >= 0; ) {
                int start = elementStart(value, end, forwarded);
                if (start < 0 || ++hops > MAX_HOPS) {
                    return client;
                }
                int from = start;
                int to = end;
                end = start - 1;
                while (from < to && isOws(value.charAt(from))) {
                    from++;
                }
                while (to > from && isOws(value.charAt(to - 1))) {
                    to--;
                }
                if (from == to) {
                    continue; // an empty list element names no hop (RFC 9110 §5.6.1)
                }
                ClientAddress hop = forwarded ? forwardedFor(value, from, to) : ClientAddress.parse(value, from, to);
                if (hop == null) {
                    return client; // not an address: the nearest trusted proxy, never the bad value
                }
                if (!trusts(hop)) {
                    return hop;
                }
                client = hop;
            }
        }
        return client;
    }

    /**
     * Where the list element ending at {@code end} starts: just after the previous comma (outside
     * quotes, for Forwarded), 0 at the start, or -1 if it is longer than {@link #MAX_ELEMENT}.
     */
    private static int elementStart(String s, int end, boolean quotes) {
        boolean quoted = false;
        for (int i = end - 1; i >= 0; i--) {
            if (end - i > MAX_ELEMENT) {
                return -1;
            }
            char c = s.charAt(i);
            if (quotes && c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * The node of the one {@code for=} pair of a Forwarded element (RFC 7239 §4), e.g.
     * {@code for=192.0.2.60}, {@code for="[2001:db8:cafe::17]:4711"}, parameter name in any
     * case, port dropped; {@code null} if there is none, more than one, or it is not an address.
     */
    private static ClientAddress forwardedFor(String s, int from, int to) {
        int valueFrom = -1;
        int valueTo = -1;
        for (int i = from; i <= to; ) {
            int end = pairEnd(s, i, to);
            int a = i;
            int b = end;
            while (a < b && isOws(s.charAt(a))) {
                a++;
            }
            while (b > a && isOws(s.charAt(b - 1))) {
                b--;
            }
            if (b - a > 4 && (s.charAt(a) | 0x20) == 'f' && (s.charAt(a + 1) | 0x20) == 'o'
                    && (s.charAt(a + 2) | 0x20) == 'r' && s.charAt(a + 3) == '=') {
                if (valueFrom >= 0) {
                    return null;
                }
                valueFrom = a + 4;
                valueTo = b;
            }
            i = end + 1;
        }
        if (valueFrom >= 0 && s.charAt(valueFrom) == '"') {
            if (valueTo - valueFrom < 2 || s.charAt(valueTo - 1) != '"') {
                return null;
            }
            valueFrom++;
            valueTo--;
        }
        return valueFrom < 0 ? null : node(s, valueFrom, valueTo);
    }

    /** The next {@code ;} outside quotes at or after {@code from}, or {@code to}. */
    private static int pairEnd(String s, int from, int to) {
        boolean quoted = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ';' && !quoted) {
                return i;
            }
        }
        return to;
    }

    /** node = nodename [ ":" node-port ], nodename an IPv4 address or a bracketed IPv6 one. */
    private static ClientAddress node(String s, int from, int to) {
        if (from >= to) {
            return null;
        }
        int hostEnd;
        if (s.charAt(from) == '[') {
            hostEnd = AddressText.indexOf(s, ']', from, to) + 1;
            if (hostEnd == 0) {
                return null;
            }
        } else {
            int colon = AddressText.indexOf(s, ':', from, to);
            hostEnd = colon < 0 ? to : colon;
        }
        if (hostEnd < to && (s.charAt(hostEnd) != ':' || !isPort(s, hostEnd + 1, to))) {
            return null;
        }
        return ClientAddress.parse(s, from, hostEnd);
    }

    /** node-port = 1*5DIGIT / "_" 1*(ALPHA / DIGIT / "." / "_" / "-"). */
    private static boolean isPort(String s, int from, int to) {
        if (to <= from) {
            return false;
        }
        boolean obfuscated = s.charAt(from) == '_';
        if (obfuscated ? to - from < 2 : to - from > 5) {
            return false;
        }
        for (int i = obfuscated ? from + 1 : from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = AddressText.isDigit(c)
                    || obfuscated && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '_' || c == '-');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>(blocks.length);
        for (IPAddress b : blocks) {
            names.add(b.toCanonicalString());
        }
        return header == null ? "TrustedProxies[none]" : "TrustedProxies[" + header + " " + names + "]";
    }
}
