package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/** The rule of {@link KeyManager#revokeSelf}: nothing but the exact token of a key revokes it. */
class SelfRevocationProperties {
    private final Fixtures f = new Fixtures();
    private final IssuedKey k = f.key();

    @Property(tries = 500)
    void aTokenWithOneCharacterChangedNeverRevokes(@ForAll @IntRange(min = 0, max = 55) int at,
            @ForAll @CharRange(from = ' ', to = '~') char c) {
        String token = k.token();
        int i = at % token.length();
        String mutated = token.substring(0, i) + c + token.substring(i + 1);
        if (mutated.equals(token)) {
            return;
        }
        assertEquals(Optional.empty(), f.keys().revokeSelf(mutated));
        assertFalse(f.keys().get(k.id()).orElseThrow().isRevoked());
    }

    @Property(tries = 300)
    void anyTextAroundTheTokenNeverRevokes(@ForAll @StringLength(max = 8) String before, @ForAll @StringLength(max = 8) String after) {
        if (before.isEmpty() && after.isEmpty()) {
            return;
        }
        assertEquals(Optional.empty(), f.keys().revokeSelf(before + k.token() + after));
        assertTrue(f.withKey(k.token()).allowed());
    }
}
