package dev.portcullis.internal.pipeline;

import dev.portcullis.KeyFormat;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;
import dev.portcullis.internal.crypto.TokenDigests;
import dev.portcullis.internal.wire.KeyBytes;

import java.nio.charset.StandardCharsets;

/**
 * The Identify stage (DESIGN §2): the key format's checksum, offline, and the id a key names:
 * native (read from the token once its checksum held) or derived through the pepper for an
 * imported key. Nothing here touches the cache or the store.
 */
final class Identify {
    private static final ApiAccess API = Api.get();

    private final KeyFormat format;
    /** The imported format, or {@code null}. */
    private final KeyFormat imported;
    private final TokenDigests digests;
    private final int idOffset;
    private final int longestToken;

    Identify(KeyFormat format, KeyFormat imported, TokenDigests digests) {
        this.format = format;
        this.imported = imported;
        this.digests = digests;
        this.idOffset = API.idOffset(format);
        int nativeLength = API.tokenLength(format);
        this.longestToken = imported == null ? nativeLength : Math.max(nativeLength, KeyFormat.MAX_IMPORTED_LENGTH);
    }

    /** The longest token any configured format accepts: longer ones are refused unread. */
    int longestToken() {
        return longestToken;
    }

    /** What the native format says of the ASCII key in {@code key}; {@code null} if it is a valid key. */
    KeyFormat.Failure check(KeyBytes key) {
        return API.check(format, key.bytes(), key.from(), key.to());
    }

    /** The rule a token given as text broke, by the native format's own parse (for the event's detail). */
    KeyFormat.Failure failureOf(String token) {
        return format.parse(token).failure();
    }

    /**
     * The id the key in {@code key} names, native ({@code failure} is {@code null}: its checksum held;
     * {@code probe} is re-pointed at it) or derived for an imported key; {@code null} if it is neither.
     */
    KeyId identify(KeyBytes key, KeyId probe, KeyFormat.Failure failure) {
        byte[] b = key.bytes();
        int from = key.from();
        if (failure == null) {
            return probe.set(b, from + idOffset, KeyFormat.ID_LENGTH); // safe to name: the checksum held
        }
        String text = imported == null ? null : new String(b, from, key.to() - from, StandardCharsets.ISO_8859_1);
        if (text == null || !imported.parse(text).valid()) {
            return null;
        }
        return KeyId.of(digests.importedId(text)); // derived through the pepper: not attacker-chosen text
    }
}
