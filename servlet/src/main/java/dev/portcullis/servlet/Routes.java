package dev.portcullis.servlet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The rules of a filter by method, most specific first, and the path canonicality check. Immutable. */
final class Routes {
    private static final String[] ROOT = new String[0];

    private final Map<String, Route[]> byMethod;

    Routes(List<Route> routes) {
        Map<String, List<Route>> m = new HashMap<>();
        for (Route r : routes) {
            List<Route> same = m.computeIfAbsent(r.method, k -> new ArrayList<>());
            for (Route o : same) {
                if (o.sameShape(r)) {
                    throw new IllegalArgumentException("rule " + r + " matches the same paths as " + o);
                }
            }
            same.add(r);
        }
        Map<String, Route[]> sorted = new HashMap<>();
        m.forEach((method, list) -> {
            list.sort(Route::bySpecificity);
            sorted.put(method, list.toArray(new Route[0]));
        });
        this.byMethod = Map.copyOf(sorted);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        byMethod.values().forEach(rs -> {
            for (Route r : rs) {
                b.append(b.length() > 1 ? ", " : "").append(r);
            }
        });
        return b.append(']').toString();
    }

    /** The most specific rule for this method and path; a {@code HEAD} falls back on the {@code GET} rules, as HttpServlet does. */
    Route find(String method, String[] path) {
        Route r = first(byMethod.get(method), path);
        return r == null && method.equals("HEAD") ? first(byMethod.get("GET"), path) : r;
    }

    /** Whether a rule of any method matches the path. */
    boolean anyMatches(String[] path) {
        for (Route[] routes : byMethod.values()) {
            if (first(routes, path) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The methods with a rule matching the path, sorted, with {@code HEAD} wherever {@code GET}
     * has one (as {@link #find} falls back on it): what a 405's {@code Allow} lists.
     */
    List<String> methods(String[] path) {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        byMethod.forEach((method, routes) -> {
            if (first(routes, path) != null) {
                out.add(method);
                if (method.equals("GET")) {
                    out.add("HEAD");
                }
            }
        });
        return List.copyOf(out);
    }

    private static Route first(Route[] routes, String[] path) {
        if (routes != null) {
            for (Route r : routes) {
                if (r.matches(path)) {
                    return r;
                }
            }
        }
        return null;
    }

    /**
     * Whether the request URI as the client sent it holds none of what containers and frameworks
     * disagree on: no {@code ;} (path parameters, which Jetty strips and others keep), backslash or
     * control character; no escape of {@code / . ; \ %} or a control character ({@code %2F},
     * {@code %2e}, {@code %252F}); no empty, {@code .} or {@code ..} segment, even if the container
     * would resolve it. Other escapes ({@code %C3%A4}, {@code %20}) decode to characters that the
     * check of the decoded path then sees.
     */
    static boolean isPlain(String rawUri) {
        int n = rawUri.length();
        int segmentStart = 0;
        for (int i = 0; i <= n; i++) {
            char c = i == n ? '/' : rawUri.charAt(i);
            if (c == '/') {
                if (i > 0 && !plainSegment(rawUri, segmentStart, i, i == n)) {
                    return false;
                }
                segmentStart = i + 1;
            } else if (c == '%') {
                int v = i + 2 < n ? hex(rawUri.charAt(i + 1)) << 4 | hex(rawUri.charAt(i + 2)) : -1;
                if (v < 0x20 || v == 0x7F || v == '/' || v == '.' || v == ';' || v == '\\' || v == '%') {
                    return false;
                }
                i += 2;
            } else if (c < 0x20 || c == 0x7F || c == ';' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** A segment between slashes: not {@code .} or {@code ..}, and empty only at the end (a trailing slash). */
    private static boolean plainSegment(String s, int from, int to, boolean last) {
        int len = to - from;
        if (len == 0) {
            return last;
        }
        return !(s.charAt(from) == '.' && (len == 1 || len == 2 && s.charAt(from + 1) == '.'));
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        c |= 0x20;
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -0x1000;
    }

    /**
     * The segments of a path as the container decoded it ({@code /} has none; a trailing slash
     * gives a last empty segment), or {@code null} if it is not canonical: it must start with
     * {@code /} and hold no empty inner segment ({@code //}), no {@code .} or {@code ..} segment,
     * and no {@code ;}, {@code %}, {@code \} or control character. After decoding, a {@code %}
     * can only come from double encoding ({@code %252F}), a {@code ;} from a path parameter the
     * container kept, and a backslash is a separator to some servers: each could make the
     * filter and the application see different paths.
     */
    static String[] segments(String path) {
        int n = path.length();
        if (n == 0 || path.charAt(0) != '/') {
            return null;
        }
        if (n == 1) {
            return ROOT;
        }
        int count = 0;
        for (int i = 0; i < n; i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7F || c == ';' || c == '%' || c == '\\') {
                return null;
            }
            if (c == '/') {
                count++;
            }
        }
        String[] out = new String[count];
        int k = 0;
        for (int start = 1, i = 1; i <= n; i++) {
            if (i == n || path.charAt(i) == '/') {
                if (i == start && i != n) {
                    return null; // an empty inner segment
                }
                String s = path.substring(start, i);
                if (s.equals(".") || s.equals("..")) {
                    return null;
                }
                out[k++] = s;
                start = i + 1;
            }
        }
        return out;
    }
}
