package dev.portcullis.servlet;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The fuzz targets' oracle for {@link Routes}, {@link Route} and the path checks of
 * {@link PortcullisFilter}, written from their Javadoc and not from their code: what a rule
 * table is, which rule a path gets, which paths are canonical, which raw URIs are plain, and how
 * path-normalising servers would read a raw URI instead.
 */
final class RouteReference {
    /** One rule of a table: method, template, permission ({@code null}: public), resource variable. */
    record Rule(String method, String template, String permission, String variable) {
        /** {@code METHOD TEMPLATE PERMISSION|public [VARIABLE]}, single spaces; {@code null} if it has too few parts. */
        static Rule parse(String line) {
            String[] p = line.split(" ", -1);
            if (p.length < 3 || p.length > 4) {
                return null;
            }
            return new Rule(p[0], p[1], p[2].equals("public") ? null : p[2], p.length == 4 ? p[3] : null);
        }

        /** The template's segments, a {@code null} entry for each variable; {@code null} if the rule is malformed. */
        List<String> shape() {
            if (!validMethod(method)) {
                return null;
            }
            List<String> segments = canonicalSegments(template);
            if (segments == null) {
                return null;
            }
            List<String> shape = new ArrayList<>();
            Set<String> names = new HashSet<>();
            boolean variableFound = variable == null;
            for (String s : segments) {
                if (s.length() >= 3 && s.startsWith("{") && s.endsWith("}") && validName(s.substring(1, s.length() - 1))) {
                    String name = s.substring(1, s.length() - 1);
                    if (!names.add(name)) {
                        return null;
                    }
                    variableFound |= name.equals(variable);
                    shape.add(null);
                } else if (s.indexOf('{') >= 0 || s.indexOf('}') >= 0) {
                    return null;
                } else {
                    shape.add(s);
                }
            }
            return variableFound ? shape : null;
        }
    }

    /** What the filter does with a request: refuse it (400), apply a rule, or find none. */
    enum Kind { BAD_REQUEST, PROTECTED, PUBLIC, UNMATCHED }

    private RouteReference() {}

    /** An upper-case token of 1-32 characters: a letter, then letters, digits, {@code _} or {@code -}. */
    static boolean validMethod(String m) {
        if (m == null || m.isEmpty() || m.length() > 32 || m.charAt(0) < 'A' || m.charAt(0) > 'Z') {
            return false;
        }
        return m.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-');
    }

    private static boolean validName(String n) {
        char first = n.isEmpty() ? 0 : n.charAt(0);
        if (n.length() > 32 || !(first >= 'A' && first <= 'Z' || first >= 'a' && first <= 'z')) {
            return false;
        }
        return n.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_');
    }

    /**
     * The segments of a decoded path, or {@code null} if it is not canonical: it starts with
     * {@code /}; no empty segment but a last one (a trailing slash); no {@code .} or {@code ..};
     * no {@code ;}, {@code %}, backslash, control character (below U+0020) or DEL.
     */
    static List<String> canonicalSegments(String path) {
        if (path == null || !path.startsWith("/")) {
            return null;
        }
        for (char c : path.toCharArray()) {
            if (c < 0x20 || c == 0x7F || c == ';' || c == '%' || c == '\\') {
                return null;
            }
        }
        if (path.equals("/")) {
            return List.of();
        }
        List<String> parts = Arrays.asList(path.substring(1).split("/", -1));
        for (int k = 0; k < parts.size(); k++) {
            String p = parts.get(k);
            if (p.isEmpty() && k != parts.size() - 1 || p.equals(".") || p.equals("..")) {
                return null;
            }
        }
        return parts;
    }

    /**
     * Whether a raw request URI is plain (Routes.isPlain's Javadoc): no {@code ;}, backslash or
     * control character; every {@code %} starts an escape of two hex digits, and none escapes
     * {@code / . ; \ %} or a control character; between slashes no {@code .} or {@code ..}, and
     * no empty segment but before the first slash and after the last.
     */
    static boolean plain(String raw) {
        int n = raw.length();
        for (int i = 0; i < n; i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7F || c == ';' || c == '\\') {
                return false;
            }
            if (c == '%') {
                if (i + 2 >= n) {
                    return false;
                }
                int v = Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16);
                if (!isAsciiHex(raw.charAt(i + 1)) || !isAsciiHex(raw.charAt(i + 2))
                        || v < 0x20 || v == 0x7F || "/.;\\%".indexOf(v) >= 0) {
                    return false;
                }
                i += 2;
            }
        }
        String[] parts = raw.split("/", -1);
        for (int k = 0; k < parts.length; k++) {
            if (parts[k].equals(".") || parts[k].equals("..") || parts[k].isEmpty() && k != 0 && k != parts.length - 1) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** Percent-decoding once: each run of {@code %XX} escapes is UTF-8 (malformed input as U+FFFD); any other {@code %} stays. */
    static String decode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isAsciiHex(s.charAt(i + 1)) && isAsciiHex(s.charAt(i + 2))) {
                run.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
                continue;
            }
            flush(run, out);
            out.append(c);
        }
        flush(run, out);
        return out.toString();
    }

    private static void flush(ByteArrayOutputStream run, StringBuilder out) {
        if (run.size() > 0) {
            try {
                out.append(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(run.toByteArray())));
            } catch (CharacterCodingException e) {
                throw new AssertionError(e); // REPLACE never throws
            }
            run.reset();
        }
    }

    /**
     * How a path-normalising server, proxy or framework could read a raw URI path. Each applies some
     * of: percent-decoding (once or twice, before or after the rest), path parameters dropped
     * ({@code ;…} to the end of a segment, as Jetty and Tomcat do), backslash as a separator (IIS,
     * some proxies), empty segments merged ({@code //} to {@code /}, nginx), dot segments removed
     * (RFC 3986 §5.2.4).
     */
    enum Normaliser {
        DECODE_THEN_RESOLVE(true, 1, true, true),
        RESOLVE_THEN_DECODE(false, 1, true, true),
        DOUBLE_DECODE_THEN_RESOLVE(true, 2, true, true),
        PARAMS_AND_DOTS_ONLY(true, 1, false, false);

        private final boolean decodeFirst;
        private final int decodes;
        private final boolean backslash;
        private final boolean mergeSlashes;

        Normaliser(boolean decodeFirst, int decodes, boolean backslash, boolean mergeSlashes) {
            this.decodeFirst = decodeFirst;
            this.decodes = decodes;
            this.backslash = backslash;
            this.mergeSlashes = mergeSlashes;
        }

        /** The segments this server would route on ({@code /} has none, a trailing slash gives a last empty one). */
        List<String> segments(String raw) {
            String p = raw;
            if (decodeFirst) {
                for (int i = 0; i < decodes; i++) {
                    p = decode(p);
                }
            }
            if (backslash) {
                p = p.replace('\\', '/');
            }
            String[] in = (p.startsWith("/") ? p.substring(1) : p).split("/", -1);
            List<String> out = new ArrayList<>();
            for (int k = 0; k < in.length; k++) {
                boolean last = k == in.length - 1;
                String s = in[k];
                int semi = s.indexOf(';');
                if (semi >= 0) {
                    s = s.substring(0, semi);
                }
                if (!decodeFirst) {
                    for (int i = 0; i < decodes; i++) {
                        s = decode(s);
                    }
                    if (s.indexOf('/') >= 0) {
                        // an escaped slash decoded after resolution is part of the segment, not a separator
                        s = s.replace("/", "%2F");
                    }
                }
                if (s.equals(".") || s.equals("..")) {
                    if (s.equals("..") && !out.isEmpty()) {
                        out.remove(out.size() - 1);
                    }
                    if (last) {
                        out.add("");
                    }
                } else if (s.isEmpty() && !last && mergeSlashes) {
                    continue;
                } else {
                    out.add(s);
                }
            }
            if (out.size() == 1 && out.get(0).isEmpty()) {
                return List.of(); // "/" itself
            }
            return out;
        }
    }

    /** A rule table as the Builder would take it: malformed and clashing rules refused. */
    static final class Table {
        final List<Rule> rules = new ArrayList<>();
        final List<List<String>> shapes = new ArrayList<>();

        /** Whether the rule is accepted: well-formed, and no accepted rule of its method has its shape. */
        boolean accepts(Rule r) {
            List<String> shape = r.shape();
            if (shape == null) {
                return false;
            }
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i).method().equals(r.method()) && shapes.get(i).equals(shape)) {
                    return false;
                }
            }
            return true;
        }

        void add(Rule r) {
            rules.add(r);
            shapes.add(r.shape());
        }

        /** The index of the most specific rule for the method and segments, HEAD falling back on GET; -1 for none. */
        int find(String method, List<String> path) {
            int found = first(method, path);
            return found < 0 && method.equals("HEAD") ? first("GET", path) : found;
        }

        boolean anyMatches(List<String> path) {
            for (int i = 0; i < rules.size(); i++) {
                if (matches(shapes.get(i), path)) {
                    return true;
                }
            }
            return false;
        }

        private int first(String method, List<String> path) {
            int best = -1;
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i).method().equals(method) && matches(shapes.get(i), path)) {
                    if (best < 0 || moreSpecific(shapes.get(i), shapes.get(best))) {
                        best = i;
                    } else if (!moreSpecific(shapes.get(best), shapes.get(i))) {
                        throw new AssertionError("two rules equally specific for " + path + ": " + rules.get(best) + ", " + rules.get(i));
                    }
                }
            }
            return best;
        }

        private static boolean matches(List<String> shape, List<String> path) {
            if (shape.size() != path.size()) {
                return false;
            }
            for (int i = 0; i < path.size(); i++) {
                if (shape.get(i) == null ? path.get(i).isEmpty() : !shape.get(i).equals(path.get(i))) {
                    return false;
                }
            }
            return true;
        }

        /** At the first segment where one has a literal and the other a variable, the literal wins. */
        private static boolean moreSpecific(List<String> a, List<String> b) {
            for (int i = 0; i < a.size(); i++) {
                if ((a.get(i) == null) != (b.get(i) == null)) {
                    return a.get(i) != null;
                }
            }
            return false;
        }

        /**
         * What the filter promises for a request whose raw URI and decoded path are these: 400 unless
         * both are canonical, and for a trailing-slash path whose slash-less form has a rule of any
         * method and which has none itself; else the rule's protection, or none.
         */
        Kind decide(String method, String raw, String decoded) {
            List<String> path = plain(raw) ? canonicalSegments(decoded) : null;
            if (path == null) {
                return Kind.BAD_REQUEST;
            }
            int i = find(method, path);
            if (i >= 0) {
                return rules.get(i).permission() == null ? Kind.PUBLIC : Kind.PROTECTED;
            }
            int n = path.size();
            if (n > 0 && path.get(n - 1).isEmpty() && anyMatches(path.subList(0, n - 1))) {
                return Kind.BAD_REQUEST;
            }
            return Kind.UNMATCHED;
        }
    }
}
