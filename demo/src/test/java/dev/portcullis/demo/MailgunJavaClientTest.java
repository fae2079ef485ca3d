package dev.portcullis.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mailgun.api.v3.MailgunMessagesApi;
import com.mailgun.api.v4.MailgunDomainsApi;
import com.mailgun.client.MailgunClient;
import com.mailgun.enums.DomainState;
import com.mailgun.model.domains.Domain;
import com.mailgun.model.domains.DomainListResponse;
import com.mailgun.model.domains.SingleDomainResponse;
import com.mailgun.model.message.Message;
import com.mailgun.model.message.MessageResponse;
import feign.FeignException;
import feign.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * Mailgun's official Java client ({@code com.mailgun:mailgun-java}) against the demo, changed only
 * in its base URL and key: the demo in-process on free ports with a temporary data folder, the
 * keys its first start printed, and every message checked in the outbox as Jakarta Mail parses it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MailgunJavaClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path data;
    private DemoServer server;
    private String sendingKey;
    private String adminKey;
    private String baseUrl;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        data = dir;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server = DemoServer.start(new DemoServer.Options(data, 0, 0), new PrintStream(out, true, StandardCharsets.UTF_8));
        List<List<String>> curls = Printed.commands(out.toString(StandardCharsets.UTF_8), "curl");
        sendingKey = Printed.option(curls.get(0), "--user").substring("api:".length());
        adminKey = Printed.option(curls.get(1), "--user").substring("api:".length());
        baseUrl = "http://127.0.0.1:" + server.httpPort();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private <T extends com.mailgun.api.MailgunApi> T api(Class<T> type, String key) {
        // The change a Mailgun user makes: the demo's base URL (and its key) instead of https://api.mailgun.net.
        return MailgunClient.config(baseUrl, key).logLevel(Logger.Level.NONE).createApi(type);
    }

    @Test
    void sendsAPlainTextMessage() throws Exception {
        MailgunMessagesApi mailgun = MailgunClient.config(baseUrl, sendingKey)
                .createApi(MailgunMessagesApi.class);
        Message message = Message.builder()
                .from("Demo <postmaster@example.com>")
                .to("you@example.org")
                .subject("Hello from mailgun-java")
                .text("Sent through the Portcullis demo.")
                .build();
        MessageResponse r = mailgun.sendMessage("example.com", message);
        assertEquals("Queued. Thank you.", r.getMessage());
        assertTrue(r.getId().matches("<\\d{14}\\.[0-9a-f]{12}@example\\.com>"), r.getId());

        Eml eml = Eml.parse(Eml.file(data.resolve("outbox"), r.getId()));
        assertEquals("postmaster@example.com", eml.from());
        assertEquals(List.of("you@example.org"), eml.to());
        assertEquals(List.of("you@example.org"), eml.envelopeTo());
        assertEquals("Hello from mailgun-java", eml.subject());
        assertEquals("Sent through the Portcullis demo.", eml.text);
        assertEquals(null, eml.html);
        assertEquals(List.of(r.getId()), eml.header("Message-ID"));
    }

    @Test
    void sendsHtmlWithAnAttachmentAnInlineImageCcBccTagsAndHeaders(@TempDir Path files) throws Exception {
        byte[] pdf = new byte[3000];
        for (int i = 0; i < pdf.length; i++) {
            pdf[i] = (byte) (i * 31 + 7); // every byte value, and no text
        }
        File report = Files.write(files.resolve("report.pdf"), pdf).toFile();
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'};
        File logo = Files.write(files.resolve("logo.png"), png).toFile();

        MailgunMessagesApi mailgun = api(MailgunMessagesApi.class, sendingKey);
        Message message = Message.builder()
                .from("Reports <reports@example.com>")
                .to(List.of("ann@example.org", "bob@example.net"))
                .cc("carol@example.org")
                .bcc("audit@example.net")
                .subject("Quarterly report — Q3")
                .text("The report is attached.")
                .html("<p>The report is attached.</p><img src=\"cid:logo.png\">")
                .attachment(report)
                .inline(logo)
                .tag(List.of("reports", "q3"))
                .testMode(true)
                .replyTo("finance@example.com")
                .headers(Map.of("X-Campaign", "autumn"))
                .build();
        MessageResponse r = mailgun.sendMessage("example.com", message);
        assertEquals("Queued. Thank you.", r.getMessage());

        Eml eml = Eml.parse(Eml.file(data.resolve("outbox"), r.getId()));
        assertEquals("reports@example.com", eml.from());
        assertEquals(List.of("ann@example.org", "bob@example.net"), eml.to().stream().sorted().toList());
        assertEquals(List.of("carol@example.org"), eml.cc());
        assertEquals(List.of(), eml.bccHeader(), "a Bcc recipient is in the envelope only");
        assertEquals(List.of("ann@example.org", "audit@example.net", "bob@example.net", "carol@example.org"),
                eml.envelopeTo().stream().sorted().toList());
        assertEquals("Quarterly report — Q3", eml.subject());
        assertEquals("The report is attached.", eml.text);
        assertEquals("<p>The report is attached.</p><img src=\"cid:logo.png\">", eml.html);
        assertEquals(List.of("report.pdf"), List.copyOf(eml.attachments.keySet()));
        assertArrayEquals(pdf, eml.attachments.get("report.pdf"));
        assertArrayEquals(png, eml.inline.get("logo.png"));
        assertEquals("<logo.png>", eml.contentIds.get("logo.png"));
        assertEquals(List.of("q3", "reports"), eml.header("X-Mailgun-Tag").stream().sorted().toList());
        assertEquals(List.of("yes"), eml.header("X-Mailgun-Drop-Message"));
        assertEquals(List.of("finance@example.com"), eml.header("Reply-To"));
        assertEquals(List.of("autumn"), eml.header("X-Campaign"));
    }

    @Test
    void listsTheAccountsDomainsAndGetsOneByName() {
        MailgunDomainsApi domains = api(MailgunDomainsApi.class, adminKey);
        DomainListResponse list = domains.getDomainsList();
        assertEquals(1, list.getTotalCount());
        Domain d = list.getItems().get(0);
        assertEquals("example.com", d.getName());
        assertEquals(DomainState.ACTIVE, d.getState());
        assertFalse(d.getIsDisabled());
        assertNotNull(d.getCreatedAt());
        assertTrue(d.getCreatedAt().isBefore(ZonedDateTime.now().plusMinutes(1)));

        SingleDomainResponse one = domains.getSingleDomain("example.com");
        assertEquals("example.com", one.getDomain().getName());
        assertEquals(d.getId(), one.getDomain().getId());
        assertEquals(List.of(), one.getSendingDnsRecords());

        // The v3 client calls /v3/domains: the same list.
        com.mailgun.api.v3.MailgunDomainsApi v3 = api(com.mailgun.api.v3.MailgunDomainsApi.class, adminKey);
        assertEquals("example.com", v3.getDomainsList().getItems().get(0).getName());
    }

    @Test
    void aWrongKeyIs401AndAKeyWithoutTheGrantIs403() throws Exception {
        Message message = Message.builder().from("postmaster@example.com").to("you@example.org").subject("s").text("t").build();
        FeignException wrong = assertThrows(FeignException.class,
                () -> api(MailgunMessagesApi.class, DemoServerTest.wrongSecret(sendingKey)).sendMessage("example.com", message));
        assertEquals(401, wrong.status()); // (the JDK's HttpURLConnection under feign keeps a 401's body to itself)

        FeignException noGrant = assertThrows(FeignException.class,
                () -> api(MailgunDomainsApi.class, sendingKey).getDomainsList());
        assertEquals(403, noGrant.status());
        FeignException otherDomain = assertThrows(FeignException.class,
                () -> api(MailgunDomainsApi.class, adminKey).getSingleDomain("example.net"));
        assertEquals(403, otherDomain.status(), "an unknown domain looks like another account's");
    }

    @Test
    void whatTheDemoDoesNotSupportIs400NamingTheField() throws Exception {
        Message scheduled = Message.builder().from("postmaster@example.com").to("you@example.org").subject("s").text("t")
                .deliveryTime(ZonedDateTime.now().plusHours(1)).build();
        FeignException e = assertThrows(FeignException.class,
                () -> api(MailgunMessagesApi.class, sendingKey).sendMessage("example.com", scheduled));
        assertEquals(400, e.status());
        String text = JSON.readTree(e.contentUTF8()).get("message").asText();
        assertTrue(text.startsWith("o:deliverytime: not supported by the Portcullis demo"), text);
    }
}
