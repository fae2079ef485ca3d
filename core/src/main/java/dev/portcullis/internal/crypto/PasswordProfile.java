package dev.portcullis.internal.crypto;

import java.text.Normalizer;

/**
 * How a human password is prepared before hashing, recorded beside the hash so that enrolment
 * and verification always agree.
 *
 * <p>{@code opaque-v1} is the subset of the PRECIS OpaqueString profile (RFC 8265 §4.2) that
 * needs no ICU: non-ASCII space separators become U+0020, the result is NFC, and a password
 * that is empty or holds a control character is refused (RFC 4616 §2 "verification SHALL fail").
 * Generated API keys are never prepared: they are ASCII and compared byte for byte.
 */
public enum PasswordProfile {
    OPAQUE_V1("opaque-v1"),
    /**
     * No preparation: the password exactly as typed. For hashes imported from systems that hashed
     * the raw UTF-8; a login under it is rehashed with {@link #OPAQUE_V1}.
     */
    RAW("raw");

    private final String id;

    PasswordProfile(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The profile with this stored id, or {@code null} if there is none. */
    public static PasswordProfile byId(String id) {
        for (PasswordProfile p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        return null;
    }

    /** The prepared password, or {@code null} if the profile refuses it. */
    public String prepare(CharSequence password) {
        if (password.length() == 0) {
            return null;
        }
        if (this == RAW) {
            return password.toString();
        }
        StringBuilder sb = null;
        for (int i = 0; i < password.length(); i++) {
            char c = password.charAt(i);
            if (Character.isISOControl(c)) {
                return null;
            }
            if (c > 0x7F && Character.getType(c) == Character.SPACE_SEPARATOR) {
                if (sb == null) {
                    sb = new StringBuilder(password);
                }
                sb.setCharAt(i, ' ');
            }
        }
        CharSequence mapped = sb == null ? password : sb;
        String nfc = Normalizer.normalize(mapped, Normalizer.Form.NFC);
        return nfc.isEmpty() ? null : nfc;
    }
}
