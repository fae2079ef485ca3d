package dev.portcullis.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.portcullis.testing.Hostile;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of {@link SaslPlain} (checklist C14-C17). */
class SaslPlainProperties {
    @Provide
    Arbitrary<byte[]> messages() {
        Arbitrary<String> valid = Arbitraries.oneOf(
                AuthorizationHeaderProperties.text(1).map(u -> "\0" + u + "\0pw"),
                AuthorizationHeaderProperties.text(1).map(u -> u + "\0" + u + "\0pw"),
                Hostile.base64OfBytes());
        return Arbitraries.oneOf(
                Hostile.around(valid).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Hostile.base64OfBytes().map(b -> Base64.getDecoder().decode(b)),
                Arbitraries.of((byte) 0, (byte) 0xC3, (byte) 0xA9, (byte) 'a', (byte) 1).array(byte[].class).ofMaxSize(12));
    }

    @Property
    @Label("checklist C15: any message is a credential or malformed, never an exception")
    void oneOutcome(@ForAll("messages") byte[] message) {
        SaslResult r = SaslPlain.parse(message);
        switch (r.kind()) {
            case MALFORMED -> assertNotNull(r.reason());
            case CREDENTIAL -> {
                PasswordCredential c = r.credential();
                assertFalse(c.username().isEmpty() || c.password().isEmpty());
                assertFalse(Text.hasControl(c.username()));
                assertFalse(c.password().contains("\0"));
            }
            default -> throw new AssertionError(r);
        }
    }

    @Property
    @Label("checklist C14/C17: authzid (empty or the authcid) NUL authcid NUL passwd round-trips")
    void roundTrip(@ForAll("authcids") String authcid, @ForAll("passwds") String passwd, @ForAll boolean withAuthzid) {
        String message = (withAuthzid ? authcid : "") + "\0" + authcid + "\0" + passwd;
        PasswordCredential c = SaslPlain.parse(message.getBytes(StandardCharsets.UTF_8)).credential();
        assertEquals(authcid, c.username());
        assertEquals(passwd, c.password());
    }

    @Property
    @Label("checklist C17: any other authzid is refused")
    void otherAuthzid(@ForAll("authcids") String authzid, @ForAll("authcids") String authcid, @ForAll("passwds") String passwd) {
        if (!authzid.equals(authcid)) {
            byte[] message = (authzid + "\0" + authcid + "\0" + passwd).getBytes(StandardCharsets.UTF_8);
            assertSame(Malformation.AUTHZID_MISMATCH, SaslPlain.parse(message).reason());
        }
    }

    @Provide
    Arbitrary<String> authcids() {
        return AuthorizationHeaderProperties.text(1);
    }

    @Provide
    Arbitrary<String> passwds() {
        // 1*SAFE: anything but NUL, controls included.
        return Arbitraries.strings().withCharRange('\u0001', '\uD7FF').ofMinLength(1).ofMaxLength(300);
    }
}
