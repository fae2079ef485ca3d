package dev.portcullis.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.testing.FuzzInput;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Fuzz targets for the SASL wire layer (checklist C14-C17, D19-D20, E21-E26): the RFC 4954 line
 * rules, the RFC 4616 PLAIN message, and both exchanges. Inputs are in {@link FuzzInput} form.
 * Oracles: documented outcomes only, never an exception, and differential checks against small
 * reference implementations written from the RFC text.
 */
class SaslFuzzTest {
    private static final String USERNAME_PROMPT = "VXNlcm5hbWU6"; // "Username:"
    private static final String PASSWORD_PROMPT = "UGFzc3dvcmQ6"; // "Password:"

    /** Each field is one client line: strict base64, {@code =}, {@code *}, or the 12288-octet cap. */
    @FuzzTest(maxDuration = "60s")
    void lines(byte[] data) {
        for (String line : FuzzInput.texts(data)) {
            SaslLine.Decoded d = SaslLine.decode(line);
            assertNotNull(d);
            assertEquals("Decoded[" + d.kind() + "]", d.toString(), "no content in toString");
            SaslLine.Decoded.Kind expected;
            if (line == null) {
                expected = SaslLine.Decoded.Kind.MALFORMED;
            } else if (line.length() > SaslLine.MAX_LENGTH) {
                expected = SaslLine.Decoded.Kind.TOO_LONG;
            } else if (line.isEmpty() || line.equals("=")) {
                expected = SaslLine.Decoded.Kind.EMPTY;
            } else if (line.equals("*")) {
                expected = SaslLine.Decoded.Kind.CANCEL;
            } else {
                expected = canonicalBase64(line) != null ? SaslLine.Decoded.Kind.DATA : SaslLine.Decoded.Kind.MALFORMED;
            }
            assertEquals(expected, d.kind(), "RFC 4954 §4 line rules");
            switch (d.kind()) {
                case DATA -> assertArrayEquals(canonicalBase64(line), d.data());
                case EMPTY -> assertEquals(0, d.data().length);
                default -> assertNull(d.data());
            }
        }
    }

    /** The whole input is one decoded PLAIN message, against a reference reading of RFC 4616 §2. */
    @FuzzTest(maxDuration = "60s")
    void plainMessages(byte[] message) {
        SaslResult r = SaslPlain.parse(message);
        assertNotNull(r);
        Malformation expected = referencePlain(message);
        if (expected == null) {
            assertSame(SaslResult.Kind.CREDENTIAL, r.kind(), r::toString);
            int first = indexOf(message, 0);
            int second = indexOf(message, first + 1);
            assertEquals(new String(message, first + 1, second - first - 1, StandardCharsets.UTF_8), r.credential().username());
            assertEquals(new String(message, second + 1, message.length - second - 1, StandardCharsets.UTF_8), r.credential().password());
            assertEquals("SaslResult[CREDENTIAL]", r.toString());
            assertEquals("PasswordCredential[redacted]", r.credential().toString());
        } else {
            assertSame(SaslResult.Kind.MALFORMED, r.kind());
            assertSame(expected, r.reason());
            assertNull(r.credential());
        }
    }

    /**
     * Field 0 names the mechanism, field 1 is the initial response ({@code !} for none), the rest
     * are client lines. Both machines, any sequence: challenges only the documented ones, at most one
     * for PLAIN and two for LOGIN, a credential only by the RFC rules, and nothing after the end.
     */
    @FuzzTest(maxDuration = "60s")
    void exchanges(byte[] data) {
        List<String> fields = FuzzInput.texts(data);
        String mechanism = fields.get(0);
        SaslMachine m = SaslMachines.create(mechanism);
        boolean plain = mechanism != null && mechanism.length() == 5 && "plain".equals(asciiLower(mechanism));
        boolean login = mechanism != null && mechanism.length() == 5 && "login".equals(asciiLower(mechanism));
        if (!plain && !login) {
            assertNull(m, "only PLAIN and LOGIN, ASCII case ignored");
            return;
        }
        assertNotNull(m);
        if (fields.size() == 1) {
            assertSame(Malformation.OUT_OF_SEQUENCE, m.next("dGlt").reason(), "next before start");
            return;
        }
        boolean done = false;
        int challenges = 0;
        for (int i = 1; i < fields.size(); i++) {
            String line = fields.get(i);
            SaslResult r = i == 1 ? m.start(line) : m.next(line);
            assertNotNull(r);
            if (done) {
                assertSame(Malformation.OUT_OF_SEQUENCE, r.reason(), "nothing after the end");
                continue;
            }
            switch (r.kind()) {
                case CHALLENGE -> {
                    challenges++;
                    if (plain) {
                        assertEquals("", r.challenge(), "PLAIN's one challenge is empty");
                        assertTrue(i == 1 && line == null, "and only without an initial response");
                    } else {
                        assertTrue(List.of(USERNAME_PROMPT, PASSWORD_PROMPT).contains(r.challenge()), r::toString);
                    }
                    assertTrue(challenges <= (plain ? 1 : 2), "bounded exchange");
                }
                case CANCELLED -> assertEquals("*", line);
                case TOO_LONG -> assertTrue(line.length() > SaslLine.MAX_LENGTH);
                case MALFORMED -> assertNotNull(r.reason());
                case CREDENTIAL -> {
                    String user = r.credential().username();
                    String password = r.credential().password();
                    assertFalse(user.isEmpty() || password.isEmpty());
                    assertFalse(user.chars().anyMatch(Character::isISOControl), "no control characters in a username");
                    if (plain) {
                        SaslResult reference = SaslPlain.parse(SaslLine.decode(line).data());
                        assertEquals(user, reference.credential().username());
                        assertEquals(password, reference.credential().password());
                    } else {
                        assertFalse(password.indexOf('\0') >= 0 || password.indexOf('\r') >= 0 || password.indexOf('\n') >= 0,
                                "LOGIN passwords exclude NUL, CR and LF");
                        assertEquals(password, new String(SaslLine.decode(line).data(), StandardCharsets.UTF_8));
                    }
                }
            }
            if (r.kind() != SaslResult.Kind.CHALLENGE) {
                assertTrue(r.done());
            }
            done = r.done();
        }
        assertSame(Malformation.OUT_OF_SEQUENCE, m.start("dGlt").reason(), "start only once");
    }

    /** The bytes of {@code s} if it is canonical, padded base64 (the one spelling Base64 encodes), else null. */
    private static byte[] canonicalBase64(String s) {
        try {
            byte[] b = Base64.getDecoder().decode(s);
            return Base64.getEncoder().encodeToString(b).equals(s) ? b : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** RFC 4616 §2 and checklist C15/C17, in the order the parser reports them; null if acceptable. */
    private static Malformation referencePlain(byte[] m) {
        long nuls = 0;
        for (byte b : m) {
            nuls += b == 0 ? 1 : 0;
        }
        if (nuls != 2) {
            return Malformation.NUL_COUNT;
        }
        int first = indexOf(m, 0);
        int second = indexOf(m, first + 1);
        byte[] authzid = Arrays.copyOfRange(m, 0, first);
        byte[] authcid = Arrays.copyOfRange(m, first + 1, second);
        byte[] passwd = Arrays.copyOfRange(m, second + 1, m.length);
        if (authcid.length == 0) {
            return Malformation.EMPTY_USERNAME;
        }
        if (passwd.length == 0) {
            return Malformation.EMPTY_PASSWORD;
        }
        if (authzid.length > 0 && !Arrays.equals(authzid, authcid)) {
            return Malformation.AUTHZID_MISMATCH;
        }
        if (!isUtf8(authcid) || !isUtf8(passwd)) {
            return Malformation.BAD_UTF8;
        }
        if (new String(authcid, StandardCharsets.UTF_8).chars().anyMatch(Character::isISOControl)) {
            return Malformation.CONTROL_CHARACTER;
        }
        return null;
    }

    private static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String asciiLower(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }
}
