package dev.portcullis.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 4954 §4 client lines, checklist E21-E25. */
class Rfc4954LineTest {
    @Test
    @DisplayName("checklist E22: = is a present but empty response")
    void emptyResponse() {
        assertSame(SaslLine.Decoded.Kind.EMPTY, SaslLine.decode("=").kind());
        assertEquals(0, SaslLine.decode("=").data().length);
        assertSame(SaslLine.Decoded.Kind.EMPTY, SaslLine.decode("").kind());
    }

    @Test
    @DisplayName("checklist E23: * cancels")
    void cancel() {
        assertSame(SaslLine.Decoded.Kind.CANCEL, SaslLine.decode("*").kind());
        assertSame(SaslLine.Decoded.Kind.MALFORMED, SaslLine.decode("**").kind());
        assertSame(SaslLine.Decoded.Kind.MALFORMED, SaslLine.decode(" *").kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"=AAA", "AAA=BBB", "QQ", "QR==", "QUI=QUI=", "Q===", "====", "QUJD\r\n", "QU JD", "QUJD ",
            "\tQUJD", "QUJ-", "QUJ_", "QU\u0130D", "\uFF31UJD", "QUJ\u0000", "==QQ", "QUE", "QUF=", "QUI"})
    @DisplayName("checklist E24: characters outside the alphabet, misplaced =, missing padding, non-canonical bits")
    void refused(String line) {
        assertSame(SaslLine.Decoded.Kind.MALFORMED, SaslLine.decode(line).kind());
    }

    @Test
    @DisplayName("checklist E24: QQ== is canonical (the unused bits are zero) and decodes")
    void canonical() {
        assertArrayEquals(new byte[] {'A'}, SaslLine.decode("QQ==").data());
        assertArrayEquals(new byte[] {'A', 'B'}, SaslLine.decode("QUI=").data());
        assertArrayEquals(new byte[] {'A', 'B', 'C'}, SaslLine.decode("QUJD").data());
        assertArrayEquals(new byte[] {(byte) 0xFB, (byte) 0xFF}, SaslLine.decode("+/8=").data());
    }

    @Test
    @DisplayName("checklist E25: 12288 octets fit; one more is too long, before any decoding")
    void lineCap() {
        String longest = Base64.getEncoder().encodeToString(new byte[12288 / 4 * 3]);
        assertEquals(12288, longest.length());
        assertEquals(9216, SaslLine.decode(longest).data().length);
        assertSame(SaslLine.Decoded.Kind.TOO_LONG, SaslLine.decode(longest + "A").kind());
        assertSame(SaslLine.Decoded.Kind.TOO_LONG, SaslLine.decode("!".repeat(12289)).kind());
        assertSame(SaslLine.Decoded.Kind.MALFORMED, SaslLine.decode("!".repeat(12288)).kind());
    }

    @Test
    @DisplayName("checklist E22: challenges encode; an empty one is the empty text of 334 ")
    void encode() {
        assertEquals("", SaslLine.encode(new byte[0]));
        assertEquals("VXNlcm5hbWU6", SaslLine.encode("Username:".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("UGFzc3dvcmQ6", SaslLine.encode("Password:".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    @DisplayName("a null line is malformed, not an exception")
    void nullLine() {
        assertSame(SaslLine.Decoded.Kind.MALFORMED, SaslLine.decode(null).kind());
    }
}
