package dev.portcullis.smtp;

import static dev.portcullis.smtp.Wire.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.DenyReason;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;

import org.junit.jupiter.api.Test;

/** Implicit TLS, the plaintext opt-in, the sender opt-ins and the options' own rules. */
class TransportsTest {

    @Test
    void implicitTlsOffersAuthAtOnceAndNoStartTls() throws Exception { // RFC 8314
        try (TestServer t = new TestServer(SmtpOptions.builder().implicitTls(TestTls.server()).build())) {
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            try (Wire w = Wire.connectTls(t.port())) {
                String ehlo = w.ask("EHLO client.test");
                assertTrue(ehlo.contains("250-AUTH PLAIN LOGIN"), ehlo);
                assertFalse(ehlo.contains("STARTTLS"), ehlo);
                assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain("api", key.token())));
                assertEquals("250 Ok", w.ask("MAIL FROM:<a@example.com>"));
            }
        }
    }

    @Test
    void plaintextAuthNeedsBothOptIns() throws Exception {
        SmtpOptions plaintext = SmtpOptions.builder().insecurePlaintextAuth().build();
        try (TestServer t = new TestServer(plaintext)) {
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            try (Wire w = Wire.connect(t.port())) {
                String ehlo = w.ask("EHLO client.test");
                assertTrue(ehlo.contains("250-AUTH PLAIN LOGIN"), "offered in the clear: " + ehlo);
                assertFalse(ehlo.contains("STARTTLS"), ehlo);
                assertEquals("538 5.7.11 Encryption required for requested authentication mechanism",
                        w.ask("AUTH PLAIN " + plain("api", key.token())), "the core still refuses");
            }
            assertEquals("TLS_REQUIRED", t.events.peek().detail());
        }
        try (TestServer t = new TestServer(plaintext, Portcullis.Builder::insecureAllowSaslWithoutTls)) {
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            try (Wire w = Wire.connect(t.port())) {
                w.ask("EHLO client.test");
                assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain("api", key.token())));
            }
        }
    }

    @Test
    void nullSendersAndAddressLiteralsOnlyByOptIn() throws Exception {
        SmtpOptions options = SmtpOptions.builder().startTls(TestTls.server()).allowNullSender().allowAddressLiterals().build();
        try (TestServer t = new TestServer(options)) {
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            IssuedKey none = t.keys().create(KeySpec.builder().account("acme").grant("domains:read", "*").build());
            try (Wire w = Wire.connect(t.port())) {
                w.ask("EHLO client.test");
                w.startTls();
                w.ask("EHLO client.test");
                w.ask("AUTH PLAIN " + plain("api", key.token()));
                assertEquals("250 Ok", w.ask("MAIL FROM:<>"));
                assertEquals("250 Ok", w.ask("RSET"));
                assertEquals("250 Ok", w.ask("MAIL FROM:<a@[192.0.2.1]>"));
                assertEquals("250 Ok", w.ask("RSET"));
                assertEquals("501 5.1.7 Bad sender address syntax", w.ask("MAIL FROM:<postmaster>"),
                        "no domain at all: not an RFC 5321 Mailbox");
            }
            try (Wire w = Wire.connect(t.port())) {
                w.ask("EHLO client.test");
                w.startTls();
                w.ask("EHLO client.test");
                w.ask("AUTH PLAIN " + plain("api", none.token()));
                assertEquals("550 5.7.1 Not authorized to send as this sender", w.ask("MAIL FROM:<>"),
                        "still needs messages:send on some domain");
            }
            assertEquals(DenyReason.PERMISSION_DENIED, t.events.stream().reduce((a, b) -> b).orElseThrow().reason());
        }
    }

    @Test
    void optionsAreSetOnceAndNeedATransport() {
        assertThrows(IllegalStateException.class, () -> SmtpOptions.builder().build());
        assertThrows(IllegalStateException.class, () -> SmtpOptions.builder().insecurePlaintextAuth().startTls(TestTls.server()));
        assertThrows(IllegalStateException.class, () -> SmtpOptions.builder().allowNullSender().allowNullSender());
        assertThrows(IllegalArgumentException.class, () -> SmtpOptions.builder().maxFailedAuthPerConnection(2), "E33");
        assertThrows(IllegalStateException.class,
                () -> SmtpOptions.builder().implicitTls(TestTls.server()).proxyProtocolFrom("10.0.0.0/8").build(),
                "SubEthaSMTP reads PROXY headers through the TLS stream");
        for (String bad : new String[] {"10.1.2.3/8", "010.0.0.0/8", "10.0.0.0/33", "10.0.0.0/08", "example.com/24", "", "2001:db8::1/32"}) {
            assertThrows(IllegalArgumentException.class, () -> SmtpOptions.builder().proxyProtocolFrom(bad), bad);
        }
        String shown = SmtpOptions.builder().startTls(TestTls.server()).proxyProtocolFrom("10.0.0.0/8", "::ffff:192.0.2.1", "2001:db8::/32")
                .build().toString();
        assertEquals("SmtpOptions[STARTTLS, PROXY from [10.0.0.0/8, ::ffff:192.0.2.1, 2001:db8::/32]]", shown);
    }
}
