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
    OUT_OF_SEQUENCE,
    /**
     * An OAUTHBEARER GS2 header (RFC 5801 §4) that is not {@code n} or {@code y}, a comma, an
     * optional {@code a=} authzid and a comma: channel binding asked for, a bad saslname escape.
     */
    GS2_HEADER,
    /** A key/value pair of OAUTHBEARER or XOAUTH2 that breaks RFC 7628 §3.1, or no closing %x01. */
    BAD_KVPAIR,
    /** A key given twice in one OAUTHBEARER or XOAUTH2 message. */
    DUPLICATE_KEY,
    /** No {@code auth} pair, or its value is not {@code Bearer} and a token68. */
    NOT_BEARER,
    /** After an RFC 7628 error challenge, something other than the %x01 the client must send. */
    NOT_DUMMY_RESPONSE
}
