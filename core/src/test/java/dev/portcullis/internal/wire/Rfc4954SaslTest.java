package dev.portcullis.internal.wire;

import static dev.portcullis.internal.wire.Rfc4616PlainTest.credential;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 4954 AUTH exchanges with PLAIN, checklist E21-E26. */
class Rfc4954SaslTest {
    private static final SaslResult OUT_OF_SEQUENCE = SaslResult.malformed(Malformation.OUT_OF_SEQUENCE);

    @Test
    @DisplayName("checklist E21: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ= with the initial response")
    void plainWithInitialResponse() {
        SaslMachine m = SaslMachines.create("PLAIN");
        PasswordCredential c = credential(m.start("dGVzdAB0ZXN0ADEyMzQ="));
        assertEquals("test", c.username());
        assertEquals("1234", c.password());
        assertSame(OUT_OF_SEQUENCE, m.next("dGVzdAB0ZXN0ADEyMzQ="));
    }

    @Test
    @DisplayName("checklist E22: AUTH PLAIN without initial response gets 334 with empty text, then the line")
    void plainWithoutInitialResponse() {
        SaslMachine m = SaslMachines.create("plain");
        SaslResult challenge = m.start(null);
        assertSame(SaslResult.Kind.CHALLENGE, challenge.kind());
        assertFalse(challenge.done());
        assertEquals("", challenge.challenge());
        assertEquals("test", credential(m.next("dGVzdAB0ZXN0ADEyMzQ=")).username());
        assertSame(OUT_OF_SEQUENCE, m.next("dGVzdAB0ZXN0ADEyMzQ="));
        assertSame(OUT_OF_SEQUENCE, m.start(null));
    }

    @Test
    @DisplayName("checklist E22/C15: AUTH PLAIN = is an empty message, so malformed")
    void plainEmptyInitialResponse() {
        SaslResult r = SaslMachines.create("PLAIN").start("=");
        assertSame(SaslResult.Kind.MALFORMED, r.kind());
        assertSame(Malformation.NUL_COUNT, r.reason());
    }

    @Test
    @DisplayName("checklist E23: * cancels, as the initial response or after the challenge")
    void cancel() {
        assertSame(SaslResult.CANCELLED, SaslMachines.create("PLAIN").start("*"));
        SaslMachine m = SaslMachines.create("PLAIN");
        m.start(null);
        assertSame(SaslResult.CANCELLED, m.next("*"));
        assertSame(OUT_OF_SEQUENCE, m.next("dGVzdAB0ZXN0ADEyMzQ="));
    }

    @Test
    @DisplayName("checklist E24/E25: bad base64 is malformed (501 5.5.2), a long line too long (500 5.5.6)")
    void lineErrors() {
        SaslResult bad = SaslMachines.create("PLAIN").start("dGVzdAB0ZXN0ADEyMzQ");
        assertSame(SaslResult.malformed(Malformation.BAD_BASE64), bad);
        SaslResult tooLong = SaslMachines.create("PLAIN").start("A".repeat(12292));
        assertSame(SaslResult.Kind.TOO_LONG, tooLong.kind());
        assertSame(Malformation.TOO_LONG, tooLong.reason());
    }

    @Test
    @DisplayName("checklist C17: the RFC 4616 example 2 authzid is refused through the exchange too")
    void authzidMismatch() {
        assertSame(SaslResult.malformed(Malformation.AUTHZID_MISMATCH),
                SaslMachines.create("PLAIN").start("VXJzZWwAS3VydAB4aXBqM3BsbXE="));
    }

    @Test
    @DisplayName("checklist E26: mechanism names ignore ASCII case; unknown ones get no exchange (504 5.5.4)")
    void mechanisms() {
        assertInstanceOf(SaslMachine.class, SaslMachines.create("Plain"));
        assertInstanceOf(SaslMachine.class, SaslMachines.create("login"));
        assertNotSame(SaslMachines.create("PLAIN"), SaslMachines.create("PLAIN"));
        for (String unknown : new String[] {"CRAM-MD5", "EXTERNAL", "SCRAM-SHA-256", "", "PLAIN ", "PLA\u0130N", "LOG\u0130N", null}) {
            assertNull(SaslMachines.create(unknown), unknown);
        }
    }

    @Test
    @DisplayName("next before start ends the exchange")
    void nextBeforeStart() {
        SaslMachine m = SaslMachines.create("PLAIN");
        assertSame(OUT_OF_SEQUENCE, m.next("dGVzdAB0ZXN0ADEyMzQ="));
        assertSame(OUT_OF_SEQUENCE, m.start("dGVzdAB0ZXN0ADEyMzQ="));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "LOGIN"})
    @DisplayName("checklist H43: no result text holds the credential")
    void secrecy(String mechanism) {
        SaslMachine m = SaslMachines.create(mechanism);
        SaslResult r = mechanism.equals("PLAIN") ? m.start("AHRpbQB0YW5zdGFhZnRhbnN0YWFm")
                : m.start("dGlt").done() ? null : m.next("dGFuc3RhYWZ0YW5zdGFhZg==");
        assertEquals(SaslResult.Kind.CREDENTIAL, r.kind());
        for (String text : new String[] {r.toString(), r.credential().toString(), m.toString()}) {
            assertFalse(text.contains("tim") || text.contains("tanstaaf"), text);
        }
    }
}
