package dev.portcullis.internal.wire;

import static dev.portcullis.internal.wire.Rfc4616PlainTest.credential;
import static dev.portcullis.testing.Hostile.base64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** LOGIN (draft-murchison-sasl-login-00) over RFC 4954, checklist section D. */
class SaslLoginTest {
    private static final String USERNAME = "VXNlcm5hbWU6";
    private static final String PASSWORD = "UGFzc3dvcmQ6";

    private static void challenge(String expected, SaslResult r) {
        assertSame(SaslResult.Kind.CHALLENGE, r.kind(), r::toString);
        assertEquals(expected, r.challenge());
    }

    private static void malformed(Malformation reason, SaslResult r) {
        assertSame(SaslResult.malformed(reason), r, r::toString);
    }

    @Test
    @DisplayName("checklist D19: the draft §2.3 exchange with the common prompts Username: and Password:")
    void draftExchange() {
        SaslMachine m = SaslMachines.create("LOGIN");
        challenge(USERNAME, m.start(null));
        challenge(PASSWORD, m.next("dGlt"));
        PasswordCredential c = credential(m.next("dGFuc3RhYWZ0YW5zdGFhZg=="));
        assertEquals("tim", c.username());
        assertEquals("tanstaaftanstaaf", c.password());
        assertEquals("Username:", new String(Base64.getDecoder().decode(USERNAME)));
        assertEquals("Password:", new String(Base64.getDecoder().decode(PASSWORD)));
        malformed(Malformation.OUT_OF_SEQUENCE, m.next("dGlt"));
    }

    @Test
    @DisplayName("checklist D20: a non-empty initial response is the username")
    void initialResponseIsUsername() {
        SaslMachine m = SaslMachines.create("LOGIN");
        challenge(PASSWORD, m.start("dGlt"));
        assertEquals("tim", credential(m.next("dGFuc3RhYWZ0YW5zdGFhZg==")).username());
    }

    @Test
    @DisplayName("checklist D20: an empty initial response (=) is no initial response")
    void emptyInitialResponse() {
        SaslMachine m = SaslMachines.create("LOGIN");
        challenge(USERNAME, m.start("="));
        challenge(PASSWORD, m.next("dGlt"));
    }

    @Test
    @DisplayName("checklist D19: no 64-character limit on usernames, which are email addresses")
    void longUsername() {
        String user = "a-rather-long-local-part-for-a-submission-account.with.dots@mail.subdomain.example.com";
        SaslMachine m = SaslMachines.create("LOGIN");
        m.start(base64(user));
        assertEquals(user, credential(m.next(base64("pw"))).username());
    }

    @Test
    @DisplayName("checklist D19: the password excludes NUL, CR and LF")
    void passwordCharacters() {
        for (String bad : new String[] {"p\0w", "p\rw", "p\nw"}) {
            SaslMachine m = SaslMachines.create("LOGIN");
            m.start(base64("tim"));
            malformed(Malformation.CONTROL_CHARACTER, m.next(base64(bad)));
        }
        SaslMachine m = SaslMachines.create("LOGIN");
        m.start(base64("tim"));
        assertEquals("p\tw", credential(m.next(base64("p\tw"))).password());
    }

    @Test
    @DisplayName("checklist A4: control characters are refused in the username")
    void usernameCharacters() {
        SaslMachine m = SaslMachines.create("LOGIN");
        m.start(null);
        malformed(Malformation.CONTROL_CHARACTER, m.next(base64("ti\u0000m")));
    }

    @Test
    @DisplayName("checklist C15: empty username or password, invalid UTF-8")
    void emptyOrInvalid() {
        SaslMachine m = SaslMachines.create("LOGIN");
        m.start(null);
        malformed(Malformation.EMPTY_USERNAME, m.next("="));

        m = SaslMachines.create("LOGIN");
        m.start(base64("tim"));
        malformed(Malformation.EMPTY_PASSWORD, m.next(""));

        m = SaslMachines.create("LOGIN");
        m.start(null);
        malformed(Malformation.BAD_UTF8, m.next(Base64.getEncoder().encodeToString(new byte[] {(byte) 0xC3})));
    }

    @Test
    @DisplayName("checklist E23/E24/E25: cancel, bad base64 and long lines at either prompt")
    void lineRules() {
        SaslMachine m = SaslMachines.create("LOGIN");
        m.start(null);
        assertSame(SaslResult.CANCELLED, m.next("*"));
        malformed(Malformation.OUT_OF_SEQUENCE, m.next("dGlt"));

        m = SaslMachines.create("LOGIN");
        m.start("dGlt");
        malformed(Malformation.BAD_BASE64, m.next("QR=="));

        m = SaslMachines.create("LOGIN");
        m.start("dGlt");
        assertSame(SaslResult.TOO_LONG, m.next("Q".repeat(12300)));
        assertSame(SaslResult.CANCELLED, SaslMachines.create("LOGIN").start("*"));
    }
}
