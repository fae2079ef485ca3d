package dev.portcullis;

import dev.portcullis.internal.rules.Requests;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a request presents: its credentials, the client address, and optionally the permission
 * and resource it needs. Immutable; {@link #require} returns a copy. {@code toString} shows no
 * credential.
 *
 * <p>The client address is the socket peer, or what {@link ClientAddress#resolve} made of it
 * behind trusted proxies. It may be text ({@code 203.0.113.7}, {@code 2001:db8::1},
 * {@code [::1]}) or an {@link InetAddress}; it is never resolved through DNS. An address that does
 * not parse fails every allowlist and counts against one shared failure budget.
 */
public final class AuthRequest {
    /** The one Authorization value, or {@code null}; {@link #headers} holds several (or none). */
    private final String header;
    private final List<String> headers;
    private final String token;
    private final Object client;
    private final String permission;
    private final String resource;
    /** An int (at most {@link #MAX_COST}): the request object stays 40 bytes, as before costs existed. */
    private final int cost;

    private AuthRequest(String header, List<String> headers, String token, Object client, String permission, String resource,
            long cost) {
        this.header = header;
        this.headers = headers;
        this.token = token;
        this.client = client;
        this.permission = permission;
        this.resource = resource;
        this.cost = Math.toIntExact(cost);
    }

    /** The most one request may cost: a bound against overflow, far above any real send. */
    public static final long MAX_COST = 1_000_000;

    /**
     * A request with one {@code Authorization} header value ({@code null} if absent).
     *
     * @param clientIp a {@code String}, an {@link InetAddress} or a {@link ClientAddress}
     */
    public static AuthRequest http(@Nullable String authorizationHeader, @Nullable Object clientIp) {
        return new AuthRequest(authorizationHeader, null, null, client(clientIp), null, null, 1);
    }

    /**
     * A request with all values of its {@code Authorization} header, as the server received
     * them; more than one value is malformed.
     */
    public static AuthRequest http(@Nullable List<String> authorizationValues, @Nullable Object clientIp) {
        return new AuthRequest(null, authorizationValues == null ? List.of() : List.copyOf(authorizationValues), null,
                client(clientIp), null, null, 1);
    }

    /** A request from a gateway that took the API key out of the request itself. */
    public static AuthRequest apiKey(String token, @Nullable Object clientIp) {
        return new AuthRequest(null, null, Objects.requireNonNull(token, "token"), client(clientIp), null, null, 1);
    }

    private static Object client(Object c) {
        return Requests.checkClient(c);
    }

    /**
     * The same request, needing {@code permission} (a concrete {@code noun:verb}) on
     * {@code resource} (e.g. {@code messages:send} on {@code example.com}), canonicalised as a
     * domain is (see {@link Grant}).
     *
     * @throws NullPointerException if either is {@code null} (a collection request is {@link #require(String)})
     * @throws IllegalArgumentException if the permission is not a concrete {@code noun:verb}, or the
     *     resource cannot be a resource name (check untrusted names with {@link Grant#canonicalResource} first)
     */
    public AuthRequest require(String permission, String resource) {
        return new AuthRequest(header, headers, token, client, checkRequired(permission), Requests.validResource(resource), cost);
    }

    /**
     * A collection request: {@code permission} on some resource of the key's account.
     *
     * @throws NullPointerException if it is {@code null}
     * @throws IllegalArgumentException if it is not a concrete {@code noun:verb}
     */
    public AuthRequest require(String permission) {
        return new AuthRequest(header, headers, token, client, checkRequired(permission), null, cost);
    }

    /**
     * The same request, costing {@code cost} (default 1): every rate limit of the key and of its
     * account takes {@code cost} tokens, and, once every other check has admitted it, the key's and
     * the account's credits (if they have any) lose {@code cost}, all or nothing. A send to 1,000
     * recipients costs 1,000. A request of cost 0 takes nothing and is refused by no limit or
     * credit balance (a read that should stay free when credits run out).
     *
     * @throws IllegalArgumentException if it is negative or above {@link #MAX_COST}
     */
    public AuthRequest cost(long cost) {
        return new AuthRequest(header, headers, token, client, permission, resource, Requests.validCost(cost));
    }

    /**
     * Permissions already checked, by identity: a server requires a few constant strings, so most
     * calls end at a compare or two, and {@code require} stays small enough for the JIT to inline
     * (the request it copies then costs nothing). Written only on a miss, so threads do not fight
     * over it; a lost race costs one more check, never a wrong one (strings are immutable). An
     * empty slot holds {@code null}, so {@code null} is refused before the table is read.
     */
    private static final String[] CHECKED = new String[8];

    private static String checkRequired(String permission) {
        if (permission == null) {
            throw new NullPointerException("permission");
        }
        int slot = System.identityHashCode(permission) & (CHECKED.length - 1);
        if (CHECKED[slot] != permission) {
            CHECKED[slot] = Requests.validRequired(permission);
        }
        return permission;
    }

    String header() { return header; }
    List<String> headers() { return headers; }
    String token() { return token; }
    Object client() { return client; }
    String permission() { return permission; }
    String resource() { return resource; }
    long costOf() { return cost; }

    @Override
    public String toString() {
        return "AuthRequest[client=" + client + (permission != null ? ", require " + permission + "@" + resource : "")
                + (cost != 1 ? ", cost " + cost : "") + "]";
    }
}
