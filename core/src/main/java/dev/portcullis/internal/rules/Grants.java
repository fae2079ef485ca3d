package dev.portcullis.internal.rules;

import dev.portcullis.Grant;

import java.util.List;

/**
 * The grant rules of DESIGN §2 Authorize, in one place: what a permission is, whether grants
 * allow a request, and whether one grant implies another (the escalation rule of key
 * management). Pure functions over {@link Grant}'s public view; {@code Grant}, the Authorize
 * stage and the management scope all ask here.
 */
public final class Grants {
    private Grants() {
    }

    /** {@code *}, or {@code noun:verb} / {@code noun:*} with names {@code [a-z][a-z0-9_-]{0,63}}; no regex, no copy. */
    public static boolean isPermission(String p) {
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

    /**
     * Whether holding {@code held} implies holding {@code wanted}: its permission covers the wanted
     * permission ({@code *} covers all; {@code noun:*} covers {@code noun:x} and {@code noun:*},
     * never {@code *}) and its pattern covers the wanted pattern ({@code *} covers all; an exact
     * name covers itself; {@code *.d} covers {@code x.d} and {@code *.x.d}, never {@code d} or {@code *}).
     */
    public static boolean implies(Grant held, Grant wanted) {
        if (!held.permits(wanted.permission())) { // also right for a wanted noun:* or *: only an equal or wider one permits it
            return false;
        }
        String pattern = held.resourcePattern();
        String wr = wanted.resourcePattern();
        if (pattern.equals("*") || pattern.equals(wr)) {
            return true;
        }
        if (wr.equals("*")) {
            return false;
        }
        return wr.startsWith("*.") ? pattern.startsWith("*.") && held.covers(wr.substring(2)) : held.covers(wr);
    }

    /**
     * The Authorize rule: whether some grant gives {@code permission} (a concrete {@code noun:verb})
     * on {@code canonicalResource}, or, when it is {@code null} (a collection request), on some
     * resource. Ownership of the resource by another account is checked before, by the caller.
     */
    public static boolean allows(List<Grant> grants, String permission, String canonicalResource) {
        for (Grant g : grants) {
            if (g.permits(permission) && (canonicalResource == null || g.covers(canonicalResource))) {
                return true;
            }
        }
        return false;
    }

    /** Whether every grant of {@code wanted} is implied by one of {@code held}. */
    public static boolean impliesAll(List<Grant> held, List<Grant> wanted) {
        for (Grant w : wanted) {
            boolean covered = false;
            for (Grant h : held) {
                if (implies(h, w)) {
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
}
