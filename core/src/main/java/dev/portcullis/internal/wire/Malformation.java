package dev.portcullis.internal.wire;

/**
 * Why a credential on the wire was refused as malformed: for audit events and logs. A value
 * never carries any part of the input. On the wire every one of them looks the same.
 */
public enum Malformation {
    /** Longer than the cap (8192 chars for a header value, 12288 for a SASL line), refused before decoding. */
    TOO_LONG,
    /** More than one {@code Authorization} header value. */
    MULTIPLE_VALUES,
    /** {@code Basic} or {@code Bearer} with nothing after it. */
    EMPTY_CREDENTIALS,
    /** The credentials are not a token68 (RFC 9110 §11.2): spaces, commas, auth-params, non-ASCII. */
    BAD_TOKEN68,
    /** Not strict base64: bad length or character, misplaced {@code =}, or non-canonical final bits. */
    BAD_BASE64,
    /** The decoded bytes are not well-formed UTF-8. */
    BAD_UTF8,
    /** A control character (Character.isISOControl) in a user-id, or in a password where the rules forbid it. */
    CONTROL_CHARACTER,
    /** A Basic user-pass without a colon. */
    NO_COLON,
    EMPTY_USERNAME,
    EMPTY_PASSWORD,
    /** A SASL PLAIN message that does not hold exactly two NULs (RFC 4616 §2). */
    NUL_COUNT,
    /** A SASL PLAIN authzid that is neither empty nor the authcid (checklist C17). */
    AUTHZID_MISMATCH,
    /** A SASL exchange called after it ended, or before it started. */
    OUT_OF_SEQUENCE
}
