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

/** What one attempt has learned so far, stage by stage; only safe values. */
final class Attempt {
    private static final ApiAccess API = Api.get();

    final Channel channel;
    final boolean atMail;
    /** Whether an {@code AuthRequest} started it (not a SASL login or a re-authorization of a session). */
    final boolean request;
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
    long cost = 1;
    /** The enforced quotas the Rate-limit stage took {@link #cost} from, to give back if Credits refuses. */
    java.util.List<RateLimiter.Quota> taken;
    java.util.List<RateLimiter.Quota> takenReported;
    /** The credit balance charged or refused, if the request got that far and one applied. */
    dev.portcullis.AuthResult.CreditStatus credits;
    /** The stored hash the secret was verified against, when it is not the cached record's. */
    String verifiedHash;
    /** For the latency metric; 0 when metrics are off, so the hot path reads no clock for it. */
    long startNanos;
    private String network;
    /** Whether the client is in a trusted network (exempt from the network budget); with {@link #network}. */
    private boolean trusted;

    Attempt(Channel channel, ClientAddress client) {
        this.channel = channel;
        this.atMail = false;
        this.request = false;
        this.client = client;
    }

    Attempt(Channel channel, AuthRequest request, boolean atMail) {
        this.channel = channel;
        this.atMail = atMail;
        this.request = request != null;
        if (request != null) {
            this.client = clientOf(API.client(request));
            this.permission = API.permission(request);
            this.resource = API.resource(request);
            this.cost = API.cost(request);
        }
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
