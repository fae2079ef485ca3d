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

    /**
     * Allows {@code a} as the principal of {@code c}'s identity verified against {@code verifiedHash}.
     * The principal (and, with nothing to report but the allow, the whole result) of the entry's last
     * allowed request is given again when it is equal: see {@link CachedCredential#lastAllowed}.
     *
     * @param nowMillis the time of the allowed use (its last use)
     */
    AuthResult allow(Attempt a, CachedCredential c, String verifiedHash, long nowMillis) {
        emit(a, true, null, null, nowMillis);
        AuthResult last = c.lastAllowed;
        Principal p = last == null ? null : last.principal();
        if (p == null || !API.isFor(p, c.identity, a.client, a.channel(), verifiedHash)) {
            p = API.principal(c.identity, a.client, a.channel(), verifiedHash);
            last = API.allow(p, null, null, false, realm);
            c.lastAllowed = last;
        }
        return a.rate == null && a.credits == null && !a.atMail ? last : API.allow(p, a.rate, a.credits, a.atMail, realm);
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
