package dev.portcullis;

import java.util.List;
import java.util.Objects;

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
     * one trailing dot stripped, internationalised labels as IDNA2008 / UTS #46 non-transitional
     * A-labels, refused where that cannot be decided (see the class comment). Idempotent: a
     * non-null result is its own canonical form.
     */
    public static String canonicalResource(String resource) {
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

    /**
     * Whether holding this grant implies holding {@code wanted}: its permission covers the wanted
     * permission ({@code *} covers all; {@code noun:*} covers {@code noun:x} and {@code noun:*},
     * never {@code *}) and its pattern covers the wanted pattern ({@code *} covers all; an exact
     * name covers itself; {@code *.d} covers {@code x.d} and {@code *.x.d}, never {@code d} or {@code *}).
     */
    boolean implies(Grant wanted) {
        if (!permits(wanted.permission)) { // also right for a wanted noun:* or *: only an equal or wider one permits it
            return false;
        }
        String wr = wanted.pattern;
        if (pattern.equals("*") || pattern.equals(wr)) {
            return true;
        }
        if (wr.equals("*")) {
            return false;
        }
        return wr.startsWith("*.") ? pattern.startsWith("*.") && covers(wr.substring(2)) : covers(wr);
    }

    // ---- the grant rule: the one place every caller asks -------------------------------------

    /**
     * The Authorize rule: whether some grant gives {@code permission} (a concrete {@code noun:verb})
     * on {@code canonicalResource}, or, when it is {@code null} (a collection request), on some
     * resource. Ownership of the resource by another account is checked before, by the caller.
     */
    static boolean allows(List<Grant> grants, String permission, String canonicalResource) {
        for (Grant g : grants) {
            if (g.permits(permission) && (canonicalResource == null || g.covers(canonicalResource))) {
                return true;
            }
        }
        return false;
    }

    /** Whether every grant of {@code wanted} is implied by one of {@code held}. */
    static boolean impliesAll(List<Grant> held, List<Grant> wanted) {
        for (Grant w : wanted) {
            boolean covered = false;
            for (Grant h : held) {
                if (h.implies(w)) {
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                return false;
            }
        }
        return true;
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
