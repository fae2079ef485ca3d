package dev.portcullis.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.servlet.GitHubSecretScanningServlet;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --smtps-port}: SMTP submission over implicit TLS (RFC 8314), printed in the banner
 * with a curl command that sends with the sending key as an OAUTHBEARER token; the test runs that
 * very command with the real curl (installed by CI; missing, the test fails).
 */
class SmtpsTest {
    @Test
    void thePrintedSmtpsCurlCommandSendsAMessage(@TempDir Path folder) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DemoServer.Options options = new DemoServer.Options(folder, 0, 0, GitHubSecretScanningServlet.GITHUB_KEYS_URL, null, 0);
        try (DemoServer server = DemoServer.start(options, new PrintStream(out, true, StandardCharsets.UTF_8))) {
            String banner = out.toString(StandardCharsets.UTF_8);
            Matcher port = Pattern.compile("SMTPS {5}127\\.0\\.0\\.1:(\\d+) ").matcher(banner);
            assertTrue(port.find(), banner);
            assertEquals(server.smtpsPort(), Integer.parseInt(port.group(1)));
            List<List<String>> curls = Printed.commands(banner, "curl");
            List<String> smtps = curls.stream().filter(c -> c.get(2).startsWith("smtps://")).findFirst().orElseThrow();
            assertEquals("AUTH=OAUTHBEARER", Printed.option(smtps, "--login-options"));

            Process curl = new ProcessBuilder(smtps).redirectErrorStream(true).start();
            try (OutputStream in = curl.getOutputStream()) {
                in.write("Subject: Hello over SMTPS\r\n\r\nSent through the Portcullis demo.\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            String said = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(curl.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, curl.exitValue(), said);
        }
        try (Stream<Path> files = Files.list(folder.resolve("outbox"))) {
            List<Path> eml = files.filter(p -> p.toString().endsWith(".eml")).toList();
            assertEquals(1, eml.size(), eml::toString);
            assertTrue(Files.readString(eml.get(0)).contains("Subject: Hello over SMTPS"));
        }
    }
}
