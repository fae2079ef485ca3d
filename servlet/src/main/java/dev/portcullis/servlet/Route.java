package dev.portcullis.servlet;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One rule of a {@link PortcullisFilter}: a method, a path template of literal and
 * {@code {variable}} segments, and what a matching request needs. Immutable.
 */
final class Route {
    private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z0-9_-]{0,31}");
    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]{0,31})}");

    final String method;
    final String template;
    /** The permission a request needs; {@code null} for a public rule. */
    final String permission;
    /** One entry per segment: the literal, or {@code null} for a variable. */
    private final String[] literals;
    private final int resourceIndex;
    /** What the filter charges a request of this rule (see {@code AuthRequest.cost}); 1 unless set. */
    final long cost;

    private Route(String method, String template, String permission, String[] literals, int resourceIndex, long cost) {
        this.method = method;
        this.template = template;
        this.permission = permission;
        this.literals = literals;
        this.resourceIndex = resourceIndex;
        this.cost = cost;
    }

    /** The same rule, charging {@code cost}. */
    Route withCost(long cost) {
        return new Route(method, template, permission, literals, resourceIndex, cost);
    }

    /**
     * @param resourceVariable the variable naming the resource, or {@code null}
     * @throws IllegalArgumentException if the method or template is malformed, or the variable is not in it
     */
    static Route of(String method, String template, String permission, String resourceVariable) {
        if (method == null || !METHOD.matcher(method).matches()) {
            throw new IllegalArgumentException("a method is an upper-case token such as POST, got \"" + method + "\"");
        }
        String[] segments = template == null ? null : Routes.segments(template);
        if (segments == null) {
            throw new IllegalArgumentException("not a canonical path template (starts with /; no empty, . or .. segments; no ; % \\): \"" + template + "\"");
        }
        String[] literals = new String[segments.length];
        Set<String> variables = new HashSet<>();
        int resourceIndex = -1;
        for (int i = 0; i < segments.length; i++) {
            var m = VARIABLE.matcher(segments[i]);
            if (m.matches()) {
                if (!variables.add(m.group(1))) {
                    throw new IllegalArgumentException("variable {" + m.group(1) + "} appears twice in " + template);
                }
                if (m.group(1).equals(resourceVariable)) {
                    resourceIndex = i;
                }
            } else if (segments[i].indexOf('{') >= 0 || segments[i].indexOf('}') >= 0) {
                throw new IllegalArgumentException("a variable is a whole segment such as {domain}: \"" + template + "\"");
            } else {
                literals[i] = segments[i];
            }
        }
        if (resourceVariable != null && resourceIndex < 0) {
            throw new IllegalArgumentException("no variable {" + resourceVariable + "} in " + template);
        }
        return new Route(method, template, permission, literals, resourceIndex, 1);
    }

    /** Whether the canonical {@code path} segments fit: same count, equal literals, a non-empty value for each variable. */
    boolean matches(String[] path) {
        if (path.length != literals.length) {
            return false;
        }
        for (int i = 0; i < path.length; i++) {
            if (literals[i] == null ? path[i].isEmpty() : !literals[i].equals(path[i])) {
                return false;
            }
        }
        return true;
    }

    /** The value of the resource variable in a matching path, or {@code null} if the rule has none. */
    String resource(String[] path) {
        return resourceIndex < 0 ? null : path[resourceIndex];
    }

    /**
     * Most specific first: at the first segment where one rule has a literal and the other a
     * variable, the literal wins. Rules match only paths of their own length, so length only breaks ties.
     */
    static int bySpecificity(Route a, Route b) {
        for (int i = 0; i < Math.min(a.literals.length, b.literals.length); i++) {
            boolean la = a.literals[i] != null;
            if (la != (b.literals[i] != null)) {
                return la ? -1 : 1;
            }
        }
        return Integer.compare(a.literals.length, b.literals.length);
    }

    /** Whether both rules match exactly the same paths of the same method. */
    boolean sameShape(Route o) {
        return method.equals(o.method) && Arrays.equals(literals, o.literals);
    }

    @Override
    public String toString() {
        return method + " " + template + (permission == null ? " public" : " -> " + permission);
    }
}
