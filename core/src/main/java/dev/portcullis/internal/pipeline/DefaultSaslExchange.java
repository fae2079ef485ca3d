package dev.portcullis.internal.pipeline;

import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.ClientAddress;
import dev.portcullis.DenyReason;
import dev.portcullis.SaslExchange;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;

import dev.portcullis.internal.wire.Malformation;
import dev.portcullis.internal.wire.SaslMachine;
import dev.portcullis.internal.wire.SaslMachines;
import dev.portcullis.internal.wire.SaslResult;
import dev.portcullis.AuthResult.SmtpReply;
import dev.portcullis.SaslExchange.SaslStep;

/** {@link Authenticator#sasl}: the wire state machine of the mechanism, then the pipeline. */
final class DefaultSaslExchange implements SaslExchange {
    private static final ApiAccess API = Api.get();
    private static final SmtpReply CANCELLED = new SmtpReply(501, "5.7.0", "Authentication aborted");
    private static final SmtpReply TOO_LONG = new SmtpReply(500, "5.5.6", "Authentication exchange line is too long");
    private static final SmtpReply UNKNOWN_MECHANISM = new SmtpReply(504, "5.5.4", "Unrecognized authentication type");
    private static final SmtpReply TLS_REQUIRED = new SmtpReply(538, "5.7.11", "Encryption required for requested authentication mechanism");
    private static final SmtpReply INVALID = new SmtpReply(535, "5.7.8", "Authentication credentials invalid");

    private final DefaultAuthenticator auth;
    private final ClientAddress client;
    private final SaslMachine machine;
    private final boolean permitted;
    private boolean started;
    private SaslStep last;

    DefaultSaslExchange(DefaultAuthenticator auth, String mechanism, ClientAddress client, boolean permitted) {
        this.auth = auth;
        this.client = client;
        this.machine = SaslMachines.create(mechanism);
        this.permitted = permitted;
    }

    @Override
    public SaslStep respond(String clientLine) {
        if (last != null && last.done()) {
            return last; // over: the same answer, and no second event
        }
        if (machine == null) {
            return finish(auth.saslRefused(client, DenyReason.MALFORMED_CREDENTIALS, "UNSUPPORTED_MECHANISM", false), UNKNOWN_MECHANISM);
        }
        if (!permitted) {
            return finish(auth.saslRefused(client, DenyReason.MISSING_CREDENTIALS, "TLS_REQUIRED", false), TLS_REQUIRED);
        }
        SaslResult r = started ? machine.next(clientLine) : machine.start(clientLine);
        started = true;
        return switch (r.kind()) {
            case CHALLENGE -> last = API.saslChallenge(r.challenge());
            case CANCELLED -> finish(auth.saslRefused(client, DenyReason.MALFORMED_CREDENTIALS, "CANCELLED", false), CANCELLED);
            case TOO_LONG -> finish(auth.saslRefused(client, DenyReason.MALFORMED_CREDENTIALS, "TOO_LONG", true), TOO_LONG);
            case MALFORMED -> r.reason() == Malformation.AUTHZID_MISMATCH
                    // RFC 4616 example 2: a refusal of the identity, answered like any bad credential.
                    ? finish(auth.saslRefused(client, DenyReason.MALFORMED_CREDENTIALS, r.reason().name(), true), INVALID)
                    : finish(auth.saslRefused(client, DenyReason.MALFORMED_CREDENTIALS, r.reason().name(), true), null);
            case CREDENTIAL -> finish(auth.saslCredential(client, r.credential().username(), r.credential().password()), null);
        };
    }

    private SaslStep finish(AuthResult result, SmtpReply reply) {
        last = API.saslDone(result, reply);
        return last;
    }

    @Override
    public String toString() {
        return "SaslExchange[" + (last == null ? "new" : last) + "]";
    }
}
