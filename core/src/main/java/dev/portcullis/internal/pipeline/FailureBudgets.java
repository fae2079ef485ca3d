package dev.portcullis.internal.pipeline;

import dev.portcullis.ClientAddress;
import dev.portcullis.Limit;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;
import dev.portcullis.internal.net.Allowlist;
import org.jspecify.annotations.Nullable;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import dev.portcullis.spi.RateLimiter;

/**
 * The Throttle stage (DESIGN §2): budgets of failures, spent by failed attempts and checked
 * before any store miss or hashing.
 *
 * <ul>
 *   <li>per client network (an IPv4 address, an IPv6 prefix: /64 by default, configurable, Dovecot uses
 *       /48); clients in trusted networks (a webmail or gateway that logs many users in from one
 *       address) are exempt from this one;
 *   <li>per login and network, for passwords;
 *   <li>per account, spent only by failures from networks the account never succeeded from (ASVS
 *       4.0.3 2.2.1: at most 100 failures an hour), so the owner, from a network they used before, is
 *       never locked out by someone else's guessing.
 * </ul>
 *
 * API keys verifying against a cached record are never refused here (a 190-bit secret cannot be
 * guessed); only their store misses are. A password pair that already failed from a network is
 * not spent again ({@link LoginCache}): a misconfigured client retrying costs one unit, not its
 * whole budget.
 */
public final class FailureBudgets {
    private static final ApiAccess API = Api.get();
    public static final Limit DEFAULT_NETWORK = Limit.per(50, Duration.ofMinutes(10));
    public static final Limit DEFAULT_LOGIN = Limit.per(10, Duration.ofMinutes(10));
    public static final Limit DEFAULT_ACCOUNT = Limit.perHour(100);
    private static final int MAX_KNOWN_NETWORKS = 256;
    /** IPv6 clients count by their /64 unless configured otherwise (a /64 is one subnet, RFC 4291 §2.5.4). */
    public static final int DEFAULT_IPV6_PREFIX = 64;

    private final RateLimiter limiter;
    private final Limit network;
    private final Limit login;
    private final Limit account;
    private final int ipv6Prefix;
    /** Clients exempt from the network budget; {@code null} for none. */
    private final @Nullable Allowlist trusted;
    /** Networks each account has succeeded from; bounded per account and in accounts. */
    private final Cache<String, Set<String>> known = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(Duration.ofDays(30)).build();

    /**
     * The account an unknown username's failures are counted under (no account can have this name:
     * account names never hold NUL): its budget is spent and read, but never refuses, so it blocks
     * nobody. It has succeeded from one network no client is in, so that looking it up costs what it
     * does for an account that logged in before (the timing invariant of the package note); a known account that never logged
     * in is a lookup that finds nothing.
     */
    static final String NO_ACCOUNT = "\0";
    /** No client's network is called this ({@link #networkOf} gives addresses, prefixes or "unparseable"). */
    private static final String STAND_IN_NETWORK = "-";

    FailureBudgets(RateLimiter limiter, Limit network, Limit login, Limit account) {
        this(limiter, network, login, account, DEFAULT_IPV6_PREFIX, List.of());
    }

    /**
     * @param ipv6Prefix the prefix length IPv6 clients are grouped by (checked by the builder)
     * @param trustedNetworks CIDR blocks whose clients the network budget exempts; empty for none
     */
    FailureBudgets(RateLimiter limiter, Limit network, Limit login, Limit account, int ipv6Prefix, List<String> trustedNetworks) {
        this.limiter = limiter;
        this.network = network;
        this.login = login;
        this.account = account;
        this.ipv6Prefix = ipv6Prefix;
        this.trusted = trustedNetworks.isEmpty() ? null : Allowlist.of(trustedNetworks);
        loginSucceeded(NO_ACCOUNT, STAND_IN_NETWORK);
    }

    /** The network a client counts in at the default IPv6 prefix (/64); see {@link #networkOf(ClientAddress, int)}. */
    public static String networkOf(@Nullable ClientAddress client) {
        return networkOf(client, DEFAULT_IPV6_PREFIX);
    }

    /**
     * The network a client counts in: its IPv4 address, or the IPv6 block of {@code ipv6Prefix} bits
     * it is in (one host can hold a whole /64, and a provider hands out /48s or /56s, so single IPv6
     * addresses would give one attacker endless budgets); one shared bucket for unparseable ones.
     */
    public static String networkOf(@Nullable ClientAddress client, int ipv6Prefix) {
        if (client == null) {
            return "unparseable";
        }
        return client.isIPv4() ? client.toString() : API.ip(client).toPrefixBlock(ipv6Prefix).toCanonicalString();
    }

    /** The network {@code client} counts in here, at the configured IPv6 prefix. */
    String network(@Nullable ClientAddress client) {
        return networkOf(client, ipv6Prefix);
    }

    /** Whether {@code client} is in a trusted network, which spends and reads no network budget. */
    boolean isTrusted(@Nullable ClientAddress client) {
        Allowlist t = trusted;
        return t != null && client != null && t.permits(client);
    }

    /** Nanoseconds the network must wait before its next store miss or hash; 0 if it may go on (always, if trusted). */
    long networkBlocked(String net, boolean trustedClient) {
        return trustedClient ? 0 : limiter.nanosUntilAvailable(networkQuota(net));
    }

    long loginBlocked(String username, String net, boolean trustedClient) {
        return Math.max(networkBlocked(net, trustedClient), limiter.nanosUntilAvailable(loginQuota(username, net)));
    }

    /**
     * How long a failed password pair is remembered per network, so that retrying it spends nothing
     * more: the per-login budget's period, the window that budget counts failures in.
     */
    Duration pairWindow() {
        return login.period();
    }

    boolean isKnown(String account, String net) {
        Set<String> nets = known.getIfPresent(account);
        if (nets == null && account == NO_ACCOUNT) { // evicted or expired: the stand-in is always known somewhere
            loginSucceeded(NO_ACCOUNT, STAND_IN_NETWORK);
        }
        return nets != null && nets.contains(net);
    }

    /** Nanoseconds until the account takes failures from new networks again; 0 if it does now. */
    long accountBlocked(RateLimiter.Quota accountBudget) {
        return limiter.nanosUntilAvailable(accountBudget);
    }

    void keyFailed(String net, boolean trustedClient) {
        if (!trustedClient) {
            limiter.spend(networkQuota(net));
        }
    }

    /** A failed login, spending {@code accountBudget} too if it came from a network the account never used. */
    void loginFailed(String username, String net, boolean trustedClient, RateLimiter.Quota accountBudget, boolean knownNetwork) {
        if (!trustedClient) {
            limiter.spend(networkQuota(net));
        }
        limiter.spend(loginQuota(username, net));
        if (!knownNetwork) {
            limiter.spend(accountBudget);
        }
    }

    public void loginSucceeded(String account, String net) {
        Set<String> nets = known.get(account, a -> ConcurrentHashMap.newKeySet());
        if (nets.size() < MAX_KNOWN_NETWORKS) {
            nets.add(net);
        }
    }

    private RateLimiter.Quota networkQuota(String net) {
        return new RateLimiter.Quota("fn:" + net, network);
    }

    private RateLimiter.Quota loginQuota(String username, String net) {
        // Case folded, so varying the case of a login does not buy fresh guesses.
        return new RateLimiter.Quota("fu:" + net + "|" + username.toLowerCase(Locale.ROOT), login);
    }

    /**
     * The failure budget of an account, built once per loaded login entry (for "no account" too),
     * so a login costs no string work that depends on the account's name (the timing invariant of the package note).
     */
    RateLimiter.Quota accountBudget(String acct) {
        // Interned: every budget of one account shares the key the bucket was made with, so a lookup
        // ends at a reference check instead of comparing text as long as the account's name.
        return new RateLimiter.Quota(("fa:" + acct).intern(), account);
    }
}
