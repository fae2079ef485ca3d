package dev.portcullis.internal.wire;

import static dev.portcullis.internal.wire.Rfc7617BasicTest.apiKey;
import static dev.portcullis.internal.wire.Rfc7617BasicTest.malformed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.KeyFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6750 §2.1 (Bearer) rules, checklist section B. */
class Rfc6750BearerTest {
    private final AuthorizationParser parser = AuthorizationParser.builder().build();

    @Test
    @DisplayName("checklist B9: Bearer b64token, the RFC 6750 §2.1 example token")
    void rfcExample() {
        assertEquals("mF_9.B5f-4.1JqM", apiKey(parser.parse("Bearer mF_9.B5f-4.1JqM")).token());
    }

    @Test
    @DisplayName("checklist B9: a generated key as bearer token, scheme in any ASCII case")
    void generatedKey() {
        String key = KeyFormat.withPrefix("kat").newToken();
        assertEquals(key, apiKey(parser.parse("Bearer " + key)).token());
        assertEquals(key, apiKey(parser.parse("bearer " + key)).token());
        assertEquals(key, apiKey(parser.parse("BEARER  " + key)).token());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc==", "a+/b", "~-._"})
    @DisplayName("checklist B9/A5: the whole token68 charset, = only at the end")
    void token68(String token) {
        assertEquals(token, apiKey(parser.parse("Bearer " + token)).token());
    }

    @ParameterizedTest
    @ValueSource(strings = {"=abc", "a=b", "a b", "a,b", "a\"b", "kat_\u0430bc", "\uFF11\uFF12", "a\tb", "a;b"})
    @DisplayName("checklist B9: anything but token68 is malformed")
    void notToken68(String token) {
        malformed(Malformation.BAD_TOKEN68, parser.parse("Bearer " + token));
    }

    @Test
    @DisplayName("checklist B9: Bearer without a token is malformed")
    void empty() {
        malformed(Malformation.EMPTY_CREDENTIALS, parser.parse("Bearer"));
        malformed(Malformation.EMPTY_CREDENTIALS, parser.parse("Bearer \t"));
    }
}
