package dev.portcullis.jmh;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.smtp.PortcullisSmtp;
import dev.portcullis.smtp.SmtpOptions;
import dev.portcullis.spi.CredentialStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.subethamail.smtp.server.SMTPServer;

/**
 * AUTH PLAIN logins per second over loopback STARTTLS sessions, on a SubEthaSMTP server set up by
 * {@link PortcullisSmtp}. Every operation is a whole session on a new connection (connect,
 * EHLO, STARTTLS, EHLO, AUTH, QUIT), since a session authenticates once:
 * <ul>
 * <li>{@code sessionOnly}: the same session without AUTH, the floor;
 * <li>{@code passwordFirstLogin}: an SMTP credential's first login, one Argon2id verification
 *     (OWASP minimum parameters); a new credential is made before each operation, unmeasured;
 * <li>{@code passwordCachedLogin}: the same login again, served by the login cache (an HMAC);
 * <li>{@code apiKeyLogin}: an API key as the password, a cached record and a SHA-256.
 * </ul>
 * {@code tcpNoDelay} turns Nagle's algorithm off on both ends. SubEthaSMTP leaves it on for
 * accepted sockets; with it on, the TLS handshake's small writes meet delayed ACKs and the
 * session, not AUTH, sets the pace.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class SmtpAuthBenchmark {
    private static final char[] STORE_PASSWORD = "bench-only".toCharArray();

    private Portcullis portcullis;
    private SMTPServer server;
    private SSLContext client;
    private int port;
    private String cachedLogin;
    private String apiKeyLogin;
    private String firstLogin;
    private int serial;

    @Param({"false", "true"})
    public boolean tcpNoDelay;

    @Setup(Level.Trial)
    public void start() throws Exception {
        KeyStore ks = selfSigned();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, STORE_PASSWORD);
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);

        // Failure budgets stay out of the way: every login here succeeds, but be explicit.
        portcullis = Portcullis.builder().store(CredentialStore.inMemory()).keyFormat(KeyFormat.withPrefix("bench"))
                .failureBudgets(Limit.perSecond(1_000_000), Limit.perSecond(1_000_000), Limit.perSecond(1_000_000))
                .build();
        SMTPServer.Builder builder = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress())
                .hostName("localhost").softwareName("bench");
        if (tcpNoDelay) {
            builder.serverSocketFactory(() -> new ServerSocket() {
                @Override
                public Socket accept() throws IOException {
                    Socket s = super.accept();
                    s.setTcpNoDelay(true);
                    return s;
                }
            });
        }
        server = PortcullisSmtp.configure(builder,
                portcullis.authenticator(), SmtpOptions.builder().startTls(serverTls).build(),
                context -> new Discard())
                .build();
        server.start();
        port = server.getPortAllocated();

        IssuedKey login = password();
        cachedLogin = plain(login.username(), login.password());
        IssuedKey key = portcullis.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
        apiKeyLogin = plain("api", key.token());
        check(session(cachedLogin), "235 ");
        check(session(apiKeyLogin), "235 ");
    }

    @Setup(Level.Invocation)
    public void newCredential() {
        IssuedKey p = password();
        firstLogin = plain(p.username(), p.password());
    }

    @TearDown(Level.Trial)
    public void stop() {
        server.stop();
        portcullis.close();
    }

    @Benchmark
    public String sessionOnly() throws IOException {
        return session(null);
    }

    @Benchmark
    public String passwordFirstLogin() throws IOException {
        return check(session(firstLogin), "235 ");
    }

    @Benchmark
    public String passwordCachedLogin() throws IOException {
        return check(session(cachedLogin), "235 ");
    }

    @Benchmark
    public String apiKeyLogin() throws IOException {
        return check(session(apiKeyLogin), "235 ");
    }

    private IssuedKey password() {
        return portcullis.keys().createSmtpCredential(KeySpec.builder().account("acme")
                .username("user" + (serial++) + "@example.com").grant("messages:send", "example.com").build());
    }

    /** One whole session; returns the AUTH reply, or the EHLO reply without AUTH. */
    private String session(String blob) throws IOException {
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), port)) {
            plain.setTcpNoDelay(tcpNoDelay);
            Conversation c = new Conversation(plain);
            c.reply();
            c.ask("EHLO bench.test");
            check(c.ask("STARTTLS"), "220 ");
            SSLSocket tls = (SSLSocket) client.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            tls.setUseClientMode(true);
            tls.startHandshake();
            c = new Conversation(tls);
            String r = c.ask("EHLO bench.test");
            if (blob != null) {
                r = c.ask("AUTH PLAIN " + blob);
            }
            c.ask("QUIT");
            return r;
        }
    }

    private static String check(String reply, String prefix) {
        if (!reply.startsWith(prefix)) {
            throw new IllegalStateException("unexpected reply " + reply);
        }
        return reply;
    }

    private static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** keytool's self-signed EC certificate for 127.0.0.1, made for this run. */
    private static KeyStore selfSigned() throws Exception {
        Path dir = Files.createTempDirectory("portcullis-bench-tls");
        Path file = dir.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "smtp", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", file.toString(),
                "-storetype", "PKCS12", "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, STORE_PASSWORD);
        }
        Files.delete(file);
        Files.delete(dir);
        return ks;
    }

    /** Never used: no session here gets as far as MAIL. */
    private static final class Discard implements org.subethamail.smtp.MessageHandler {
        @Override public void from(String from) {}
        @Override public void recipient(String recipient) {}
        @Override public String data(InputStream data) throws IOException {
            data.transferTo(OutputStream.nullOutputStream());
            return null;
        }
        @Override public void done() {}
    }

    /** Line out, whole reply in. */
    private static final class Conversation {
        private final BufferedReader in;
        private final OutputStream out;

        Conversation(Socket s) throws IOException {
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out = s.getOutputStream();
        }

        String ask(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return reply();
        }

        String reply() throws IOException {
            String l;
            do {
                l = in.readLine();
                if (l == null) {
                    throw new IOException("connection closed");
                }
            } while (l.length() > 3 && l.charAt(3) == '-');
            return l;
        }
    }
}
