package dev.portcullis.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Jakarta Mail (Angus) as a real submission client, over STARTTLS (587) and implicit TLS (465), with
 * PLAIN, LOGIN and XOAUTH2.
 */
class AngusClientTest {

    enum Mode {
        STARTTLS("smtp"), IMPLICIT_TLS("smtps");

        final String protocol;

        Mode(String protocol) {
            this.protocol = protocol;
        }

        SmtpOptions options() {
            SmtpOptions.Builder b = SmtpOptions.builder();
            return (this == STARTTLS ? b.startTls(TestTls.server()) : b.implicitTls(TestTls.server())).build();
        }
    }

    private static Transport connect(Mode mode, int port, String mechanism) throws MessagingException {
        String p = "mail." + mode.protocol + ".";
        Properties props = new Properties();
        props.put(p + "host", "127.0.0.1");
        props.put(p + "port", Integer.toString(port));
        props.put(p + "auth", "true");
        props.put(p + "auth.mechanisms", mechanism);
        props.put(p + "localhost", "client.test");
        props.put(p + "ssl.socketFactory", TestTls.client().getSocketFactory());
        props.put(p + "ssl.checkserveridentity", "true"); // the SAN for 127.0.0.1 is checked
        props.put(p + "connectiontimeout", "10000");
        props.put(p + "timeout", "10000");
        if (mode == Mode.STARTTLS) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        return Session.getInstance(props).getTransport(mode.protocol);
    }

    private static void send(Mode mode, int port, String mechanism, String user, String password, String from)
            throws MessagingException {
        try (Transport transport = connect(mode, port, mechanism)) {
            transport.connect("127.0.0.1", port, user, password);
            MimeMessage m = new MimeMessage((Session) null);
            m.setFrom(new InternetAddress(from));
            m.setRecipient(Message.RecipientType.TO, new InternetAddress("someone@elsewhere.test"));
            m.setSubject("hello");
            m.setText("sent through Portcullis", StandardCharsets.UTF_8.name());
            m.saveChanges();
            transport.sendMessage(m, m.getAllRecipients());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void sendsWithAnSmtpCredentialAndWithAnApiKey(Mode mode) throws Exception {
        try (TestServer t = new TestServer(mode.options())) {
            IssuedKey login = t.keys().createSmtpCredential(KeySpec.builder()
                    .account("acme").username("postmaster@example.com").grant("messages:send", "example.com").build());
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());

            send(mode, t.port(), "PLAIN", login.username(), login.password(), "postmaster@example.com");
            send(mode, t.port(), "LOGIN", "SMTP_Injection", key.token(), "news@example.com"); // SparkPost style
            send(mode, t.port(), "PLAIN", "apikey", key.token(), "news@example.com");       // SendGrid style

            assertEquals(3, t.deliveries.size());
            TestServer.Delivery first = t.deliveries.remove();
            assertEquals(login.id(), first.principal().keyId());
            assertTrue(new String(first.data(), StandardCharsets.UTF_8).contains("sent through Portcullis"));
            assertEquals(key.id(), t.deliveries.remove().principal().keyId());
        }
    }

    /**
     * Angus's XOAUTH2 (off unless named in {@code mail.smtp.auth.mechanisms}) sends
     * {@code user=…^Aauth=Bearer <password>^A^A}: the API key as the bearer token, the user as the
     * authorization identity (a key username or a mailbox the key may send as).
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void sendsWithXoauth2AndAnApiKeyAsTheBearerToken(Mode mode) throws Exception {
        try (TestServer t = new TestServer(mode.options())) {
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            send(mode, t.port(), "XOAUTH2", "api", key.token(), "news@example.com");
            send(mode, t.port(), "XOAUTH2", "news@example.com", key.token(), "news@example.com");
            assertEquals(2, t.deliveries.size());
            assertEquals(key.id(), t.deliveries.remove().principal().keyId());

            IssuedKey revoked = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            t.keys().revoke(revoked.id());
            try (Transport transport = connect(mode, t.port(), "XOAUTH2")) {
                // The error challenge is more than Angus's XOAUTH2 expects: it gives up, as for a 535.
                assertThrows(AuthenticationFailedException.class, () -> transport.connect("127.0.0.1", t.port(), "api", revoked.token()));
            }
            assertEquals(dev.portcullis.DenyReason.REVOKED, t.events.stream().reduce((a, b) -> b).orElseThrow().reason());
            assertEquals(1, t.deliveries.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aWrongPasswordFailsAuthentication(Mode mode) throws Exception {
        try (TestServer t = new TestServer(mode.options())) {
            IssuedKey login = t.keys().createSmtpCredential(KeySpec.builder()
                    .account("acme").username("postmaster@example.com").grant("messages:send", "example.com").build());
            for (String mechanism : new String[] {"PLAIN", "LOGIN"}) {
                try (Transport transport = connect(mode, t.port(), mechanism)) {
                    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                            () -> transport.connect("127.0.0.1", t.port(), login.username(), login.password() + "x"));
                    assertTrue(e.getMessage().startsWith("535 5.7.8"), e.getMessage());
                }
            }
            assertTrue(t.deliveries.isEmpty());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aSenderDomainOutsideTheGrantsIsRefused(Mode mode) throws Exception {
        try (TestServer t = new TestServer(mode.options())) {
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            SMTPSendFailedException e = assertThrows(SMTPSendFailedException.class,
                    () -> send(mode, t.port(), "PLAIN", "api", key.token(), "ceo@bank.test"));
            assertEquals(550, e.getReturnCode());
            assertEquals("550 5.7.1 Not authorized to send as this sender", e.getMessage().trim());
            assertTrue(t.deliveries.isEmpty());
        }
    }
}
