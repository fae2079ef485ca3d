package dev.portcullis.internal.pipeline;

import dev.portcullis.AuthEvent;
import dev.portcullis.AuthResult;
import dev.portcullis.DenyReason;
import dev.portcullis.Principal;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;
import dev.portcullis.internal.audit.Listeners;

import java.time.Clock;
import java.time.Instant;

/**
 * Decision + event (DESIGN §2): every exit of the pipeline comes here, once per attempt. It makes
 * the {@link AuthResult}, counts usage, tells the metrics, and emits the one {@link AuthEvent}.
 */
final class Decision {
    private static final ApiAccess API = Api.get();

    private final UsageRecorder usage;
    private final Metrics metrics;
    private final Listeners listeners;
    private final Clock clock;
    private final String realm;

    Decision(UsageRecorder usage, Metrics metrics, Listeners listeners, Clock clock, String realm) {
        this.usage = usage;
        this.metrics = metrics;
        this.listeners = listeners;
        this.clock = clock;
        this.realm = realm;
    }

    /** Starts the attempt's latency timer, when something measures it. */
    Attempt timed(Attempt a) {
        a.startNanos = metrics.start();
        return a;
    }

    AuthResult deny(Attempt a, Denial d) {
        return deny(a, d.reason, d.detail);
    }

    AuthResult deny(Attempt a, DenyReason reason, String detail) {
        emit(a, false, reason, detail, 0);
        return API.deny(reason, a.retryAfter, a.rate, a.credits, a.atMail, realm);
    }

    /** @param nowMillis the time of the allowed use (its last use) */
    AuthResult allow(Attempt a, Principal p, long nowMillis) {
        emit(a, true, null, null, nowMillis);
        return API.allow(p, a.rate, a.credits, a.atMail, realm);
    }

    /** @param nowMillis the time of an allowed use (its last use); unused for a denial */
    private void emit(Attempt a, boolean allowed, DenyReason reason, String detail, long nowMillis) {
        // Only real credentials have usage; an attempt without one does the same tally work into
        // tallies that are never written (see the package note).
        Subject who = a.subject;
        boolean newNetwork = usage.record(who, reason, a.client, nowMillis);
        metrics.decided(a.channel(), reason, a.wouldDeny, who.keyId(), a.startNanos);
        if (listeners.any()) {
            listeners.emit(new AuthEvent(Instant.now(clock), a.channel(), allowed, reason, detail, who.keyId(), who.account(),
                    a.client == null ? null : a.client.toString(), newNetwork, allowed ? a.wouldDeny : null));
        }
    }
}
