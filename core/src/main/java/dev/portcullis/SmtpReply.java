package dev.portcullis;

/**
 * How an {@link AuthResult} is answered over SMTP (RFC 4954 §6, RFC 3463 enhanced codes).
 *
 * @param code e.g. 235, 535
 * @param enhanced e.g. {@code 2.7.0}, {@code 5.7.8}; {@code null} for a {@code 334} challenge
 * @param text a generic text
 */
public record SmtpReply(int code, String enhanced, String text) {
    /**
     * The reply line without CRLF, e.g. {@code 535 5.7.8 Authentication credentials invalid}, or
     * {@code 334 <challenge>} (no enhanced code) during an exchange.
     */
    public String line() {
        return enhanced == null ? code + " " + text : code + " " + enhanced + " " + text;
    }

    /** Whether the client should not retry this session (5xx). */
    public boolean permanent() {
        return code >= 500;
    }
}
