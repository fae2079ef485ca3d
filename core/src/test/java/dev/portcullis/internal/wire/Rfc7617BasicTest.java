package dev.portcullis.internal.wire;

import static dev.portcullis.testing.Hostile.base64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.portcullis.KeyFormat;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7617 (HTTP Basic) vectors and rules, checklist section A. */
class Rfc7617BasicTest {
    private final AuthorizationParser parser = AuthorizationParser.builder().build();
    private final AuthorizationParser noKeyUsernames = AuthorizationParser.builder().keyUsernames(Set.of()).build();

    static PasswordCredential password(ParseResult r) {
        assertEquals(ParseResult.Kind.CREDENTIAL, r.kind(), r::toString);
        return assertInstanceOf(PasswordCredential.class, r.credential());
    }

    static ApiKeyCredential apiKey(ParseResult r) {
        assertEquals(ParseResult.Kind.CREDENTIAL, r.kind(), r::toString);
        return assertInstanceOf(ApiKeyCredential.class, r.credential());
    }

    static void malformed(Malformation reason, ParseResult r) {
        assertSame(ParseResult.malformed(reason), r, r::toString);
    }

    @Test
    @DisplayName("checklist A1: RFC 7617 §2 Aladdin / open sesame")
    void section2Example() {
        PasswordCredential c = password(parser.parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        assertEquals("Aladdin", c.username());
        assertEquals("open sesame", c.password());
    }

    @Test
    @DisplayName("checklist A2: RFC 7617 §2.1 test:123£ is UTF-8 74 65 73 74 3A 31 32 33 C2 A3")
    void section21Utf8Example() {
        byte[] octets = {0x74, 0x65, 0x73, 0x74, 0x3A, 0x31, 0x32, 0x33, (byte) 0xC2, (byte) 0xA3};
        assertEquals("dGVzdDoxMjPCow==", Base64.getEncoder().encodeToString(octets));
        PasswordCredential c = password(parser.parse("Basic dGVzdDoxMjPCow=="));
        assertEquals("test", c.username());
        assertEquals("123£", c.password());
    }

    @Test
    @DisplayName("checklist A3: split at the first colon, api / a:b")
    void firstColon() {
        PasswordCredential c = password(noKeyUsernames.parse("Basic YXBpOmE6Yg=="));
        assertEquals("api", c.username());
        assertEquals("a:b", c.password());
        // With the default key username the password after the first colon is the key, colons and all.
        assertEquals("a:b", apiKey(parser.parse("Basic YXBpOmE6Yg==")).token());
    }

    @Test
    @DisplayName("checklist A3: no colon (YXBp) is malformed")
    void noColon() {
        malformed(Malformation.NO_COLON, parser.parse("Basic YXBp"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0001b:pw", "user:p\u007Fw", "user:pass\tword", "us\u0085er:pw", "user:pw\u009F",
            "user\u0000x:pw", "api:key\r\n", "key\u001B:"})
    @DisplayName("checklist A4: control characters in user-id or password are refused")
    void controlCharacters(String userPass) {
        malformed(Malformation.CONTROL_CHARACTER, parser.parse("Basic " + base64(userPass)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"basic", "BASIC", "Basic", "bAsIc"})
    @DisplayName("checklist A5: the scheme name is case-insensitive")
    void schemeCaseInsensitive(String scheme) {
        assertEquals("Aladdin", password(parser.parse(scheme + " QWxhZGRpbjpvcGVuIHNlc2FtZQ==")).username());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bas\u0130c", "B\u0430sic", "\uFF22asic", "Basic\u200B"})
    @DisplayName("checklist A5: ASCII case only; Unicode look-alikes of Basic are another scheme")
    void lookAlikeSchemes(String scheme) {
        assertSame(ParseResult.NOT_THIS_SCHEME, parser.parse(scheme + " QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
    }

    @Test
    @DisplayName("checklist A5: credentials follow 1*SP; an HTAB there is not token68")
    void separator() {
        assertEquals("Aladdin", password(parser.parse("Basic    QWxhZGRpbjpvcGVuIHNlc2FtZQ==")).username());
        malformed(Malformation.BAD_TOKEN68, parser.parse("Basic\tQWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        malformed(Malformation.BAD_TOKEN68, parser.parse("Basic realm=\"x\""));
        malformed(Malformation.EMPTY_CREDENTIALS, parser.parse("Basic"));
        malformed(Malformation.EMPTY_CREDENTIALS, parser.parse("Basic   "));
    }

    @Test
    @DisplayName("checklist A8: Mailgun api:KEY is the key; api: with no key is malformed")
    void keyUsername() {
        String key = KeyFormat.withPrefix("kat").newToken();
        assertEquals(key, apiKey(parser.parse("Basic " + base64("api:" + key))).token());
        malformed(Malformation.EMPTY_PASSWORD, parser.parse("Basic YXBpOg=="));
        // Matched exactly: API is an ordinary username.
        assertEquals("API", password(parser.parse("Basic " + base64("API:" + key))).username());
    }

    @Test
    @DisplayName("checklist A8: Stripe style KEY: (empty password) is the key")
    void stripeStyle() {
        String key = KeyFormat.withPrefix("kat").newToken();
        assertEquals(key, apiKey(parser.parse("Basic " + base64(key + ":"))).token());
        assertEquals("plainuser", apiKey(parser.parse("Basic " + base64("plainuser:"))).token());
    }

    @Test
    @DisplayName("checklist A3: empty user-id is malformed")
    void emptyUsername() {
        malformed(Malformation.EMPTY_USERNAME, parser.parse("Basic " + base64(":secret")));
        malformed(Malformation.EMPTY_USERNAME, parser.parse("Basic " + base64(":")));
    }

    @Test
    @DisplayName("checklist E24: strict base64 inside Basic")
    void strictBase64() {
        malformed(Malformation.BAD_BASE64, parser.parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ"));
        malformed(Malformation.BAD_BASE64, parser.parse("Basic QR=="));
        malformed(Malformation.BAD_BASE64, parser.parse("Basic YXBpOmE6Yg==="));
        malformed(Malformation.BAD_BASE64, parser.parse("Basic YXBpOmE6YR=="));
        malformed(Malformation.BAD_BASE64, parser.parse("Basic YXBp-mE6Yg=="));
        malformed(Malformation.BAD_TOKEN68, parser.parse("Basic =AAA"));
    }

    @Test
    @DisplayName("checklist C15: invalid UTF-8 in user-id or password is malformed")
    void invalidUtf8() {
        Base64.Encoder b64 = Base64.getEncoder();
        malformed(Malformation.BAD_UTF8, parser.parse("Basic " + b64.encodeToString(new byte[] {'u', (byte) 0xC3, ':', 'p'})));
        malformed(Malformation.BAD_UTF8, parser.parse("Basic " + b64.encodeToString(new byte[] {'u', ':', (byte) 0xED, (byte) 0xA0, (byte) 0x80})));
        malformed(Malformation.BAD_UTF8, parser.parse("Basic " + b64.encodeToString(new byte[] {'u', ':', (byte) 0xC0, (byte) 0xAF})));
        // A genuine U+FFFD is text like any other.
        assertEquals("\uFFFD", password(parser.parse("Basic " + base64("u:\uFFFD"))).password());
    }
}
