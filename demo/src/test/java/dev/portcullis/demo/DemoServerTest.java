package dev.portcullis.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The demo in-process on free ports with a temporary data folder, driven by real clients
 * ({@code java.net.http}, Jakarta Mail) with exactly what its first start printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private Path data;
    private DemoServer server;
    private String firstOutput;
    private List<String> sendCurl;
    private List<String> adminCurl;
    private List<String> swaks;
    private String sendingToken;
    private String adminToken;
    private String smtpPassword;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        data = dir;
        // A second account with a domain of its own, so "another domain" is one that exists.
        Files.writeString(data.resolve("domains.properties"), "example.com = demo\nother.org = acme\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server = DemoServer.start(new DemoServer.Options(data, 0, 0), new PrintStream(out, true, StandardCharsets.UTF_8));
        firstOutput = out.toString(StandardCharsets.UTF_8);
        List<List<String>> curls = Printed.commands(firstOutput, "curl");
        assertEquals(2, curls.size(), firstOutput);
        sendCurl = curls.get(0);
        adminCurl = curls.get(1);
        swaks = Printed.commands(firstOutput, "swaks").get(0);
        sendingToken = Printed.option(sendCurl, "--user").substring("api:".length());
        adminToken = Printed.option(adminCurl, "--user").substring("api:".length());
        smtpPassword = Printed.option(swaks, "--auth-password");
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private String base() {
        return "http://127.0.0.1:" + server.httpPort();
    }

    // ---- the printed commands ---------------------------------------------------------------

    @Test
    void thePrintedCurlCommandsSucceedWhenReplayed() throws Exception {
        long before = emls().size();
        HttpResponse<String> sent = replay(sendCurl);
        assertEquals(200, sent.statusCode(), sent.body());
        JsonNode body = JSON.readTree(sent.body());
        assertEquals("Queued. Thank you.", body.get("message").asText());
        String id = body.get("id").asText();
        assertTrue(id.matches("<\\d{14}\\.[0-9a-f]{12}@example\\.com>"), id);
        assertEquals(before + 1, emls().size());
        Eml eml = Eml.parse(Eml.file(data.resolve("outbox"), id));
        assertEquals("Hello from Portcullis", eml.subject());
        assertEquals("Demo <postmaster@example.com>", eml.message.getFrom()[0].toString());
        assertEquals(List.of("you@example.org"), eml.to());
        assertEquals("Sent through the Portcullis demo.", eml.text);

        HttpResponse<String> listed = replay(adminCurl);
        assertEquals(200, listed.statusCode(), listed.body());
        JsonNode items = JSON.readTree(listed.body()).get("items");
        List<String> names = new ArrayList<>();
        items.forEach(k -> names.add(k.get("name").asText()));
        assertTrue(names.containsAll(List.of("admin", "sending", "smtp")), listed.body()); // other tests may have added keys
        assertFalse(listed.body().contains(sendingToken.substring(16)), "a listing never shows a secret");
    }

    @Test
    void jakartaMailSendsWithThePrintedSmtpLoginOverStartTls() throws Exception {
        String[] hostPort = Printed.option(swaks, "--server").split(":");
        assertEquals(List.of("--tls"), swaks.stream().filter(w -> w.equals("--tls")).toList(), "swaks is told to require STARTTLS");
        Properties props = new Properties();
        props.put("mail.smtp.host", hostPort[0]);
        props.put("mail.smtp.port", hostPort[1]);
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.auth.mechanisms", Printed.option(swaks, "--auth"));
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.socketFactory", trustingTheDemoCertificate().getSocketFactory());
        props.put("mail.smtp.ssl.checkserveridentity", "true"); // the certificate's SAN names 127.0.0.1
        props.put("mail.smtp.connectiontimeout", "10000");
        props.put("mail.smtp.timeout", "10000");
        Session session = Session.getInstance(props);
        String subject = "over SMTP " + UUID.randomUUID();
        byte[] attachment = new byte[2048];
        for (int i = 0; i < attachment.length; i++) {
            attachment[i] = (byte) (i * 7 + 3);
        }
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(Printed.option(swaks, "--from")));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(Printed.option(swaks, "--to")));
        m.setRecipient(Message.RecipientType.CC, new InternetAddress("cc@example.net"));
        m.setSubject(subject);
        jakarta.mail.internet.MimeMultipart alternative = new jakarta.mail.internet.MimeMultipart("alternative");
        jakarta.mail.internet.MimeBodyPart text = new jakarta.mail.internet.MimeBodyPart();
        text.setText("through Portcullis", "UTF-8");
        jakarta.mail.internet.MimeBodyPart html = new jakarta.mail.internet.MimeBodyPart();
        html.setText("<p>through Portcullis</p>", "UTF-8", "html");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        jakarta.mail.internet.MimeBodyPart body = new jakarta.mail.internet.MimeBodyPart();
        body.setContent(alternative);
        jakarta.mail.internet.MimeBodyPart file = new jakarta.mail.internet.MimeBodyPart();
        file.setDataHandler(new jakarta.activation.DataHandler(new jakarta.mail.util.ByteArrayDataSource(attachment, "application/octet-stream")));
        file.setFileName("data.bin");
        file.setDisposition(jakarta.mail.Part.ATTACHMENT);
        jakarta.mail.internet.MimeMultipart mixed = new jakarta.mail.internet.MimeMultipart("mixed");
        mixed.addBodyPart(body);
        mixed.addBodyPart(file);
        m.setContent(mixed);
        InternetAddress bcc = new InternetAddress("bcc@example.net"); // envelope only, as Transport sends it
        try (Transport t = session.getTransport("smtp")) {
            t.connect(hostPort[0], Integer.parseInt(hostPort[1]), Printed.option(swaks, "--auth-user"), smtpPassword);
            m.saveChanges();
            t.sendMessage(m, new jakarta.mail.Address[] {m.getRecipients(Message.RecipientType.TO)[0],
                    m.getRecipients(Message.RecipientType.CC)[0], bcc});
        }
        Eml eml = null;
        for (Path p : emls()) {
            Eml e = Eml.parse(p);
            if (subject.equals(e.subject())) {
                eml = e;
            }
        }
        assertNotNull(eml, "the message is not in the outbox");
        assertEquals(1, eml.header("X-Portcullis-Key").size());
        assertEquals(List.of("you@example.org", "cc@example.net", "bcc@example.net"), eml.envelopeTo());
        assertEquals(List.of("you@example.org"), eml.to());
        assertEquals(List.of("cc@example.net"), eml.cc());
        assertEquals("through Portcullis", eml.text);
        assertEquals("<p>through Portcullis</p>", eml.html);
        org.junit.jupiter.api.Assertions.assertArrayEquals(attachment, eml.attachments.get("data.bin"));
    }

    /** Trusts only the certificate the first start made. */
    private SSLContext trustingTheDemoCertificate() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(data.resolve("tls/certificate.pem"))) {
            trust.setCertificateEntry("demo", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    // ---- what keys may do -------------------------------------------------------------------

    @Test
    void theSendingKeyIsRefusedForAnotherDomainAndForKeyManagement() throws Exception {
        assertEquals(403, send(sendingToken, "other.org", form("from", "a@other.org", "to", "b@example.net",
                "subject", "s", "text", "t")).statusCode());
        assertEquals(403, send(sendingToken, "unknown.test", form("from", "a@unknown.test", "to", "b@example.net",
                "subject", "s", "text", "t")).statusCode());
        assertEquals(403, get(sendingToken, "/v1/keys").statusCode());
        assertEquals(403, post(sendingToken, "/v1/keys", "{\"grants\":[\"messages:send@example.com\"]}").statusCode());
        assertEquals(403, get(sendingToken, "/v3/domains").statusCode());
    }

    @Test
    void theAdminKeyCannotMintAKeyForAnotherAccountNorBeyondItsOwnGrants() throws Exception {
        HttpResponse<String> other = post(adminToken, "/v1/keys",
                "{\"account\":\"acme\",\"grants\":[\"messages:send@other.org\"]}");
        assertEquals(403, other.statusCode(), other.body());
        assertTrue(other.body().contains("may manage only account demo"), other.body());
        HttpResponse<String> wider = post(adminToken, "/v1/keys", "{\"grants\":[\"*@*\"]}");
        assertEquals(403, wider.statusCode(), wider.body());
        assertTrue(wider.body().contains("does not hold"), wider.body());
    }

    @Test
    void theAdminKeyListsOnlyItsOwnDomains() throws Exception {
        HttpResponse<String> r = get(adminToken, "/v3/domains");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(1, body.get("total_count").asInt());
        assertEquals("example.com", body.get("items").get(0).get("name").asText());
    }

    @Test
    void aRevokedKeyGets401() throws Exception {
        JsonNode key = create("{\"name\":\"short-lived\",\"grants\":[\"messages:send@example.com\"]}");
        String token = key.get("token").asText();
        assertEquals(200, send(token, "example.com", aMessage()).statusCode());
        HttpResponse<String> revoked = delete(adminToken, "/v1/keys/" + key.get("id").asText());
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertEquals("revoked", JSON.readTree(revoked.body()).get("status").asText());
        HttpResponse<String> after = send(token, "example.com", aMessage());
        assertEquals(401, after.statusCode());
        assertTrue(after.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="));
    }

    @Test
    void aRateLimitedKeyGets429WithItsHeaders() throws Exception {
        JsonNode key = create("{\"grants\":[\"messages:send@example.com\"],\"rateLimit\":[{\"rate\":1,\"per\":\"minute\"}]}");
        String token = key.get("token").asText();
        HttpResponse<String> first = send(token, "example.com", aMessage());
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("\"default\";q=1;w=60", first.headers().firstValue("RateLimit-Policy").orElseThrow());
        HttpResponse<String> second = send(token, "example.com", aMessage());
        assertEquals(429, second.statusCode(), second.body());
        long retry = Long.parseLong(second.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
        assertTrue(second.headers().firstValue("RateLimit").orElseThrow().startsWith("\"default\";r=0;"));
        assertEquals("\"default\";q=1;w=60", second.headers().firstValue("RateLimit-Policy").orElseThrow());
    }

    @Test
    void aTrialKeyPaysPerRecipientRunsOutAndIsToppedUp() throws Exception {
        JsonNode key = create("{\"grants\":[\"messages:send@example.com\"],\"credits\":3,"
                + "\"refill\":{\"amount\":3,\"interval\":\"monthly\",\"refillDay\":1}}");
        assertEquals(3, key.get("remaining").asLong());
        String token = key.get("token").asText();
        int queued = emls().size();
        String twoRecipients = form("from", "app@example.com", "to", "a@example.net", "cc", "b@example.net",
                "subject", "hi", "text", "hello");
        HttpResponse<String> paid = send(token, "example.com", twoRecipients);
        assertEquals(200, paid.statusCode(), paid.body());
        assertEquals("\"credits\";r=1", paid.headers().firstValue("RateLimit").orElseThrow().replaceAll(";t=\\d+", ""));
        HttpResponse<String> out = send(token, "example.com", twoRecipients);
        assertEquals(429, out.statusCode(), "two recipients cost 2 and 1 is left: " + out.body());
        assertTrue(out.headers().firstValue("Retry-After").isPresent(), "a refill is due on the 1st");
        assertTrue(out.headers().firstValue("RateLimit-Policy").orElseThrow().startsWith("\"credits\";q=3;w="));
        assertEquals(queued + 1, emls().size(), "the refused message was not queued");
        String id = key.get("id").asText();
        HttpResponse<String> listed = get(adminToken, "/v1/keys");
        JsonNode mine = null;
        for (JsonNode k : JSON.readTree(listed.body()).get("items")) {
            if (k.get("id").asText().equals(id)) {
                mine = k;
            }
        }
        assertEquals(1, mine.get("remaining").asLong(), "the refused message took nothing");
        HttpResponse<String> topUp = patch(adminToken, "/v1/keys/" + id + "/credits", "{\"add\": 10}");
        assertEquals(200, topUp.statusCode(), topUp.body());
        assertEquals(11, JSON.readTree(topUp.body()).get("remaining").asLong());
        assertEquals(200, send(token, "example.com", twoRecipients).statusCode());
        HttpResponse<String> set = patch(adminToken, "/v1/keys/" + id + "/credits", "{\"unlimited\": true}");
        assertEquals(200, set.statusCode(), set.body());
        assertFalse(JSON.readTree(set.body()).has("remaining"), "unlimited");
        assertBadRequest(patch(adminToken, "/v1/keys/" + id + "/credits", "{\"add\": 1, \"remaining\": 2}"), "to set, ");
    }

    @Test
    void aRotatedKeyHandsOverToItsSuccessor() throws Exception {
        JsonNode key = create("{\"grants\":[\"messages:send@example.com\"]}");
        HttpResponse<String> rotated = post(adminToken, "/v1/keys/" + key.get("id").asText() + "/rotate", "{\"grace\":\"PT0S\"}");
        assertEquals(201, rotated.statusCode(), rotated.body());
        JsonNode successor = JSON.readTree(rotated.body());
        assertEquals(key.get("id").asText(), successor.get("replaces").asText());
        assertEquals(200, send(successor.get("token").asText(), "example.com", aMessage()).statusCode());
        assertEquals(401, send(key.get("token").asText(), "example.com", aMessage()).statusCode());
    }

    // ---- bad input --------------------------------------------------------------------------

    @Test
    void badInputIs400WithAClearMessage() throws Exception {
        assertBadRequest(send(sendingToken, "example.com", form("from", "a@example.com", "subject", "s", "text", "t")),
                "missing field: to");
        assertBadRequest(send(sendingToken, "example.com", form("from", "a@example.com", "to", "not an address",
                "subject", "s", "text", "t")), "to: not an email address");
        assertBadRequest(send(sendingToken, "example.com", form("from", "ceo@bank.test", "to", "b@example.net",
                "subject", "s", "text", "t")), "from: must be an address at example.com");
        assertBadRequest(post(adminToken, "/v1/keys", "{\"grants\": [\"messages:send@example.com\""), "malformed JSON at line 1");
        assertBadRequest(post(adminToken, "/v1/keys", "{\"grants\": [], \"colour\": 1}"), "unknown field \"colour\"; the fields are ");
        assertBadRequest(post(adminToken, "/v1/keys", "{\"grants\": \"messages:send@example.com\"}"), "grants: expected a list");
        assertBadRequest(post(adminToken, "/v1/keys", "{\"grants\": [\"messages:send@example.com\"], \"rateLimit\": [{\"rate\": \"x\"}]}"),
                "rateLimit[0].rate: expected a number");
        assertBadRequest(post(adminToken, "/v1/keys", "[1]"), "the body must be a JSON object");
        assertBadRequest(post(adminToken, "/v1/keys", "{\"grants\": []}"), "grants: at least one");
        assertBadRequest(post(adminToken, "/v1/keys", "{\"grants\": [\"messages:send@nowhere.test\"]}"),
                "unknown domain nowhere.test");
        assertBadRequest(post(adminToken, "/v1/keys", "{\"grants\": [\"messages:send@other.org\"]}"),
                "unknown domain other.org");
        assertBadRequest(post(adminToken, "/v1/keys", "{\"grants\": [\"send\"]}"), "grant \"send\"");
        assertBadRequest(post(adminToken, "/v1/keys", "{\"grants\": [\"messages:send@example.com\"], \"allow\": [\"10.1.2.3/8\"]}"),
                "");
        assertBadRequest(post(adminToken, "/v1/keys", "{\"grants\": [\"messages:send@example.com\"], \"rateLimit\": [{\"rate\": 5}]}"),
                "rateLimit");
        assertEquals(404, delete(adminToken, "/v1/keys/AAAAAAAAAAAA").statusCode());
    }

    private static void assertBadRequest(HttpResponse<String> r, String message) throws Exception {
        assertEquals(400, r.statusCode(), r.body());
        String text = JSON.readTree(r.body()).get("message").asText();
        assertTrue(text.contains(message), text);
        assertNoInternalName(r.body());
    }

    /** No Java class or package name of ours or of a library on the wire. */
    private static void assertNoInternalName(String body) {
        assertFalse(body.matches("(?s).*\\b(dev\\.portcullis|com\\.fasterxml|org\\.eclipse|java\\.lang|jakarta\\.)[a-z.]*.*"), body);
        assertFalse(body.contains("Exception"), body);
    }

    // ---- Mailgun's message fields ------------------------------------------------------------

    @Test
    void unsupportedMessageFieldsAre400NamingTheField() throws Exception {
        String base = "from=a@example.com&to=b@example.net&subject=s&text=t&";
        assertBadRequest(send(sendingToken, "example.com", base + "template=welcome"), "template: not supported by the Portcullis demo");
        assertBadRequest(send(sendingToken, "example.com", base + "v:user-id=7"), "v:user-id: not supported");
        assertBadRequest(send(sendingToken, "example.com", base + "o:tracking=yes"), "o:tracking: not supported");
        assertBadRequest(send(sendingToken, "example.com", base + "amp-html=x"), "amp-html: not supported");
        assertBadRequest(send(sendingToken, "example.com", base + "h:Subject=x"), "h:Subject: the demo takes h:X-");
        assertBadRequest(send(sendingToken, "example.com", base + "h:X-Envelope-To=x@evil.test"), "h:X-Envelope-To:");
        assertBadRequest(send(sendingToken, "example.com", base + "attachment=report.pdf"), "attachment: must be a file part");
        assertBadRequest(send(sendingToken, "example.com", base + "o:testmode=maybe"), "o:testmode: yes or no");
        assertBadRequest(send(sendingToken, "example.com", base + "o:tag=a&o:tag=b&o:tag=c&o:tag=d"), "o:tag: at most 3");
        assertBadRequest(send(sendingToken, "example.com", base + "h:X-Note=" + java.net.URLEncoder.encode("a\r\nBcc: x@evil.test",
                StandardCharsets.UTF_8)), "h:X-Note: must be one line");
        assertBadRequest(send(sendingToken, "example.com", "from=a@example.com&to=b@example.net&subject=s"), "missing field: text or html");
        assertBadRequest(send(sendingToken, "example.com", base + "subject=again"), "subject: given 2 times");
        assertEquals(400, http.send(HttpRequest.newBuilder(URI.create(base() + "/v3/example.com/messages?o:tag=x"))
                .header("Authorization", basic("api:" + sendingToken)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(base)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void anHtmlOnlyFormMessageIsStoredAsHtml() throws Exception {
        HttpResponse<String> r = send(sendingToken, "example.com",
                form("from", "a@example.com", "to", "b@example.net, c@example.net", "bcc", "d@example.net", "subject", "html only",
                        "html", "<b>bold</b>", "h:X-Ticket", "Ä-42"));
        assertEquals(200, r.statusCode(), r.body());
        Eml eml = Eml.parse(Eml.file(data.resolve("outbox"), JSON.readTree(r.body()).get("id").asText()));
        assertEquals(null, eml.text);
        assertEquals("<b>bold</b>", eml.html);
        assertEquals(List.of("b@example.net", "c@example.net"), eml.to());
        assertEquals(List.of("b@example.net", "c@example.net", "d@example.net"), eml.envelopeTo());
        assertEquals(List.of(), eml.bccHeader());
        assertEquals("Ä-42", jakarta.mail.internet.MimeUtility.decodeText(eml.header("X-Ticket").get(0)));
    }

    // ---- routes and Jetty's own errors --------------------------------------------------------

    @Test
    void anUnknownRouteIs404AfterAuthenticationAndAKnownOneWithoutTheGrant403() throws Exception {
        HttpResponse<String> typo = get(adminToken, "/v3/domain");
        assertEquals(404, typo.statusCode(), typo.body());
        assertEquals("Not Found", JSON.readTree(typo.body()).get("message").asText());
        assertEquals(401, get(wrongSecret(adminToken), "/v3/domain").statusCode(), "credentials first");
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(base() + "/v3/domain")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> misspelt = http.send(HttpRequest.newBuilder(URI.create(base() + "/v3/example.com/mesages"))
                .header("Authorization", basic("api:" + sendingToken)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(aMessage())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, misspelt.statusCode(), misspelt.body());
        HttpResponse<String> method = http.send(HttpRequest.newBuilder(URI.create(base() + "/v3/domains"))
                .header("Authorization", basic("api:" + adminToken)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, method.statusCode(), method.body());
        assertEquals("GET, HEAD", method.headers().firstValue("Allow").orElseThrow());
        assertEquals(403, get(sendingToken, "/v4/domains").statusCode(), "a known route without the grant");
        assertEquals(403, get(sendingToken, "/v4/domains/example.com").statusCode());
        assertEquals(403, get(adminToken, "/v4/domains/other.org").statusCode(), "another account's domain");
        HttpResponse<String> sub = get(adminToken, "/v4/domains/mail.example.com");
        assertEquals(404, sub.statusCode(), "a subdomain the account may use is not one of its domains: " + sub.body());
    }

    @Test
    void jettysOwnErrorsAreJsonToo() throws Exception {
        // 431: a 100 KB header, refused by Jetty before any servlet or filter.
        String big = "x".repeat(100 * 1024);
        String answer = raw("GET /v3/domains HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + big + "\r\nConnection: close\r\n\r\n");
        assertJsonError(answer, 431, "Request Header Fields Too Large");
        // A request line Jetty cannot parse.
        assertJsonError(raw("GET /v3/domains HTTP/1.1 extra\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), 400, "Bad Request");
        assertJsonError(raw("GET /v3/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), 400, "Bad Request");
        // An ambiguous path Jetty refuses itself, before the filter (which would refuse it too).
        assertJsonError(raw("GET /v3/%2e%2e/v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nConnection: close\r\n\r\n"),
                400, "Bad Request");
    }

    /** One HTTP/1.1 exchange over a raw socket: what Jetty answers to what java.net.http would not send. */
    private String raw(String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.httpPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertJsonError(String response, int status, String message) throws Exception {
        assertTrue(response.startsWith("HTTP/1.1 " + status + " "), response.length() > 300 ? response.substring(0, 300) : response);
        int split = response.indexOf("\r\n\r\n");
        String head = response.substring(0, split).toLowerCase(java.util.Locale.ROOT);
        assertTrue(head.contains("content-type: application/json"), head);
        String body = response.substring(split + 4);
        assertEquals(message, JSON.readTree(body).get("message").asText(), body);
        assertNoInternalName(body);
    }

    @Test
    void healthIsPublic() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("UP", JSON.readTree(r.body()).get("status").asText());
    }

    // ---- audit and restart ------------------------------------------------------------------

    @Test
    void aSecondStartPrintsNoSecretAndTheAuditTrailHoldsNone(@TempDir Path folder) throws Exception {
        // Its own folder, so that stopping does not disturb the other tests' server.
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        List<String> secrets = new ArrayList<>();
        try (DemoServer s = DemoServer.start(new DemoServer.Options(folder, 0, 0), new PrintStream(first, true, StandardCharsets.UTF_8))) {
            String out = first.toString(StandardCharsets.UTF_8);
            for (List<String> curl : Printed.commands(out, "curl")) {
                secrets.add(Printed.option(curl, "--user").substring("api:".length()));
            }
            secrets.add(Printed.option(Printed.commands(out, "swaks").get(0), "--auth-password"));
            assertEquals(3, secrets.size());
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + "/v1/keys"))
                    .header("Authorization", basic("api:" + wrongSecret(secrets.get(1)))).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
        }
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        try (DemoServer s = DemoServer.start(new DemoServer.Options(folder, 0, 0), new PrintStream(second, true, StandardCharsets.UTF_8))) {
            String out = second.toString(StandardCharsets.UTF_8);
            assertTrue(out.contains("not shown again"), out);
            assertEquals(List.of(), Printed.commands(out, "curl"));
            assertNoSecret(out, secrets);
            // The keys of the first start still work: they live in the folder's database.
            HttpResponse<String> listed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + "/v1/keys"))
                    .header("Authorization", basic("api:" + secrets.get(1))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, listed.statusCode(), listed.body());
        }
        String audit = Files.readString(folder.resolve("audit.jsonl"));
        assertNoSecret(audit, secrets);
        List<JsonNode> events = new ArrayList<>();
        for (String line : audit.split("\n")) {
            events.add(JSON.readTree(line));
        }
        assertEquals(3, events.stream().filter(e -> e.get("event").asText().equals("key") && e.get("type").asText().equals("CREATED")).count());
        assertTrue(events.stream().anyMatch(e -> e.get("event").asText().equals("auth") && !e.get("allowed").asBoolean()
                && e.get("reason").asText().equals("WRONG_SECRET")), audit);
        assertTrue(events.stream().anyMatch(e -> e.get("event").asText().equals("auth") && e.get("allowed").asBoolean()), audit);
    }

    @Test
    void aStartThatCannotListenMakesNoSecretsSoTheNextStartIsTheFirst(@TempDir Path folder) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> DemoServer.start(new DemoServer.Options(folder, taken.getLocalPort(), 0), new PrintStream(new ByteArrayOutputStream())));
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " for HTTP"), e.getMessage());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DemoServer s = DemoServer.start(new DemoServer.Options(folder, 0, 0), new PrintStream(out, true, StandardCharsets.UTF_8))) {
            assertTrue(s.httpPort() > 0);
            assertEquals(2, Printed.commands(out.toString(StandardCharsets.UTF_8), "curl").size(), out.toString(StandardCharsets.UTF_8));
        }
    }

    /** The same key id with another secret and a valid checksum: it passes the format and fails verification. */
    static String wrongSecret(String token) {
        String head = token.substring(0, token.length() - 6 - 32) + "0".repeat(32);
        return head + check(head);
    }

    /** DESIGN §2: CRC32 of the ASCII bytes, in base62 ({@code 0-9A-Za-z}), left-padded with 0 to 6 characters. */
    static String check(String head) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(head.getBytes(StandardCharsets.US_ASCII));
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        StringBuilder sb = new StringBuilder();
        for (long v = crc.getValue(); v > 0; v /= 62) {
            sb.insert(0, alphabet.charAt((int) (v % 62)));
        }
        while (sb.length() < 6) {
            sb.insert(0, '0');
        }
        return sb.toString();
    }

    @Test
    void theChecksumHelperMatchesTheKnownAnswer() {
        String kat = "kat_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH3tE9uV";
        assertEquals(kat, kat.substring(0, kat.length() - 6) + check(kat.substring(0, kat.length() - 6)));
    }

    /** No 8 consecutive characters of a secret's random part (after the public prefix and id). */
    private static void assertNoSecret(String text, List<String> secrets) {
        for (String s : secrets) {
            String hidden = s.startsWith("pc_") ? s.substring(3 + 12) : s;
            for (int i = 0; i + 8 <= hidden.length(); i++) {
                assertFalse(text.contains(hidden.substring(i, i + 8)), "a secret appears in: " + text);
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private JsonNode create(String json) throws Exception {
        HttpResponse<String> r = post(adminToken, "/v1/keys", json);
        assertEquals(201, r.statusCode(), r.body());
        JsonNode key = JSON.readTree(r.body());
        assertNotNull(key.get("token"));
        return key;
    }

    /** Replays a printed curl command: {@code --user}, the URL, {@code -F name=value} fields as multipart, like curl. */
    private HttpResponse<String> replay(List<String> curl) throws Exception {
        assertEquals("curl", curl.get(0));
        String user = null;
        String url = null;
        List<String> fields = new ArrayList<>();
        for (int i = 1; i < curl.size(); i++) {
            String w = curl.get(i);
            switch (w) {
                case "-sS" -> { }
                case "--user" -> user = curl.get(++i);
                case "-F" -> fields.add(curl.get(++i));
                default -> {
                    assertTrue(w.startsWith("http://"), "an option this replay does not know: " + w);
                    url = w;
                }
            }
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", basic(user));
        if (fields.isEmpty()) {
            return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
        }
        String boundary = "----demo" + UUID.randomUUID();
        StringBuilder body = new StringBuilder();
        for (String f : fields) {
            int eq = f.indexOf('=');
            String value = f.substring(eq + 1);
            assertFalse(value.startsWith("<") || value.startsWith("@") || value.contains(";"),
                    "curl would read " + value + " as a file or a part option");
            body.append("--").append(boundary).append("\r\n")
                    .append("Content-Disposition: form-data; name=\"").append(f, 0, eq).append("\"\r\n\r\n")
                    .append(value).append("\r\n");
        }
        body.append("--").append(boundary).append("--\r\n");
        return http.send(b.header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    private static String aMessage() {
        return form("from", "app@example.com", "to", "someone@example.net", "subject", "hi", "text", "hello");
    }

    private static String form(String... pairs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(pairs[i]).append('=').append(java.net.URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    private HttpResponse<String> send(String token, String domain, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/v3/" + domain + "/messages"))
                .header("Authorization", basic("api:" + token))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String token, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", basic("api:" + token)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String token, String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", basic("api:" + token))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> patch(String token, String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", basic("api:" + token))
                .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> delete(String token, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", basic("api:" + token))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<Path> emls() throws Exception {
        try (Stream<Path> s = Files.list(data.resolve("outbox"))) {
            return s.filter(p -> p.toString().endsWith(".eml")).toList();
        }
    }
}
