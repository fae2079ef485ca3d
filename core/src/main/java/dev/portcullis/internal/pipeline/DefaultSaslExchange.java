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

import java.util.Objects;

/** {@link Authenticator#sasl}: the wire state machine of the mechanism, then the pipeline. */
final class DefaultSaslExchange implements SaslExchange {
    private static final ApiAccess API = Api.get();
    private static final SmtpReply CANCELLED = new SmtpReply(501, "5.7.0", "Authentication aborted");
    private static final SmtpReply TOO_LONG = new SmtpReply(500, "5.5.6", "Authentication exchange line is too long");
    private static final SmtpReply UNKNOWN_MECHANISM = new SmtpReply(504, "5.5.4", "Unrecognized authentication type");
    private static final SmtpReply TLS_REQUIRED = new SmtpReply(538, "5.7.11", "Encryption required for requested authentication mechanism");
    private static final SmtpReply INVALID = new SmtpReply(535, "5.7.8", "Authentication credentials invalid");

    private static final SmtpReply MALFORMED = new SmtpReply(501, "5.5.2", "Syntax error in authentication data");

    private final DefaultAuthenticator auth;
    private final ClientAddress client;
    private final SaslMachine machine;
    private final boolean permitted;
    private boolean started;
    private SaslStep last;
    /** The denial of the key an OAUTHBEARER or XOAUTH2 exchange carried, while its error challenge awaits an answer. */
    private AuthResult refused;

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
        if (refused != null) {
            return acknowledged(r);
        }
        return switch (r.kind()) {
            case CHALLENGE -> last = API.saslChallenge(r.challenge());
            case CANCELLED -> finish(auth.saslRefused(client, DenyReason.MALFORMED_CREDENTIALS, "CANCELLED", false), CANCELLED);
            case TOO_LONG -> finish(auth.saslRefused(client, DenyReason.MALFORMED_CREDENTIALS, "TOO_LONG", true), TOO_LONG);
            case MALFORMED -> r.reason() == Malformation.AUTHZID_MISMATCH
                    // RFC 4616 example 2: a refusal of the identity, answered like any bad credential.
                    ? finish(auth.saslRefused(client, DenyReason.MALFORMED_CREDENTIALS, r.reason().name(), true), INVALID)
                    : finish(auth.saslRefused(client, DenyReason.MALFORMED_CREDENTIALS, r.reason().name(), true), null);
            case CREDENTIAL -> finish(auth.saslCredential(client, r.credential().username(), r.credential().password()), null);
            case BEARER -> bearer(auth.saslBearer(client, Objects.requireNonNull(r.bearerToken()).token(), r.authzid()));
            // The machine gives it only after a token, and a refused token set refused: not reached.
            case ACKNOWLEDGED -> finish(auth.saslRefused(client, DenyReason.MALFORMED_CREDENTIALS,
                    Malformation.OUT_OF_SEQUENCE.name(), true), null);
        };
    }

    /**
     * RFC 7628 §3.2.2: a refused key gets the JSON error challenge first, and the decision is
     * answered once the client has sent its dummy response. A temporary refusal (454, 450) is
     * answered at once: an {@code invalid_token} would tell the client to drop a good key.
     */
    private SaslStep bearer(AuthResult result) {
        if (result.allowed() || result.smtp().code() < 500) {
            return finish(result, null);
        }
        refused = result;
        last = API.saslFailing(SaslMachines.errorChallenge(machine, result.reason() == DenyReason.PERMISSION_DENIED), result);
        return last;
    }

    /**
     * The line after an error challenge ends the exchange with the denial already decided (and its
     * one event). RFC 4954 §6 and RFC 7628 §4.3 answer a refused identity or key with 535, the
     * insufficient_scope of the challenge included.
     */
    private SaslStep acknowledged(SaslResult r) {
        return switch (r.kind()) {
            case ACKNOWLEDGED -> finish(refused, INVALID);
            case CANCELLED -> finish(refused, CANCELLED);
            case TOO_LONG -> finish(refused, TOO_LONG);
            default -> finish(refused, MALFORMED);
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
