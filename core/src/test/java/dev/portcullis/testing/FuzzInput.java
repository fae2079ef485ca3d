package dev.portcullis.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * How the fuzz targets read their {@code byte[]} input, so that seed files stay readable text.
 *
 * <ul>
 *   <li>An input is split into <em>fields</em> at each {@code 0xFF} byte (never part of UTF-8, so
 *       it cannot collide with text); each field is decoded as UTF-8, malformed sequences as U+FFFD.
 *   <li>A field that starts with {@code #} stands for the base64 (strict, padded) of the rest of its
 *       raw bytes: the harness encodes it, so the fuzzer mutates decoded SASL messages and Basic
 *       user-pass pairs instead of having to find valid base64 first.
 *   <li>A field that is exactly {@code !} stands for "absent" ({@code null}) where a target allows it.
 *   <li>End-to-end targets may {@linkplain #replace replace} placeholders such as {@code {KEY}} in the
 *       raw bytes (before any base64) with a secret that only exists at run time: the fuzzer can
 *       reach the stages after verification without a secret ever being in a seed, and an allow
 *       without a placeholder is a finding.
 * </ul>
 *
 * Seeds under {@code src/test/resources/.../<Class>Inputs/<method>/} are written in this form.
 */
public final class FuzzInput {
    public static final byte SEPARATOR = (byte) 0xFF;

    private FuzzInput() {
    }

    /** The raw byte fields of {@code data}, split at {@link #SEPARATOR}; at least one (possibly empty). */
    public static List<byte[]> rawFields(byte[] data) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i == data.length || data[i] == SEPARATOR) {
                byte[] f = new byte[i - start];
                System.arraycopy(data, start, f, 0, f.length);
                out.add(f);
                start = i + 1;
            }
        }
        return out;
    }

    /** A field as the text a target sees: {@code #…} base64-encoded, {@code !} as {@code null}, else UTF-8. */
    public static String text(byte[] field) {
        if (field.length == 1 && field[0] == '!') {
            return null;
        }
        if (isBlob(field)) {
            byte[] rest = new byte[field.length - 1];
            System.arraycopy(field, 1, rest, 0, rest.length);
            return Base64.getEncoder().encodeToString(rest);
        }
        return new String(field, StandardCharsets.UTF_8);
    }

    /** Whether a field is a {@code #} blob, which the harness base64-encodes. */
    public static boolean isBlob(byte[] field) {
        return field.length > 0 && field[0] == '#';
    }

    /** {@code data} with every occurrence of the ASCII {@code placeholder} replaced by {@code value}'s UTF-8. */
    public static byte[] replace(byte[] data, String placeholder, String value) {
        byte[] p = placeholder.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(data.length);
        int i = 0;
        while (i < data.length) {
            if (i + p.length <= data.length && java.util.Arrays.equals(data, i, i + p.length, p, 0, p.length)) {
                out.write(v, 0, v.length);
                i += p.length;
            } else {
                out.write(data[i++]);
            }
        }
        return out.toByteArray();
    }

    /** Whether {@code data} holds the ASCII {@code placeholder}. */
    public static boolean contains(byte[] data, String placeholder) {
        byte[] p = placeholder.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + p.length <= data.length; i++) {
            if (java.util.Arrays.equals(data, i, i + p.length, p, 0, p.length)) {
                return true;
            }
        }
        return false;
    }

    /** All fields as text, see {@link #text}. */
    public static List<String> texts(byte[] data) {
        List<String> out = new ArrayList<>();
        for (byte[] f : rawFields(data)) {
            out.add(text(f));
        }
        return out;
    }

    /** The whole input as UTF-8 text, ignoring the field syntax. */
    public static String utf8(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }
}
