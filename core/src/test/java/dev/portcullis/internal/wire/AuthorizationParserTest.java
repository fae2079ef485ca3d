package dev.portcullis.internal.wire;

import static dev.portcullis.internal.wire.Rfc7617BasicTest.apiKey;
import static dev.portcullis.internal.wire.Rfc7617BasicTest.malformed;
import static dev.portcullis.internal.wire.Rfc7617BasicTest.password;
import static dev.portcullis.testing.Hostile.base64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.KeyFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The header-level rules around the schemes: presence, caps, whitespace, bare keys, secrecy. */
class AuthorizationParserTest {
    private final AuthorizationParser parser = AuthorizationParser.builder().build();
    private final AuthorizationParser bare = AuthorizationParser.builder().allowBareKey(true).build();

    @Test
    @DisplayName("no header at all is not this scheme")
    void noHeader() {
        assertSame(ParseResult.NOT_THIS_SCHEME, parser.parse((List<String>) null));
        assertSame(ParseResult.NOT_THIS_SCHEME, parser.parse(List.of()));
        assertSame(ParseResult.NOT_THIS_SCHEME, parser.parse((String) null));
        assertSame(ParseResult.NOT_THIS_SCHEME, parser.parse(""));
        assertSame(ParseResult.NOT_THIS_SCHEME, parser.parse(" \t "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Digest username=\"a\", realm=\"b\"", "Negotiate YIIB", "Basicx QQ==", "Token abc"})
    @DisplayName("checklist A5: other schemes are not this scheme")
    void otherSchemes(String value) {
        assertSame(ParseResult.NOT_THIS_SCHEME, parser.parse(value));
        assertSame(ParseResult.NOT_THIS_SCHEME, bare.parse(value));
    }

    @Test
    @DisplayName("more than one Authorization value is malformed, whatever they hold")
    void multipleValues() {
        malformed(Malformation.MULTIPLE_VALUES, parser.parse(List.of("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Bearer x")));
        malformed(Malformation.MULTIPLE_VALUES, parser.parse(Arrays.asList(null, null)));
        assertEquals("Aladdin", password(parser.parse(List.of("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="))).username());
    }

    @Test
    @DisplayName("the 8 KiB cap applies to the raw value, before decoding")
    void cap() {
        String value = "Basic   " + "A".repeat(8180) + "AAA=";
        assertEquals(8192, value.length());
        malformed(Malformation.NO_COLON, parser.parse(value));
        malformed(Malformation.TOO_LONG, parser.parse(value + " "));
        // Too long wins even over garbage that would fail decoding.
        malformed(Malformation.TOO_LONG, parser.parse("Basic " + "!".repeat(9000)));
    }

    @Test
    @DisplayName("SP and HTAB around the whole value are tolerated, nothing else")
    void surroundingWhitespace() {
        assertEquals("Aladdin", password(parser.parse(" \tBasic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\t ")).username());
        malformed(Malformation.BAD_TOKEN68, parser.parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n"));
        malformed(Malformation.BAD_TOKEN68, parser.parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\u00A0"));
        assertSame(ParseResult.NOT_THIS_SCHEME, parser.parse("\u00A0Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
    }

    @Test
    @DisplayName("a bare key only when allowed, and only a whole token68 value")
    void bareKey() {
        String key = KeyFormat.withPrefix("kat").newToken();
        assertSame(ParseResult.NOT_THIS_SCHEME, parser.parse(key));
        assertEquals(key, apiKey(bare.parse(key)).token());
        assertEquals(key, apiKey(bare.parse("  " + key + "\t")).token());
        assertSame(ParseResult.NOT_THIS_SCHEME, bare.parse(key + "\u00A0"));
        assertSame(ParseResult.NOT_THIS_SCHEME, bare.parse("kat_\u0430bc"));
        malformed(Malformation.EMPTY_CREDENTIALS, bare.parse("Basic"));
        malformed(Malformation.EMPTY_CREDENTIALS, bare.parse("bearer"));
    }

    @Test
    @DisplayName("configured key usernames replace api and match exactly")
    void customKeyUsernames() {
        AuthorizationParser p = AuthorizationParser.builder().keyUsernames(Set.of("apikey", "SMTP_Injection")).build();
        String key = KeyFormat.withPrefix("kat").newToken();
        assertEquals(key, apiKey(p.parse("Basic " + base64("apikey:" + key))).token());
        assertEquals(key, apiKey(p.parse("Basic " + base64("SMTP_Injection:" + key))).token());
        assertEquals("api", password(p.parse("Basic " + base64("api:" + key))).username());
        assertEquals("smtp_injection", password(p.parse("Basic " + base64("smtp_injection:" + key))).username());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a:b", "a\u0000", "\t"})
    @DisplayName("a key username must be usable as a Basic user-id")
    void badKeyUsernames(String username) {
        assertThrows(IllegalArgumentException.class, () -> AuthorizationParser.builder().keyUsernames(Set.of(username)));
    }

    @Test
    @DisplayName("checklist H43: no result or credential text holds the secret")
    void secrecy() {
        String key = KeyFormat.withPrefix("kat").newToken();
        String blob = base64("someone:" + key);
        List<ParseResult> results = new ArrayList<>(List.of(
                parser.parse("Bearer " + key), parser.parse("Basic " + base64("api:" + key)),
                parser.parse("Basic " + blob), parser.parse("Basic " + base64(key + ":")),
                bare.parse(key)));
        for (Malformation m : Malformation.values()) {
            results.add(ParseResult.malformed(m));
        }
        for (ParseResult r : results) {
            for (String text : List.of(r.toString(), String.valueOf(r.credential()))) {
                assertFalse(text.contains(key.substring(10, 18)), text);
                assertFalse(text.contains(blob.substring(0, 8)), text);
                assertFalse(text.contains("someone"), text);
            }
        }
    }

    @Test
    @DisplayName("failures are shared constants: refusing input allocates no result")
    void sharedFailures() {
        assertSame(parser.parse("Basic QR=="), parser.parse("Basic QR=="));
        assertSame(parser.parse("Bearer a b"), parser.parse("Basic a b"));
    }
}
