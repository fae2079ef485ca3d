package dev.portcullis.demo;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * Where accepted messages go: one {@code .eml} file each, and nothing is ever sent outward. A
 * message is written to a hidden temporary file, forced to disk and then renamed, so a crash or
 * Ctrl-C leaves either the whole {@code .eml} or none (a stray temporary file is removed at the
 * next start).
 */
final class Outbox {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Session MAIL = Session.getInstance(new Properties());

    final Path dir;

    Outbox(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, ".tmp-*")) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A Mailgun-style message id, {@code <20250101120000.1a2b3c4d5e6f@example.com>}: unique, sortable by time. */
    static String newId(String domain) {
        byte[] r = new byte[6];
        RANDOM.nextBytes(r);
        return "<" + ZonedDateTime.now(ZoneOffset.UTC).format(STAMP) + "." + HexFormat.of().formatHex(r) + "@" + domain + ">";
    }

    /** Writes a message composed from the HTTP API's fields; returns the file. */
    Path queue(String id, InternetAddress from, List<InternetAddress> to, String subject, String text, String keyId)
            throws IOException {
        try {
            MimeMessage m = new MimeMessage(MAIL) {
                @Override
                protected void updateMessageID() throws MessagingException {
                    setHeader("Message-ID", id); // the id the API answered with, not one Jakarta Mail makes up
                }
            };
            m.setFrom(from);
            m.setRecipients(Message.RecipientType.TO, to.toArray(new InternetAddress[0]));
            m.setSubject(subject, "UTF-8");
            m.setSentDate(new Date());
            m.setText(text, "UTF-8");
            m.setHeader("X-Portcullis-Key", keyId);
            m.saveChanges();
            return write(id, out -> {
                try {
                    m.writeTo(out);
                } catch (MessagingException e) {
                    throw new IOException("cannot write the message", e);
                }
            });
        } catch (MessagingException e) {
            throw new IOException("cannot compose the message", e);
        }
    }

    /** Writes a message received over SMTP as it came, after a few envelope headers; returns the file. */
    Path receive(String id, String from, List<String> recipients, String keyId, InputStream data) throws IOException {
        String envelope = "X-Portcullis-Key: " + keyId + "\r\n"
                + "X-Envelope-From: <" + from + ">\r\n"
                + "X-Envelope-To: " + String.join(", ", recipients) + "\r\n";
        return write(id, out -> {
            out.write(envelope.getBytes(StandardCharsets.US_ASCII));
            data.transferTo(out);
        });
    }

    private interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private Path write(String id, Body body) throws IOException {
        String name = id.substring(1, id.indexOf('@')); // "20250101120000.1a2b3c4d5e6f": digits, a dot and hex only
        Path tmp = dir.resolve(".tmp-" + name);
        Path eml = dir.resolve(name + ".eml");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                BufferedOutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch)) {
                    @Override
                    public void close() throws IOException {
                        flush(); // a message writer may close what it is given; the channel closes below
                    }
                };
                body.writeTo(out);
                out.flush();
                ch.force(true); // on disk before the rename makes it visible
            }
            Files.move(tmp, eml, StandardCopyOption.ATOMIC_MOVE);
            return eml;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
