package dev.portcullis.internal.wire;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The client messages of OAUTHBEARER (RFC 7628 §3.1) and XOAUTH2 (Google's format), read strictly,
 * with an API key as the bearer token:
 *
 * <pre>
 * OAUTHBEARER: client-resp = gs2-header kvsep *kvpair kvsep
 *              gs2-header  = ("n" / "y") "," ["a=" saslname] ","      ; RFC 5801, no channel binding
 * XOAUTH2:     client-resp = *kvpair kvsep                            ; "user=" {authzid} and "auth=" pairs
 * kvsep = %x01   kvpair = key "=" value kvsep   key = 1*ALPHA   value = *(VCHAR / SP / HTAB / CR / LF)
 * auth  = "Bearer" 1*SP token68                                       ; RFC 6750 §2.1, scheme case ignored
 * </pre>
 *
 * Exactly one {@code auth} pair; no key twice; {@code host}, {@code port} and keys this class does
 * not know are checked for grammar and ignored (RFC 7628 §3.1). A GS2 header asking for channel
 * binding ({@code p=}) is refused: OAUTHBEARER has no -PLUS variant. XOAUTH2's {@code user} may
 * hold UTF-8 (clients send the address they were given); any other value is ASCII. Stateless.
 */
public final class SaslBearer {
    private static final byte KVSEP = 0x01;

    /** RFC 7628 §3.2.2, for a credential refused outright ({@code invalid_token}) or not enough for this use. */
    static final String OAUTHBEARER_INVALID = SaslLine.encode(ascii("{\"status\":\"invalid_token\"}"));
    static final String OAUTHBEARER_INSUFFICIENT = SaslLine.encode(ascii("{\"status\":\"insufficient_scope\"}"));
    /** Google's XOAUTH2 error: the HTTP status as text and the scheme. */
    static final String XOAUTH2_INVALID = SaslLine.encode(ascii("{\"status\":\"401\",\"schemes\":\"bearer\"}"));
    static final String XOAUTH2_INSUFFICIENT = SaslLine.encode(ascii("{\"status\":\"403\",\"schemes\":\"bearer\"}"));

    private SaslBearer() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** An OAUTHBEARER client message: a {@code BEARER} result, or {@code MALFORMED}. */
    public static SaslResult oauthBearer(byte[] m) {
        // gs2-cb-flag: "n" (no channel binding) or "y" (the client could bind, but thinks we cannot: right).
        if (m.length < 4 || (m[0] != 'n' && m[0] != 'y') || m[1] != ',') {
            return SaslResult.malformed(Malformation.GS2_HEADER);
        }
        int i = 2;
        @Nullable String authzid = null;
        if (m[i] == 'a' && i + 1 < m.length && m[i + 1] == '=') {
            int end = indexOf(m, i + 2, (byte) ',');
            if (end < 0) {
                return SaslResult.malformed(Malformation.GS2_HEADER);
            }
            authzid = saslname(m, i + 2, end);
            if (authzid == null) {
                return SaslResult.malformed(Malformation.GS2_HEADER);
            }
            if (Text.hasControl(authzid)) {
                return SaslResult.malformed(Malformation.CONTROL_CHARACTER);
            }
            i = end;
        }
        if (i + 1 >= m.length || m[i] != ',' || m[i + 1] != KVSEP) {
            return SaslResult.malformed(Malformation.GS2_HEADER);
        }
        return pairs(m, i + 2, authzid, false);
    }

    /** An XOAUTH2 client message: a {@code BEARER} result, or {@code MALFORMED}. */
    public static SaslResult xoauth2(byte[] m) {
        return pairs(m, 0, null, true);
    }

    /**
     * Whether {@code data} is the client's answer to an error challenge: the single %x01 RFC 7628
     * §3.2.3 asks for; for XOAUTH2 an empty response too, as Google documents it.
     */
    static boolean isDummyResponse(byte[] data, boolean xoauth2) {
        return data.length == 1 && data[0] == KVSEP || xoauth2 && data.length == 0;
    }

    /** {@code *kvpair kvsep} from {@code i} to the end of {@code m}. */
    private static SaslResult pairs(byte[] m, int i, @Nullable String authzid, boolean xoauth2) {
        @Nullable String token = null;
        boolean user = false;
        boolean host = false;
        boolean port = false;
        while (true) {
            if (i >= m.length) {
                return SaslResult.malformed(Malformation.BAD_KVPAIR); // no closing kvsep
            }
            if (m[i] == KVSEP) {
                if (i != m.length - 1) {
                    return SaslResult.malformed(Malformation.BAD_KVPAIR); // something after the closing kvsep
                }
                break;
            }
            int keyEnd = i;
            while (keyEnd < m.length && isAlpha(m[keyEnd])) {
                keyEnd++;
            }
            if (keyEnd == i || keyEnd >= m.length || m[keyEnd] != '=') {
                return SaslResult.malformed(Malformation.BAD_KVPAIR);
            }
            int from = keyEnd + 1;
            int to = indexOf(m, from, KVSEP);
            if (to < 0) {
                return SaslResult.malformed(Malformation.BAD_KVPAIR);
            }
            boolean isUser = xoauth2 && is(m, i, keyEnd, "user");
            if (!(isUser ? isUtf8Value(m, from, to) : isValue(m, from, to))) {
                return SaslResult.malformed(Malformation.BAD_KVPAIR);
            }
            if (is(m, i, keyEnd, "auth")) {
                if (token != null) {
                    return SaslResult.malformed(Malformation.DUPLICATE_KEY);
                }
                token = bearerToken(m, from, to);
                if (token == null) {
                    return SaslResult.malformed(Malformation.NOT_BEARER);
                }
            } else if (isUser) {
                if (user) {
                    return SaslResult.malformed(Malformation.DUPLICATE_KEY);
                }
                user = true;
                authzid = from == to ? null : Text.utf8(m, from, to); // "user=" with nothing: no identity asked for
                if (from != to && authzid == null) {
                    return SaslResult.malformed(Malformation.BAD_UTF8);
                }
                if (authzid != null && Text.hasControl(authzid)) {
                    return SaslResult.malformed(Malformation.CONTROL_CHARACTER);
                }
            } else if (!xoauth2 && is(m, i, keyEnd, "host")) {
                if (host) {
                    return SaslResult.malformed(Malformation.DUPLICATE_KEY);
                }
                host = true;
            } else if (!xoauth2 && is(m, i, keyEnd, "port")) {
                if (port) {
                    return SaslResult.malformed(Malformation.DUPLICATE_KEY);
                }
                port = true;
            }
            i = to + 1;
        }
        if (token == null) {
            return SaslResult.malformed(Malformation.NOT_BEARER);
        }
        return SaslResult.bearer(new ApiKeyCredential(token), authzid);
    }

    /** The token68 of {@code "Bearer" 1*SP token68} in {@code m[from, to)}, or {@code null}. */
    private static @Nullable String bearerToken(byte[] m, int from, int to) {
        int scheme = from + 6;
        if (scheme >= to || m[scheme] != ' ') {
            return null;
        }
        for (int k = 0; k < 6; k++) {
            if ((m[from + k] | 0x20) != "bearer".charAt(k)) { // |0x20 folds A-Z only onto a-z
                return null;
            }
        }
        int start = scheme;
        while (start < to && m[start] == ' ') {
            start++;
        }
        if (start == to) {
            return null;
        }
        // The value grammar admitted only ASCII, so each byte is one char; the token is a secret: no copy but this one.
        String token = new String(m, start, to - start, StandardCharsets.US_ASCII);
        return AuthorizationParser.isToken68(token, 0, token.length()) ? token : null;
    }

    /**
     * {@code saslname = 1*(UTF8-char-safe / "=2C" / "=3D")} (RFC 5801 §4) decoded, or {@code null}:
     * empty, not UTF-8, a NUL, or an {@code =} that starts neither escape.
     */
    private static @Nullable String saslname(byte[] m, int from, int to) {
        if (from == to) {
            return null;
        }
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = m[i];
            if (b == 0) {
                return null;
            }
            if (b == '=') {
                if (i + 2 >= to || m[i + 1] != '2' && m[i + 1] != '3') {
                    return null;
                }
                if (m[i + 1] == '2' && m[i + 2] == 'C') {
                    b = ',';
                } else if (m[i + 1] == '3' && m[i + 2] == 'D') {
                    b = '=';
                } else {
                    return null;
                }
                i += 2;
            }
            out[n++] = b;
        }
        return Text.utf8(out, 0, n);
    }

    private static boolean isAlpha(byte b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z';
    }

    /** {@code *(VCHAR / SP / HTAB / CR / LF)}. */
    private static boolean isValue(byte[] m, int from, int to) {
        for (int i = from; i < to; i++) {
            int b = m[i] & 0xFF;
            if (!(b >= 0x20 && b <= 0x7E || b == '\t' || b == '\r' || b == '\n')) {
                return false;
            }
        }
        return true;
    }

    /** XOAUTH2's {@code user}: printable ASCII or bytes of non-ASCII UTF-8 (checked when decoded). */
    private static boolean isUtf8Value(byte[] m, int from, int to) {
        for (int i = from; i < to; i++) {
            int b = m[i] & 0xFF;
            if (b < 0x20 || b == 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static boolean is(byte[] m, int from, int to, String key) {
        if (to - from != key.length()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (m[from + i] != key.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] m, int from, byte b) {
        for (int i = from; i < m.length; i++) {
            if (m[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
