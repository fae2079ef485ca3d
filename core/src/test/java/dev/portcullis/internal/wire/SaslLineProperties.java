package dev.portcullis.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.portcullis.testing.Hostile;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of {@link SaslLine} (checklist E21-E25). */
class SaslLineProperties {
    @Provide
    Arbitrary<String> lines() {
        return Hostile.around(Arbitraries.oneOf(Hostile.base64OfBytes(), Arbitraries.of("=", "*", "")));
    }

    @Property
    @Label("checklist E21-E25: every line decodes to one documented outcome, never an exception")
    void oneOutcome(@ForAll("lines") String line) {
        SaslLine.Decoded d = SaslLine.decode(line);
        switch (d.kind()) {
            case CANCEL -> assertEquals("*", line);
            case EMPTY -> assertEquals(0, d.data().length);
            // Only the one canonical spelling of the data is accepted.
            case DATA -> assertEquals(line, SaslLine.encode(d.data()));
            case TOO_LONG, MALFORMED -> assertNull(d.data());
        }
        assertEquals(line.length() > SaslLine.MAX_LENGTH, d.kind() == SaslLine.Decoded.Kind.TOO_LONG);
        assertNotNull(d.toString());
    }

    @Property
    @Label("checklist E22: encoded data round-trips; no data is the empty response")
    void roundTrip(@ForAll("data") byte[] data) {
        SaslLine.Decoded d = SaslLine.decode(SaslLine.encode(data));
        assertSame(data.length == 0 ? SaslLine.Decoded.Kind.EMPTY : SaslLine.Decoded.Kind.DATA, d.kind());
        assertArrayEquals(data, d.data());
    }

    @Provide
    Arbitrary<byte[]> data() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(9216);
    }
}
