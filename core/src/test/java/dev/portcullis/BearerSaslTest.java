package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.SaslExchange.SaslStep;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * OAUTHBEARER (RFC 7628) and XOAUTH2 carrying an API key, through the whole pipeline: the key is
 * checked as under a key username, the authorization identity must be something the key may act
 * as, and a refusal takes the RFC 7628 §3.2.2 route (error challenge, dummy response, 535).
 */
class BearerSaslTest {
    private static final String CLIENT = "203.0.113.7";
    private static final String INVALID_TOKEN = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0="; // {"status":"invalid_token"}
    private final ControllableStore store = new ControllableStore();
    private final Fixtures f = new Fixtures(store, Portcullis.builder().keyUsernames("api", "apikey"), Runnable::run);
    private final IssuedKey key = f.key(); // messages:send on example.com

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String oauthBearer(String authzid, String token) {
        String a = authzid == null ? "" : "a=" + authzid.replace("=", "=3D").replace(",", "=2C");
        return b64("n," + a + ",\u0001host=smtp.example.com\u0001port=587\u0001auth=Bearer " + token + "\u0001\u0001");
    }

    static String xoauth2(String user, String token) {
        return b64("user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001");
    }

    private SaslStep first(String mechanism, String initialResponse) {
        return f.auth().sasl(mechanism, CLIENT, true).respond(initialResponse);
    }

    /** The key's id with another secret, checksum and all: it reaches verification and fails there. */
    private String wrongSecret() {
        return DenyReasonsTest.sameIdOtherSecret(key.token());
    }

    @Test
    void aKeyAuthenticatesAsTheBearerTokenOfBothMechanisms() {
        for (String authzid : new String[] {null, "api", "apikey", "news@example.com", "Postmaster@EXAMPLE.com"}) {
            SaslStep s = first("OAUTHBEARER", oauthBearer(authzid, key.token()));
            assertTrue(s.done(), authzid);
            assertTrue(s.result().allowed(), () -> authzid + ": " + s.result().reason());
            assertEquals(key.id(), s.result().principal().keyId());
            assertEquals("235 2.7.0 Authentication successful", s.reply().line());
            assertEquals(Channel.SMTP, f.lastEvent().channel());
        }
        for (String user : new String[] {"api", "news@example.com"}) {
            assertTrue(first("xoauth2", xoauth2(user, key.token())).result().allowed(), user);
        }
        SaslExchange noInitialResponse = f.auth().sasl("OAUTHBEARER", CLIENT, true);
        SaslStep challenge = noInitialResponse.respond(null);
        assertEquals("334 ", challenge.reply().line(), "the empty challenge, with its space");
        assertNull(challenge.result());
        assertTrue(noInitialResponse.respond(oauthBearer("api", key.token())).result().allowed());
        assertEquals(8, f.events.size(), "one event per exchange");
    }

    @Test
    void aRefusedKeyGetsTheErrorChallengeThenTheRefusalAfterTheDummyResponse() {
        SaslExchange x = f.auth().sasl("OAUTHBEARER", CLIENT, true);
        SaslStep error = x.respond(oauthBearer("api", wrongSecret()));
        assertFalse(error.done(), "RFC 7628 §3.2.2: not over yet");
        assertEquals("334 " + INVALID_TOKEN, error.reply().line());
        assertEquals(DenyReason.WRONG_SECRET, error.result().reason(), "the decision is already made");
        assertEquals(1, f.events.size(), "and its one event emitted");
        SaslStep end = x.respond("AQ==");
        assertTrue(end.done());
        assertEquals("535 5.7.8 Authentication credentials invalid", end.reply().line());
        assertSame(error.result(), end.result());
        assertEquals(1, f.events.size(), "no second event for the same attempt");
        assertSame(end, x.respond("AQ=="), "a finished exchange answers as it did");

        SaslExchange google = f.auth().sasl("XOAUTH2", CLIENT, true);
        SaslStep googleError = google.respond(xoauth2("api", wrongSecret()));
        assertEquals("{\"status\":\"401\",\"schemes\":\"bearer\"}", decoded(googleError.challenge()));
        assertEquals("535 5.7.8", code(google.respond("")), "Google's clients answer with an empty line");
    }

    @Test
    void rfc7628SmtpExampleIsRefusedTheRfcWay() {
        // RFC 7628 §4.2/4.3: its token is nobody's key here; the transcript's shape is the RFC's.
        SaslExchange x = f.auth().sasl("OAUTHBEARER", CLIENT, true);
        SaslStep error = x.respond("bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9NTg3AWF1dGg9"
                + "QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB");
        assertEquals(334, error.reply().code());
        assertEquals("{\"status\":\"invalid_token\"}", decoded(error.challenge()));
        assertEquals(DenyReason.UNKNOWN_KEY, error.result().reason());
        assertEquals("535 5.7.8 Authentication credentials invalid", x.respond("AQ==").reply().line());
    }

    @Test
    void theAuthorizationIdentityMustBeSomethingTheKeyMayActAs() {
        // A mailbox at a domain the key may not send for, an identity that is no mailbox: refused, the key fine or not.
        for (String authzid : new String[] {"ceo@bank.test", "x@example.com.evil.test", "user", "x@*.example.com", "@example.com"}) {
            for (String token : new String[] {key.token(), wrongSecret()}) {
                SaslExchange x = f.auth().sasl("OAUTHBEARER", CLIENT, true);
                SaslStep error = x.respond(oauthBearer(authzid, token));
                assertFalse(error.done(), authzid);
                boolean identityRefused = token.equals(key.token()) || !authzid.contains("@") || authzid.contains("*") || authzid.startsWith("@");
                if (identityRefused) {
                    assertEquals(DenyReason.PERMISSION_DENIED, error.result().reason(), authzid);
                    assertEquals("{\"status\":\"insufficient_scope\"}", decoded(error.challenge()));
                }
                SaslStep end = x.respond("AQ==");
                assertFalse(end.result().allowed());
                assertEquals("535 5.7.8 Authentication credentials invalid", end.reply().line(), "RFC 7628 §4.3");
            }
        }
        assertEquals("AUTHZID", detailOf(first("XOAUTH2", xoauth2("someone", key.token()))));
        IssuedKey httpOnly = f.keys().create(KeySpec.builder().account("acme").channels(Channel.HTTP).build());
        SaslStep channel = first("OAUTHBEARER", oauthBearer("api", httpOnly.token()));
        assertEquals(DenyReason.PERMISSION_DENIED, channel.result().reason(), "a key not allowed on SMTP");
        assertEquals("CHANNEL", f.lastEvent().detail());
    }

    @Test
    void afterTheErrorChallengeCancelAndOtherAnswersEndItToo() {
        SaslExchange cancelled = f.auth().sasl("OAUTHBEARER", CLIENT, true);
        cancelled.respond(oauthBearer(null, wrongSecret()));
        SaslStep c = cancelled.respond("*");
        assertEquals("501 5.7.0", code(c));
        assertEquals(DenyReason.WRONG_SECRET, c.result().reason());
        SaslExchange other = f.auth().sasl("OAUTHBEARER", CLIENT, true);
        other.respond(oauthBearer(null, wrongSecret()));
        assertEquals("501 5.5.2", code(other.respond(oauthBearer(null, key.token()))), "a second token is not the dummy response");
        assertEquals(2, f.events.size());
    }

    @Test
    void aTemporaryRefusalIsAnsweredAtOnceWithoutTheErrorChallenge() {
        store.down = true; // an uncached key cannot be looked up: 454, and the key may be fine
        SaslStep s = first("OAUTHBEARER", oauthBearer("api", key.token()));
        assertTrue(s.done());
        assertEquals(DenyReason.STORE_UNAVAILABLE, s.result().reason());
        assertEquals("454 4.7.0", code(s));
    }

    @Test
    void malformedMessagesAre501AndNeverEchoed() {
        SaslStep s = first("OAUTHBEARER", b64("p=tls-unique,,\u0001auth=Bearer " + key.token() + "\u0001\u0001"));
        assertEquals("501 5.5.2", code(s));
        assertEquals("GS2_HEADER", f.lastEvent().detail());
        assertEquals("501 5.5.2", code(first("XOAUTH2", b64("user=api\u0001auth=Basic " + key.token() + "\u0001\u0001"))));
        assertEquals("NOT_BEARER", f.lastEvent().detail());
        String secret = key.token().substring(4 + KeyFormat.ID_LENGTH);
        for (AuthEvent e : f.events) {
            assertFalse(e.toString().contains(secret.substring(0, 8)), e::toString);
        }
        assertFalse(s.toString().contains(secret.substring(0, 8)));
    }

    private String detailOf(SaslStep s) {
        assertFalse(s.result().allowed());
        return f.lastEvent().detail();
    }

    private static String code(SaslStep s) {
        assertTrue(s.done());
        return s.reply().code() + " " + s.reply().enhanced();
    }

    private static String decoded(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
