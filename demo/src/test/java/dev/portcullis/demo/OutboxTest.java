package dev.portcullis.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The outbox holds whole messages or none: what Ctrl-C in the middle of a write leaves behind. */
class OutboxTest {

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aMessageWhoseDataBreaksOffLeavesNoFile(@TempDir Path dir) throws Exception {
        Outbox outbox = new Outbox(dir);
        InputStream broken = new InputStream() {
            int sent;

            @Override
            public int read() throws IOException {
                if (sent++ < 100_000) {
                    return 'x';
                }
                throw new IOException("connection reset");
            }
        };
        String id = Outbox.newId("example.com");
        assertThrows(IOException.class, () -> outbox.receive(id, "a@example.com", List.of("b@example.net"), "k", broken));
        assertEquals(List.of(), names(dir));
    }

    @Test
    void aWholeMessageAppearsAtOnceUnderItsId(@TempDir Path dir) throws Exception {
        Outbox outbox = new Outbox(dir);
        String id = Outbox.newId("example.com");
        Path eml = outbox.receive(id, "a@example.com", List.of("b@example.net", "c@example.net"), "key1",
                new java.io.ByteArrayInputStream("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(List.of(eml.getFileName().toString()), names(dir));
        assertEquals(id.substring(1, id.indexOf('@')) + ".eml", eml.getFileName().toString());
        String text = Files.readString(eml);
        assertTrue(text.startsWith("X-Portcullis-Key: key1\r\nX-Envelope-From: <a@example.com>\r\n"
                + "X-Envelope-To: b@example.net, c@example.net\r\nSubject: hi"), text);
    }

    @Test
    void aTemporaryFileLeftByAKilledProcessIsRemovedAtTheNextStart(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(".tmp-20250101000000.0123456789ab"), "half a mess");
        Files.writeString(dir.resolve("20250101000000.ba9876543210.eml"), "a whole message");
        new Outbox(dir);
        assertEquals(List.of("20250101000000.ba9876543210.eml"), names(dir));
    }
}
