package dev.portcullis.smtp;

import dev.portcullis.Portcullis.Argon2Parameters;
import dev.portcullis.AuthEvent;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeyManager;
import dev.portcullis.Portcullis;
import dev.portcullis.Principal;
import dev.portcullis.spi.CredentialStore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.UnaryOperator;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;
import dev.portcullis.AuthListener;

/** A Portcullis on an in-memory store and a SubEthaSMTP server on it, on 127.0.0.1 and an ephemeral port. */
final class TestServer implements AutoCloseable {
    /** What the application's handler saw of one accepted message. */
    record Delivery(Principal principal, String from, List<String> recipients, byte[] data) {}

    final Portcullis portcullis;
    final SMTPServer server;
    final Queue<AuthEvent> events = new ConcurrentLinkedQueue<>();
    final Queue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    /** Principals the application's handlers were created for. */
    final Queue<Principal> handlersFor = new ConcurrentLinkedQueue<>();
    /** The HELO/EHLO argument each of those handlers saw in its context ({@code "-"} for none). */
    final Queue<String> helos = new ConcurrentLinkedQueue<>();

    TestServer(SmtpOptions options) {
        this(options, UnaryOperator.identity());
    }

    TestServer(SmtpOptions options, UnaryOperator<Portcullis.Builder> core) {
        this(options, core, UnaryOperator.identity());
    }

    /** {@code server} gets the builder after {@link PortcullisSmtp#configure}, for the settings that stay the application's. */
    TestServer(SmtpOptions options, UnaryOperator<Portcullis.Builder> core, UnaryOperator<SMTPServer.Builder> server) {
        portcullis = core.apply(Portcullis.builder()
                        .store(CredentialStore.inMemory())
                        .keyFormat(KeyFormat.withPrefix("kat"))
                        .argon2(new Argon2Parameters(8192, 1, 1))
                        .keyUsernames("api", "SMTP_Injection", "apikey")
                        .listener(events::add)
                        .listener(AuthListener.slf4jAudit()))
                .build();
        this.server = server.apply(PortcullisSmtp.configure(
                        SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress())
                                .hostName("localhost").softwareName("portcullis-test"),
                        portcullis.authenticator(), options, context -> {
                            Principal p = PortcullisSmtp.principal(context).orElseThrow();
                            handlersFor.add(p);
                            helos.add(context.getHelo().orElse("-"));
                            return new Recorder(p);
                        }))
                .build();
        this.server.start(); // throws if it cannot bind: the test fails, never skips
    }

    int port() {
        return server.getPortAllocated();
    }

    KeyManager keys() {
        return portcullis.keys();
    }

    @Override
    public void close() {
        server.stop();
        portcullis.close();
    }

    private final class Recorder implements MessageHandler {
        private final Principal principal;
        private String from;
        private final List<String> recipients = new ArrayList<>();

        Recorder(Principal principal) {
            this.principal = principal;
        }

        @Override
        public void from(String from) {
            this.from = from;
        }

        @Override
        public void recipient(String recipient) {
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream data) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            data.transferTo(out);
            deliveries.add(new Delivery(principal, from, List.copyOf(recipients), out.toByteArray()));
            return null;
        }

        @Override
        public void done() {}
    }
}
