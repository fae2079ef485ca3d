package dev.portcullis;

import dev.portcullis.AuthResult.SmtpReply;
import org.jspecify.annotations.Nullable;

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
     * its CRLF. Never throws; after the exchange is done, further calls answer the last step again
     * (and emit no event).
     */
    SaslStep respond(@Nullable String clientLine);

    /**
     * Where a {@link SaslExchange} stands: either a challenge to send ({@code 334 <challenge>}), or
     * done, with the decision and the reply to send. Immutable; holds no secret.
     */
    public static final class SaslStep {
        private final String challenge;
        private final AuthResult result;
        private final SmtpReply reply;

        private SaslStep(String challenge, AuthResult result, SmtpReply reply) {
            this.challenge = challenge;
            this.result = result;
            this.reply = reply;
        }

        static SaslStep challenge(String base64) {
            return new SaslStep(base64, null, new SmtpReply(334, null, base64));
        }

        static SaslStep done(AuthResult result, SmtpReply reply) {
            return new SaslStep(null, result, reply != null ? reply : result.smtp());
        }

        /** RFC 7628 §3.2.2: the key was refused; the error challenge goes out before the refusal does. */
        static SaslStep failing(String base64, AuthResult denial) {
            return new SaslStep(base64, denial, new SmtpReply(334, null, base64));
        }

        public boolean done() {
            return challenge == null;
        }

        /** The base64 challenge to send after {@code 334 } (empty for PLAIN's empty challenge); {@code null} when done. */
        public @Nullable String challenge() {
            return challenge;
        }

        /**
         * The decision; {@code null} while the exchange goes on, except after an OAUTHBEARER or
         * XOAUTH2 key was refused: then the denial is already here while its error challenge
         * ({@link #challenge()}, RFC 7628 §3.2.2) awaits the client's dummy response, after which
         * the exchange ends with the same denial and no second event.
         */
        public @Nullable AuthResult result() {
            return result;
        }

        /**
         * What to answer: {@code 334 <challenge>} while going on, else the decision's reply, or a
         * protocol reply where RFC 4954 fixes one: {@code 501 5.7.0} for a cancelled exchange,
         * {@code 500 5.5.6} for a line over 12288 octets, {@code 504 5.5.4} for an unknown mechanism,
         * {@code 538 5.7.11} for a mechanism refused without TLS.
         */
        public SmtpReply reply() {
            return reply;
        }

        @Override
        public String toString() {
            return done() ? "SaslStep[done, " + reply.code() + "]" : result != null ? "SaslStep[error challenge]" : "SaslStep[challenge]";
        }
    }
}
