package dev.portcullis;

import java.net.IDN;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A permission on a resource pattern, e.g. {@code messages:send @ example.com}.
 *
 * <p>A permission is {@code noun:verb} ({@code messages:send}), {@code noun:*} or {@code *}. A
 * pattern is {@code *} (every resource of the key's own account), an exact resource name, or
 * {@code *.example.com} (subdomains only: never {@code example.com} itself, never
 * {@code example.com.evil.org}). Resource names are canonicalised like domains: lower case,
 * trailing dot stripped, IDN to ASCII.
 */
public final class Grant {
    private static final Pattern RESOURCE = Pattern.compile("[a-z0-9_@+-][a-z0-9._@+-]{0,252}");

    private final String permission;
    private final String pattern;

    private Grant(String permission, String pattern) {
        this.permission = permission;
        this.pattern = pattern;
    }

    /**
     * @throws IllegalArgumentException if the permission or the pattern is not of the grammar above
     */
    public static Grant of(String permission, String resourcePattern) {
        Objects.requireNonNull(permission, "permission");
        Objects.requireNonNull(resourcePattern, "resourcePattern");
        if (!isPermission(permission)) {
            throw new IllegalArgumentException("permission must be noun:verb, noun:* or *, got \"" + permission + "\"");
        }
        return new Grant(permission, canonicalPattern(resourcePattern));
    }

    /** Parses the stored form {@code permission@pattern}. */
    public static Grant parse(String stored) {
        int at = stored.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("grant must be permission@pattern");
        }
        return of(stored.substring(0, at), stored.substring(at + 1));
    }

    public String permission() {
        return permission;
    }

    public String resourcePattern() {
        return pattern;
    }

    /** {@code *}, or {@code noun:verb} / {@code noun:*} with names {@code [a-z][a-z0-9_-]{0,63}}; no regex, no copy. */
    static boolean isPermission(String p) {
        if (p.equals("*")) {
            return true;
        }
        int colon = p.indexOf(':');
        if (colon < 0) {
            return false;
        }
        return isName(p, 0, colon) && (p.length() == colon + 2 && p.charAt(colon + 1) == '*' || isName(p, colon + 1, p.length()));
    }

    private static boolean isName(String s, int from, int to) {
        if (to - from < 1 || to - from > 64 || s.charAt(from) < 'a' || s.charAt(from) > 'z') {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Whether this grant's permission covers {@code requested} (itself a concrete {@code noun:verb}). */
    public boolean permits(String requested) {
        if (permission.equals("*") || permission.equals(requested)) {
            return true;
        }
        if (permission.endsWith(":*")) {
            int n = permission.length() - 1; // "noun:"
            return requested.length() > n && requested.regionMatches(0, permission, 0, n);
        }
        return false;
    }

    /** Whether this grant's pattern covers the canonical resource name {@code resource}. */
    public boolean covers(String resource) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            int suffix = pattern.length() - 1; // ".example.com"
            return resource.length() > suffix && resource.regionMatches(resource.length() - suffix, pattern, 1, suffix);
        }
        return pattern.equals(resource);
    }

    /**
     * The canonical form of a resource name, or {@code null} if it cannot be one: lower case,
     * one trailing dot stripped, internationalised labels to ASCII (punycode).
     */
    public static String canonicalResource(String resource) {
        if (resource == null || resource.isEmpty() || resource.length() > 253) {
            return null;
        }
        if (isCanonical(resource)) {
            return resource; // the usual case, checked without a regex or a copy
        }
        String r = resource.endsWith(".") ? resource.substring(0, resource.length() - 1) : resource;
        boolean ascii = true;
        for (int i = 0; i < r.length(); i++) {
            if (r.charAt(i) > 0x7E) {
                ascii = false;
                break;
            }
        }
        if (!ascii) {
            try {
                r = IDN.toASCII(r, IDN.USE_STD3_ASCII_RULES);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        r = r.toLowerCase(Locale.ROOT);
        return RESOURCE.matcher(r).matches() && !r.contains("..") ? r : null;
    }

    /** Already lower-case ASCII of the resource alphabet, no trailing dot, no empty label. */
    private static boolean isCanonical(String r) {
        char prev = '.';
        for (int i = 0; i < r.length(); i++) {
            char c = r.charAt(i);
            if (c >= 128 || !RESOURCE_CHAR[c] || c == '.' && prev == '.') {
                return false;
            }
            prev = c;
        }
        return prev != '.';
    }

    /** {@code a-z 0-9 - _ @ + .}: the characters of a canonical resource name. */
    private static final boolean[] RESOURCE_CHAR = new boolean[128];

    static {
        for (char c : "abcdefghijklmnopqrstuvwxyz0123456789-_@+.".toCharArray()) {
            RESOURCE_CHAR[c] = true;
        }
    }

    private static String canonicalPattern(String pattern) {
        if (pattern.equals("*")) {
            return pattern;
        }
        if (pattern.startsWith("*.")) {
            String base = canonicalResource(pattern.substring(2));
            if (base == null) {
                throw new IllegalArgumentException("not a resource pattern: \"" + pattern + "\"");
            }
            return "*." + base;
        }
        String r = canonicalResource(pattern);
        if (r == null) {
            throw new IllegalArgumentException("not a resource pattern: \"" + pattern + "\"");
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Grant g && g.permission.equals(permission) && g.pattern.equals(pattern);
    }

    @Override
    public int hashCode() {
        return permission.hashCode() * 31 + pattern.hashCode();
    }

    /** The stored form, {@code permission@pattern}. */
    @Override
    public String toString() {
        return permission + "@" + pattern;
    }
}
