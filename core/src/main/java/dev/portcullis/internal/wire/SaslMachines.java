package dev.portcullis.internal.wire;

import java.nio.charset.StandardCharsets;

/** Creates the SASL exchanges Portcullis serves: PLAIN, LOGIN, OAUTHBEARER and XOAUTH2. */
public final class SaslMachines {
    private static final SaslResult EMPTY_CHALLENGE = SaslResult.challenge("");
    private static final SaslResult USERNAME_PROMPT = SaslResult.challenge(SaslLine.encode(bytes("Username:")));
    private static final SaslResult PASSWORD_PROMPT = SaslResult.challenge(SaslLine.encode(bytes("Password:")));

    private SaslMachines() {
    }

    /**
     * A new exchange for the mechanism (ASCII case ignored), or {@code null} if it is none of
     * PLAIN, LOGIN, OAUTHBEARER and XOAUTH2: answer 504 5.5.4.
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
        if (Text.equalsIgnoreCase(mechanism, 0, mechanism.length(), "oauthbearer")) {
            return new Bearer(false);
        }
        if (Text.equalsIgnoreCase(mechanism, 0, mechanism.length(), "xoauth2")) {
            return new Bearer(true);
        }
        return null;
    }

    /**
     * The base64 error challenge (RFC 7628 §3.2.2) an OAUTHBEARER or XOAUTH2 exchange sends when the
     * key it carried was refused: {@code invalid_token} (XOAUTH2: {@code 401}), or, when the key is
     * fine but not for this use, {@code insufficient_scope} ({@code 403}). The JSON names nothing
     * the client sent.
     */
    public static String errorChallenge(SaslMachine machine, boolean insufficientScope) {
        boolean xoauth2 = machine instanceof Bearer b && b.xoauth2;
        if (xoauth2) {
            return insufficientScope ? SaslBearer.XOAUTH2_INSUFFICIENT : SaslBearer.XOAUTH2_INVALID;
        }
        return insufficientScope ? SaslBearer.OAUTHBEARER_INSUFFICIENT : SaslBearer.OAUTHBEARER_INVALID;
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

    /**
     * OAUTHBEARER (RFC 7628) and XOAUTH2: one client message, with the initial response or after an
     * empty challenge, which yields {@link SaslResult.Kind#BEARER}. If the key is then refused the
     * exchange sends an error challenge and takes one more line: the dummy response (%x01; for
     * XOAUTH2 an empty line too) gives {@link SaslResult.Kind#ACKNOWLEDGED}.
     */
    private static final class Bearer implements SaslMachine {
        private static final int NEW = 0;
        private static final int MESSAGE = 1;
        private static final int ACKNOWLEDGEMENT = 2;
        private static final int DONE = 3;

        final boolean xoauth2;
        private int state = NEW;

        Bearer(boolean xoauth2) {
            this.xoauth2 = xoauth2;
        }

        @Override
        public SaslResult start(String initialResponse) {
            if (state != NEW) {
                return outOfSequence();
            }
            if (initialResponse == null) {
                state = MESSAGE;
                return EMPTY_CHALLENGE;
            }
            return message(SaslLine.decode(initialResponse));
        }

        @Override
        public SaslResult next(String clientLine) {
            return switch (state) {
                case MESSAGE -> message(SaslLine.decode(clientLine));
                case ACKNOWLEDGEMENT -> acknowledgement(SaslLine.decode(clientLine));
                default -> outOfSequence();
            };
        }

        private SaslResult message(SaslLine.Decoded line) {
            SaslResult r = switch (line.kind()) {
                case CANCEL -> SaslResult.CANCELLED;
                case TOO_LONG -> SaslResult.TOO_LONG;
                case MALFORMED -> SaslResult.malformed(Malformation.BAD_BASE64);
                case EMPTY, DATA -> xoauth2 ? SaslBearer.xoauth2(line.data()) : SaslBearer.oauthBearer(line.data());
            };
            // After a key, one more line may come: the answer to an error challenge, if the exchange sends one.
            state = r.kind() == SaslResult.Kind.BEARER ? ACKNOWLEDGEMENT : DONE;
            return r;
        }

        private SaslResult acknowledgement(SaslLine.Decoded line) {
            state = DONE;
            return switch (line.kind()) {
                case CANCEL -> SaslResult.CANCELLED;
                case TOO_LONG -> SaslResult.TOO_LONG;
                case MALFORMED -> SaslResult.malformed(Malformation.BAD_BASE64);
                case EMPTY, DATA -> SaslBearer.isDummyResponse(line.data(), xoauth2)
                        ? SaslResult.ACKNOWLEDGED : SaslResult.malformed(Malformation.NOT_DUMMY_RESPONSE);
            };
        }

        private SaslResult outOfSequence() {
            state = DONE;
            return SaslResult.malformed(Malformation.OUT_OF_SEQUENCE);
        }
    }
}
