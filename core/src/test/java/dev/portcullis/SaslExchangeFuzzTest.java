package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.testing.FuzzInput;
import java.util.List;
import java.util.Set;
import dev.portcullis.AuthResult.SmtpReply;
import dev.portcullis.SaslExchange.SaslStep;

/**
 * Fuzz target for a whole {@link SaslExchange} through the pipeline (RFC 4954, 4616, the LOGIN
 * draft, RFC 7628 and XOAUTH2; checklist C-E, H43-H45), against the {@link FuzzWorld}. Input fields ({@link FuzzInput}
 * form, after placeholder substitution): 0 the mechanism, 1 flags ({@code t} anywhere: TLS is
 * active), 2 the client address, then the initial response ({@code !} for none) and the client
 * lines. Oracle: never an exception, a documented reply at every step, at most two challenges, no
 * allow without the placeholder of an allowable credential, exactly one event per exchange once it
 * is done and none before, and a finished exchange answers the same forever.
 */
class SaslExchangeFuzzTest {
    private static final FuzzWorld W = FuzzWorld.INSTANCE;
    private static final Set<String> CHALLENGES = Set.of("", "VXNlcm5hbWU6", "UGFzc3dvcmQ6");
    /** RFC 7628 §3.2.2 (OAUTHBEARER) and Google's (XOAUTH2) error challenges: fixed JSON, never the input. */
    private static final Set<String> ERROR_CHALLENGES = Set.of("eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=",
            "eyJzdGF0dXMiOiJpbnN1ZmZpY2llbnRfc2NvcGUifQ==", "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=",
            "eyJzdGF0dXMiOiI0MDMiLCJzY2hlbWVzIjoiYmVhcmVyIn0=");
    private static final Set<String> DONE_REPLIES = Set.of("235 2.7.0", "501 5.7.0", "500 5.5.6", "504 5.5.4", "538 5.7.11",
            "535 5.7.8", "501 5.5.2", "530 5.7.0", "550 5.7.1", "450 4.7.1", "454 4.7.0");

    @FuzzTest(maxDuration = "60s")
    void exchanges(byte[] data) {
        W.next();
        Set<String> allowedAs = W.mayBeAllowedAs(data);
        List<String> f = FuzzInput.texts(W.substitute(data));
        String mechanism = f.get(0);
        boolean tls = f.size() > 1 && f.get(1) != null && f.get(1).indexOf('t') >= 0;
        String client = f.size() > 2 ? f.get(2) : "203.0.113.7";
        SaslExchange x = W.auth.sasl(mechanism, client, tls);
        assertNotNull(x);
        SaslStep last = null;
        int challenges = 0;
        // With no line given, the exchange still starts: as AUTH without an initial response.
        List<String> lines = f.size() > 3 ? f.subList(3, f.size()) : java.util.Collections.singletonList(null);
        for (String line : lines) {
            SaslStep s = x.respond(line);
            assertNotNull(s);
            assertNotNull(s.reply());
            assertFalse(s.toString().contains("kat_"));
            if (last != null && last.done()) {
                assertSame(last, s, "a finished exchange answers as it did");
                continue;
            }
            if (!s.done()) {
                challenges++;
                assertTrue(challenges <= 2, "PLAIN and OAUTHBEARER have one challenge, LOGIN two, and a refused bearer one more");
                assertEquals(334, s.reply().code());
                if (s.result() == null) {
                    assertTrue(CHALLENGES.contains(s.challenge()), s.challenge());
                    W.checkEvents(0);
                } else {
                    // A refused bearer key: the decision and its event come with the error challenge.
                    assertTrue(ERROR_CHALLENGES.contains(s.challenge()), s.challenge());
                    assertFalse(s.result().allowed());
                    W.checkDecision(s.result(), allowedAs, false);
                    W.checkEvents(1);
                }
            } else {
                assertNull(s.challenge());
                SmtpReply reply = s.reply();
                assertTrue(DONE_REPLIES.contains(reply.code() + " " + reply.enhanced()), reply::line);
                W.checkDecision(s.result(), allowedAs, false);
                if (s.result().allowed()) {
                    assertTrue(tls, "never an allow without TLS here (insecureAllowSaslWithoutTls is off)");
                    assertEquals("235 2.7.0 Authentication successful", reply.line());
                    assertTrue(s.result().principal().channels().contains(Channel.SMTP));
                }
                W.checkEvents(1);
            }
            last = s;
        }
    }
}
