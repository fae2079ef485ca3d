package dev.portcullis.demo;

import dev.portcullis.IssuedKey;
import dev.portcullis.IssuedPassword;
import dev.portcullis.KeyManager;
import dev.portcullis.KeySpec;
import dev.portcullis.SmtpCredentialSpec;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code portcullis serve}: the HTTP API on Jetty and the SMTP submission server, both on one
 * {@link dev.portcullis.Portcullis} over the data folder's H2 store, on loopback only.
 */
final class DemoServer implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    record Options(Path data, int httpPort, int smtpPort) {}

    private final DataFolder data;
    private final Server jetty;
    private final int httpPort;

    private DemoServer(DataFolder data, Server jetty, int httpPort) {
        this.data = data;
        this.jetty = jetty;
        this.httpPort = httpPort;
    }

    /** Starts both servers; on a first start creates the demo's keys and prints them, once. */
    static DemoServer start(Options options, PrintStream out) throws Exception {
        DataFolder data = DataFolder.open(options.data());
        Server jetty = null;
        try {
            Secrets secrets = bootstrap(data);
            jetty = new Server();
            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
            connector.setHost(HOST);
            connector.setPort(options.httpPort());
            jetty.addConnector(connector);
            // Graceful: on stop, requests in progress finish (their .eml is written) before the connector closes.
            GracefulHandler graceful = new GracefulHandler(MailApi.context(data));
            jetty.setHandler(graceful);
            jetty.setStopTimeout(5000);
            jetty.setStopAtShutdown(false); // Main's shutdown hook stops everything, in order
            try {
                jetty.start();
            } catch (IOException e) {
                throw new IOException("cannot listen on " + HOST + ":" + options.httpPort() + " for HTTP: " + e.getMessage(), e);
            }
            DemoServer server = new DemoServer(data, jetty, connector.getLocalPort());
            server.banner(out, secrets);
            return server;
        } catch (Exception e) {
            if (jetty != null) {
                jetty.stop();
            }
            data.close();
            throw e;
        }
    }

    int httpPort() {
        return httpPort;
    }

    Path dataDir() {
        return data.dir;
    }

    /** The secrets of a first start; {@code null} on later starts. */
    private record Secrets(IssuedKey admin, IssuedKey sender, IssuedPassword smtp) {}

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
        IssuedPassword smtp = keys.createSmtpCredential(SmtpCredentialSpec.builder().account(DataFolder.ACCOUNT)
                .username("postmaster@" + DataFolder.DOMAIN).name("smtp").grant("messages:send", DataFolder.DOMAIN).build());
        return new Secrets(admin, sender, smtp);
    }

    private void banner(PrintStream out, Secrets s) {
        String base = "http://" + HOST + ":" + httpPort;
        out.println("Portcullis demo is running. Data folder: " + data.dir);
        out.println("  HTTP API  " + base + "   (POST /v3/{domain}/messages, GET /v3/domains, /v1/keys, GET /healthz)");
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
            out.println("SMTP login " + s.smtp().username() + " (messages:send on " + DataFolder.DOMAIN + "), password:");
            out.println("  " + s.smtp().password());
        }
        out.println();
        out.println("Stop with Ctrl-C.");
        out.flush();
    }

    /** Single-quoted for a POSIX shell. */
    static String shell(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Stops accepting, lets requests in progress finish, then closes the store. */
    @Override
    public void close() throws Exception {
        try {
            jetty.stop();
        } finally {
            data.close();
        }
    }
}
