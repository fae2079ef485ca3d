package dev.portcullis.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.KeyFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code portcullis keys report-leak} and {@code portcullis scan --revoke}: revoke what verifies, print key ids only. */
class LeakCliTest {
    private static final Pattern TOKEN = Pattern.compile("pc_[0-9A-Za-z]{50}");

    private static String create(String data) {
        CliTest.Run created = CliTest.run("keys", "create", "--data", data, "--name", "ci", "--grant", "messages:send@example.com");
        assertEquals(0, created.exit(), created.err());
        Matcher m = TOKEN.matcher(created.out());
        assertTrue(m.find(), created.out());
        return m.group();
    }

    private static String status(String data, String id) {
        CliTest.Run list = CliTest.run("keys", "list", "--data", data);
        for (String line : list.out().split("\n")) {
            if (line.startsWith(id)) {
                return line.split("\\s+")[1];
            }
        }
        throw new AssertionError("no key " + id + " in\n" + list.out());
    }

    private static void assertNoSecret(CliTest.Run r, String token) {
        String secret = token.substring(15, 47);
        for (int i = 0; i + 8 <= secret.length(); i++) {
            assertFalse((r.out() + r.err()).contains(secret.substring(i, i + 8)), "part of the secret was printed");
        }
    }

    @Test
    void reportLeakRevokesAVerifiedTokenOnceAndNothingElse(@TempDir Path dir) throws Exception {
        String data = dir.resolve("data").toString();
        String token = create(data);
        String id = KeyFormat.withPrefix("pc").parse(token).keyId();
        String before = status(data, id);

        CliTest.Run forged = CliTest.run("keys", "report-leak", "--data", data, KeyFormat.withPrefix("pc").newToken());
        assertEquals(1, forged.exit());
        assertTrue(forged.err().contains("no key of this data folder"), forged.err());
        assertEquals(before, status(data, id));

        Path file = dir.resolve("leaked.txt");
        Files.writeString(file, token + "\n");
        CliTest.Run r = CliTest.run("keys", "report-leak", "--data", data, "--file", file.toString(), "--source", "pastebin");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Revoked key " + id + ": the token verified; the key is denied from now on.\n", r.out());
        assertNoSecret(r, token);
        assertEquals("revoked", status(data, id));

        CliTest.Run again = CliTest.run("keys", "report-leak", "--data", data, token);
        assertEquals(0, again.exit());
        assertEquals("Key " + id + " was already revoked; nothing changed.\n", again.out());

        assertEquals(2, CliTest.run("keys", "report-leak", "--data", data).exit(), "a token or --file is needed");
        Files.writeString(file, "key: " + token);
        assertEquals(2, CliTest.run("keys", "report-leak", "--data", data, "--file", file.toString()).exit(),
                "a file with more than the token goes to scan --revoke");
    }

    @Test
    void scanRevokeRevokesEveryVerifiedKeyItFindsAndNamesOnlyTheirIds(@TempDir Path dir) throws Exception {
        String data = dir.resolve("data").toString();
        String live = create(data);
        String other = create(data);
        String stranger = KeyFormat.withPrefix("pc").newToken(); // well-formed, not of this folder
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        Files.writeString(src.resolve("app.env"), "MAIL_KEY=" + live + "\n# old: " + stranger + "\n");
        Files.writeString(src.resolve("notes.md"), "nothing to see\n");

        CliTest.Run r = CliTest.run("scan", "--revoke", "--data", data, src.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        String idLive = KeyFormat.withPrefix("pc").parse(live).keyId();
        String idStranger = KeyFormat.withPrefix("pc").parse(stranger).keyId();
        assertEquals(src.resolve("app.env") + ":1:10: Portcullis key " + idLive + " (the secret is not shown): revoked now\n"
                + src.resolve("app.env") + ":2:8: Portcullis key " + idStranger + " (the secret is not shown): not a key of this data folder\n",
                r.out());
        assertTrue(r.err().contains("revoked 1 now"), r.err());
        assertNoSecret(r, live);
        assertEquals("revoked", status(data, idLive));
        assertEquals("active", status(data, KeyFormat.withPrefix("pc").parse(other).keyId()), "a key not in the files stays");

        CliTest.Run again = CliTest.run("scan", "--revoke", "--data", data, src.resolve("app.env").toString());
        assertTrue(again.out().contains(idLive + " (the secret is not shown): already revoked"), again.out());
    }
}
