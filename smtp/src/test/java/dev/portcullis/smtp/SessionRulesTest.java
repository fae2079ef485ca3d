package dev.portcullis.smtp;

import static dev.portcullis.smtp.Wire.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SMTP session rules of the checklist that only a whole server shows (E26, E29, E31, E32, K60),
 * as raw-socket transcripts over STARTTLS. SubEthaSMTP's fixed texts are asserted as they are.
 */
class SessionRulesTest {
    private static final String NEED_TLS = "530 5.7.0 Must issue a STARTTLS command first";
    private static final String NEED_AUTH = "530 5.7.0  Authentication required";

    private final TestServer t = new TestServer(SmtpOptions.builder().startTls(TestTls.server()).build());
    private final IssuedKey login = t.keys().createSmtpCredential(KeySpec.builder()
            .account("acme").username("postmaster@example.com").grant("messages:send", "example.com").build());

    @AfterEach
    void stop() {
        t.close();
    }

    private Wire tlsSession() throws Exception {
        Wire w = Wire.connect(t.port());
        w.ask("EHLO client.test");
        w.startTls();
        w.ask("EHLO client.test");
        return w;
    }

    /** E26: AUTH during a mail transaction is 503, reaches nobody, and the transaction goes on under the first AUTH. */
    @Test
    void authDuringAMailTransactionIs503AndTheTransactionGoesOn() throws Exception {
        IssuedKey other = t.keys().create(KeySpec.builder().account("other").grant("messages:send", "other.test").build());
        try (Wire w = tlsSession()) {
            assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain(login.username(), login.password())));
            assertEquals("250 Ok", w.ask("MAIL FROM:<postmaster@example.com>"));
            int events = t.events.size();
            assertEquals("503 Refusing any other AUTH command.", w.ask("AUTH PLAIN " + plain("api", other.token())));
            assertEquals("503 Refusing any other AUTH command.", w.ask("AUTH LOGIN"));
            assertEquals(events, t.events.size(), "neither AUTH reached the core");
            assertEquals("250 Ok", w.ask("RCPT TO:<someone@elsewhere.test>"), "the transaction is still there");
            assertEquals("354 End data with <CR><LF>.<CR><LF>", w.ask("DATA"));
            assertEquals("250 Ok", w.ask("hello\r\n."));
        }
        TestServer.Delivery d = t.deliveries.remove();
        assertEquals(login.id(), d.principal().keyId(), "delivered under the first AUTH, not the refused one");
    }

    /**
     * E29: with STARTTLS required, every command but NOOP, EHLO, STARTTLS and QUIT is
     * {@code 530 5.7.0 Must issue a STARTTLS command first} before the handshake (RFC 3207 §4):
     * the adapter checks TLS before anything else, SubEthaSMTP's authentication check included.
     */
    @Test
    void beforeStartTlsEveryCommandButNoopEhloStartTlsAndQuitIs530() throws Exception {
        List<String> commands = List.of("HELO client.test", "AUTH PLAIN " + plain(login.username(), login.password()), "AUTH LOGIN",
                "MAIL FROM:<postmaster@example.com>", "RCPT TO:<a@elsewhere.test>", "DATA", "BDAT 5 LAST", "RSET",
                "VRFY postmaster", "EXPN staff", "HELP");
        try (Wire w = Wire.connect(t.port())) {
            assertTrue(w.ask("EHLO client.test").startsWith("250-"));
            for (String command : commands) {
                String reply = w.ask(command);
                assertEquals(NEED_TLS, reply, command);
            }
            assertEquals("500 Error: command not implemented", w.ask("FROB"), "an unknown command is 500, as it is after TLS");
            assertEquals("250 Ok", w.ask("NOOP"));
            assertTrue(w.ask("EHLO again.test").startsWith("250-"));
            assertEquals("221 Bye", w.ask("QUIT"));
        }
        assertTrue(t.events.isEmpty(), "nothing reached the core: " + t.events);
        assertTrue(t.handlersFor.isEmpty());
    }

    /** E29: the handshake resets the session; the EHLO name given before it is forgotten. */
    @Test
    void theEhloArgumentGivenBeforeTlsIsDiscarded() throws Exception {
        try (Wire w = Wire.connect(t.port())) {
            w.ask("EHLO before.tls.test");
            w.startTls();
            // no EHLO after the handshake: the session must not still know the one from before
            assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain(login.username(), login.password())));
            assertEquals("250 Ok", w.ask("MAIL FROM:<postmaster@example.com>"));
        }
        try (Wire w = Wire.connect(t.port())) {
            w.ask("EHLO before.tls.test");
            w.startTls();
            w.ask("EHLO after.tls.test");
            assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain(login.username(), login.password())));
            assertEquals("250 Ok", w.ask("MAIL FROM:<postmaster@example.com>"));
        }
        assertEquals(List.of("-", "after.tls.test"), List.copyOf(t.helos));
    }

    /**
     * E31: PIPELINING is not offered, and a client that pipelines anyway gets its replies in order;
     * what follows AUTH in the same packet never runs under a failed AUTH, and after AUTH LOGIN
     * the next line is the SASL response (the client broke RFC 4954 §4), never a command.
     */
    @Test
    void pipeliningIsNotOfferedAndPipelinedAuthAuthorizesNothingAfterAFailure() throws Exception {
        try (Wire w = Wire.connect(t.port())) {
            assertFalse(w.ask("EHLO client.test").contains("PIPELINING"));
            w.startTls();
            String ehlo = w.ask("EHLO client.test");
            assertTrue(ehlo.contains("250-AUTH PLAIN LOGIN"), ehlo);
            assertFalse(ehlo.contains("PIPELINING"), ehlo);
            // The one exception RFC 4954 §4 allows: PLAIN with an initial response, then the transaction.
            w.write("AUTH PLAIN " + plain(login.username(), login.password()) + "\r\nMAIL FROM:<postmaster@example.com>\r\n"
                    + "RCPT TO:<someone@elsewhere.test>\r\n");
            assertEquals("235 Authentication successful.", w.reply());
            assertEquals("250 Ok", w.reply());
            assertEquals("250 Ok", w.reply());
        }
        try (Wire w = tlsSession()) {
            w.write("AUTH PLAIN " + plain(login.username(), "wrong") + "\r\nMAIL FROM:<postmaster@example.com>\r\n"
                    + "RCPT TO:<someone@elsewhere.test>\r\n");
            assertEquals("535 5.7.8 Authentication credentials invalid", w.reply());
            assertEquals(NEED_AUTH, w.reply());
            assertEquals(NEED_AUTH, w.reply());
        }
        try (Wire w = tlsSession()) {
            w.write("AUTH LOGIN\r\nMAIL FROM:<postmaster@example.com>\r\n");
            assertEquals("334 VXNlcm5hbWU6", w.reply());
            assertEquals("501 5.5.2 Syntax error in authentication data", w.reply(), "the MAIL line was read as the username");
            assertEquals("250 Ok", w.ask("NOOP"), "and no reply of it is waiting in the stream");
        }
        assertEquals(1, t.handlersFor.size(), "only the authenticated pipeline reached the application");
    }

    /**
     * E32: {@code MAIL FROM:<…> AUTH=xtext} is accepted, and its value is trusted for nothing: the
     * sender authorized and delivered is the MAIL FROM address. Before AUTH every MAIL is 530
     * (requireAuth), with or without the parameter; never a syntax error.
     */
    @Test
    void theAuthParameterOfMailFromIsAcceptedAndGrantsNothing() throws Exception {
        try (Wire w = tlsSession()) {
            assertEquals(NEED_AUTH, w.ask("MAIL FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com"));
            w.ask("AUTH PLAIN " + plain(login.username(), login.password()));
            assertEquals("550 5.7.1 Not authorized to send as this sender", w.ask("MAIL FROM:<ceo@other.test> AUTH=postmaster@example.com"),
                    "the AUTH= value does not stand in for the sender");
            assertEquals("250 Ok", w.ask("MAIL FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com"), "the RFC 4954 §5 example");
            assertEquals("250 Ok", w.ask("RCPT TO:<someone@elsewhere.test>"));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", w.ask("DATA"));
            assertEquals("250 Ok", w.ask("hello\r\n."));
            assertEquals("250 Ok", w.ask("MAIL FROM:<postmaster@example.com> AUTH=<ceo@other.test>"));
        }
        assertEquals("e=mc2@example.com", t.deliveries.remove().from(), "the application got the MAIL FROM address, not the parameter");
    }

    /**
     * K60: the adapter's own 421 and close (too many failed AUTH) is in StartTlsTranscriptTest; the
     * connection limit stays the application's SubEthaSMTP setting, and configure() keeps it: over
     * it, 421 (SubEthaSMTP's text, no enhanced code) and the connection is closed.
     */
    @Test
    void overTheConnectionLimitIs421AndClose() throws Exception {
        try (TestServer s = new TestServer(SmtpOptions.builder().startTls(TestTls.server()).build(), UnaryOperator.identity(),
                b -> b.maxConnections(1));
                Wire first = Wire.connect(s.port());
                Wire second = Wire.open(s.port())) {
            assertEquals("421 Too many connections, try again later", second.reply());
            assertTrue(second.closedByServer());
            assertEquals("250 Ok", first.ask("NOOP"), "the connection within the limit is untouched");
        }
    }
}
