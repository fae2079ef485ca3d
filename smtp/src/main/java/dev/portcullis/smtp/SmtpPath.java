package dev.portcullis.smtp;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The sender of {@code MAIL FROM} as RFC 5321 §4.1.2 defines one: exactly one {@code Mailbox},
 * nothing more. SubEthaSMTP hands {@link org.subethamail.smtp.MessageHandler#from} the text
 * between the angle brackets (its {@code EmailUtils.extractEmailAddress}: brackets, the spaces
 * just inside them and the ESMTP parameters after them are gone; {@code <>} is the empty string),
 * after an RFC 5322 check that lets address lists, groups, display names and comments through.
 * This parser is the check that counts:
 *
 * <pre>
 * Mailbox       = Local-part "@" ( Domain / address-literal )
 * Local-part    = Dot-string / Quoted-string
 * Dot-string    = Atom *("." Atom)            Atom = 1*atext
 * Quoted-string = DQUOTE *QcontentSMTP DQUOTE
 * QcontentSMTP  = qtextSMTP / quoted-pairSMTP  ; %d32-33 / %d35-91 / %d93-126 / %d92 %d32-126
 * Domain        = sub-domain *("." sub-domain) ; sub-domain = Let-dig [Ldh-str], at most 63 octets
 * address-literal = "[" ( IPv4-address-literal / "IPv6:" IPv6-addr ) "]"
 * </pre>
 *
 * <p>With RFC 6531 (SMTPUTF8) {@code atext}, {@code qtextSMTP} and {@code sub-domain} also take
 * non-ASCII characters: a label with any is a U-label candidate, whose IDNA validity the core
 * decides ({@link dev.portcullis.Grant#canonicalResource}). Where the RFCs are silent or loose,
 * this class is strict, and says so:
 * <ul>
 * <li>No source route ({@code @a,@b:x@y}, obsolete since RFC 5321), no list, group, display
 *     name or comment: each is refused, never reduced to one of its addresses.</li>
 * <li>A trailing dot ({@code x@example.com.}) is not a {@code Domain} and is refused, although
 *     the core would read {@code example.com.} as {@code example.com}.</li>
 * <li>Non-ASCII characters must be Unicode scalar values (no lone surrogate) and neither C1
 *     controls (U+0080–U+009F) nor U+2028/U+2029; in a domain, the ideographic and full-width
 *     full stops (U+3002, U+FF0E, U+FF61), which IDNA2003 reads as dots, are refused too, so
 *     {@code "."} is the only label separator.</li>
 * <li>Only the one registered {@code General-address-literal} tag, {@code IPv6}, is accepted
 *     (in any case); {@code "::"} stands for at least two groups, as RFC 5321 says.</li>
 * <li>Lengths are counted in UTF-8 octets (RFC 6531 §3.3): local part at most 64, domain at most
 *     255, the path with its angle brackets at most 256 (so the mailbox at most 254).</li>
 * </ul>
 * Stateless; the methods are thread-safe.
 */
final class SmtpPath {
    /** RFC 5321 §4.5.3.1.1. */
    static final int MAX_LOCAL_PART = 64;
    /** RFC 5321 §4.5.3.1.2. */
    static final int MAX_DOMAIN = 255;
    /** RFC 5321 §4.5.3.1.3: the reverse-path, angle brackets included. */
    static final int MAX_PATH = 256;

    private static final int MAX_LABEL = 63;
    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    private SmtpPath() {}

    /**
     * One mailbox: a local part as sent, and a domain as sent, which is either a {@code Domain}
     * or an address literal with its brackets ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}).
     */
    record Mailbox(String localPart, String domain) {
        boolean addressLiteral() {
            return domain.charAt(0) == '[';
        }

        @Override
        public String toString() {
            return localPart + "@" + domain;
        }
    }

    /**
     * The mailbox {@code path} is, or {@code null} if it is anything else: empty (the null
     * reverse-path is the caller's to handle), more than one address, not RFC 5321 syntax, or
     * over a length limit.
     */
    static Mailbox parse(String path) {
        // chars never outnumber UTF-8 octets, so this bounds the work before anything is counted
        if (path == null || path.isEmpty() || path.length() > MAX_PATH - 2 || utf8Length(path) > MAX_PATH - 2) {
            return null;
        }
        int at = localPartEnd(path);
        if (at < 0) {
            return null;
        }
        String local = path.substring(0, at);
        String domain = path.substring(at + 1);
        if (utf8Length(local) > MAX_LOCAL_PART || utf8Length(domain) > MAX_DOMAIN) {
            return null;
        }
        boolean ok = domain.startsWith("[") ? isAddressLiteral(domain) : isDomain(domain);
        return ok ? new Mailbox(local, domain) : null;
    }

    /** The index of the {@code @} that ends a well-formed local part at the start of {@code s}, or -1. */
    private static int localPartEnd(String s) {
        int i = 0;
        if (s.charAt(0) == '"') {
            i = 1;
            while (i < s.length()) {
                int c = s.codePointAt(i);
                if (c == '"') {
                    return i + 1 < s.length() && s.charAt(i + 1) == '@' ? i + 1 : -1;
                }
                if (c == '\\') {
                    if (i + 1 >= s.length() || s.charAt(i + 1) < 32 || s.charAt(i + 1) > 126) {
                        return -1;
                    }
                    i += 2;
                } else if (c >= 32 && c <= 126 || isNonAscii(c)) { // '"' and '\' were taken above
                    i += Character.charCount(c);
                } else {
                    return -1;
                }
            }
            return -1;
        }
        boolean atomStarted = false;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (c == '@') {
                return atomStarted ? i : -1;
            }
            if (c == '.') {
                if (!atomStarted) {
                    return -1; // leading dot or two dots in a row
                }
                atomStarted = false;
            } else if (isAtext(c)) {
                atomStarted = true;
            } else {
                return -1;
            }
            i += Character.charCount(c);
        }
        return -1;
    }

    private static boolean isAtext(int c) {
        return c < 128 ? isAsciiLetDig(c) || ATEXT_SPECIALS.indexOf(c) >= 0 : isNonAscii(c);
    }

    /** RFC 6532's UTF8-non-ascii, less lone surrogates, C1 controls and the Unicode line/paragraph separators. */
    private static boolean isNonAscii(int c) {
        // codePointAt yields a surrogate value only for a lone surrogate
        return c >= 0xA0 && !(c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) && c != 0x2028 && c != 0x2029;
    }

    private static boolean isAsciiLetDig(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** {@code sub-domain *("." sub-domain)}, with U-label candidates; no empty label, so no trailing dot. */
    static boolean isDomain(String d) {
        int start = 0;
        while (true) {
            int dot = d.indexOf('.', start);
            int end = dot < 0 ? d.length() : dot;
            if (!isSubDomain(d, start, end)) {
                return false;
            }
            if (dot < 0) {
                return true;
            }
            start = dot + 1;
        }
    }

    private static boolean isSubDomain(String d, int from, int to) {
        if (from >= to || d.charAt(from) == '-' || d.charAt(to - 1) == '-') {
            return false;
        }
        boolean ascii = true;
        for (int i = from; i < to; ) {
            int c = d.codePointAt(i);
            if (c < 128) {
                if (!isAsciiLetDig(c) && c != '-') {
                    return false;
                }
            } else if (!isNonAscii(c) || c == 0x3002 || c == 0xFF0E || c == 0xFF61) {
                return false;
            } else {
                ascii = false;
            }
            i += Character.charCount(c);
        }
        // A U-label's limit is on its A-label, which the core computes; an LDH label's is here.
        return !ascii || to - from <= MAX_LABEL;
    }

    /** {@code "[" ( IPv4-address-literal / "IPv6:" IPv6-addr ) "]"}. */
    static boolean isAddressLiteral(String d) {
        if (d.length() < 3 || d.charAt(0) != '[' || d.charAt(d.length() - 1) != ']') {
            return false;
        }
        String inner = d.substring(1, d.length() - 1);
        if (inner.length() > 5 && inner.substring(0, 5).toLowerCase(Locale.ROOT).equals("ipv6:")) {
            return isIpv6(inner.substring(5));
        }
        return isIpv4(inner);
    }

    /** {@code Snum 3("." Snum)}, Snum = 1*3DIGIT of value 0-255. */
    private static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * RFC 5321's {@code IPv6-addr}: IPv6-full (8 groups), IPv6-comp (at most 6 groups besides
     * {@code "::"}), IPv6v4-full (6 groups and an IPv4 literal), IPv6v4-comp (at most 4).
     */
    private static boolean isIpv6(String s) {
        boolean v4 = s.indexOf('.') >= 0;
        String hex = s;
        if (v4) {
            int lastColon = s.lastIndexOf(':');
            if (lastColon < 0 || !isIpv4(s.substring(lastColon + 1))) {
                return false;
            }
            String head = s.substring(0, lastColon + 1); // "1:2:3:4:5:6:", "::", "1::", "::1:"
            hex = head.endsWith("::") ? head : head.substring(0, head.length() - 1);
        }
        int full = v4 ? 6 : 8;
        int compressed = v4 ? 4 : 6;
        int gap = hex.indexOf("::");
        if (gap < 0) {
            return groups(hex) == full;
        }
        if (hex.indexOf("::", gap + 1) >= 0) {
            return false; // a second "::", or ":::"
        }
        int left = hex.substring(0, gap).isEmpty() ? 0 : groups(hex.substring(0, gap));
        int right = hex.substring(gap + 2).isEmpty() ? 0 : groups(hex.substring(gap + 2));
        return left >= 0 && right >= 0 && left + right <= compressed;
    }

    /** How many {@code IPv6-hex} groups {@code s} is, separated by single colons; -1 if it is not. */
    private static int groups(String s) {
        String[] parts = s.split(":", -1);
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 4 || !p.chars().allMatch(SmtpPath::isHexDigit)) {
                return -1;
            }
        }
        return parts.length;
    }

    private static boolean isHexDigit(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
