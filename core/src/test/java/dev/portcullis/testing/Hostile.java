package dev.portcullis.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Generators of hostile input for the parsers' property tests. */
public final class Hostile {
    /**
     * Characters parsers trip over: the base64 and token68 alphabets, separators, whitespace, NUL,
     * CR, LF, C1 controls, and look-alikes (fullwidth digits and letters, Cyrillic letters, the
     * Kelvin sign, dotted capital I, NBSP, zero-width space, BOM, U+FFFD, lone surrogates).
     */
    public static final String CHARS = "AQRZaqz09+/=-._~:;,\"[]%*_ \t\0\r\n\u0001\u007f\u0085"
            + "\uFF10\uFF11\uFF19\uFF21\uFF41\u0410\u0412\u0421\u0415\u041E\u0430\u0435\u043E\u0440\u0441"
            + "\u212A\u0130\u00A0\u200B\uFEFF\uFFFD\uD800\uDC00\u00E9";

    private Hostile() {
    }

    /** Random hostile text, with huge values now and then. */
    public static Arbitrary<String> strings() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.strings().withChars(CHARS).ofMaxLength(80)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(80)),
                Tuple.of(2, base64OfBytes()),
                Tuple.of(1, huge()));
    }

    /** Base64 of random bytes: invalid UTF-8, NULs and control characters once decoded. */
    public static Arbitrary<String> base64OfBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(64).map(b -> Base64.getEncoder().encodeToString(b));
    }

    /** 8-20 thousand characters, around the 8 KiB and 12 KiB caps. */
    public static Arbitrary<String> huge() {
        return Arbitraries.integers().between(8000, 20000)
                .flatMap(n -> Arbitraries.strings().withChars("QUFB=/ :").ofLength(n));
    }

    /** {@code valid}, then damaged in one of several ways, or left as it is. */
    public static Arbitrary<String> mutated(Arbitrary<String> valid) {
        return Combinators.combine(valid, Arbitraries.integers().between(0, 6),
                Arbitraries.integers().between(0, 10_000), Arbitraries.chars().with(CHARS.toCharArray()))
                .as(Hostile::mutate);
    }

    /** Valid, mutated and random input mixed. */
    public static Arbitrary<String> around(Arbitrary<String> valid) {
        return Arbitraries.frequencyOf(
                Tuple.of(2, valid),
                Tuple.of(5, mutated(valid)),
                Tuple.of(3, strings()));
    }

    /** Base64 of UTF-8 text, for building valid blobs. */
    public static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String mutate(String s, int op, int position, char c) {
        int at = s.isEmpty() ? 0 : position % (s.length() + 1);
        StringBuilder sb = new StringBuilder(s);
        switch (op) {
            case 0 -> sb.insert(at, c);
            case 1 -> {
                if (at < sb.length()) {
                    sb.deleteCharAt(at);
                }
            }
            case 2 -> {
                if (at < sb.length()) {
                    sb.setCharAt(at, c);
                }
            }
            case 3 -> sb.setLength(at);
            case 4 -> sb.insert(at, s, 0, at);
            case 5 -> sb.insert(at, ' ').insert(0, '\t');
            default -> { }
        }
        return sb.toString();
    }
}
