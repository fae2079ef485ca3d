package dev.portcullis.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * OAUTHBEARER (RFC 7628 §3.1, §4) and XOAUTH2 client messages: the RFC's, Google's and curl's
 * published vectors, then what each rule refuses.
 */
class Rfc7628BearerTest {
    /** RFC 7628 §4.1 and §4.3 (IMAP, port 143) and §4.2 (SMTP, port 587): the same message but the port. */
    static final String RFC_IMAP = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
    static final String RFC_SMTP = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9NTg3AWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
    static final String RFC_TOKEN = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
    /** curl's tests 908 and 922 (XOAUTH2 without and with an initial response), user "user". */
    static final String CURL_XOAUTH2 = "dXNlcj11c2VyAWF1dGg9QmVhcmVyIG1GXzkuQjVmLTQuMUpxTQEB";
    /** Google's XOAUTH2 documentation example. */
    static final String GOOGLE_XOAUTH2 = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==";

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static SaslResult bearer(SaslResult r, String token, String authzid) {
        assertEquals(SaslResult.Kind.BEARER, r.kind(), r::toString);
        assertEquals(token, r.bearerToken().token());
        assertEquals(authzid, r.authzid());
        return r;
    }

    @Test
    @DisplayName("RFC 7628 §4.1/§4.2: the examples' message gives their token and authzid, whatever the port")
    void rfcExamples() {
        for (String message : new String[] {RFC_IMAP, RFC_SMTP}) {
            bearer(SaslBearer.oauthBearer(Base64.getDecoder().decode(message)), RFC_TOKEN, "user@example.com");
            SaslMachine m = SaslMachines.create("OAUTHBEARER");
            bearer(m.start(message), RFC_TOKEN, "user@example.com");
        }
    }

    @Test
    @DisplayName("RFC 7628 §3.2.2/§4.3: the error challenge is JSON with a status, and AQ== answers it")
    void errorChallengeAndDummyResponse() {
        SaslMachine m = SaslMachines.create("oauthbearer");
        assertEquals("", m.start(null).challenge(), "no initial response: the empty challenge, '334 '");
        bearer(m.next(RFC_SMTP), RFC_TOKEN, "user@example.com");
        assertEquals("{\"status\":\"invalid_token\"}", decoded(SaslMachines.errorChallenge(m, false)));
        assertEquals("{\"status\":\"insufficient_scope\"}", decoded(SaslMachines.errorChallenge(m, true)));
        assertSame(SaslResult.ACKNOWLEDGED, m.next("AQ=="));
        assertSame(Malformation.OUT_OF_SEQUENCE, m.next("AQ==").reason(), "nothing after the end");

        SaslMachine other = SaslMachines.create("OAUTHBEARER");
        other.start(RFC_SMTP);
        assertSame(Malformation.NOT_DUMMY_RESPONSE, other.next("=").reason(), "RFC 7628 §3.2.3: %x01, not an empty response");
        SaslMachine cancelled = SaslMachines.create("OAUTHBEARER");
        cancelled.start(RFC_SMTP);
        assertSame(SaslResult.CANCELLED, cancelled.next("*"));
    }

    @Test
    @DisplayName("XOAUTH2: curl's and Google's messages; Google's error challenge; AQ== and the empty response both answer it")
    void xoauth2Vectors() {
        bearer(SaslBearer.xoauth2(Base64.getDecoder().decode(CURL_XOAUTH2)), "mF_9.B5f-4.1JqM", "user");
        bearer(SaslBearer.xoauth2(Base64.getDecoder().decode(GOOGLE_XOAUTH2)),
                "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", "someuser@example.com");
        for (String dummy : new String[] {"AQ==", "", "="}) {
            SaslMachine m = SaslMachines.create("XOAUTH2");
            bearer(m.start(CURL_XOAUTH2), "mF_9.B5f-4.1JqM", "user");
            assertEquals("{\"status\":\"401\",\"schemes\":\"bearer\"}", decoded(SaslMachines.errorChallenge(m, false)));
            assertSame(SaslResult.ACKNOWLEDGED, m.next(dummy), dummy);
        }
    }

    @Test
    @DisplayName("curl's OAUTHBEARER (tests 946/947): host and port pairs, authzid from --user")
    void curlOauthBearer() {
        String message = "n,a=user,\u0001host=127.0.0.1\u0001port=9025\u0001auth=Bearer mF_9.B5f-4.1JqM\u0001\u0001";
        bearer(SaslBearer.oauthBearer(bytes(message)), "mF_9.B5f-4.1JqM", "user");
    }

    @Test
    @DisplayName("no authzid, the y flag, escaped saslnames, case of the scheme, unknown keys")
    void variants() {
        bearer(SaslBearer.oauthBearer(bytes("n,,\u0001auth=Bearer abc\u0001\u0001")), "abc", null);
        bearer(SaslBearer.oauthBearer(bytes("y,,\u0001auth=Bearer abc\u0001\u0001")), "abc", null);
        bearer(SaslBearer.oauthBearer(bytes("n,a=a=2Cb=3Dc@x.test,\u0001auth=Bearer abc\u0001\u0001")), "abc", "a,b=c@x.test");
        bearer(SaslBearer.oauthBearer(bytes("n,,\u0001auth=bEaReR   abc==\u0001\u0001")), "abc==", null);
        bearer(SaslBearer.oauthBearer(bytes("n,,\u0001fooExt=anything goes\u0001auth=Bearer abc\u0001\u0001")), "abc", null);
        bearer(SaslBearer.xoauth2(bytes("auth=Bearer abc\u0001\u0001")), "abc", null);
        bearer(SaslBearer.xoauth2(bytes("user=\u0001auth=Bearer abc\u0001\u0001")), "abc", null);
        bearer(SaslBearer.xoauth2(bytes("auth=Bearer abc\u0001user=j\u00f6rg@b\u00fccher.example\u0001\u0001")), "abc", "j\u00f6rg@b\u00fccher.example");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "channel binding asked for | p=tls-unique,,^auth=Bearer abc^^ | GS2_HEADER",
        "GS2 non-standard flag | F,n,,^auth=Bearer abc^^ | GS2_HEADER",
        "no GS2 header | ^auth=Bearer abc^^ | GS2_HEADER",
        "empty authzid | n,a=,^auth=Bearer abc^^ | GS2_HEADER",
        "bad saslname escape | n,a=x=2Dy,^auth=Bearer abc^^ | GS2_HEADER",
        "no kvsep after the header | n,,auth=Bearer abc^^ | GS2_HEADER",
        "the dummy response as a message | ^ | GS2_HEADER",
        "no closing kvsep | n,,^auth=Bearer abc^ | BAD_KVPAIR",
        "something after the end | n,,^auth=Bearer abc^^x | BAD_KVPAIR",
        "a key that is not ALPHA | n,,^au-th=Bearer abc^^ | BAD_KVPAIR",
        "a pair without = | n,,^auth^^ | BAD_KVPAIR",
        "a NUL in a value | n,,^host=a\u0000b^auth=Bearer abc^^ | BAD_KVPAIR",
        "auth twice | n,,^auth=Bearer abc^auth=Bearer abc^^ | DUPLICATE_KEY",
        "host twice | n,,^host=a^host=a^auth=Bearer abc^^ | DUPLICATE_KEY",
        "no auth | n,,^host=a^^ | NOT_BEARER",
        "Basic, not Bearer | n,,^auth=Basic YWJjOmRlZg==^^ | NOT_BEARER",
        "no space after the scheme | n,,^auth=Bearerabc^^ | NOT_BEARER",
        "an empty token | n,,^auth=Bearer ^^ | NOT_BEARER",
        "not a token68 | n,,^auth=Bearer a b^^ | NOT_BEARER",
        "an authzid with a control character | n,a=x\u0085y,^auth=Bearer abc^^ | CONTROL_CHARACTER",
    })
    void oauthBearerRefusals(String why, String message, Malformation reason) {
        SaslResult r = SaslBearer.oauthBearer(bytes(message.replace('^', '\u0001')));
        assertSame(SaslResult.malformed(reason), r, why);
        assertFalse(r.toString().contains("abc"), "never echoes the input");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty | '' | BAD_KVPAIR",
        "no closing kvsep | user=a^auth=Bearer abc^ | BAD_KVPAIR",
        "user twice | user=a^user=a^auth=Bearer abc^^ | DUPLICATE_KEY",
        "no auth | user=a^^ | NOT_BEARER",
        "a control character in user | user=a\tb^auth=Bearer abc^^ | BAD_KVPAIR",
        "a C1 control in user | user=a\u0085b^auth=Bearer abc^^ | CONTROL_CHARACTER",
    })
    void xoauth2Refusals(String why, String message, Malformation reason) {
        assertSame(SaslResult.malformed(reason), SaslBearer.xoauth2(bytes(message.replace('^', '\u0001'))), why);
    }

    @Test
    @DisplayName("XOAUTH2's user must be UTF-8")
    void xoauth2UserIsUtf8() {
        byte[] m = bytes("user=a?b\u0001auth=Bearer abc\u0001\u0001");
        m[6] = (byte) 0xC3; // a lead byte with no continuation
        assertSame(SaslResult.malformed(Malformation.BAD_UTF8), SaslBearer.xoauth2(m));
    }

    @Test
    @DisplayName("RFC 4954 line rules hold: bad base64 is 501, * cancels, an empty initial response is no message")
    void lineRules() {
        assertSame(Malformation.BAD_BASE64, SaslMachines.create("OAUTHBEARER").start("bixhP").reason());
        assertSame(SaslResult.CANCELLED, SaslMachines.create("XOAUTH2").start("*"));
        assertSame(Malformation.GS2_HEADER, SaslMachines.create("OAUTHBEARER").start("=").reason());
        SaslMachine m = SaslMachines.create("XOAUTH2");
        assertEquals("", m.start(null).challenge());
        assertSame(Malformation.BAD_KVPAIR, m.next("=").reason());
        assertSame(Malformation.OUT_OF_SEQUENCE, m.next(CURL_XOAUTH2).reason());
        assertNull(SaslMachines.create("OAUTHBEARER-PLUS"));
    }

    static String decoded(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
