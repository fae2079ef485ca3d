package dev.portcullis.servlet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser for the RFC 8941 List subset the RateLimit fields use: items that are strings,
 * tokens or integers, each with parameters. Anything else throws, so a test fails on a field a
 * real structured-field parser would refuse.
 */
final class StructuredFields {
    record Item(Object value, Map<String, Object> params) {}

    private final String s;
    private int i;

    private StructuredFields(String s) {
        this.s = s;
    }

    static List<Item> parseList(String field) {
        StructuredFields p = new StructuredFields(field);
        List<Item> items = new ArrayList<>();
        p.skip(' ');
        while (p.i < p.s.length()) {
            items.add(p.item());
            p.skipOws();
            if (p.i == p.s.length()) {
                break;
            }
            p.expect(',');
            p.skipOws();
            if (p.i == p.s.length()) {
                throw new IllegalArgumentException("trailing comma in " + field);
            }
        }
        return items;
    }

    private Item item() {
        Object value = bareItem();
        Map<String, Object> params = new LinkedHashMap<>();
        while (i < s.length() && s.charAt(i) == ';') {
            i++;
            skip(' ');
            String key = key();
            Object v = Boolean.TRUE;
            if (i < s.length() && s.charAt(i) == '=') {
                i++;
                v = bareItem();
            }
            params.put(key, v);
        }
        return new Item(value, params);
    }

    private Object bareItem() {
        if (i >= s.length()) {
            throw new IllegalArgumentException("missing item in " + s);
        }
        char c = s.charAt(i);
        if (c == '"') {
            StringBuilder b = new StringBuilder();
            for (i++; ; i++) {
                if (i >= s.length()) {
                    throw new IllegalArgumentException("unterminated string in " + s);
                }
                char d = s.charAt(i);
                if (d == '\\') {
                    d = s.charAt(++i);
                    if (d != '"' && d != '\\') {
                        throw new IllegalArgumentException("bad escape in " + s);
                    }
                } else if (d == '"') {
                    i++;
                    return b.toString();
                } else if (d < 0x20 || d > 0x7E) {
                    throw new IllegalArgumentException("bad string character in " + s);
                }
                b.append(d);
            }
        }
        if (c == '-' || c >= '0' && c <= '9') {
            int start = i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            String digits = s.substring(start, i);
            if (digits.equals("-") || digits.replace("-", "").length() > 15) {
                throw new IllegalArgumentException("bad integer in " + s);
            }
            return Long.parseLong(digits);
        }
        if (Character.isLetter(c) || c == '*') {
            int start = i++;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || ":/!#$%&'*+-.^_`|~".indexOf(s.charAt(i)) >= 0)) {
                i++;
            }
            return s.substring(start, i);
        }
        throw new IllegalArgumentException("unsupported item at " + i + " in " + s);
    }

    private String key() {
        int start = i;
        if (i >= s.length() || !(s.charAt(i) >= 'a' && s.charAt(i) <= 'z' || s.charAt(i) == '*')) {
            throw new IllegalArgumentException("bad key in " + s);
        }
        while (i < s.length() && (s.charAt(i) >= 'a' && s.charAt(i) <= 'z' || Character.isDigit(s.charAt(i)) || "_-.*".indexOf(s.charAt(i)) >= 0)) {
            i++;
        }
        return s.substring(start, i);
    }

    private void expect(char c) {
        if (i >= s.length() || s.charAt(i) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + i + " in " + s);
        }
        i++;
    }

    private void skip(char c) {
        while (i < s.length() && s.charAt(i) == c) {
            i++;
        }
    }

    private void skipOws() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
    }
}
