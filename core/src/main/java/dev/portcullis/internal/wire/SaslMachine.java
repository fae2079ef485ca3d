package dev.portcullis.internal.wire;

/**
 * One SASL exchange on an SMTP connection: {@link #start} once with the initial response of
 * {@code AUTH}, then {@link #next} with each client line while the result is a challenge. After a
 * terminal result every call answers {@code MALFORMED OUT_OF_SEQUENCE}; nothing ever throws.
 * Not thread-safe: an exchange belongs to one connection.
 */
public interface SaslMachine {
    /** Begins the exchange; {@code initialResponse} is the text after the mechanism, or {@code null} if none. */
    SaslResult start(String initialResponse);

    /** Feeds the client's answer to the last challenge, without its CRLF. */
    SaslResult next(String clientLine);
}
