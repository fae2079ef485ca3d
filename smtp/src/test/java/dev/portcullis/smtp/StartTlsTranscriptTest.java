package dev.portcullis.smtp;

import static dev.portcullis.smtp.Wire.b64;
import static dev.portcullis.smtp.Wire.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.AuthEvent;
import dev.portcullis.DenyReason;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Raw-socket transcripts over STARTTLS, the default transport (checklist E, RFC 4954 and 3207).
 * Replies are asserted byte for byte, SubEthaSMTP's fixed texts included.
 */
class StartTlsTranscriptTest {
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

    @Test
    void ehloOffersStartTlsBeforeTheHandshakeAndAuthOnlyAfterIt() throws Exception { // E28, RFC 3207 §4.2
        try (Wire w = Wire.connect(t.port())) {
            String before = w.ask("EHLO client.test");
            assertEquals("250-localhost\n250-8BITMIME\n250-STARTTLS\n250-CHUNKING\n250-SMTPUTF8\n250 Ok", before);
            w.startTls();
            String after = w.ask("EHLO client.test");
            assertEquals("250-localhost\n250-8BITMIME\n250-CHUNKING\n250-SMTPUTF8\n"
                    + "250-AUTH PLAIN LOGIN OAUTHBEARER XOAUTH2\n250 Ok", after, "no STARTTLS once TLS is on");
            assertEquals("454 TLS not available due to temporary reason: TLS already active", w.ask("STARTTLS"),
                    "a client that sends it anyway gets SubEthaSMTP's refusal");
        }
    }

    @Test
    void authBeforeStartTlsIsRefusedAndNeverReachesTheCore() throws Exception { // E28, E29
        try (Wire w = Wire.connect(t.port())) {
            w.ask("EHLO client.test");
            // RFC 3207 §4 with RFC 3463's code, before any other check (SubEthaSMTP's own reply has no code).
            assertEquals("530 5.7.0 Must issue a STARTTLS command first", w.ask("AUTH PLAIN " + plain(login.username(), login.password())));
            assertEquals("530 5.7.0 Must issue a STARTTLS command first", w.ask("AUTH LOGIN"));
            assertEquals("530 5.7.0 Must issue a STARTTLS command first", w.ask("AUTH OAUTHBEARER"));
            assertEquals("530 5.7.0 Must issue a STARTTLS command first", w.ask("MAIL FROM:<postmaster@example.com>"));
            assertEquals("250 Ok", w.ask("NOOP"));
        }
        assertTrue(t.events.isEmpty(), "no AUTH ran: " + t.events);
    }

    @Test
    void startTlsInjectionIsNeverExecuted() throws Exception { // E30
        try (Wire w = Wire.connect(t.port())) {
            w.ask("EHLO client.test");
            // A man in the middle appends a command to the plaintext STARTTLS, in the same packet.
            w.write("STARTTLS\r\nAUTH PLAIN " + plain(login.username(), login.password()) + "\r\n");
            assertEquals("220 Ready to start TLS", w.reply());
            w.upgrade();
            w.ask("EHLO client.test");
            assertEquals("530 5.7.0  Authentication required", w.ask("MAIL FROM:<postmaster@example.com>"),
                    "the injected AUTH did not authenticate the session");
            assertEquals("250 Ok", w.ask("NOOP"), "and no reply of it is waiting in the stream");
        }
        assertTrue(t.events.isEmpty(), "the injected AUTH never reached the core: " + t.events);
    }

    @Test
    void plainWithInitialResponseThenMailAndData() throws Exception {
        try (Wire w = tlsSession()) {
            // SubEthaSMTP's fixed success text (no enhanced code): a documented limit.
            assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain(login.username(), login.password())));
            assertEquals("250 Ok", w.ask("MAIL FROM:<postmaster@example.com>"));
            assertEquals("250 Ok", w.ask("RCPT TO:<someone@elsewhere.test>"));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", w.ask("DATA"));
            assertEquals("250 Ok", w.ask("Subject: hi\r\n\r\nhello\r\n."));
            assertEquals("221 Bye", w.ask("QUIT"));
        }
        TestServer.Delivery d = t.deliveries.remove();
        assertEquals(login.id(), d.principal().keyId(), "the application's handler knows the principal");
        assertEquals("postmaster@example.com", d.from());
        assertEquals(java.util.List.of("someone@elsewhere.test"), d.recipients());
    }

    @Test
    void plainWithoutInitialResponseAndLoginBothWays() throws Exception { // C, D19, D20
        try (Wire w = tlsSession()) {
            assertEquals("334 ", w.ask("AUTH PLAIN"), "PLAIN's empty challenge keeps its space (E22)");
            assertEquals("235 Authentication successful.", w.ask(plain(login.username(), login.password())));
        }
        try (Wire w = tlsSession()) {
            assertEquals("334 VXNlcm5hbWU6", w.ask("AUTH LOGIN"));
            assertEquals("334 UGFzc3dvcmQ6", w.ask(b64(login.username())));
            assertEquals("235 Authentication successful.", w.ask(b64(login.password())));
        }
        try (Wire w = tlsSession()) {
            assertEquals("334 UGFzc3dvcmQ6", w.ask("AUTH LOGIN " + b64(login.username())), "D20: the initial response is the username");
            assertEquals("235 Authentication successful.", w.ask(b64(login.password())));
        }
        try (Wire w = tlsSession()) {
            assertEquals("235 Authentication successful.", w.ask("auth\tplain  " + plain(login.username(), login.password())),
                    "SubEthaSMTP splits commands on any whitespace, and so does the adapter");
        }
    }

    @Test
    void apiKeysAreThePasswordOfKeyUsernames() throws Exception {
        IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "*.example.com").build());
        for (String user : new String[] {"api", "SMTP_Injection", "apikey"}) {
            try (Wire w = tlsSession()) {
                assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain(user, key.token())), user);
                assertEquals("250 Ok", w.ask("MAIL FROM:<news@mail.example.com>"));
                assertEquals("250 Ok", w.ask("RSET"));
                assertEquals("550 5.7.1 Not authorized to send as this sender", w.ask("MAIL FROM:<news@example.com>"),
                        "*.example.com covers subdomains only");
            }
        }
    }

    @Test
    void cancelBadBase64AndSecondAuth() throws Exception { // E23, E24, E26
        try (Wire w = tlsSession()) {
            assertEquals("334 VXNlcm5hbWU6", w.ask("AUTH LOGIN"));
            // SubEthaSMTP answers "*" itself, with a fixed text and no enhanced code (a documented limit).
            assertEquals("501 Authentication canceled by client.", w.ask("*"));
            assertEquals("501 5.5.2 Syntax error in authentication data", w.ask("AUTH PLAIN =AAA"));
            assertEquals("334 ", w.ask("AUTH PLAIN"));
            assertEquals("501 5.5.2 Syntax error in authentication data", w.ask("AAA=BBB"));
            assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain(login.username(), login.password())),
                    "cancel and two failures later");
            assertEquals("503 Refusing any other AUTH command.", w.ask("AUTH PLAIN " + plain(login.username(), login.password())));
        }
        assertEquals(3, t.events.size(), "cancel never reaches the core; the others are one event each: " + t.events);
    }

    @Test
    void unknownMechanismAndWrongPassword() throws Exception { // E26, E27
        try (Wire w = tlsSession()) {
            assertEquals("504 The requested authentication mechanism is not supported", w.ask("AUTH CRAM-MD5"));
            assertEquals("535 5.7.8 Authentication credentials invalid", w.ask("AUTH PLAIN " + plain(login.username(), "wrong")));
            assertEquals("535 5.7.8 Authentication credentials invalid", w.ask("AUTH PLAIN " + plain("nobody@example.com", "wrong")));
            assertEquals("250 Ok", w.ask("NOOP"));
        }
    }

    @Test
    void theConnectionSurvivesThreeFailuresThenCloses() throws Exception { // E33
        try (Wire w = tlsSession()) {
            assertEquals("535 5.7.8 Authentication credentials invalid", w.ask("AUTH PLAIN " + plain(login.username(), "wrong")));
            assertEquals("501 5.5.2 Syntax error in authentication data", w.ask("AUTH PLAIN QQ"), "unpadded base64 (E24)");
            assertEquals("334 UGFzc3dvcmQ6", w.ask("AUTH LOGIN " + b64("nobody@example.com")));
            assertEquals("535 5.7.8 Authentication credentials invalid", w.ask(b64("wrong")));
            assertEquals("250 Ok", w.ask("NOOP"), "alive after three failed attempts");
            long events = t.events.size();
            assertEquals("421 4.7.0 Too many failed authentication attempts, closing connection",
                    w.ask("AUTH PLAIN " + plain(login.username(), login.password())));
            assertTrue(w.closedByServer());
            assertEquals(events, t.events.size(), "the fourth attempt never reached the core");
        }
    }

    @Test
    void mailFromDomainsAreAuthorized() throws Exception {
        try (Wire w = tlsSession()) {
            assertEquals("530 5.7.0  Authentication required", w.ask("MAIL FROM:<postmaster@example.com>"),
                    "SubEthaSMTP's requireAuth reply, with its double space (a documented limit)");
            w.ask("AUTH PLAIN " + plain(login.username(), login.password()));
            assertEquals("550 5.7.1 Not authorized to send as this sender", w.ask("MAIL FROM:<ceo@other.test>"));
            assertEquals("550 5.7.1 Not authorized to send as this sender", w.ask("MAIL FROM:<x@example.com.evil.test>"));
            assertEquals("550 5.7.1 Not authorized to send as this sender", w.ask("MAIL FROM:<>"), "null sender refused by default");
            assertEquals("550 5.7.1 Not authorized to send as this sender", w.ask("MAIL FROM:<x@[127.0.0.1]>"), "address literal refused");
            assertEquals("503 5.5.1 Error: need MAIL command", w.ask("RCPT TO:<a@b.test>"), "nothing of a refused transaction is left");
            assertEquals("250 Ok", w.ask("MAIL FROM:<Sales@EXAMPLE.com> AUTH=<>"), "domains compare canonically; E32's parameter is read");
        }
        assertEquals(1, t.handlersFor.size(), "the application saw only the authorized transaction");
        AuthEvent denied = t.events.stream().filter(e -> !e.allowed()).findFirst().orElseThrow();
        assertEquals(DenyReason.PERMISSION_DENIED, denied.reason());
    }

    @Test
    void revocationDuringTheSessionStopsTheNextMailFrom() throws Exception {
        try (Wire w = tlsSession()) {
            w.ask("AUTH PLAIN " + plain(login.username(), login.password()));
            assertEquals("250 Ok", w.ask("MAIL FROM:<postmaster@example.com>"));
            assertEquals("250 Ok", w.ask("RSET"));
            t.keys().revoke(login.id());
            assertEquals("535 5.7.8 Authentication credentials invalid", w.ask("MAIL FROM:<postmaster@example.com>"),
                    "DESIGN §4: REVOKED is 535 5.7.8 at MAIL too");
        }
        assertEquals(DenyReason.REVOKED, t.events.stream().reduce((a, b) -> b).orElseThrow().reason());
    }

    @Test
    void suspensionAndGrantChangesMidSessionAreSeenToo() throws Exception {
        IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
        try (Wire w = tlsSession()) {
            w.ask("AUTH PLAIN " + plain("api", key.token()));
            t.keys().suspend("acme");
            assertEquals("535 5.7.8 Authentication credentials invalid", w.ask("MAIL FROM:<a@example.com>"));
            t.keys().resume("acme");
            assertEquals("250 Ok", w.ask("MAIL FROM:<a@example.com>"));
        }
    }

    @Test
    void commandLinesOver998OctetsCloseTheConnection() throws Exception { // SubEthaSMTP limit; E25's 12288 is never reached
        try (Wire w = tlsSession()) {
            assertEquals("501 Input line length is too long!", w.ask("AUTH PLAIN " + "A".repeat(1000)));
            assertTrue(w.closedByServer());
        }
        try (Wire w = tlsSession()) {
            assertEquals("334 ", w.ask("AUTH PLAIN"));
            assertEquals("501 Input line length is too long!", w.ask("A".repeat(1000)), "continuation lines too");
            assertTrue(w.closedByServer());
        }
        assertTrue(t.events.isEmpty(), "neither reached the core: " + t.events);
    }

    /** CPython's Lib/test/test_smtplib.py vectors: sim_auth = ('Mr.A@somewhere.com', 'somepassword'). */
    @Test
    void cpythonSmtplibPlainAndLoginVectorsAuthenticate() throws Exception {
        t.keys().createSmtpCredential(KeySpec.builder().account("acme").username("Mr.A@somewhere.com").password("somepassword")
                .grant("messages:send", "somewhere.com").build());
        try (Wire w = tlsSession()) {
            assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN AE1yLkFAc29tZXdoZXJlLmNvbQBzb21lcGFzc3dvcmQ="));
        }
        try (Wire w = tlsSession()) {
            assertEquals("334 UGFzc3dvcmQ6", w.ask("AUTH LOGIN TXIuQUBzb21ld2hlcmUuY29t"), "the initial response is the username");
            assertEquals("235 Authentication successful.", w.ask(b64("somepassword")));
        }
        try (Wire w = tlsSession()) {
            assertEquals("334 VXNlcm5hbWU6", w.ask("AUTH LOGIN"));
            assertEquals("334 UGFzc3dvcmQ6", w.ask("TXIuQUBzb21ld2hlcmUuY29t"));
            assertEquals("235 Authentication successful.", w.ask(b64("somepassword")));
        }
        try (Wire w = tlsSession()) {
            // PLAIN with the authzid equal to the login is the same identity; another is refused.
            assertEquals("235 Authentication successful.",
                    w.ask("AUTH PLAIN " + b64("Mr.A@somewhere.com\0Mr.A@somewhere.com\0somepassword")));
        }
        try (Wire w = tlsSession()) {
            assertEquals("535 5.7.8 Authentication credentials invalid",
                    w.ask("AUTH PLAIN " + b64("postmaster@somewhere.com\0Mr.A@somewhere.com\0somepassword")));
            assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain("Mr.A@somewhere.com", "somepassword")));
        }
    }
}
