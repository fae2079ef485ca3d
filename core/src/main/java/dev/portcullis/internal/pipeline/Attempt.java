package dev.portcullis.internal.pipeline;

import dev.portcullis.AuthRequest;
import dev.portcullis.Channel;
import dev.portcullis.ClientAddress;
import dev.portcullis.DenyReason;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;
import dev.portcullis.spi.RateLimiter;

import java.net.InetAddress;
import java.time.Duration;

/**
 * What one attempt has learned so far, stage by stage; only safe values. One is made per attempt,
 * so its fields are kept to 64 bytes (JOL): a channel as a flag, what only one path needs passed
 * as an argument instead.
 */
final class Attempt {
    private static final ApiAccess API = Api.get();

    private final boolean smtp;
    /** Whether it re-authorizes a session ({@code Authenticator.authorize}), not a new credential. */
    final boolean atMail;
    /** The client as parsed, or {@code null} if its address was not a strict literal. */
    ClientAddress client;
    String permission;
    String resource;
    /** What it names so far; never {@code null}. */
    Subject subject = Subject.NONE;
    Duration retryAfter;
    DenyReason wouldDeny;
    /** The limiter's answer: the one that refused, or the enforced one that admitted. */
    RateLimiter.Take rate;
    /** What the request costs: 1 unless set; 0 for SASL logins (an SMTP session pays per recipient). */
    int cost = 1;
    /** Whether the report-only quotas admitted {@link #cost} (and so must be given it back if Credits refuses). */
    boolean reportedTaken;
    /** The credit balance charged or refused, if the request got that far and one applied. */
    dev.portcullis.AuthResult.CreditStatus credits;
    /** For the latency metric; 0 when metrics are off, so the hot path reads no clock for it. */
    long startNanos;
    private String network;
    /** Whether the client is in a trusted network (exempt from the network budget); with {@link #network}. */
    private boolean trusted;

    /** A SASL login. */
    Attempt(ClientAddress client) {
        this.smtp = true;
        this.atMail = false;
        this.client = client;
    }

    /** An HTTP request. */
    Attempt(AuthRequest request) {
        this.smtp = false;
        this.atMail = false;
        this.client = clientOf(API.client(request));
        this.permission = API.permission(request);
        this.resource = API.resource(request);
        this.cost = (int) API.cost(request);
    }

    /** A session's re-authorization, on the channel it logged in on. */
    Attempt(Channel channel, int cost) {
        this.smtp = channel == Channel.SMTP;
        this.atMail = true;
        this.cost = cost;
    }

    Channel channel() {
        return smtp ? Channel.SMTP : Channel.HTTP;
    }

    /** Whether an {@code AuthRequest} started it (not a SASL login or a re-authorization of a session). */
    boolean request() {
        return !smtp && !atMail;
    }

    static ClientAddress clientOf(Object c) {
        if (c instanceof ClientAddress a) {
            return a;
        }
        if (c instanceof InetAddress i) {
            return ClientAddress.of(i);
        }
        return c instanceof String s ? ClientAddress.parse(s) : null;
    }

    /** The failure-budget network, computed only on the paths that need it. */
    String network(FailureBudgets budgets) {
        if (network == null) {
            trusted = budgets.isTrusted(client);
            network = budgets.network(client);
        }
        return network;
    }

    /** Whether the client is exempt from the network budget; after {@link #network(FailureBudgets)}. */
    boolean trusted() {
        return trusted;
    }
}
