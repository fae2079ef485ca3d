package dev.portcullis.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.KeyFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code portcullis} command line, run in-process as a user would type it. */
class CliTest {
    private static final Pattern TOKEN = Pattern.compile("pc_[0-9A-Za-z]{50}");

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void scanFindsAPlantedKeyAndNeverPrintsItsSecret(@TempDir Path dir) throws Exception {
        String token = KeyFormat.withPrefix("pc").newToken(); // made now: no key-shaped literal in the repository
        String id = token.substring(3, 15);
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/config.yml"), "mail:\n  host: 127.0.0.1\n  key: \"" + token + "\"\n");
        Files.writeString(dir.resolve("README"), "nothing here, not even pc_tooShort\n");

        Run r = run("scan", dir.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals(dir.resolve("src/config.yml") + ":3:9: Portcullis key " + id + " (the secret is not shown)\n", r.out());
        assertFalse((r.out() + r.err()).contains(token.substring(15, 23)), "no part of the secret is printed");
        assertTrue(r.err().contains("found 1 key"), r.err());

        Files.delete(dir.resolve("src/config.yml"));
        Run clean = run("scan", dir.toString(), dir.resolve("README").toString());
        assertEquals(0, clean.exit(), clean.out() + clean.err());
        assertEquals("", clean.out());
    }

    @Test
    void scanSkipsGitFoldersAndReportsPathsItCannotRead(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve(".git/objects"));
        Files.writeString(dir.resolve(".git/objects/blob"), KeyFormat.withPrefix("pc").newToken());
        assertEquals(0, run("scan", dir.toString()).exit());
        Run missing = run("scan", dir.resolve("nope").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("cannot read"), missing.err());
        Run otherPrefix = run("scan", "--prefix", "mg_live", dir.toString());
        assertEquals(0, otherPrefix.exit(), otherPrefix.err());
        assertEquals(2, run("scan", "--prefix", "Not A Prefix", dir.toString()).exit());
    }

    @Test
    void keysAreCreatedListedRotatedAndRevokedOnTheDataFolder(@TempDir Path dir) {
        String data = dir.resolve("data").toString();
        Run created = run("keys", "create", "--data", data, "--name", "ci", "--grant", "messages:send@example.com",
                "--rate-limit", "10/minute/20", "--expires-in", "P30D");
        assertEquals(0, created.exit(), created.err());
        Matcher m = TOKEN.matcher(created.out());
        assertTrue(m.find(), created.out());
        String id = m.group().substring(3, 15);

        Run listed = run("keys", "list", "--data", data);
        assertEquals(0, listed.exit(), listed.err());
        assertTrue(listed.out().contains(id + "  active"), listed.out());
        assertFalse(TOKEN.matcher(listed.out()).find(), "a listing shows no token");

        Run rotated = run("keys", "rotate", "--data", data, id, "--grace", "PT0S");
        assertEquals(0, rotated.exit(), rotated.err());
        Matcher next = TOKEN.matcher(rotated.out());
        assertTrue(next.find(), rotated.out());
        String successor = next.group().substring(3, 15);

        Run revoked = run("keys", "revoke", "--data", data, successor, "--reason", "test");
        assertEquals(0, revoked.exit(), revoked.err());
        Run afterRevoke = run("keys", "list", "--data", data);
        assertEquals(0, afterRevoke.exit(), afterRevoke.err());
        assertTrue(afterRevoke.out().contains(successor + "  revoked"), afterRevoke.out());

        Run login = run("smtp-credentials", "create", "--data", data, "--username", "app@example.com");
        assertEquals(0, login.exit(), login.err());
        assertTrue(login.out().contains("[messages:send@example.com]"), login.out());

        Run again = run("smtp-credentials", "create", "--data", data, "--username", "app@example.com");
        assertEquals(1, again.exit(), again.out());
        assertOneLine(again.err());
        assertTrue(again.err().startsWith("portcullis: "), again.err());
        assertTrue(again.err().contains("an SMTP login app@example.com already exists"), again.err());
        assertFalse(again.err().contains("Exception"), again.err());

        Run unknown = run("keys", "create", "--data", data, "--grant", "messages:send@nowhere.test");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("unknown domain nowhere.test"), unknown.err());
        Run badLimit = run("keys", "create", "--data", data, "--grant", "messages:send@example.com", "--rate-limit", "fast");
        assertEquals(2, badLimit.exit());
        assertTrue(badLimit.err().contains("--rate-limit"), badLimit.err());
        assertOneLine(badLimit.err());
        Run missing = run("keys", "create", "--data", data);
        assertEquals(2, missing.exit());
        assertOneLine(missing.err());
        assertTrue(missing.err().startsWith("portcullis keys create: Missing required option"), missing.err());
        Run unknownOption = run("keys", "list", "--data", data, "--colour");
        assertEquals(2, unknownOption.exit());
        assertOneLine(unknownOption.err());
        Run notAKey = run("keys", "revoke", "--data", data, "AAAAAAAAAAAA");
        assertEquals(1, notAKey.exit());
        assertOneLine(notAKey.err());
    }

    /** Every CLI error is one line: no stack trace, no usage dump. */
    static void assertOneLine(String err) {
        assertEquals(1, err.lines().count(), err);
        assertFalse(err.contains("\tat "), err);
    }

    @Test
    void aServeThatCannotListenSaysSoInOneLine(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Run r = run("serve", "--data", dir.toString(), "--http-port", Integer.toString(taken.getLocalPort()), "--smtp-port", "0",
                    "--smtps-port", "0");
            assertEquals(1, r.exit(), r.out());
            assertOneLine(r.err());
            assertTrue(r.err().startsWith("portcullis: cannot listen on 127.0.0.1:" + taken.getLocalPort()), r.err());
        }
    }

    /**
     * A running {@code portcullis serve} in its own JVM (H2 shares a database within one JVM, so
     * the lock only shows across processes): key commands on its folder refuse clearly, and a
     * SIGTERM (what Ctrl-C's SIGINT also triggers) stops it through the shutdown hook.
     */
    @Test
    void keyCommandsRefuseAFolderARunningServerHoldsAndTheServerStopsOnASignal(@TempDir Path dir) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process serve = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--data", dir.toString(), "--http-port", "0", "--smtp-port", "0", "--smtps-port", "0")
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null && !line.equals("Stop with Ctrl-C."); ) {
                seen.append(line).append('\n');
            }
            assertTrue(serve.isAlive(), "serve did not start: " + seen);

            Run r = run("keys", "list", "--data", dir.toString());
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.err().contains("is in use by another process"), r.err());

            serve.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve did not stop");
            StringBuilder rest = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                rest.append(line).append('\n');
            }
            assertEquals("Stopped.\n", rest.toString());
        } finally {
            serve.destroyForcibly();
        }
        assertEquals(0, run("keys", "list", "--data", dir.toString()).exit());
    }

    @Test
    void everyCommandHasHelp() {
        List<String[]> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        assertTrue(paths.size() >= 10, "commands: " + paths.size());
        for (String[] path : paths) {
            String[] args = java.util.Arrays.copyOf(path, path.length + 1);
            args[path.length] = "--help";
            Run r = run(args);
            assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: portcullis"), String.join(" ", args) + ": " + r.out());
            assertTrue(r.out().contains("Exit codes:\n  0 "), String.join(" ", args) + ": " + r.out());
            assertTrue(r.out().contains("\n  2 "), String.join(" ", args) + ": " + r.out());
        }
    }

    private static void collect(CommandLine cl, List<String> path, List<String[]> out) {
        out.add(path.toArray(new String[0]));
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> p = new ArrayList<>(path);
                p.add(name);
                collect(sub, p, out);
            }
        });
    }
}
