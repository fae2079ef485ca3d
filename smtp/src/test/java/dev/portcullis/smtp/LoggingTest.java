package dev.portcullis.smtp;

import static dev.portcullis.smtp.Wire.b64;
import static dev.portcullis.smtp.Wire.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.Session;

/**
 * Credentials stay out of the logs with the documented configuration
 * ({@code src/test/resources/simplelogger.properties}: all DEBUG, SubEthaSMTP's Session INFO),
 * checklist H43; and SubEthaSMTP's Session at DEBUG does echo them, asserted as it is.
 */
class LoggingTest {
    private static final Path LOG = Path.of("target", "smtp-tests.log");

    @Test
    void noSecretReachesTheLogWithTheDocumentedConfiguration() throws Exception {
        assertFalse(LoggerFactory.getLogger(Session.class).isDebugEnabled(), "the documented configuration");
        assertTrue(LoggerFactory.getLogger("org.subethamail.smtp.internal.command.AuthCommand").isDebugEnabled(),
                "while the rest of SubEthaSMTP logs at DEBUG");
        List<String> secrets = new ArrayList<>();
        String keyId;
        try (TestServer t = new TestServer(SmtpOptions.builder().startTls(TestTls.server()).build())) {
            IssuedKey login = t.keys().createSmtpCredential(KeySpec.builder()
                    .account("acme").username("postmaster@example.com").grant("messages:send", "example.com").build());
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            keyId = key.id();
            String wrongKey = key.token().substring(0, 20) + "x".repeat(key.token().length() - 20);
            secrets.add(login.password());
            secrets.add(key.token().substring("kat_".length() + key.id().length())); // the id is public; the rest is not
            String[][] attempts = {
                    {"AUTH PLAIN " + plain(login.username(), login.password())},
                    {"AUTH PLAIN " + plain(login.username(), login.password() + "!")},
                    {"AUTH LOGIN", b64("SMTP_Injection"), b64(key.token())},
                    {"AUTH PLAIN " + plain("api", wrongKey)},
                    {"AUTH PLAIN", plain("apikey", key.token())},
                    {"AUTH OAUTHBEARER " + BearerTranscriptTest.oauthBearer("api", key.token())},
                    {"AUTH OAUTHBEARER " + BearerTranscriptTest.oauthBearer("api", wrongKey), "AQ=="},
                    {"AUTH XOAUTH2", BearerTranscriptTest.xoauth2("postmaster@example.com", key.token())},
                    {"AUTH XOAUTH2 " + BearerTranscriptTest.xoauth2("someone", key.token()), ""},
            };
            for (String[] lines : attempts) {
                for (String l : lines) {
                    secrets.add(l.startsWith("AUTH") ? l.substring(l.lastIndexOf(' ') + 1) : l);
                }
                try (Wire w = Wire.connect(t.port())) {
                    w.ask("EHLO client.test");
                    w.startTls();
                    w.ask("EHLO client.test");
                    for (String l : lines) {
                        w.ask(l);
                    }
                    w.ask("MAIL FROM:<postmaster@example.com>");
                    w.ask("QUIT");
                }
            }
        }
        secrets.removeIf(s -> s.length() < 8 || s.equals("PLAIN") || s.equals("LOGIN") || s.equals("OAUTHBEARER") || s.equals("XOAUTH2"));
        String log = Files.readString(LOG, StandardCharsets.UTF_8);
        assertTrue(log.contains("key_id=" + keyId), "the audit listener logged these attempts: the log is the right one");
        assertTrue(log.contains("Cipher suite"), "and SubEthaSMTP's own DEBUG lines are in it");
        for (String secret : secrets) {
            for (int i = 0; i + 8 <= secret.length(); i++) {
                String window = secret.substring(i, i + 8);
                assertFalse(log.contains(window), "8 characters of a secret are in the log: " + window.substring(0, 2) + "…");
            }
        }
    }

    @Test
    void sessionAtDebugEchoesEveryClientCommandAuthIncluded() throws Exception { // a SubEthaSMTP limit, as it is
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath,
                "-Dorg.slf4j.simpleLogger.log.org.subethamail.smtp.server.Session=debug",
                "-Dorg.slf4j.simpleLogger.logFile=System.err",
                SessionDebugEcho.class.getName())
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        byte[] err;
        String out;
        try {
            java.util.concurrent.CompletableFuture<byte[]> errRead =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe finished");
            err = errRead.get(10, TimeUnit.SECONDS);
        } finally {
            p.destroyForcibly();
        }
        String log = new String(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), log);
        String blob = out.substring(out.lastIndexOf('\n') + 1);
        assertTrue(log.contains("Client: AUTH PLAIN " + blob), "Session's DEBUG line carries the whole SASL blob");
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
