package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.SaslExchange.SaslStep;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.testing.Hostile;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * OAUTHBEARER and XOAUTH2 exchanges through the whole pipeline, on generated and mutated lines
 * around a real key: never an allow unless the key itself was sent, never an exception, never a
 * reply or challenge that repeats the input, one event per exchange.
 */
class BearerExchangeProperties {
    private static final Set<String> CHALLENGES = Set.of("", "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=",
            "eyJzdGF0dXMiOiJpbnN1ZmZpY2llbnRfc2NvcGUifQ==", "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=",
            "eyJzdGF0dXMiOiI0MDMiLCJzY2hlbWVzIjoiYmVhcmVyIn0=");
    private static final Set<String> DONE = Set.of("235 2.7.0", "501 5.7.0", "500 5.5.6", "501 5.5.2", "535 5.7.8",
            "550 5.7.1", "454 4.7.0", "450 4.7.1");

    private final Fixtures f = new Fixtures(CredentialStore.inMemory(), Portcullis.builder().keyUsernames("api"), Runnable::run);
    private final IssuedKey key = f.key(); // messages:send on example.com
    private final java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
    private final String other = DenyReasonsTest.sameIdOtherSecret(key.token());

    @Provide
    Arbitrary<String> messages() {
        Arbitrary<String> token = Arbitraries.of(key.token(), other, "kat_" + "A".repeat(50), "not-a-key");
        Arbitrary<String> authzid = Arbitraries.of("api", "news@example.com", "ceo@bank.test", "someone", "a=2Cb").injectNull(0.3);
        return Arbitraries.oneOf(
                net.jqwik.api.Combinators.combine(token, authzid).as((t, a) ->
                        "n," + (a == null ? "" : "a=" + a) + ",\u0001host=h\u0001port=587\u0001auth=Bearer " + t + "\u0001\u0001"),
                net.jqwik.api.Combinators.combine(token, authzid).as((t, a) ->
                        (a == null ? "" : "user=" + a + "\u0001") + "auth=Bearer " + t + "\u0001\u0001"));
    }

    @Provide
    Arbitrary<List<String>> lines() {
        Arbitrary<String> valid = Arbitraries.oneOf(Hostile.mutated(messages()).map(Hostile::base64), messages().map(Hostile::base64),
                Arbitraries.of("AQ==", "", "=", "*"));
        // Half hostile sequences, half the RFC 7628 flow itself (a message, then the client's AQ==), so
        // both an allow and the 535 at the end of the failure flow are reached on every run.
        return Arbitraries.oneOf(Hostile.around(valid).injectNull(0.1).list().ofMinSize(1).ofMaxSize(4),
                messages().map(Hostile::base64).map(m -> List.of(m, "AQ==")));
    }

    @Property(tries = 400)
    @Label("generated and mutated exchanges: no allow without the key, no exception, no echo, one event")
    void exchanges(@ForAll("lines") List<String> lines, @ForAll boolean xoauth2, @ForAll boolean initialResponse) {
        int eventsBefore = f.events.size();
        // A network of its own per try: one shared address would spend its failure budget within a few
        // tries, and every later refusal would be 454 instead of RFC 7628's flow.
        int tryNo = tries.incrementAndGet();
        SaslExchange x = f.auth().sasl(xoauth2 ? "XOAUTH2" : "OAUTHBEARER", "198.18." + (tryNo >> 8 & 0xff) + "." + (tryNo & 0xff), true);
        boolean keySent = false;
        SaslStep s = null;
        int i = 0;
        if (!initialResponse) {
            s = x.respond(null);
            assertEquals("334 ", s.reply().line());
        }
        for (String line : lines) {
            keySent |= line != null && decoded(line).contains(key.token());
            s = x.respond(line);
            assertNotNull(s);
            if (!s.done()) {
                assertTrue(CHALLENGES.contains(s.challenge()), s.challenge());
                assertEquals(334, s.reply().code());
            } else {
                assertTrue(DONE.contains(s.reply().code() + " " + s.reply().enhanced()), s.reply()::line);
                if (s.result().allowed()) {
                    assertTrue(keySent, "allowed without the key having been sent");
                    assertEquals(key.id(), s.result().principal().keyId());
                }
            }
            if (line != null && line.length() > 8) {
                assertFalse(s.reply().line().contains(line), "the reply repeats the input");
            }
            i++;
        }
        assertTrue(f.events.size() - eventsBefore <= 1, "one event per exchange at most");
        if (s.done()) {
            assertEquals(1, f.events.size() - eventsBefore, "and exactly one once it is done");
        }
        for (AuthEvent e : f.events.subList(eventsBefore, f.events.size())) {
            assertFalse(e.toString().contains(key.token().substring(16, 40)), "an event shows the secret");
        }
        assertEquals(lines.size(), i);
        String outcome = !s.done() ? (s.result() == null ? "challenge" : "error challenge")
                : s.result().allowed() ? "allowed" : "refused " + s.reply().code();
        Statistics.label("outcome").collect(outcome);
        // The generator must reach both sides: an allow, and the RFC 7628 failure flow.
        Statistics.label("outcome").coverage(c -> {
            c.check("allowed").count(n -> n > 0);
            c.check("refused 535").count(n -> n > 0);
        });
    }

    private static String decoded(String line) {
        try {
            return new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
