package dev.portcullis.internal.net;

import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

import java.util.Arrays;

/**
 * Strict address literals, parsed by hand into IPAddress values: IPv4 only as a dotted quad
 * (four decimal parts 0-255, no leading zeros, so no octal, hex or inet_aton forms), IPv6 only as
 * RFC 4291 §2.2 text. No DNS, ever. IPv4-mapped IPv6 ({@code ::ffff:0:0/96}) becomes IPv4.
 */
public final class AddressText {
    /** Longer than any literal we accept: 45 chars of IPv6, brackets and a zone id. */
    private static final int MAX_LENGTH = 80;

    private AddressText() {
    }

    /**
     * The address {@code s[from, to)} spells, or {@code null}. With {@code decorated}, an IPv6
     * literal may also be bracketed ({@code [::1]}, as Jetty reports peers) and carry a zone id
     * ({@code fe80::1%eth0}), which is dropped.
     */
    public static IPAddress parse(CharSequence s, int from, int to, boolean decorated) {
        if (to <= from || to - from > MAX_LENGTH) {
            return null;
        }
        boolean bracketed = s.charAt(from) == '[';
        if (bracketed) {
            if (!decorated || s.charAt(to - 1) != ']') {
                return null;
            }
            from++;
            to--;
        }
        if (indexOf(s, ':', from, to) < 0) {
            long v4 = bracketed ? -1 : ipv4(s, from, to);
            return v4 < 0 ? null : new IPv4Address((int) v4);
        }
        int zone = indexOf(s, '%', from, to);
        if (zone >= 0) {
            if (!decorated || !isZoneId(s, zone + 1, to)) {
                return null;
            }
            to = zone;
        }
        byte[] b = ipv6(s, from, to);
        return b == null ? null : of(b);
    }

    /** A plain dotted quad {@code s[from, to)} as an unsigned 32-bit value, or -1 (also for anything else, IPv6 included). */
    public static long dottedQuad(CharSequence s, int from, int to) {
        return to <= from || to - from > 15 ? -1 : ipv4(s, from, to);
    }

    /** The address of 4 or 16 network-order bytes, IPv4-mapped IPv6 as IPv4. */
    public static IPAddress of(byte[] b) {
        return b.length == 4 ? new IPv4Address(b) : isMapped(b) ? new IPv4Address(b, 12, 16) : new IPv6Address(b);
    }

    /** The dotted quad {@code s[from, to)} as an unsigned 32-bit value, or -1. */
    private static long ipv4(CharSequence s, int from, int to) {
        long value = 0;
        int i = from;
        for (int part = 1; ; part++) {
            int start = i;
            int n = 0;
            while (i < to && i - start < 3 && isDigit(s.charAt(i))) {
                n = n * 10 + s.charAt(i++) - '0';
            }
            if (i == start || n > 255 || i - start > 1 && s.charAt(start) == '0') {
                return -1;
            }
            value = value << 8 | n;
            if (i == to) {
                return part == 4 ? value : -1;
            }
            if (part == 4 || s.charAt(i++) != '.') {
                return -1;
            }
        }
    }

    /**
     * The 16 bytes of {@code s[from, to)}: up to eight groups of 1-4 hex digits, at most one
     * {@code ::} standing for one or more zero groups, and optionally a dotted quad as the last
     * 32 bits. {@code null} if it is anything else.
     */
    private static byte[] ipv6(CharSequence s, int from, int to) {
        byte[] b = new byte[16];
        int n = 0;
        int gap = -1;
        int i = from;
        if (s.charAt(i) == ':') {
            if (i + 1 == to || s.charAt(i + 1) != ':') {
                return null;
            }
            gap = 0;
            i += 2;
        }
        while (i < to) {
            int start = i;
            int group = 0;
            while (i < to && i - start < 4 && hex(s.charAt(i)) >= 0) {
                group = group << 4 | hex(s.charAt(i++));
            }
            if (i < to && s.charAt(i) == '.') {
                long v4 = n > 12 ? -1 : ipv4(s, start, to);
                if (v4 < 0) {
                    return null;
                }
                for (int shift = 24; shift >= 0; shift -= 8) {
                    b[n++] = (byte) (v4 >> shift);
                }
                break;
            }
            if (i == start || n == 16) {
                return null;
            }
            b[n++] = (byte) (group >> 8);
            b[n++] = (byte) group;
            if (i == to) {
                break;
            }
            if (s.charAt(i++) != ':' || i == to) {
                return null;
            }
            if (s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = n;
                i++;
            }
        }
        if (gap < 0) {
            return n == 16 ? b : null;
        }
        if (n > 14) {
            return null;
        }
        int tail = n - gap;
        System.arraycopy(b, gap, b, 16 - tail, tail);
        Arrays.fill(b, gap, 16 - tail, (byte) 0);
        return b;
    }

    private static boolean isMapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    /** RFC 6874's zone ids: one or more unreserved characters. */
    private static boolean isZoneId(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '.' || c == '_' || c == '~')) {
                return false;
            }
        }
        return to > from;
    }

    public static int indexOf(CharSequence s, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    public static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int hex(char c) {
        return isDigit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /** Four 16-bit segments of {@code a} from {@code first}, as 64 bits; allocation-free. */
    public static long bits64(IPv6Address a, int first) {
        long v = 0;
        for (int i = first; i < first + 4; i++) {
            v = v << 16 | a.getSegment(i).getSegmentValue();
        }
        return v;
    }
}
