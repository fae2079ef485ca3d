package dev.portcullis.smtp;

import static dev.portcullis.smtp.Wire.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 24, finding 2: a sender is exactly one RFC 5321 mailbox. With only
 * {@code messages:send@example.com}, address lists, display names and groups once got 250 and
 * were delivered, authorized on the domain after their last {@code @}. Each is now refused before
 * the authenticator is asked; transcripts over a real SubEthaSMTP server and a raw socket.
 */
class SenderSyntaxTest {
    private static final String BAD_SYNTAX = GuardedMessages.BAD_SENDER_SYNTAX.line();

    private final TestServer t = new TestServer(SmtpOptions.builder().startTls(TestTls.server()).build());
    private final IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());

    @AfterEach
    void stop() {
        t.close();
    }

    private Wire authenticated() throws Exception {
        Wire w = Wire.connect(t.port());
        w.ask("EHLO client.test");
        w.startTls();
        w.ask("EHLO client.test");
        assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain("api", key.token())));
        return w;
    }

    /** Sends MAIL FROM with {@code path}, then tries to complete a transaction; returns the MAIL reply. */
    private String trySend(String path) throws Exception {
        try (Wire w = authenticated()) {
            int events = t.events.size();
            String reply = w.ask("MAIL FROM:<" + path + ">");
            assertEquals(events, t.events.size(), "refused before authorization: the authenticator was not asked");
            assertTrue(w.ask("RCPT TO:<someone@elsewhere.test>").startsWith("503"), "no transaction");
            assertTrue(w.ask("DATA").startsWith("503"), "no transaction");
            return reply;
        }
    }

    private void assertNothingDelivered() {
        assertTrue(t.deliveries.isEmpty(), () -> "delivered: " + t.deliveries);
        assertTrue(t.handlersFor.isEmpty(), "the application's handler was never created");
    }

    @Test
    void aSenderListIsRefusedBeforeAuthorization() throws Exception {
        assertEquals(BAD_SYNTAX, trySend("ceo@other.test,x@example.com"));
        assertNothingDelivered();
    }

    @Test
    void aDisplayNameInTheSenderIsRefusedBeforeAuthorization() throws Exception {
        assertEquals(BAD_SYNTAX, trySend("Boss <ceo@other.test>,x@example.com"));
        assertNothingDelivered();
    }

    @Test
    void aGroupSenderIsRefusedBeforeAuthorization() throws Exception {
        assertEquals(BAD_SYNTAX, trySend("grp:ceo@other.test;,x@example.com"));
        assertNothingDelivered();
    }

    @Test
    void commentsSourceRoutesAndATrailingDotAreRefusedBeforeAuthorization() throws Exception {
        for (String path : List.of("x@example.com (ceo@other.test)", "(ceo@other.test)x@example.com",
                "@other.test:x@example.com", "x@example.com.")) {
            String reply = trySend(path);
            // SubEthaSMTP's own RFC 5322 check may answer 553 first; neither is an accept.
            assertTrue(reply.equals(BAD_SYNTAX) || reply.startsWith("553 "), path + ": " + reply);
        }
        assertNothingDelivered();
    }

    @Test
    void oneMailboxInAGrantedDomainIsStillDelivered() throws Exception {
        try (Wire w = authenticated()) {
            assertEquals("250 Ok", w.ask("MAIL FROM:<\"a b\"@example.com> SIZE=100 BODY=8BITMIME"));
            assertEquals("250 Ok", w.ask("RCPT TO:<someone@elsewhere.test>"));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", w.ask("DATA"));
            assertEquals("250 Ok", w.ask("hello\r\n."));
            assertEquals("550 5.7.1 Not authorized to send as this sender", w.ask("MAIL FROM:<x@other.test>"));
        }
        assertEquals("\"a b\"@example.com", t.deliveries.remove().from(), "the handler sees exactly the mailbox");
    }
}
