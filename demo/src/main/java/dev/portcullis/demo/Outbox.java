package dev.portcullis.demo;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;

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

    /**
     * Writes a message composed from the HTTP API's fields, as Jakarta Mail builds it: the text
     * and html bodies as {@code multipart/alternative}, inline files beside them in
     * {@code multipart/related} (each with {@code Content-ID: <filename>}, for {@code cid:filename}
     * in the html, as Mailgun does), attachments around that in {@code multipart/mixed}. Bcc
     * recipients are in the envelope header only, as a delivered message would not show them;
     * {@code o:tag} and {@code o:testmode} become Mailgun's SMTP headers {@code X-Mailgun-Tag} and
     * {@code X-Mailgun-Drop-Message: yes}. Returns the file.
     */
    Path queue(String id, MessageRequest r, String keyId) throws IOException {
        MimeMessage m;
        try {
            m = compose(id, r);
        } catch (MessagingException e) {
            throw new IOException("cannot compose the message", e);
        }
        String envelope = envelope(keyId, r.from.getAddress(), r.recipients().stream().map(InternetAddress::getAddress).toList());
        return write(id, out -> {
            out.write(envelope.getBytes(StandardCharsets.UTF_8));
            try {
                m.writeTo(out);
            } catch (MessagingException e) {
                throw new IOException("cannot write the message", e);
            }
        });
    }

    private static MimeMessage compose(String id, MessageRequest r) throws MessagingException, IOException {
        MimeMessage m = new MimeMessage(MAIL) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", id); // the id the API answered with, not one Jakarta Mail makes up
            }
        };
        m.setFrom(r.from);
        m.setRecipients(Message.RecipientType.TO, r.to.toArray(new InternetAddress[0]));
        if (!r.cc.isEmpty()) {
            m.setRecipients(Message.RecipientType.CC, r.cc.toArray(new InternetAddress[0]));
        }
        m.setSubject(r.subject, "UTF-8");
        m.setSentDate(new Date());
        for (MessageRequest.Header h : r.headers) {
            m.addHeader(h.name(), MimeUtility.fold(h.name().length() + 2, MimeUtility.encodeText(h.value(), "UTF-8", null)));
        }
        for (String tag : r.tags) {
            m.addHeader("X-Mailgun-Tag", tag);
        }
        if (r.testMode) {
            m.setHeader("X-Mailgun-Drop-Message", "yes");
        }

        MimeMultipart alternative = null;
        if (r.text != null && r.html != null) {
            alternative = new MimeMultipart("alternative");
            alternative.addBodyPart(textPart(r.text, "plain"));
            alternative.addBodyPart(textPart(r.html, "html"));
        }
        if (r.inline.isEmpty() && r.attachments.isEmpty()) {
            if (alternative != null) {
                m.setContent(alternative);
            } else {
                m.setText(r.text != null ? r.text : r.html, "UTF-8", r.text != null ? "plain" : "html");
            }
            m.saveChanges();
            return m;
        }
        MimeBodyPart body;
        if (alternative != null) {
            body = new MimeBodyPart();
            body.setContent(alternative);
        } else {
            body = textPart(r.text != null ? r.text : r.html, r.text != null ? "plain" : "html");
        }
        MimeMultipart outer = null;
        if (!r.inline.isEmpty()) {
            outer = new MimeMultipart("related");
            outer.addBodyPart(body);
            for (MessageRequest.File f : r.inline) {
                MimeBodyPart p = filePart(f, Part.INLINE);
                p.setContentID("<" + f.filename() + ">");
                outer.addBodyPart(p);
            }
        }
        if (!r.attachments.isEmpty()) {
            if (outer != null) {
                body = new MimeBodyPart();
                body.setContent(outer);
            }
            outer = new MimeMultipart("mixed");
            outer.addBodyPart(body);
            for (MessageRequest.File f : r.attachments) {
                outer.addBodyPart(filePart(f, Part.ATTACHMENT));
            }
        }
        m.setContent(outer);
        m.saveChanges();
        return m;
    }

    private static MimeBodyPart textPart(String text, String subtype) throws MessagingException {
        MimeBodyPart p = new MimeBodyPart();
        p.setText(text, "UTF-8", subtype);
        return p;
    }

    private static MimeBodyPart filePart(MessageRequest.File f, String disposition) throws MessagingException {
        MimeBodyPart p = new MimeBodyPart();
        p.setDataHandler(new DataHandler(new ByteArrayDataSource(f.bytes(), f.contentType())));
        p.setDisposition(disposition);
        p.setFileName(f.filename());
        return p;
    }

    private static String envelope(String keyId, String from, List<String> recipients) {
        return "X-Portcullis-Key: " + keyId + "\r\n"
                + "X-Envelope-From: <" + from + ">\r\n"
                + "X-Envelope-To: " + String.join(", ", recipients) + "\r\n";
    }

    /** Writes a message received over SMTP as it came, after a few envelope headers; returns the file. */
    Path receive(String id, String from, List<String> recipients, String keyId, InputStream data) throws IOException {
        String envelope = envelope(keyId, from, recipients);
        return write(id, out -> {
            out.write(envelope.getBytes(StandardCharsets.UTF_8));
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
