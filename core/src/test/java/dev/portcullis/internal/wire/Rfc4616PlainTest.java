package dev.portcullis.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 4616 §2 and §4 (SASL PLAIN), checklist section C. */
class Rfc4616PlainTest {
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static PasswordCredential credential(SaslResult r) {
        assertEquals(SaslResult.Kind.CREDENTIAL, r.kind(), r::toString);
        return r.credential();
    }

    @Test
    @DisplayName("checklist C14: RFC 4616 §4 example 1, tim / tanstaaftanstaaf")
    void example1() {
        byte[] message = Base64.getDecoder().decode("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
        assertEquals("\0tim\0tanstaaftanstaaf", new String(message, StandardCharsets.UTF_8));
        PasswordCredential c = credential(SaslPlain.parse(message));
        assertEquals("tim", c.username());
        assertEquals("tanstaaftanstaaf", c.password());
    }

    @Test
    @DisplayName("checklist C17: RFC 4616 §4 example 2, authzid Ursel for authcid Kurt, is refused")
    void example2() {
        byte[] message = Base64.getDecoder().decode("VXJzZWwAS3VydAB4aXBqM3BsbXE=");
        assertEquals("Ursel\0Kurt\0xipj3plmq", new String(message, StandardCharsets.UTF_8));
        assertSame(SaslResult.malformed(Malformation.AUTHZID_MISMATCH), SaslPlain.parse(message));
    }

    @Test
    @DisplayName("checklist C17: an authzid equal to the authcid is the same identity")
    void authzidEqualsAuthcid() {
        PasswordCredential c = credential(SaslPlain.parse(utf8("test\0test\0" + "1234")));
        assertEquals("test", c.username());
        assertEquals("1234", c.password());
        assertSame(SaslResult.malformed(Malformation.AUTHZID_MISMATCH), SaslPlain.parse(utf8("Test\0test\0" + "1234")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "tim", "\0tim", "tim\0pw", "\0tim\0pw\0", "\0\0\0", "a\0b\0c\0d"})
    @DisplayName("checklist C15: not exactly two NULs")
    void nulCount(String message) {
        assertSame(SaslResult.malformed(Malformation.NUL_COUNT), SaslPlain.parse(utf8(message)));
    }

    @Test
    @DisplayName("checklist C15: empty authcid or passwd")
    void emptyFields() {
        assertSame(SaslResult.malformed(Malformation.EMPTY_USERNAME), SaslPlain.parse(utf8("\0\0pw")));
        assertSame(SaslResult.malformed(Malformation.EMPTY_USERNAME), SaslPlain.parse(utf8("\0\0")));
        assertSame(SaslResult.malformed(Malformation.EMPTY_PASSWORD), SaslPlain.parse(utf8("\0tim\0")));
    }

    @Test
    @DisplayName("checklist C15: invalid UTF-8 in authcid or passwd")
    void invalidUtf8() {
        assertSame(SaslResult.malformed(Malformation.BAD_UTF8), SaslPlain.parse(new byte[] {0, 't', (byte) 0xFF, 0, 'p'}));
        assertSame(SaslResult.malformed(Malformation.BAD_UTF8), SaslPlain.parse(new byte[] {0, 't', 0, (byte) 0xC0, (byte) 0x80}));
    }

    @Test
    @DisplayName("checklist C14: control characters are refused in authcid; passwd is 1*SAFE (anything but NUL)")
    void controlCharacters() {
        assertSame(SaslResult.malformed(Malformation.CONTROL_CHARACTER), SaslPlain.parse(utf8("\0ti\u0001m\0pw")));
        assertSame(SaslResult.malformed(Malformation.CONTROL_CHARACTER), SaslPlain.parse(utf8("\0tim\r\n\0pw")));
        assertEquals("p\tw\u0085", credential(SaslPlain.parse(utf8("\0tim\0p\tw\u0085"))).password());
    }

    @Test
    @DisplayName("checklist C14: fields of 255 octets and more are accepted")
    void longFields() {
        String user = "u".repeat(300) + "@example.com";
        String pass = "é".repeat(200);
        PasswordCredential c = credential(SaslPlain.parse(utf8(user + "\0" + user + "\0" + pass)));
        assertEquals(user, c.username());
        assertEquals(pass, c.password());
    }
}
