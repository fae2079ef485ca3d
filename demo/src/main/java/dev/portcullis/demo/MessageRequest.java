package dev.portcullis.demo;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.ParseException;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One message as {@code POST /v3/{domain}/messages} gives it, Mailgun's fields checked: what the
 * demo takes is read whole, and anything else is refused with a message that names the field,
 * never dropped. Every problem is an {@link IllegalArgumentException} whose message is the 400's.
 *
 * <p>Fields: {@code from} (one address, at the URL's domain), {@code to} (required), {@code cc},
 * {@code bcc} (each repeatable and comma-separated), {@code subject}, {@code text} and/or
 * {@code html}, {@code attachment} and {@code inline} (file parts), {@code h:X-…} and
 * {@code h:Reply-To} headers, {@code o:tag} (up to 3) and {@code o:testmode}.
 */
final class MessageRequest {
    /** Mailgun's own limits: 1,000 recipients, 3 tags of at most 128 characters. */
    static final int MAX_RECIPIENTS = 1000;
    static final int MAX_TAGS = 3;
    static final int MAX_TAG_LENGTH = 128;

    static final String SUPPORTED = "from, to, cc, bcc, subject, text, html, attachment, inline, h:X-…, h:Reply-To, o:tag, o:testmode";

    /** {@code h:X-Name}: an extension header; its name is letters, digits and dashes. */
    private static final Pattern X_HEADER = Pattern.compile("X-[A-Za-z0-9][A-Za-z0-9-]{0,75}");
    private static final Set<String> SINGLE = Set.of("from", "subject", "text", "html", "o:testmode");

    /** A file part: its name as sent (without any folder), its media type and its bytes. */
    record File(String filename, String contentType, byte[] bytes) {}

    /** A header to add, as {@code h:NAME} gave it. */
    record Header(String name, String value) {}

    final InternetAddress from;
    final List<InternetAddress> to;
    final List<InternetAddress> cc;
    final List<InternetAddress> bcc;
    final String subject;
    final String text;
    final String html;
    final List<File> attachments;
    final List<File> inline;
    final List<Header> headers;
    final List<String> tags;
    final boolean testMode;

    private MessageRequest(Fields f, String domain) {
        this.from = one("from", f);
        String sender = from.getAddress();
        if (!sender.toLowerCase(Locale.ROOT).endsWith("@" + domain)) {
            throw new IllegalArgumentException("from: must be an address at " + domain + ", not " + sender);
        }
        this.to = addresses("to", f);
        if (to.isEmpty()) {
            throw new IllegalArgumentException("missing field: to");
        }
        this.cc = addresses("cc", f);
        this.bcc = addresses("bcc", f);
        if (to.size() + cc.size() + bcc.size() > MAX_RECIPIENTS) {
            throw new IllegalArgumentException("to, cc, bcc: at most " + MAX_RECIPIENTS + " recipients in all");
        }
        this.subject = f.single("subject");
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("missing field: subject");
        }
        oneLine("subject", subject);
        this.text = emptyToNull(f.single("text"));
        this.html = emptyToNull(f.single("html"));
        if (text == null && html == null) {
            throw new IllegalArgumentException("missing field: text or html (one of them, or both)");
        }
        this.attachments = f.files("attachment");
        this.inline = f.files("inline");
        this.headers = new ArrayList<>();
        for (String name : f.names) {
            if (name.startsWith("h:")) {
                for (String value : f.text(name)) {
                    oneLine(name, value);
                    headers.add(new Header(name.substring(2), value.strip()));
                }
            }
        }
        this.tags = new ArrayList<>();
        for (String tag : f.text("o:tag")) {
            if (tag.isEmpty() || tag.length() > MAX_TAG_LENGTH || !tag.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
                throw new IllegalArgumentException("o:tag: 1 to " + MAX_TAG_LENGTH + " printable ASCII characters, not \"" + clip(tag) + "\"");
            }
            tags.add(tag);
        }
        if (tags.size() > MAX_TAGS) {
            throw new IllegalArgumentException("o:tag: at most " + MAX_TAGS + " tags per message, not " + tags.size());
        }
        String testmode = f.single("o:testmode");
        this.testMode = testmode != null && yesNo("o:testmode", testmode);
    }

    /**
     * Reads and checks the request's form ({@code multipart/form-data} or
     * {@code application/x-www-form-urlencoded}) for a message from {@code domain}.
     *
     * @throws IllegalArgumentException for a field that is missing, malformed or not supported
     * @throws IllegalStateException when the form is over the container's limits
     */
    static MessageRequest read(HttpServletRequest req, String domain) throws IOException {
        if (req.getQueryString() != null) {
            throw new IllegalArgumentException("send the fields in the request body, not in the URL's query string");
        }
        return new MessageRequest(Fields.of(req), domain);
    }

    /** The fields of a form in the order sent: the text values, and the file parts of multipart forms. */
    private static final class Fields {
        final Set<String> names = new LinkedHashSet<>();
        final Map<String, List<String>> text = new LinkedHashMap<>();
        final Map<String, List<File>> files = new LinkedHashMap<>();

        static Fields of(HttpServletRequest req) throws IOException {
            Fields f = new Fields();
            String type = req.getContentType();
            if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
                Collection<Part> parts;
                try {
                    parts = req.getParts(); // also makes the parts without a filename request parameters
                } catch (ServletException | IOException e) {
                    throw new IllegalArgumentException("the body is not a well-formed multipart/form-data form");
                }
                for (Part p : parts) {
                    f.names.add(p.getName());
                    if (p.getSubmittedFileName() != null) {
                        f.files.computeIfAbsent(p.getName(), k -> new ArrayList<>()).add(file(p));
                    }
                }
            } else if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                throw new IllegalArgumentException("Content-Type: multipart/form-data or application/x-www-form-urlencoded, not " + clip(type));
            } else {
                f.names.addAll(java.util.Collections.list(req.getParameterNames()));
            }
            for (String name : f.names) {
                String[] values = req.getParameterValues(name);
                if (values != null) {
                    f.text.put(name, List.of(values));
                }
            }
            for (String name : f.names) {
                check(name, f);
            }
            return f;
        }

        /** Refuses what the demo does not take, naming it, before any value is read. */
        private static void check(String name, Fields f) {
            boolean file = name.equals("attachment") || name.equals("inline");
            boolean known = file || name.equals("to") || name.equals("cc") || name.equals("bcc") || name.equals("o:tag")
                    || SINGLE.contains(name) || name.startsWith("h:");
            if (!known) {
                throw new IllegalArgumentException(clip(name) + ": not supported by the Portcullis demo (it takes " + SUPPORTED + ")");
            }
            if (name.startsWith("h:")) {
                String header = name.substring(2);
                if (!header.equals("Reply-To") && !X_HEADER.matcher(header).matches()) {
                    throw new IllegalArgumentException(clip(name) + ": the demo takes h:X-… headers (letters, digits, dashes) and h:Reply-To");
                }
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("x-portcullis-") || lower.startsWith("x-envelope-")) {
                    throw new IllegalArgumentException(clip(name) + ": X-Portcullis-… and X-Envelope-… are the outbox's own headers");
                }
            }
            if (file && f.text.containsKey(name)) {
                throw new IllegalArgumentException(name + ": must be a file part (multipart/form-data with a filename)");
            }
            if (!file && f.files.containsKey(name)) {
                throw new IllegalArgumentException(clip(name) + ": must be a text field, not a file");
            }
            if (SINGLE.contains(name) && f.text.getOrDefault(name, List.of()).size() > 1) {
                throw new IllegalArgumentException(name + ": given " + f.text.get(name).size() + " times; give it once");
            }
        }

        private static File file(Part p) throws IOException {
            String name = p.getSubmittedFileName();
            name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).strip(); // no client folders
            if (name.isEmpty() || name.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException(p.getName() + ": a file part needs a filename");
            }
            String type = p.getContentType() == null ? "application/octet-stream" : p.getContentType();
            try {
                ContentType parsed = new ContentType(type);
                type = parsed.getBaseType().toLowerCase(Locale.ROOT);
                if (parsed.getParameter("charset") != null) {
                    type += "; charset=" + parsed.getParameter("charset");
                }
            } catch (ParseException e) {
                throw new IllegalArgumentException(p.getName() + " " + clip(name) + ": not a media type: " + clip(type));
            }
            try (InputStream in = p.getInputStream()) {
                return new File(name, type, in.readAllBytes());
            }
        }

        List<String> text(String name) {
            return text.getOrDefault(name, List.of());
        }

        List<File> files(String name) {
            return List.copyOf(files.getOrDefault(name, List.of()));
        }

        String single(String name) {
            List<String> v = text(name);
            return v.isEmpty() ? null : v.get(0);
        }
    }

    private static InternetAddress one(String field, Fields f) {
        String v = f.single(field);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing field: " + field);
        }
        List<InternetAddress> a = parse(field, v);
        if (a.size() != 1) {
            throw new IllegalArgumentException(field + ": exactly one address");
        }
        return a.get(0);
    }

    /** Every address of every value of the field: each may repeat and hold a comma-separated list; blank values add none. */
    private static List<InternetAddress> addresses(String field, Fields f) {
        List<InternetAddress> out = new ArrayList<>();
        for (String v : f.text(field)) {
            if (!v.isBlank()) {
                out.addAll(parse(field, v));
            }
        }
        return out;
    }

    private static List<InternetAddress> parse(String field, String value) {
        try {
            InternetAddress[] parsed = InternetAddress.parse(value, true);
            for (InternetAddress a : parsed) {
                a.validate();
            }
            return List.of(parsed);
        } catch (AddressException e) {
            throw new IllegalArgumentException(field + ": not an email address (" + e.getMessage() + ")");
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static void oneLine(String field, String value) {
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(clip(field) + ": must be one line without control characters");
        }
    }

    /** Mailgun's booleans: {@code yes}/{@code no}, {@code true}/{@code false}, in any case. */
    private static boolean yesNo(String field, String value) {
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "yes", "true": return true;
            case "no", "false": return false;
            default: throw new IllegalArgumentException(field + ": yes or no, not \"" + clip(value) + "\"");
        }
    }

    /** A caller's text in a message: at most 100 characters, no control characters. */
    static String clip(String s) {
        String t = s.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return t.length() > 100 ? t.substring(0, 100) + "…" : t;
    }

    /** Every recipient, for the envelope: to, cc and bcc. */
    List<InternetAddress> recipients() {
        List<InternetAddress> all = new ArrayList<>(to);
        all.addAll(cc);
        all.addAll(bcc);
        return all;
    }
}
