package dev.portcullis.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.testing.FuzzInput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Fuzz target for {@link AuthorizationParser} (checklist A1-A8, B9, E24; DESIGN §2 Parse). The input
 * is one or more header values in {@link FuzzInput} form; a {@code #} field is sent as
 * {@code Basic base64(rest)}. Oracle: exactly one documented outcome, never an exception, a result
 * text from the fixed vocabulary, and a credential only where the RFC rules hold, re-encoding to
 * exactly the bytes that were sent.
 */
class AuthorizationFuzzTest {
    private static final Pattern VOCABULARY = Pattern.compile(
            "ParseResult\\[(NOT_THIS_SCHEME|MALFORMED [A-Z0-9_]+|CREDENTIAL (ApiKeyCredential|PasswordCredential))]");
    private static final Set<String> KEY_USERNAMES = Set.of("api", "SMTP_Injection");
    private static final AuthorizationParser STRICT = AuthorizationParser.builder().keyUsernames(KEY_USERNAMES).build();
    private static final AuthorizationParser BARE = AuthorizationParser.builder().keyUsernames(KEY_USERNAMES)
            .allowBareKey(true).build();

    @FuzzTest(maxDuration = "60s")
    void headerValues(byte[] data) {
        List<String> values = new ArrayList<>();
        for (byte[] field : FuzzInput.rawFields(data)) {
            String v = FuzzInput.text(field);
            values.add(FuzzInput.isBlob(field) ? "Basic " + v : v);
        }
        for (AuthorizationParser parser : List.of(STRICT, BARE)) {
            ParseResult all = parser.parse(values.size() == 1 && values.get(0) == null ? null : values);
            check(all);
            if (values.size() > 1) {
                assertSame(Malformation.MULTIPLE_VALUES, all.reason(), "more than one value is malformed");
                for (String v : values) {
                    check(v, parser.parse(v), parser == BARE);
                }
            } else {
                String v = values.get(0);
                ParseResult one = parser.parse(v);
                check(v, one, parser == BARE);
                assertEquals(one.kind(), all.kind(), "one value parses alike as a list of one");
                assertSame(one.reason(), all.reason());
            }
        }
    }

    private static void check(ParseResult r) {
        assertNotNull(r);
        assertTrue(VOCABULARY.matcher(r.toString()).matches(), () -> "outside the vocabulary: " + r);
        switch (r.kind()) {
            case NOT_THIS_SCHEME -> assertSame(ParseResult.NOT_THIS_SCHEME, r);
            case MALFORMED -> {
                assertNotNull(r.reason());
                assertNull(r.credential());
            }
            case CREDENTIAL -> {
                assertNull(r.reason());
                assertNotNull(r.credential());
            }
        }
    }

    private static void check(String value, ParseResult r, boolean bareAllowed) {
        check(r);
        if (value == null) {
            assertSame(ParseResult.NOT_THIS_SCHEME, r);
            return;
        }
        if (value.length() > AuthorizationParser.MAX_LENGTH) {
            assertSame(Malformation.TOO_LONG, r.reason(), "capped before decoding");
            return;
        }
        if (r.kind() != ParseResult.Kind.CREDENTIAL) {
            return;
        }
        String trimmed = trimOws(value);
        int sp = firstOws(trimmed);
        String scheme = sp < 0 ? trimmed : trimmed.substring(0, sp);
        String rest = sp < 0 ? "" : trimmed.substring(sp).replaceFirst("^ +", "");
        if (scheme.equalsIgnoreCase("bearer") && isAsciiCaseOnly(scheme, "bearer")) {
            ApiKeyCredential k = (ApiKeyCredential) r.credential();
            assertEquals(rest, k.token(), "Bearer carries the token68 as sent");
            assertTrue(isToken68(rest));
        } else if (scheme.equalsIgnoreCase("basic") && isAsciiCaseOnly(scheme, "basic")) {
            // The credential re-encodes to exactly the base64 sent: strict, canonical, nothing dropped.
            String user;
            String password;
            if (r.credential() instanceof PasswordCredential p) {
                user = p.username();
                password = p.password();
                assertFalse(user.isEmpty() || password.isEmpty());
                assertFalse(user.contains(":"), "split at the first colon (RFC 7617 §2)");
                assertFalse(KEY_USERNAMES.contains(user), "a key username's password is a key");
            } else {
                String token = ((ApiKeyCredential) r.credential()).token();
                assertFalse(token.isEmpty());
                byte[] decoded = Base64.getDecoder().decode(rest);
                String text = new String(decoded, StandardCharsets.UTF_8);
                if (text.endsWith(":") && text.indexOf(':') == text.length() - 1) {
                    user = token; // Basic base64(KEY:), Stripe style
                    password = "";
                } else {
                    user = text.substring(0, text.indexOf(':'));
                    password = token;
                    assertTrue(KEY_USERNAMES.contains(user), "only a key username carries a key as password");
                }
            }
            assertFalse(hasControl(user) || hasControl(password), "no control characters (RFC 7617 §2)");
            assertEquals(rest, Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        } else {
            assertTrue(bareAllowed, "a credential without Basic or Bearer only as a bare key");
            ApiKeyCredential k = (ApiKeyCredential) r.credential();
            assertEquals(trimmed, k.token());
            assertTrue(isToken68(trimmed));
        }
    }

    private static boolean isAsciiCaseOnly(String s, String lower) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != lower.charAt(i) && c != Character.toUpperCase(lower.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String trimOws(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    private static int firstOws(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isToken68(String s) {
        return s.matches("[A-Za-z0-9\\-._~+/]+=*");
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }
}
