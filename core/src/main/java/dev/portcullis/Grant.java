package dev.portcullis;

import dev.portcullis.internal.rules.DomainNames;
import dev.portcullis.internal.rules.Grants;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A permission on a resource pattern, e.g. {@code messages:send @ example.com}.
 *
 * <p>A permission is {@code noun:verb} ({@code messages:send}), {@code noun:*} or {@code *}. A
 * pattern is {@code *} (every resource of the key's own account), an exact resource name, or
 * {@code *.example.com} (subdomains only: never {@code example.com} itself, never
 * {@code example.com.evil.org}). Resource names are canonicalised like domains: lower case,
 * one trailing dot stripped, internationalised labels to IDNA2008 / UTS #46 non-transitional
 * A-labels ({@code faß.de} is {@code xn--fa-hia.de}, never {@code fass.de}; {@code ς} stays final
 * sigma). A name that cannot be decided is refused rather than folded: a character that would map
 * to nothing (soft hyphen, ZWJ, ZWNJ, variation selectors, other default-ignorables), symbols,
 * code points unassigned in this JVM's Unicode, a case mapping that is not one to one, a
 * right-to-left label breaking the Bidi rule, two trailing dots, an empty label, an {@code xn--}
 * label that is not a valid A-label. Names in ASCII keep the resource grammar
 * ({@code a-z 0-9 - _ @ + .}); a name with non-ASCII text is a domain name, every label LDH. The
 * canonical form is a fixed point: canonicalising it again gives it back.
 */
public final class Grant {
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
        if (!Grants.isPermission(permission)) {
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
     * one trailing dot stripped, internationalised labels as IDNA2008 / UTS #46 non-transitional
     * A-labels, refused where that cannot be decided (see the class comment). Idempotent: a
     * non-null result is its own canonical form.
     */
    public static @Nullable String canonicalResource(@Nullable String resource) {
        if (resource == null || resource.isEmpty() || resource.length() > 253) {
            return null;
        }
        if (isCanonical(resource) && !resource.contains("xn--")) {
            return resource; // the usual case, checked without a copy (an A-label is decoded and checked first)
        }
        return DomainNames.canonical(resource);
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
    public boolean equals(@Nullable Object o) {
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
