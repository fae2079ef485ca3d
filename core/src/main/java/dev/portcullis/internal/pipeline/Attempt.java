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
    /** The stored hash the secret was verified against, when it is not the cached record's. */
    String verifiedHash;
    /** For the latency metric; 0 when metrics are off, so the hot path reads no clock for it. */
    long startNanos;
    private String network;

    Attempt(Channel channel, ClientAddress client) {
        this.channel = channel;
        this.atMail = false;
        this.client = client;
    }

    Attempt(Channel channel, AuthRequest request, boolean atMail) {
        this.channel = channel;
        this.atMail = atMail;
        if (request != null) {
            this.client = clientOf(API.client(request));
            this.permission = API.permission(request);
            this.resource = API.resource(request);
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
    String network() {
        if (network == null) {
            network = FailureBudgets.networkOf(client);
        }
        return network;
    }
}
