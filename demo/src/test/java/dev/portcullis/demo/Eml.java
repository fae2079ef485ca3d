package dev.portcullis.demo;

import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * An outbox {@code .eml} as Jakarta Mail parses it: the envelope headers the outbox wrote, the
 * message's recipients and subject, its text and html bodies, its attachments and inline files
 * by filename with their decoded bytes.
 */
final class Eml {
    final MimeMessage message;
    String text;
    String html;
    final Map<String, byte[]> attachments = new LinkedHashMap<>();
    final Map<String, byte[]> inline = new LinkedHashMap<>();
    final Map<String, String> contentIds = new LinkedHashMap<>();

    private Eml(MimeMessage message) throws MessagingException, IOException {
        this.message = message;
        walk(message);
    }

    /** The file the outbox wrote for the id the API answered: {@code <20250101120000.0a1b2c3d4e5f@example.com>}. */
    static Path file(Path outbox, String id) {
        return outbox.resolve(id.substring(1, id.indexOf('@')) + ".eml");
    }

    static Eml parse(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return new Eml(new MimeMessage(Session.getInstance(new Properties()), in));
        }
    }

    private void walk(Part part) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) part.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                walk(mp.getBodyPart(i));
            }
            return;
        }
        String disposition = part.getDisposition();
        if (Part.ATTACHMENT.equalsIgnoreCase(disposition)) {
            attachments.put(part.getFileName(), bytes(part));
        } else if (Part.INLINE.equalsIgnoreCase(disposition) && part.getFileName() != null) {
            inline.put(part.getFileName(), bytes(part));
            String[] cid = ((BodyPart) part).getHeader("Content-ID");
            contentIds.put(part.getFileName(), cid == null ? null : cid[0]);
        } else if (part.isMimeType("text/plain")) {
            text = (String) part.getContent();
        } else if (part.isMimeType("text/html")) {
            html = (String) part.getContent();
        } else {
            throw new AssertionError("an unexpected part: " + part.getContentType());
        }
    }

    private static byte[] bytes(Part part) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            return in.readAllBytes();
        }
    }

    List<String> to() throws MessagingException {
        return addresses(message.getRecipients(Message.RecipientType.TO));
    }

    List<String> cc() throws MessagingException {
        return addresses(message.getRecipients(Message.RecipientType.CC));
    }

    /** The Bcc header, which a delivered message does not carry. */
    List<String> bccHeader() throws MessagingException {
        return addresses(message.getRecipients(Message.RecipientType.BCC));
    }

    /** Every recipient of the envelope, as the outbox recorded them: to, cc and bcc. */
    List<String> envelopeTo() throws MessagingException {
        String h = message.getHeader("X-Envelope-To", ",");
        return h == null ? List.of() : Arrays.stream(h.split(",")).map(String::strip).toList();
    }

    String from() throws MessagingException {
        return ((InternetAddress) message.getFrom()[0]).getAddress();
    }

    String subject() throws MessagingException {
        return message.getSubject();
    }

    List<String> header(String name) throws MessagingException {
        String[] v = message.getHeader(name);
        return v == null ? List.of() : List.of(v);
    }

    private static List<String> addresses(jakarta.mail.Address[] a) {
        List<String> out = new ArrayList<>();
        if (a != null) {
            for (jakarta.mail.Address x : a) {
                out.add(((InternetAddress) x).getAddress());
            }
        }
        return out;
    }
}
