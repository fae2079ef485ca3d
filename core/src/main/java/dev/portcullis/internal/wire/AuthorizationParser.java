package dev.portcullis.internal.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reads the {@code Authorization} header: {@code Basic} (RFC 7617), {@code Bearer} (RFC 6750)
 * and, if enabled, a bare key. It does no I/O, never throws for any input, and never puts input
 * into a result's text.
 *
 * <ul>
 *   <li>{@code Basic base64(user:pass)} is split at the first colon. A configured key username
 *       ({@code api} by default, matched exactly) means the password is an API key;
 *       {@code Basic base64(KEY:)}, an empty password, means the user-id is one (Stripe style).
 *       Anything else with a non-empty password is a {@link PasswordCredential}.
 *   <li>{@code Bearer token68} is an API key.
 *   <li>A bare key, if {@linkplain Builder#allowBareKey allowed}, is a whole value that is a
 *       token68 and holds no space.
 * </ul>
 *
 * <p>Scheme names are matched ignoring ASCII case; SP and HTAB around the whole value are
 * tolerated, nothing else. The value is capped at {@value #MAX_LENGTH} chars before decoding.
 * An empty value carries no credentials and is {@link ParseResult#NOT_THIS_SCHEME}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class AuthorizationParser {
    public static final int MAX_LENGTH = 8192;

    private final byte[][] keyUsernames;
    private final boolean allowBareKey;

    private AuthorizationParser(Builder b) {
        this.keyUsernames = b.keyUsernames.stream()
                .map(u -> u.getBytes(StandardCharsets.UTF_8))
                .toArray(byte[][]::new);
        this.allowBareKey = b.allowBareKey;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Parses all values of the Authorization header; {@code null} or empty means there is none. */
    public ParseResult parse(List<String> headerValues) {
        return parse(headerValues, null);
    }

    /** Parses the one Authorization header value, or {@code null} if there is none. */
    public ParseResult parse(String value) {
        return parse(value, null);
    }

    /**
     * {@link #parse(List)}, but an API key is decoded into {@code into} instead of a new string:
     * the result is then {@link ParseResult#KEY_IN_BUFFER} and the key is
     * {@code into.bytes()[into.from(), into.to())}. Such a key is not yet checked for UTF-8 and
     * control characters: if it is not {@linkplain KeyBytes#printableAscii printable ASCII}
     * (which every key format demands), {@code parse} without a buffer tells the exact outcome.
     * Every other outcome is what {@code parse} gives. With {@code into == null} it is {@code parse}.
     */
    public ParseResult parse(List<String> headerValues, KeyBytes into) {
        if (headerValues == null || headerValues.isEmpty()) {
            return ParseResult.NOT_THIS_SCHEME;
        }
        if (headerValues.size() > 1) {
            return ParseResult.malformed(Malformation.MULTIPLE_VALUES);
        }
        return parse(headerValues.get(0), into);
    }

    /** {@link #parse(String)} into a reusable buffer: see {@link #parse(List, KeyBytes)}. */
    public ParseResult parse(String value, KeyBytes into) {
        if (value == null) {
            return ParseResult.NOT_THIS_SCHEME;
        }
        if (value.length() > MAX_LENGTH) {
            return ParseResult.malformed(Malformation.TOO_LONG);
        }
        int from = 0;
        int to = value.length();
        while (from < to && Text.isOws(value.charAt(from))) {
            from++;
        }
        while (to > from && Text.isOws(value.charAt(to - 1))) {
            to--;
        }
        int schemeEnd = from;
        while (schemeEnd < to && !Text.isOws(value.charAt(schemeEnd))) {
            schemeEnd++;
        }
        // credentials = auth-scheme 1*SP token68; an HTAB here fails the token68 check.
        int start = schemeEnd;
        while (start < to && value.charAt(start) == ' ') {
            start++;
        }
        if (Text.equalsIgnoreCase(value, from, schemeEnd, "basic")) {
            return basic(value, start, to, into);
        }
        if (Text.equalsIgnoreCase(value, from, schemeEnd, "bearer")) {
            return bearer(value, start, to, into);
        }
        if (allowBareKey && schemeEnd == to && from < to && isToken68(value, from, to)) {
            return key(value, from, to, into);
        }
        return ParseResult.NOT_THIS_SCHEME;
    }

    /** A token68 taken as an API key: ASCII by its grammar. */
    private static ParseResult key(String value, int from, int to, KeyBytes into) {
        if (into == null) {
            return ParseResult.of(new ApiKeyCredential(value.substring(from, to)));
        }
        into.setAscii(value, from, to); // ASCII by the token68 check before
        return ParseResult.KEY_IN_BUFFER;
    }

    private static ParseResult bearer(String value, int from, int to, KeyBytes into) {
        if (from == to) {
            return ParseResult.malformed(Malformation.EMPTY_CREDENTIALS);
        }
        if (!isToken68(value, from, to)) {
            return ParseResult.malformed(Malformation.BAD_TOKEN68);
        }
        return key(value, from, to, into);
    }

    private ParseResult basic(String value, int from, int to, KeyBytes into) {
        if (from == to) {
            return ParseResult.malformed(Malformation.EMPTY_CREDENTIALS);
        }
        // One pass decodes and validates (base64 is a subset of token68); which rule failed is
        // worked out only for a refusal.
        int n = StrictBase64.decodedLength(value, from, to);
        // Without a buffer, validate before allocating, so a refusal allocates nothing.
        byte[] b = n < 0 ? null : into != null ? into.buffer(n) : StrictBase64.decodeInto(value, from, to, null) < 0 ? null : new byte[n];
        if (b == null || StrictBase64.decodeInto(value, from, to, b) < 0) {
            return ParseResult.malformed(isToken68(value, from, to) ? Malformation.BAD_BASE64 : Malformation.BAD_TOKEN68);
        }
        int colon = 0;
        while (colon < n && b[colon] != ':') {
            colon++;
        }
        if (colon == n) {
            return ParseResult.malformed(Malformation.NO_COLON);
        }
        if (colon == 0) {
            return ParseResult.malformed(Malformation.EMPTY_USERNAME);
        }
        // The common shapes, `api:KEY` and `KEY:` (Stripe style), are handed on in the buffer as
        // they are: see KeyBytes#printableAscii for the UTF-8 and control checks of basicText.
        if (into != null && colon + 1 < n && isKeyUsername(b, colon)) {
            return key(b, colon + 1, n, into);
        }
        if (into != null && colon + 1 == n && !isKeyUsername(b, colon)) {
            return key(b, 0, colon, into);
        }
        return basicText(b, colon, n);
    }

    private static ParseResult key(byte[] b, int from, int to, KeyBytes into) {
        if (into == null) {
            return ParseResult.of(new ApiKeyCredential(new String(b, from, to - from, StandardCharsets.ISO_8859_1)));
        }
        into.key(from, to);
        return ParseResult.KEY_IN_BUFFER;
    }

    /** The general case of a decoded {@code user:password}: UTF-8 and control checks on both halves. */
    private ParseResult basicText(byte[] b, int colon, int n) {
        // Text after the first colon is the password (RFC 7617 §2), colons and all.
        String password = Text.utf8(b, colon + 1, n);
        if (password == null) {
            return ParseResult.malformed(Malformation.BAD_UTF8);
        }
        if (Text.hasControl(password)) {
            return ParseResult.malformed(Malformation.CONTROL_CHARACTER);
        }
        if (isKeyUsername(b, colon)) {
            return password.isEmpty() ? ParseResult.malformed(Malformation.EMPTY_PASSWORD)
                    : ParseResult.of(new ApiKeyCredential(password));
        }
        String user = Text.utf8(b, 0, colon);
        if (user == null) {
            return ParseResult.malformed(Malformation.BAD_UTF8);
        }
        if (Text.hasControl(user)) {
            return ParseResult.malformed(Malformation.CONTROL_CHARACTER);
        }
        return ParseResult.of(password.isEmpty() ? new ApiKeyCredential(user) : new PasswordCredential(user, password));
    }

    private boolean isKeyUsername(byte[] b, int length) {
        for (byte[] k : keyUsernames) {
            if (k.length == length && Arrays.equals(b, 0, length, k, 0, length)) {
                return true;
            }
        }
        return false;
    }

    /** token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" (RFC 9110 §11.2). */
    static boolean isToken68(String s, int from, int to) {
        int end = to;
        while (end > from && s.charAt(end - 1) == '=') {
            end--;
        }
        if (end == from) {
            return false;
        }
        // No branch on each character, which is part of a secret (and its cost would tell the
        // character classes of a key, id included, apart: TimingLeakTest): look up and fold together.
        int bad = 0;
        for (int i = from; i < end; i++) {
            char c = s.charAt(i);
            bad |= (c >>> 7) | (TOKEN68[c & 0x7F] ^ 1);
        }
        return bad == 0;
    }

    /** 1 for the token68 characters other than {@code =}: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/". */
    private static final int[] TOKEN68 = new int[128];

    static {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
        for (int i = 0; i < chars.length(); i++) {
            TOKEN68[chars.charAt(i)] = 1;
        }
    }

    @Override
    public String toString() {
        return "AuthorizationParser[keyUsernames=" + keyUsernames.length + ", allowBareKey=" + allowBareKey + "]";
    }

    public static final class Builder {
        private Set<String> keyUsernames = Set.of("api");
        private boolean allowBareKey;

        private Builder() {
        }

        /**
         * Basic usernames whose password is an API key (default {@code {"api"}}), matched
         * exactly. An empty set turns the convention off.
         *
         * @throws IllegalArgumentException if one is empty or holds a colon or control character
         */
        public Builder keyUsernames(Set<String> usernames) {
            for (String u : usernames) {
                Objects.requireNonNull(u, "key username");
                if (u.isEmpty() || u.indexOf(':') >= 0 || Text.hasControl(u)) {
                    throw new IllegalArgumentException(
                            "a key username must be non-empty, without ':' or control characters: \"" + u + "\"");
                }
            }
            this.keyUsernames = Set.copyOf(usernames);
            return this;
        }

        /** Whether a header value that is nothing but a token68 is an API key (default false). */
        public Builder allowBareKey(boolean allow) {
            this.allowBareKey = allow;
            return this;
        }

        public AuthorizationParser build() {
            return new AuthorizationParser(this);
        }
    }
}
