package dev.portcullis.internal.wire;

import java.util.Arrays;

/** The SASL PLAIN message (RFC 4616 §2): {@code [authzid] NUL authcid NUL passwd}. */
public final class SaslPlain {
    private SaslPlain() {
    }

    /**
     * A {@link PasswordCredential} of authcid and passwd, or {@code MALFORMED} if the message does
     * not hold exactly two NULs, authcid or passwd is empty, a field is not UTF-8, authcid holds
     * a control character, or authzid is neither empty nor equal to authcid: acting for another
     * identity is refused (checklist C17). Fields have no length limit of their own (RFC 4616
     * asks for at least 255 octets); the SASL line cap bounds them.
     */
    public static SaslResult parse(byte[] message) {
        int first = indexOfNul(message, 0);
        int second = first < 0 ? -1 : indexOfNul(message, first + 1);
        if (second < 0 || indexOfNul(message, second + 1) >= 0) {
            return SaslResult.malformed(Malformation.NUL_COUNT);
        }
        if (second == first + 1) {
            return SaslResult.malformed(Malformation.EMPTY_USERNAME);
        }
        if (second == message.length - 1) {
            return SaslResult.malformed(Malformation.EMPTY_PASSWORD);
        }
        if (first > 0 && !Arrays.equals(message, 0, first, message, first + 1, second)) {
            return SaslResult.malformed(Malformation.AUTHZID_MISMATCH);
        }
        String authcid = Text.utf8(message, first + 1, second);
        String passwd = Text.utf8(message, second + 1, message.length);
        if (authcid == null || passwd == null) {
            return SaslResult.malformed(Malformation.BAD_UTF8);
        }
        if (Text.hasControl(authcid)) {
            return SaslResult.malformed(Malformation.CONTROL_CHARACTER);
        }
        return SaslResult.of(new PasswordCredential(authcid, passwd));
    }

    private static int indexOfNul(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
