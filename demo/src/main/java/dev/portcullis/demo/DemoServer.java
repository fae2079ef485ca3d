package dev.portcullis.demo;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeyManager;
import dev.portcullis.KeySpec;
import dev.portcullis.Principal;
import dev.portcullis.smtp.PortcullisSmtp;
import dev.portcullis.servlet.GitHubSecretScanningServlet;
import dev.portcullis.servlet.WebhookNotifier;
import dev.portcullis.smtp.SmtpOptions;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code portcullis serve}: the HTTP API on Jetty and the SMTP submission server, both on one
 * {@link dev.portcullis.Portcullis} over the data folder's H2 store, on loopback only.
 */
final class DemoServer implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    /**
     * @param githubKeysUrl where {@code POST /v1/github/secret-scanning} fetches GitHub's keys
     * @param leakWebhook where leak notices are POSTed ({@link WebhookNotifier}); {@code null} for none
     * @param smtpsPort the port of SMTP submission over implicit TLS (RFC 8314); negative for none
     */
    record Options(Path data, int httpPort, int smtpPort, URI githubKeysUrl, URI leakWebhook, int smtpsPort) {
        Options(Path data, int httpPort, int smtpPort, URI githubKeysUrl, URI leakWebhook) {
            this(data, httpPort, smtpPort, githubKeysUrl, leakWebhook, -1);
        }

        Options(Path data, int httpPort, int smtpPort) {
            this(data, httpPort, smtpPort, GitHubSecretScanningServlet.GITHUB_KEYS_URL, null);
        }
    }

    /** How long a stop waits for SMTP transactions in progress, as Jetty waits for requests. */
    private static final Duration SMTP_GRACE = Duration.ofSeconds(5);

    private static final int MAX_MESSAGE = 10 * 1024 * 1024;

    private final DataFolder data;
    private WebhookNotifier notifier;
    private final Server jetty;
    private final SMTPServer smtp;
    /** Implicit TLS (RFC 8314, "port 465"); {@code null} when not asked for. */
    private final SMTPServer smtps;
    private final int httpPort;
    private final int smtpPort;

    private DemoServer(DataFolder data, Server jetty, SMTPServer smtp, SMTPServer smtps) {
        this.data = data;
        this.jetty = jetty;
        this.smtp = smtp;
        this.smtps = smtps;
        this.httpPort = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
        this.smtpPort = smtp.getPortAllocated();
    }

    /** Starts both servers; on a first start creates the demo's keys and prints them, once. */
    static DemoServer start(Options options, PrintStream out) throws Exception {
        DataFolder data = DataFolder.open(options.data());
        Server jetty = null;
        SMTPServer smtp = null;
        SMTPServer smtps = null;
        try {
            jetty = new Server();
            jetty.setErrorHandler(new JsonErrors.ForServer()); // Jetty's own errors (431, a bad request line) in JSON too
            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
            connector.setHost(HOST);
            connector.setPort(options.httpPort());
            jetty.addConnector(connector);
            // Graceful: on stop, requests in progress finish (their .eml is written) before the connector closes.
            GracefulHandler graceful = new GracefulHandler(MailApi.context(data, options.githubKeysUrl()));
            jetty.setHandler(graceful);
            jetty.setStopTimeout(5000);
            jetty.setStopAtShutdown(false); // Main's shutdown hook stops everything, in order
            try {
                jetty.start();
            } catch (IOException e) {
                throw new IOException("cannot listen on " + HOST + ":" + options.httpPort() + " for HTTP: " + e.getMessage(), e);
            }
            smtp = smtp(data, options.smtpPort(), false);
            try {
                smtp.start();
            } catch (RuntimeException e) {
                throw new IOException("cannot listen on " + HOST + ":" + options.smtpPort() + " for SMTP: " + e.getMessage(), e);
            }
            if (options.smtpsPort() >= 0) {
                smtps = smtp(data, options.smtpsPort(), true);
                try {
                    smtps.start();
                } catch (RuntimeException e) {
                    throw new IOException("cannot listen on " + HOST + ":" + options.smtpsPort() + " for SMTPS: " + e.getMessage(), e);
                }
            }
            // Only once both ports are ours: a start that fails must not make secrets nobody saw.
            Secrets secrets = bootstrap(data);
            DemoServer server = new DemoServer(data, jetty, smtp, smtps);
            if (options.leakWebhook() != null) {
                server.notifier = WebhookNotifier.builder(options.leakWebhook()).build();
                data.notices.to(server.notifier);
            }
            server.banner(out, secrets);
            return server;
        } catch (Exception e) {
            if (smtp != null) {
                smtp.stop();
            }
            if (smtps != null) {
                smtps.stop();
            }
            if (jetty != null) {
                jetty.stop();
            }
            data.close();
            throw e;
        }
    }

    /**
     * SMTP submission: the adapter requires STARTTLS before AUTH (or, with {@code implicitTls}, TLS
     * from the first byte), runs AUTH through the same Portcullis, and authorizes every MAIL FROM
     * domain against the login's grants before a handler below is made.
     */
    private static SMTPServer smtp(DataFolder data, int port, boolean implicitTls) throws Exception {
        SmtpOptions.Builder options = SmtpOptions.builder();
        return PortcullisSmtp.configure(
                        SMTPServer.port(port).bindAddress(InetAddress.getByName(HOST)).hostName("localhost")
                                .softwareName("Portcullis demo").maxMessageSize(MAX_MESSAGE)
                                .connectionTimeout(60, TimeUnit.SECONDS),
                        data.portcullis.authenticator(),
                        (implicitTls ? options.implicitTls(data.tls()) : options.startTls(data.tls())).build(),
                        context -> new ToOutbox(context, data.outbox))
                .build();
    }

    /** One SMTP transaction whose sender Portcullis authorized: its message goes to the outbox as received. */
    private static final class ToOutbox implements MessageHandler {
        private final Principal principal;
        private final Outbox outbox;
        private final List<String> recipients = new ArrayList<>();
        private String from;

        ToOutbox(MessageContext context, Outbox outbox) {
            this.principal = PortcullisSmtp.principal(context).orElseThrow();
            this.outbox = outbox;
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
            String id = Outbox.newId(from.substring(from.lastIndexOf('@') + 1));
            outbox.receive(id, from, recipients, principal.keyId(), data);
            return "Ok: queued as " + id;
        }

        @Override
        public void done() {}
    }

    int httpPort() {
        return httpPort;
    }

    int smtpPort() {
        return smtpPort;
    }

    /** The implicit-TLS port; -1 when there is none. */
    int smtpsPort() {
        return smtps == null ? -1 : smtps.getPortAllocated();
    }

    /** The secrets of a first start; {@code null} on later starts. */
    private record Secrets(IssuedKey admin, IssuedKey sender, IssuedKey smtp) {}

    /** A folder whose account has no credentials yet is new: make the admin key, the sending key and the SMTP login. */
    private static Secrets bootstrap(DataFolder data) {
        KeyManager keys = data.portcullis.keys().changedBy("portcullis serve", "first start");
        if (!keys.list(DataFolder.ACCOUNT, null, 1).items().isEmpty()) {
            return null;
        }
        IssuedKey admin = keys.create(KeySpec.builder().account(DataFolder.ACCOUNT).name("admin")
                .grant("keys:*", "*").grant("domains:*", "*").grant("messages:*", "*").build());
        IssuedKey sender = keys.create(KeySpec.builder().account(DataFolder.ACCOUNT).name("sending")
                .grant("messages:send", DataFolder.DOMAIN).build());
        IssuedKey smtp = keys.createSmtpCredential(KeySpec.builder().account(DataFolder.ACCOUNT)
                .username("postmaster@" + DataFolder.DOMAIN).name("smtp").grant("messages:send", DataFolder.DOMAIN).build());
        return new Secrets(admin, sender, smtp);
    }

    private void banner(PrintStream out, Secrets s) {
        String base = "http://" + HOST + ":" + httpPort;
        out.println("Portcullis demo is running. Data folder: " + data.dir);
        out.println("  HTTP API  " + base + "   (POST /v3/{domain}/messages, GET /v3|v4/domains[/{name}], /v1/keys, GET /healthz)");
        out.println("  leaks     DELETE /v1/keys/self (a key ends itself), POST /v1/leaks (anyone reports one),"
                + " POST /v1/github/secret-scanning (GitHub's partner program)");
        out.println("  SMTP      " + HOST + ":" + smtpPort + "   (submission; STARTTLS, then AUTH PLAIN, LOGIN, OAUTHBEARER or XOAUTH2;"
                + " certificate in " + data.dir.resolve("tls") + ")");
        if (smtps != null) {
            out.println("  SMTPS     " + HOST + ":" + smtpsPort() + "   (submission over implicit TLS, RFC 8314: TLS from the first byte, then AUTH)");
        }
        out.println("  outbox    " + data.outbox.dir + "   (every accepted message as an .eml file; nothing is sent outward)");
        out.println("  audit     " + data.dir.resolve("audit.jsonl") + "   (every decision and key change, one JSON line each)");
        out.println();
        if (s == null) {
            out.println("The keys of account " + DataFolder.ACCOUNT + " were printed at its first start and are not shown again.");
            out.println("List them with GET /v1/keys and the admin key, or stop the server and run: portcullis keys list");
        } else {
            out.println("First start: account " + DataFolder.ACCOUNT + " owns " + DataFolder.DOMAIN
                    + ". Its secrets are shown now, once; only their digests and hashes are stored.");
            out.println();
            out.println("Sending key (messages:send on " + DataFolder.DOMAIN + "): send a message");
            out.println("  curl -sS --user " + shell("api:" + s.sender().token()) + " " + base + "/v3/" + DataFolder.DOMAIN + "/messages \\");
            out.println("    -F from='Demo <postmaster@" + DataFolder.DOMAIN + ">' -F to='you@example.org' \\");
            out.println("    -F subject='Hello from Portcullis' -F text='Sent through the Portcullis demo.'");
            out.println();
            out.println("Admin key (keys:*, domains:*, messages:* on every domain of " + DataFolder.ACCOUNT + "): list the keys");
            out.println("  curl -sS --user " + shell("api:" + s.admin().token()) + " " + base + "/v1/keys");
            out.println();
            out.println("SMTP login " + s.smtp().username() + " (messages:send on " + DataFolder.DOMAIN + "): send a message");
            out.println("  swaks --server " + HOST + ":" + smtpPort + " --tls --auth PLAIN \\");
            out.println("    --auth-user " + shell(s.smtp().username()) + " --auth-password " + shell(s.smtp().password()) + " \\");
            out.println("    --from " + s.smtp().username() + " --to you@example.org \\");
            out.println("    --header 'Subject: Hello over SMTP' --body 'Sent through the Portcullis demo.'");
            if (smtps != null) {
                out.println();
                out.println("Sending key over implicit TLS, as an OAUTHBEARER token (RFC 7628): send a message");
                out.println("  printf 'Subject: Hello over SMTPS\\r\\n\\r\\nSent through the Portcullis demo.\\r\\n' | \\");
                out.println("  curl -sS smtps://" + HOST + ":" + smtpsPort() + " --cacert " + shell(data.dir.resolve("tls").resolve("certificate.pem").toString())
                        + " \\");
                out.println("    --user api: --oauth2-bearer " + shell(s.sender().token()) + " --login-options AUTH=OAUTHBEARER \\");
                out.println("    --mail-from postmaster@" + DataFolder.DOMAIN + " --mail-rcpt you@example.org --upload-file -");
            }
        }
        out.println();
        out.println("Stop with Ctrl-C.");
        out.flush();
    }

    /** Single-quoted for a POSIX shell. */
    static String shell(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Stops accepting, lets HTTP requests and SMTP transactions in progress finish (SMTP sessions
     * between commands get {@code 421 4.3.2}), then closes the store.
     */
    @Override
    public void close() throws IOException {
        try {
            PortcullisSmtp.stop(smtp, SMTP_GRACE);
            if (smtps != null) {
                PortcullisSmtp.stop(smtps, SMTP_GRACE);
            }
            jetty.stop();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("stopping the HTTP server failed", e);
        } finally {
            data.close(); // its last key events reach the notifier before it stops
            if (notifier != null) {
                notifier.close();
            }
        }
    }
}
