package dev.portcullis.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.testing.Hostile;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the PLAIN and LOGIN exchanges (checklist C, D, E). */
class SaslMachineProperties {
    private static final Set<String> CHALLENGES = Set.of("", "VXNlcm5hbWU6", "UGFzc3dvcmQ6");

    @Provide
    Arbitrary<String> mechanisms() {
        return Arbitraries.of("PLAIN", "LOGIN", "plain", "Login");
    }

    @Provide
    Arbitrary<List<String>> exchanges() {
        Arbitrary<String> valid = Arbitraries.oneOf(
                Arbitraries.of("dGVzdAB0ZXN0ADEyMzQ=", "AHRpbQB0YW5zdGFhZnRhbnN0YWFm", "dGlt", "=", "*"),
                Hostile.base64OfBytes());
        return Hostile.around(valid).injectNull(0.2).list().ofMaxSize(6);
    }

    @Property
    @Label("checklist E21-E26: any sequence of lines gets documented outcomes, and nothing after the end")
    void documentedOutcomes(@ForAll("mechanisms") String mechanism, @ForAll("exchanges") List<String> lines) {
        SaslMachine m = SaslMachines.create(mechanism);
        boolean done = false;
        for (int i = 0; i < lines.size(); i++) {
            SaslResult r = i == 0 ? m.start(lines.get(0)) : m.next(lines.get(i));
            assertNotNull(r);
            if (done) {
                assertSame(Malformation.OUT_OF_SEQUENCE, r.reason());
                continue;
            }
            switch (r.kind()) {
                case CHALLENGE -> assertTrue(CHALLENGES.contains(r.challenge()), r::toString);
                case MALFORMED, TOO_LONG -> assertNotNull(r.reason());
                case CANCELLED -> { }
                case CREDENTIAL -> {
                    assertFalse(r.credential().username().isEmpty() || r.credential().password().isEmpty());
                    assertFalse(Text.hasControl(r.credential().username()));
                }
            }
            done = r.done();
        }
    }

    @Property
    @Label("checklist C14/D19/D20: generated credentials round-trip through both mechanisms, with and without initial response")
    void roundTrip(@ForAll("usernames") String user, @ForAll("passwords") String password) {
        String plain = Hostile.base64("\0" + user + "\0" + password);
        assertCredential(user, password, SaslMachines.create("PLAIN").start(plain));

        SaslMachine m = SaslMachines.create("PLAIN");
        assertEquals("", m.start(null).challenge());
        assertCredential(user, password, m.next(plain));

        m = SaslMachines.create("LOGIN");
        assertEquals("VXNlcm5hbWU6", m.start(null).challenge());
        assertEquals("UGFzc3dvcmQ6", m.next(Hostile.base64(user)).challenge());
        assertCredential(user, password, m.next(Hostile.base64(password)));

        m = SaslMachines.create("LOGIN");
        assertEquals("UGFzc3dvcmQ6", m.start(Hostile.base64(user)).challenge());
        assertCredential(user, password, m.next(Hostile.base64(password)));
    }

    private static void assertCredential(String user, String password, SaslResult r) {
        assertEquals(SaslResult.Kind.CREDENTIAL, r.kind(), r::toString);
        assertEquals(user, r.credential().username());
        assertEquals(password, r.credential().password());
    }

    @Provide
    Arbitrary<String> usernames() {
        return AuthorizationHeaderProperties.text(1);
    }

    @Provide
    Arbitrary<String> passwords() {
        return AuthorizationHeaderProperties.text(1);
    }
}
