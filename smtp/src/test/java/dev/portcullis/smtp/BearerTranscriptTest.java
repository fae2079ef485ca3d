package dev.portcullis.smtp;

import static dev.portcullis.smtp.Wire.b64;
import static dev.portcullis.smtp.Wire.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.DenyReason;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * OAUTHBEARER (RFC 7628) and XOAUTH2 with an API key, with the known-answer vectors of RFC 7628
 * and curl, as raw transcripts over STARTTLS.
 */
class BearerTranscriptTest {
    private static final String OK = "235 Authentication successful.";
    private static final String INVALID = "535 5.7.8 Authentication credentials invalid";
    /** {"status":"invalid_token"} */
    private static final String INVALID_TOKEN = "334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=";

    private final TestServer t = new TestServer(SmtpOptions.builder().startTls(TestTls.server()).build());
    private final IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());

    @AfterEach
    void stop() {
        t.close();
    }

    private Wire tlsSession() throws Exception {
        Wire w = Wire.connect(t.port());
        w.ask("EHLO client.test");
        w.startTls();
        w.ask("EHLO client.test");
        return w;
    }

    static String oauthBearer(String authzid, String token) {
        return b64("n," + (authzid == null ? "" : "a=" + authzid) + ",\u0001host=localhost\u0001port=587\u0001auth=Bearer "
                + token + "\u0001\u0001");
    }

    static String xoauth2(String user, String token) {
        return b64("user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001");
    }

    @Test
    void anApiKeyAuthenticatesWithOauthBearerAndXoauth2() throws Exception {
        try (Wire w = tlsSession()) {
            assertEquals(OK, w.ask("AUTH OAUTHBEARER " + oauthBearer("api", key.token())));
            assertEquals("250 Ok", w.ask("MAIL FROM:<news@example.com>"));
        }
        try (Wire w = tlsSession()) {
            assertEquals("334 ", w.ask("AUTH OAUTHBEARER"), "no initial response: the empty challenge, with its space");
            assertEquals(OK, w.ask(oauthBearer("news@example.com", key.token())), "a mailbox the key may send as");
        }
        try (Wire w = tlsSession()) {
            assertEquals(OK, w.ask("AUTH xoauth2 " + xoauth2("api", key.token())));
        }
    }

    @Test
    void aRefusedKeyGetsTheJsonErrorChallengeThenTheDummyResponseThen535() throws Exception { // RFC 7628 §3.2.2, §3.2.3
        String wrong = key.token().substring(0, key.token().length() - 10) + "0000000000";
        try (Wire w = tlsSession()) {
            assertEquals(INVALID_TOKEN, w.ask("AUTH OAUTHBEARER " + oauthBearer("api", wrong)));
            assertEquals(INVALID, w.ask("AQ=="));
            // XOAUTH2 as Google documents it: the client answers the error with an empty line.
            assertEquals("334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=", w.ask("AUTH XOAUTH2 " + xoauth2("api", wrong)));
            assertEquals(INVALID, w.ask(""));
            assertEquals(OK, w.ask("AUTH OAUTHBEARER " + oauthBearer(null, key.token())), "two failures later");
        }
        assertEquals(3, t.events.size(), "one event per attempt, none for the dummy responses");
    }

    @Test
    void anIdentityTheKeyMayNotActAsIsRefused() throws Exception {
        try (Wire w = tlsSession()) {
            assertEquals("334 eyJzdGF0dXMiOiJpbnN1ZmZpY2llbnRfc2NvcGUifQ==", // {"status":"insufficient_scope"}
                    w.ask("AUTH OAUTHBEARER " + oauthBearer("ceo@bank.test", key.token())));
            assertEquals(INVALID, w.ask("AQ=="), "RFC 7628 §4.3: 535 after the dummy response");
            assertEquals("334 eyJzdGF0dXMiOiI0MDMiLCJzY2hlbWVzIjoiYmVhcmVyIn0=", w.ask("AUTH XOAUTH2 " + xoauth2("user", key.token())));
            assertEquals(INVALID, w.ask(""));
        }
        assertTrue(t.events.stream().allMatch(e -> e.reason() == DenyReason.PERMISSION_DENIED), t.events::toString);
    }

    @Test
    void rfc7628SmtpExampleFollowsTheRfcsFailedExchange() throws Exception { // RFC 7628 §4.3, on SMTP
        try (Wire w = tlsSession()) {
            // The RFC's initial response (authzid user@example.com, port 587): its token is no key here.
            assertEquals(INVALID_TOKEN, w.ask("AUTH OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29t"
                    + "AXBvcnQ9NTg3AWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB"));
            assertEquals(INVALID, w.ask("AQ=="));
        }
        assertEquals(DenyReason.UNKNOWN_KEY, t.events.peek().reason());
    }

    @Test
    void curlXoauth2TranscriptWithAndWithoutInitialResponse() throws Exception { // curl tests 908 and 922
        // user=user, token mF_9.B5f-4.1JqM: "user" is neither a key username nor a mailbox, so the identity is refused.
        String curlMessage = "dXNlcj11c2VyAWF1dGg9QmVhcmVyIG1GXzkuQjVmLTQuMUpxTQEB";
        String insufficientScope = "334 eyJzdGF0dXMiOiI0MDMiLCJzY2hlbWVzIjoiYmVhcmVyIn0="; // {"status":"403","schemes":"bearer"}
        try (Wire w = tlsSession()) {
            assertEquals("334 ", w.ask("AUTH XOAUTH2"));
            assertEquals(insufficientScope, w.ask(curlMessage));
            assertEquals(INVALID, w.ask("AQ=="), "curl answers the error challenge with AQ==");
            assertEquals(insufficientScope, w.ask("AUTH XOAUTH2 " + curlMessage));
            assertEquals(INVALID, w.ask("AQ=="));
            // The same transcript as "api": the token is no key here, so it is the key that is refused.
            assertEquals("334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=", w.ask("AUTH XOAUTH2 " + xoauth2("api", "mF_9.B5f-4.1JqM")));
            assertEquals(INVALID, w.ask("AQ=="));
        }
    }

    @Test
    void cancellingAfterTheErrorChallengeStillCountsAsAFailure() throws Exception { // E33 holds for bearer mechanisms
        String wrong = key.token().substring(0, key.token().length() - 10) + "0000000000";
        try (Wire w = tlsSession()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(INVALID_TOKEN, w.ask("AUTH OAUTHBEARER " + oauthBearer(null, wrong)));
                assertEquals("501 Authentication canceled by client.", w.ask("*"), "SubEthaSMTP answers * itself");
            }
            assertEquals("421 4.7.0 Too many failed authentication attempts, closing connection",
                    w.ask("AUTH OAUTHBEARER " + oauthBearer(null, key.token())));
            assertTrue(w.closedByServer());
        }
    }
}
