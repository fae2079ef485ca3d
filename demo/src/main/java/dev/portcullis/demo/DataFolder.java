package dev.portcullis.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.Grant;
import dev.portcullis.KeyFormat;
import dev.portcullis.Portcullis;
import dev.portcullis.jdbc.JdbcCredentialStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The demo's state, all in one folder: the H2 database, the pepper, the domains file, the TLS
 * keystore, the outbox and the audit trail. {@code serve} and the CLI commands open it the same
 * way, so they build the same {@link Portcullis}.
 */
final class DataFolder implements AutoCloseable {
    static final String ACCOUNT = "demo";
    static final String DOMAIN = "example.com";
    static final KeyFormat FORMAT = KeyFormat.withPrefix("pc");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    final Path dir;
    final Domains domains;
    final AuditLog audit;
    final Outbox outbox;
    /** Key events for the leak webhook, when {@code serve --leak-webhook} gives one. */
    final LeakEndpoints.Relay notices;
    private final HikariDataSource pool;
    private final JdbcCredentialStore store;
    final Portcullis portcullis;

    private DataFolder(Path dir, Domains domains, AuditLog audit, LeakEndpoints.Relay notices, HikariDataSource pool,
            JdbcCredentialStore store, Portcullis portcullis) throws IOException {
        this.dir = dir;
        this.domains = domains;
        this.audit = audit;
        this.notices = notices;
        this.outbox = new Outbox(dir.resolve("outbox"));
        this.pool = pool;
        this.store = store;
        this.portcullis = portcullis;
    }

    /**
     * Opens (and on first use creates) the folder.
     *
     * @throws IllegalStateException if another process has the database open
     */
    static DataFolder open(Path folder) throws IOException {
        Path dir = folder.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            if (POSIX) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(dir);
            }
        }
        byte[] pepper = secret(dir.resolve("pepper.bin"), 32);
        Domains domains = Domains.load(dir.resolve("domains.properties"));
        AuditLog audit = new AuditLog(dir.resolve("audit.jsonl"));
        LeakEndpoints.Relay notices = new LeakEndpoints.Relay();
        HikariDataSource pool = null;
        JdbcCredentialStore store = null;
        try {
            pool = pool(dir);
            store = JdbcCredentialStore.builder(pool).build();
            Portcullis portcullis = Portcullis.builder()
                    .store(store)
                    .keyFormat(FORMAT)
                    .pepper("p1", pepper)
                    .resourceOwners(domains::ownerOf)
                    .listener(audit)
                    .listener(notices)
                    .build();
            return new DataFolder(dir, domains, audit, notices, pool, store, portcullis);
        } catch (RuntimeException | IOException e) {
            if (store != null) {
                store.close();
            }
            if (pool != null) {
                pool.close();
            }
            audit.close();
            if (inUse(e)) {
                throw new IllegalStateException("the data folder " + dir + " is in use by another process (a running"
                        + " `portcullis serve`?): stop it first, or manage keys over HTTP with the admin key", e);
            }
            throw e;
        }
    }

    private static HikariDataSource pool(Path dir) {
        HikariConfig config = new HikariConfig();
        // DB_CLOSE_ON_EXIT=FALSE: our shutdown hook closes the pool after the last usage flush; H2's own hook would race it.
        config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("portcullis") + ";DB_CLOSE_ON_EXIT=FALSE");
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(1000); // a request waits at most this long for a connection (docs/integration-jdbc.md)
        config.setPoolName("portcullis-demo");
        return new HikariDataSource(config);
    }

    /** H2 error 90020: "Database may be already in use", the file lock of another process. */
    private static boolean inUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getErrorCode() == 90020) {
                return true;
            }
        }
        return false;
    }

    /** A server TLS context for STARTTLS, from the keystore made at first start (see {@link #ensureKeystore}). */
    SSLContext tls() throws IOException, GeneralSecurityException {
        Path tlsDir = dir.resolve("tls");
        Path keystore = tlsDir.resolve("keystore.p12");
        char[] password = ensureKeystore(tlsDir, keystore);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    /**
     * A self-signed certificate for 127.0.0.1 and localhost, made once with the JDK's keytool. The
     * random store password lives beside it, readable by the owner only, and reaches keytool
     * through its environment, never its command line (which {@code ps} shows).
     */
    private static char[] ensureKeystore(Path tlsDir, Path keystore) throws IOException, GeneralSecurityException {
        Files.createDirectories(tlsDir);
        Path passwordFile = tlsDir.resolve("keystore.password");
        if (!Files.exists(passwordFile)) {
            byte[] raw = new byte[24];
            new SecureRandom().nextBytes(raw);
            writeOwnerOnly(passwordFile, Base64.getUrlEncoder().withoutPadding().encodeToString(raw).getBytes(StandardCharsets.US_ASCII));
        }
        char[] password = Files.readString(passwordFile, StandardCharsets.US_ASCII).strip().toCharArray();
        if (Files.exists(keystore)) {
            return password;
        }
        Path tmp = tlsDir.resolve("keystore.p12.tmp");
        Files.deleteIfExists(tmp);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        ProcessBuilder pb = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "smtp",
                "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", tmp.toString(), "-storepass:env", "PORTCULLIS_STOREPASS")
                .redirectErrorStream(true);
        pb.environment().put("PORTCULLIS_STOREPASS", new String(password));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
        restrict(tmp);
        Files.move(tmp, keystore, StandardCopyOption.ATOMIC_MOVE);
        // The certificate alone, for clients that want to verify the server (swaks --tls-ca-path, a mail client).
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password);
        }
        Certificate cert = ks.getCertificate("smtp");
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        Files.writeString(tlsDir.resolve("certificate.pem"), pem, StandardCharsets.US_ASCII);
        return password;
    }

    /** Reads a secret file, or creates it with {@code length} random bytes, readable by the owner only. */
    private static byte[] secret(Path file, int length) throws IOException {
        if (Files.exists(file)) {
            byte[] b = Files.readAllBytes(file);
            if (b.length != length) {
                throw new IOException(file + " should hold " + length + " bytes, it has " + b.length);
            }
            return b;
        }
        byte[] b = new byte[length];
        new SecureRandom().nextBytes(b);
        writeOwnerOnly(file, b);
        return b;
    }

    /** Writes a file that only its owner can read, whole or not at all. */
    private static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (POSIX) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        Files.write(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void restrict(Path file) throws IOException {
        if (POSIX) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Override
    public void close() {
        portcullis.close(); // flushes usage into the store first
        store.close();
        pool.close();
        audit.close();
    }

    /**
     * Which account owns which domain: {@code domains.properties}, read at start. A subdomain
     * belongs to the owner of its parent, so {@code *.example.com} grants are usable too.
     */
    static final class Domains {
        private final Map<String, String> owners;

        private Domains(Map<String, String> owners) {
            this.owners = owners;
        }

        static Domains load(Path file) throws IOException {
            if (!Files.exists(file)) {
                Files.writeString(file, "# domain = the account that owns it (and its subdomains); read when portcullis starts\n"
                        + DOMAIN + " = " + ACCOUNT + "\n", StandardCharsets.UTF_8);
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            Map<String, String> owners = new TreeMap<>();
            for (String name : p.stringPropertyNames()) {
                String domain = Grant.canonicalResource(name);
                String account = p.getProperty(name).strip();
                if (domain == null || account.isEmpty()) {
                    throw new UncheckedIOException(new IOException(file + ": not a domain = account line: " + name));
                }
                owners.put(domain, account);
            }
            return new Domains(owners);
        }

        /** The owning account of a canonical domain or of a parent of it; {@code null} if none (then access is denied). */
        String ownerOf(String resource) {
            for (String d = resource; d != null; ) {
                String owner = owners.get(d);
                if (owner != null) {
                    return owner;
                }
                int dot = d.indexOf('.');
                d = dot < 0 ? null : d.substring(dot + 1);
            }
            return null;
        }

        /** The domains of an account, sorted. */
        List<String> of(String account) {
            List<String> out = new ArrayList<>();
            owners.forEach((d, a) -> {
                if (a.equals(account)) {
                    out.add(d);
                }
            });
            return out;
        }
    }
}
