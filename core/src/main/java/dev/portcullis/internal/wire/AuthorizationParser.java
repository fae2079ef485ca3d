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
        if (headerValues == null || headerValues.isEmpty()) {
            return ParseResult.NOT_THIS_SCHEME;
        }
        if (headerValues.size() > 1) {
            return ParseResult.malformed(Malformation.MULTIPLE_VALUES);
        }
        return parse(headerValues.get(0));
    }

    /** Parses the one Authorization header value, or {@code null} if there is none. */
    public ParseResult parse(String value) {
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
            return basic(value, start, to);
        }
        if (Text.equalsIgnoreCase(value, from, schemeEnd, "bearer")) {
            return bearer(value, start, to);
        }
        if (allowBareKey && schemeEnd == to && from < to && isToken68(value, from, to)) {
            return ParseResult.of(new ApiKeyCredential(value.substring(from, to)));
        }
        return ParseResult.NOT_THIS_SCHEME;
    }

    private static ParseResult bearer(String value, int from, int to) {
        if (from == to) {
            return ParseResult.malformed(Malformation.EMPTY_CREDENTIALS);
        }
        if (!isToken68(value, from, to)) {
            return ParseResult.malformed(Malformation.BAD_TOKEN68);
        }
        return ParseResult.of(new ApiKeyCredential(value.substring(from, to)));
    }

    private ParseResult basic(String value, int from, int to) {
        if (from == to) {
            return ParseResult.malformed(Malformation.EMPTY_CREDENTIALS);
        }
        if (!isToken68(value, from, to)) {
            return ParseResult.malformed(Malformation.BAD_TOKEN68);
        }
        byte[] b = StrictBase64.decode(value, from, to);
        if (b == null) {
            return ParseResult.malformed(Malformation.BAD_BASE64);
        }
        int colon = 0;
        while (colon < b.length && b[colon] != ':') {
            colon++;
        }
        if (colon == b.length) {
            return ParseResult.malformed(Malformation.NO_COLON);
        }
        if (colon == 0) {
            return ParseResult.malformed(Malformation.EMPTY_USERNAME);
        }
        // Text after the first colon is the password (RFC 7617 §2), colons and all.
        String password = Text.utf8(b, colon + 1, b.length);
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
    private static boolean isToken68(String s, int from, int to) {
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
