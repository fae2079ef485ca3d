package dev.portcullis.smtp;

import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.DenyReason;
import dev.portcullis.Principal;
import dev.portcullis.SaslExchange;
import dev.portcullis.SaslExchange.SaslStep;
import dev.portcullis.AuthResult.SmtpReply;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

/**
 * AUTH PLAIN, LOGIN, OAUTHBEARER and XOAUTH2, driven through the core's {@link SaslExchange}:
 * parsing, failure budgets, verification, allowlists and events are all the core's. This class only
 * carries lines between SubEthaSMTP and the exchange, and counts failures per connection.
 */
final class SaslAuthentication implements AuthenticationHandlerFactory {
    private static final List<String> MECHANISMS = List.of("PLAIN", "LOGIN", "OAUTHBEARER", "XOAUTH2");
    static final SmtpReply CLOSING = new SmtpReply(421, "4.7.0", "Too many failed authentication attempts, closing connection");

    private final Authenticator authenticator;
    private final int maxFailures;
    /** The server's sessions, for {@link PortcullisSmtp#stop}: the one thing of this adapter a built server hands back. */
    final SessionControl control;
    /** Per connection; SubEthaSMTP makes a new handler for every AUTH command. Weak: sessions just end. */
    private final Map<Session, Connection> connections = Collections.synchronizedMap(new WeakHashMap<>());

    SaslAuthentication(Authenticator authenticator, int maxFailures, SessionControl control) {
        this.authenticator = authenticator;
        this.maxFailures = maxFailures;
        this.control = control;
    }

    /** What one connection's AUTH attempts have earned so far. */
    private static final class Connection {
        int failures;
        boolean overBudget;
    }

    @Override
    public List<String> getAuthenticationMechanisms() {
        return MECHANISMS;
    }

    @Override
    public AuthenticationHandler create() {
        return new Handler();
    }

    private final class Handler implements AuthenticationHandler {
        private SaslExchange exchange;
        private Principal principal;
        /** Whether this exchange's failure was counted: at an RFC 7628 error challenge already, or at its end. */
        private boolean counted;

        @Override
        public Optional<String> auth(String clientInput, MessageContext context) throws RejectException {
            Session session = (Session) context; // the only MessageContext SubEthaSMTP has; it knows TLS
            Connection connection = connections.computeIfAbsent(session, s -> new Connection());
            SaslStep step;
            if (exchange == null) {
                if (connection.overBudget || connection.failures >= maxFailures) {
                    throw close(session);
                }
                // "AUTH <mechanism> [initial-response]"; SubEthaSMTP has checked the mechanism.
                String[] parts = clientInput.trim().split("\\s+", 3);
                exchange = authenticator.sasl(parts[1], session.getRemoteAddress().getAddress(), session.isTLSStarted());
                step = exchange.respond(parts.length > 2 ? parts[2] : null);
            } else {
                step = exchange.respond(clientInput);
            }
            AuthResult result = step.result();
            if (result != null && !result.allowed() && !counted) {
                // Counted when decided: after an OAUTHBEARER error challenge the client's "*" is answered
                // by SubEthaSMTP, and this handler would never see the end of the exchange.
                counted = true;
                DenyReason reason = result.reason();
                if (reason == DenyReason.TOO_MANY_FAILURES) {
                    connection.overBudget = true;
                } else if (reason != DenyReason.BUSY && reason != DenyReason.STORE_UNAVAILABLE) {
                    connection.failures++; // the server's trouble is not the client's failure
                }
            }
            if (!step.done()) {
                return Optional.of(step.reply().line());
            }
            if (result.allowed()) {
                principal = result.principal();
                return Optional.empty(); // SubEthaSMTP answers its own "235 Authentication successful."
            }
            throw reject(step.reply());
        }

        /** The principal once AUTH succeeded; {@link PortcullisSmtp#principal} reads it. */
        @Override
        public Object getIdentity() {
            return principal;
        }
    }

    static RejectException reject(SmtpReply reply) {
        return new RejectException(reply.code(), reply.enhanced() + " " + reply.text());
    }

    /**
     * 421 and close. A RejectException cannot do it here: AuthCommand catches every
     * RejectException (DropConnectionException included), answers it and reads on. So the reply
     * is sent and the session quit first; the exception then only ends the command, and the
     * answer AuthCommand writes for it goes to a closed writer, which drops it.
     */
    private static RejectException close(Session session) {
        try {
            session.sendResponse(CLOSING.line());
        } catch (IOException e) {
            // the client is gone already
        }
        session.quit();
        return reject(CLOSING);
    }
}
