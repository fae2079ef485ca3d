package dev.portcullis.internal.wire;

import java.nio.charset.StandardCharsets;

/** Creates the SASL exchanges Portcullis serves: PLAIN and LOGIN. */
public final class SaslMachines {
    private static final SaslResult EMPTY_CHALLENGE = SaslResult.challenge("");
    private static final SaslResult USERNAME_PROMPT = SaslResult.challenge(SaslLine.encode(bytes("Username:")));
    private static final SaslResult PASSWORD_PROMPT = SaslResult.challenge(SaslLine.encode(bytes("Password:")));

    private SaslMachines() {
    }

    /**
     * A new exchange for the mechanism (ASCII case ignored), or {@code null} if it is neither
     * PLAIN nor LOGIN: answer 504 5.5.4.
     */
    public static SaslMachine create(String mechanism) {
        if (mechanism == null) {
            return null;
        }
        if (Text.equalsIgnoreCase(mechanism, 0, mechanism.length(), "plain")) {
            return new Plain();
        }
        if (Text.equalsIgnoreCase(mechanism, 0, mechanism.length(), "login")) {
            return new Login();
        }
        return null;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The sequencing and line rules both mechanisms share. */
    private abstract static class Exchange implements SaslMachine {
        private boolean started;
        private boolean done;

        @Override
        public final SaslResult start(String initialResponse) {
            if (started) {
                return outOfSequence();
            }
            started = true;
            return track(initialResponse == null ? noInitialResponse() : initialResponse(SaslLine.decode(initialResponse)));
        }

        @Override
        public final SaslResult next(String clientLine) {
            if (!started || done) {
                return outOfSequence();
            }
            return track(response(SaslLine.decode(clientLine)));
        }

        abstract SaslResult noInitialResponse();

        SaslResult initialResponse(SaslLine.Decoded line) {
            return response(line);
        }

        /** The mechanism's step for a line that decoded to data (possibly empty). */
        abstract SaslResult received(byte[] data);

        final SaslResult response(SaslLine.Decoded line) {
            return switch (line.kind()) {
                case CANCEL -> SaslResult.CANCELLED;
                case TOO_LONG -> SaslResult.TOO_LONG;
                case MALFORMED -> SaslResult.malformed(Malformation.BAD_BASE64);
                case EMPTY, DATA -> received(line.data());
            };
        }

        private SaslResult track(SaslResult r) {
            done = r.done();
            return r;
        }

        private SaslResult outOfSequence() {
            started = true;
            done = true;
            return SaslResult.malformed(Malformation.OUT_OF_SEQUENCE);
        }
    }

    /** RFC 4616: one message, with the initial response or after an empty challenge. */
    private static final class Plain extends Exchange {
        @Override
        SaslResult noInitialResponse() {
            return EMPTY_CHALLENGE;
        }

        @Override
        SaslResult received(byte[] data) {
            return SaslPlain.parse(data);
        }
    }

    /**
     * draft-murchison-sasl-login: the server prompts {@code Username:}, then {@code Password:}.
     * Like Cyrus SASL, a non-empty initial response is taken as the username (checklist D20)
     * and an empty one ({@code =}) as none. Usernames are email addresses, so the draft's
     * 64-character limit is not applied; the password may hold anything but NUL, CR and LF.
     */
    private static final class Login extends Exchange {
        private String username;

        @Override
        SaslResult noInitialResponse() {
            return USERNAME_PROMPT;
        }

        @Override
        SaslResult initialResponse(SaslLine.Decoded line) {
            return line.kind() == SaslLine.Decoded.Kind.EMPTY ? USERNAME_PROMPT : response(line);
        }

        @Override
        SaslResult received(byte[] data) {
            if (data.length == 0) {
                return SaslResult.malformed(username == null ? Malformation.EMPTY_USERNAME : Malformation.EMPTY_PASSWORD);
            }
            String text = Text.utf8(data, 0, data.length);
            if (text == null) {
                return SaslResult.malformed(Malformation.BAD_UTF8);
            }
            if (username == null) {
                if (Text.hasControl(text)) {
                    return SaslResult.malformed(Malformation.CONTROL_CHARACTER);
                }
                username = text;
                return PASSWORD_PROMPT;
            }
            if (text.indexOf('\0') >= 0 || text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
                return SaslResult.malformed(Malformation.CONTROL_CHARACTER);
            }
            return SaslResult.of(new PasswordCredential(username, text));
        }
    }
}
