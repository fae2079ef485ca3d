package dev.portcullis;

/**
 * One SMTP AUTH exchange (RFC 4954), driven through the whole pipeline: throttle, lookup,
 * verify, status, network. Created by {@link Authenticator#sasl}; belongs to one connection and
 * is not thread-safe.
 *
 * <pre>{@code
 * SaslExchange x = auth.sasl("PLAIN", clientIp, tlsActive);
 * SaslStep s = x.respond(initialResponseOrNull);   // the text after "AUTH PLAIN", or null
 * while (!s.done()) {
 *     send("334 " + s.challenge());
 *     s = x.respond(readLine());
 * }
 * send(s.reply().line());                           // 235 2.7.0 …, 535 5.7.8 …, 501 …
 * Principal p = s.result().principal();             // when s.result().allowed()
 * }</pre>
 */
public interface SaslExchange {
    /**
     * The first call takes the initial response as sent after the mechanism name ({@code null} if
     * there was none, {@code "="} for an empty one); each later call takes one client line without
     * its CRLF. Never throws; after the exchange is done, further calls answer a protocol error.
     */
    SaslStep respond(String clientLine);
}
