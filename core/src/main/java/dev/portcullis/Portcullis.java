package dev.portcullis;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.portcullis.internal.pipeline.FailureBudgets;
import dev.portcullis.internal.pipeline.Wiring;
import dev.portcullis.spi.CredentialStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import dev.portcullis.spi.LegacyPasswordVerifier;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.spi.ResourceOwners;

/**
 * The one configured root: a store, a key format, secrets and policies, shared by the
 * {@link #keys() management} half and the {@link #authenticator() request} half so that both
 * always agree. Build once per process (per store) and share; thread-safe. {@link #close()}
 * writes the usage it still holds and stops its change-feed subscription and its threads; close it
 * before the store (and the store's pool).
 *
 * <pre>{@code
 * Portcullis portcullis = Portcullis.builder()
 *         .store(CredentialStore.inMemory())
 *         .keyFormat(KeyFormat.withPrefix("pc"))
 *         .build();
 * }</pre>
 */
public final class Portcullis implements AutoCloseable {
    /** The pipeline and key management, wired from the builder's values. */
    final Wiring wiring;
    private final CredentialStore store;
    private final RateLimiter limiter;
    private final KeyFormat format;
    private final AutoCloseable subscription;
    private final ThreadPoolExecutor ownExecutor;
    private final java.util.concurrent.ScheduledExecutorService flusher;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** The most {@link #close()} waits for a running flush, and again for the refresh threads. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private Portcullis(Builder b) {
        Clock clock = b.clock != null ? b.clock : Clock.systemUTC();
        Ticker ticker = b.clock != null ? () -> epochNanos(clock.instant()) : Ticker.systemTicker();
        Executor executor = b.executor;
        ThreadPoolExecutor own = null;
        if (executor == null) {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000), r -> {
                Thread t = new Thread(r, "portcullis-refresh");
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true);
            own = pool;
            executor = pool;
        }
        this.ownExecutor = own;
        this.store = b.store;
        this.limiter = b.limiter != null ? b.limiter : RateLimiter.local(clock);
        this.format = b.format != null ? b.format : KeyFormat.withPrefix("pc");
        long cacheSize = b.cacheSize > 0 ? b.cacheSize : 100_000;
        this.wiring = new Wiring(new Wiring.Options(
                store,
                format,
                b.peppers,
                clock,
                ticker,
                executor,
                b.argon2 != null ? b.argon2 : Argon2Parameters.OWASP_MINIMUM,
                b.argon2Slots > 0 ? b.argon2Slots : Math.max(2, Runtime.getRuntime().availableProcessors()),
                b.argon2Wait != null ? b.argon2Wait : Duration.ofMillis(100),
                cacheSize,
                b.maxStaleness != null ? b.maxStaleness : Duration.ofMinutes(5),
                b.refreshInterval != null ? b.refreshInterval
                        : store.hasChangeFeed() ? Duration.ofSeconds(60) : Duration.ofSeconds(5),
                List.copyOf(b.listeners),
                b.keyUsernames.isEmpty() ? Set.of("api") : Set.copyOf(b.keyUsernames),
                b.bareKeys,
                b.realm != null ? b.realm : "portcullis",
                limiter,
                b.defaultRateLimit != null ? b.defaultRateLimit : RateLimitPolicy.UNLIMITED,
                b.networkBudget != null ? b.networkBudget : FailureBudgets.DEFAULT_NETWORK,
                b.loginBudget != null ? b.loginBudget : FailureBudgets.DEFAULT_LOGIN,
                b.accountBudget != null ? b.accountBudget : FailureBudgets.DEFAULT_ACCOUNT,
                b.owners,
                b.legacy,
                b.plaintextSasl,
                b.imported,
                b.meterRegistry,
                b.metricsKeyIds,
                b.failureIpv6Prefix != 0 ? b.failureIpv6Prefix : FailureBudgets.DEFAULT_IPV6_PREFIX,
                List.copyOf(b.trustedNetworks)));
        this.subscription = store.subscribe(wiring.changeListener());
        Duration flushEvery = b.usageFlush != null ? b.usageFlush : Duration.ofSeconds(10);
        this.flusher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-usage-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::flushUsage, flushEvery.toMillis(), flushEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * For readiness probes: whether the store answers (one real lookup, timed), how far its change
     * feed lags and whether other nodes' changes arrive by a push now, where rate limits are decided,
     * and how many records are cached. {@code DOWN} when
     * the store does not answer (cached keys are still served, within the hard bound, but nothing
     * new can be); {@code DEGRADED} when rate limits run on their fallback or the feed lags more
     * than 30 s; else {@code UP}.
     */
    public Health health() {
        long t0 = System.nanoTime();
        boolean reachable;
        try {
            store.findAccount("portcullis-health-probe");
            reachable = true;
        } catch (RuntimeException e) {
            reachable = false;
        }
        Duration latency = Duration.ofNanos(System.nanoTime() - t0);
        Duration lag = store.changeFeedLag();
        RateLimiter.Mode mode = limiter.mode();
        Health.Status status = !reachable ? Health.Status.DOWN
                : mode == RateLimiter.Mode.FALLBACK || lag.compareTo(Duration.ofSeconds(30)) > 0 ? Health.Status.DEGRADED
                : Health.Status.UP;
        return new Health(status, reachable, latency, lag, store.pushConnected(), mode, wiring.cachedCredentials());
    }

    /**
     * Writes the usage recorded so far to the store now (it is also written every flush interval
     * and on {@link #close()}). A batch the store refuses is kept and retried at the next flush.
     */
    public void flushUsage() {
        try {
            wiring.flushUsage();
        } catch (RuntimeException e) {
            System.getLogger(Portcullis.class.getName()).log(System.Logger.Level.WARNING, "usage flush failed", e);
        }
    }

    private static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Creates, lists and revokes credentials. */
    public KeyManager keys() {
        return wiring.keys();
    }

    /** Decides on requests. */
    public Authenticator authenticator() {
        return wiring.authenticator();
    }

    /**
     * Writes the usage still held and stops this instance's threads; call it before closing the
     * store, as in {@code portcullis.close(); store.close(); pool.close();}. In order: no new
     * scheduled flush starts and one running is waited for (not interrupted: an interrupt can break
     * a JDBC connection mid-write); new-network writes running on the refresh executor are waited
     * for, queued ones left to the final write (the network is in its tally too); then every tally
     * and every batch an earlier flush could not write is written on the calling thread, a failed
     * write retried up to 3 times more (100, 200, 400 ms apart), and what still could not be written
     * is logged as counts (no secret) at WARNING. Then the change feed and the refresh threads stop
     * (queued refreshes are dropped, running ones waited for). Each wait is bounded by 10 s.
     *
     * <p>Requests that returned before {@code close()} was called are always in what it writes. A
     * request racing {@code close()} gets its decision as usual, and its usage is written if it
     * counted before close's last write (a request stalled between its decision and its count for
     * longer than that is not). From {@code close()} on, usage is no longer recorded: requests an
     * application still sends through a closed instance are decided but not counted, and announce
     * no new network. Idempotent; an interrupt of the closing thread does not cut the writes short,
     * and is restored on return.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean interrupted = Thread.interrupted();
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        flusher.shutdown();
        interrupted |= await(flusher, deadline, "the usage flush in progress");
        wiring.closeUsage(deadline);
        try {
            subscription.close();
        } catch (Exception e) {
            System.getLogger(Portcullis.class.getName()).log(System.Logger.Level.WARNING, "closing the change feed failed", e);
        }
        if (ownExecutor != null) {
            ownExecutor.shutdown();
            ownExecutor.getQueue().clear(); // queued refreshes are moot; queued new-network writes are in the tallies written above
            interrupted |= await(ownExecutor, System.nanoTime() + CLOSE_WAIT.toNanos(), "the refresh threads");
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for a shut-down executor until {@code deadline}, then interrupts what still runs; returns whether interrupted. */
    private static boolean await(ExecutorService executor, long deadline, String what) {
        boolean interrupted = false;
        while (true) {
            try {
                if (executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    return interrupted;
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting: the bound, not the interrupt, ends the wait
            }
        }
        System.getLogger(Portcullis.class.getName()).log(System.Logger.Level.WARNING,
                "close(): " + what + " did not end within " + CLOSE_WAIT.toSeconds() + " s; interrupting it");
        executor.shutdownNow();
        return interrupted;
    }

    @Override
    public String toString() {
        return "Portcullis[" + format + ", " + store + "]";
    }

    /**
     * Configures a {@link Portcullis}. Each setting may be given once (a second call throws
     * {@link IllegalStateException} naming the first value); {@link #listener} and {@link #pepper}
     * add. Only {@link #store} is required.
     */
    public static final class Builder {
        private CredentialStore store;
        private KeyFormat format;
        private final Map<String, byte[]> peppers = new LinkedHashMap<>();
        private Clock clock;
        private Argon2Parameters argon2;
        private int argon2Slots;
        private Duration argon2Wait;
        private long cacheSize;
        private Duration maxStaleness;
        private Duration refreshInterval;
        private Executor executor;
        private final List<AuthListener> listeners = new ArrayList<>();
        private final Set<String> keyUsernames = new LinkedHashSet<>();
        private boolean bareKeys;
        private boolean bareKeysSet;
        private String realm;
        private RateLimiter limiter;
        private RateLimitPolicy defaultRateLimit;
        private Limit networkBudget;
        private Limit loginBudget;
        private Limit accountBudget;
        private ResourceOwners owners;
        private LegacyPasswordVerifier legacy;
        private boolean plaintextSasl;
        private KeyFormat imported;
        private Duration usageFlush;
        private Object meterRegistry;
        private boolean metricsKeyIds;
        private int failureIpv6Prefix;
        private final List<String> trustedNetworks = new ArrayList<>();

        private Builder() {}

        private static void once(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set to " + current);
            }
        }

        /** Where credentials live. Required. */
        public Builder store(CredentialStore store) {
            once(this.store, "store");
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The format of new keys and of keys this authenticator accepts; default {@code KeyFormat.withPrefix("pc")}. */
        public Builder keyFormat(KeyFormat format) {
            once(this.format, "keyFormat");
            Objects.requireNonNull(format, "format");
            if (format.isImported()) {
                throw new IllegalArgumentException("the key format of new keys must be a native one");
            }
            this.format = format;
            return this;
        }

        /**
         * Adds a pepper: new key digests become HMAC-SHA-256 under the last pepper added, and
         * records under earlier ones still verify. At least 32 bytes.
         */
        public Builder pepper(String id, byte[] secret) {
            Objects.requireNonNull(id, "id");
            if (!id.matches("[A-Za-z0-9_-]{1,32}")) {
                throw new IllegalArgumentException("pepper id must match [A-Za-z0-9_-]{1,32}");
            }
            if (secret == null || secret.length < 32) {
                throw new IllegalArgumentException("a pepper must have at least 32 bytes");
            }
            if (peppers.containsKey(id)) {
                throw new IllegalStateException("pepper " + id + " was already added");
            }
            peppers.put(id, secret.clone());
            return this;
        }

        /** The time source for expiry, events and the cache; default the system UTC clock. */
        public Builder clock(Clock clock) {
            once(this.clock, "clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Argon2id parameters for new passwords; default {@link Argon2Parameters#OWASP_MINIMUM}. */
        public Builder argon2(Argon2Parameters parameters) {
            once(this.argon2, "argon2");
            this.argon2 = Objects.requireNonNull(parameters, "parameters");
            return this;
        }

        /**
         * At most {@code slots} Argon2 runs at once (default: the number of cores, at least 2); a
         * caller waits at most {@code maxWait} (default 100 ms) for one, then gets {@code BUSY}.
         */
        public Builder argon2Concurrency(int slots, Duration maxWait) {
            if (argon2Slots != 0) {
                throw new IllegalStateException("argon2Concurrency was already set to " + argon2Slots);
            }
            if (slots < 1) {
                throw new IllegalArgumentException("slots must be at least 1");
            }
            this.argon2Slots = slots;
            this.argon2Wait = Objects.requireNonNull(maxWait, "maxWait");
            return this;
        }

        /** Most records cached (by id, and again by username); default 100,000. */
        public Builder cacheMaximumSize(long size) {
            if (cacheSize != 0) {
                throw new IllegalStateException("cacheMaximumSize was already set to " + cacheSize);
            }
            if (size < 1) {
                throw new IllegalArgumentException("cache size must be at least 1");
            }
            this.cacheSize = size;
            return this;
        }

        /**
         * The hard bound: the longest a cached record (or a cached "no such key") is served since
         * it was last read from the store, i.e. while the store is unreachable. Default 5 minutes.
         */
        public Builder cacheMaxStaleness(Duration bound) {
            once(this.maxStaleness, "cacheMaxStaleness");
            if (bound.isNegative() || bound.isZero()) {
                throw new IllegalArgumentException("max staleness must be positive");
            }
            this.maxStaleness = bound;
            return this;
        }

        /**
         * How often a cached record in use is re-read in the background; default 60 s with a store
         * change feed, 5 s without. Must be shorter than the max staleness.
         */
        public Builder cacheRefreshInterval(Duration interval) {
            once(this.refreshInterval, "cacheRefreshInterval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("refresh interval must be positive");
            }
            this.refreshInterval = interval;
            return this;
        }

        /** Where background refreshes run; default two daemon threads with a bounded queue. */
        public Builder refreshExecutor(Executor executor) {
            once(this.executor, "refreshExecutor");
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Adds a listener for every {@link AuthEvent}; see {@link AuthListener} for its contract. */
        public Builder listener(AuthListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Basic-auth usernames that mean "the password is an API key" ({@code api:KEY}, Mailgun
         * style); default {@code api}. Matched exactly.
         */
        public Builder keyUsernames(String... usernames) {
            if (!keyUsernames.isEmpty()) {
                throw new IllegalStateException("keyUsernames was already set to " + keyUsernames);
            }
            for (String u : usernames) {
                if (u == null || u.isEmpty() || u.indexOf(':') >= 0) {
                    throw new IllegalArgumentException("a key username must be non-empty and without ':'");
                }
                keyUsernames.add(u);
            }
            return this;
        }

        /** Also accept a bare key as the whole {@code Authorization} value (SparkPost style); default off. */
        public Builder acceptBareKeys(boolean accept) {
            if (bareKeysSet) {
                throw new IllegalStateException("acceptBareKeys was already set to " + bareKeys);
            }
            bareKeysSet = true;
            this.bareKeys = accept;
            return this;
        }

        /** The realm of the {@code WWW-Authenticate} challenge; default {@code portcullis}. */
        public Builder realm(String realm) {
            once(this.realm, "realm");
            if (realm == null || !realm.matches("[\\x20-\\x7E&&[^\"\\\\]]{1,64}")) {
                throw new IllegalArgumentException("realm must be 1-64 printable ASCII characters without quotes or backslashes");
            }
            this.realm = realm;
            return this;
        }

        /** Where rate-limit and failure-budget buckets live; default {@link RateLimiter#local} on this clock. */
        public Builder rateLimiter(RateLimiter limiter) {
            once(this.limiter, "rateLimiter");
            this.limiter = Objects.requireNonNull(limiter, "limiter");
            return this;
        }

        /** The limits of credentials that have none of their own; default none. */
        public Builder defaultRateLimit(RateLimitPolicy policy) {
            once(this.defaultRateLimit, "defaultRateLimit");
            this.defaultRateLimit = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Failure budgets (DESIGN §2 Throttle), as limits on failures: per client network (IPv4
         * address, IPv6 /64 or {@linkplain #failureBudgetIpv6Prefix as configured}; default 50 per 10
         * minutes), per login and network (default 10 per 10 minutes), and per account from networks
         * it never succeeded from (default 100 an hour, ASVS 4.0.3 2.2.1). The limits' scopes are
         * ignored. A (login, password) pair that already failed from a network is denied again
         * without Argon2 and spends nothing more until the per-login period has passed: a client
         * retrying a wrong password costs one failure, not its budget.
         */
        public Builder failureBudgets(Limit perNetwork, Limit perLoginAndNetwork, Limit perAccountFromNewNetworks) {
            once(this.networkBudget, "failureBudgets");
            this.networkBudget = Objects.requireNonNull(perNetwork, "perNetwork");
            this.loginBudget = Objects.requireNonNull(perLoginAndNetwork, "perLoginAndNetwork");
            this.accountBudget = Objects.requireNonNull(perAccountFromNewNetworks, "perAccountFromNewNetworks");
            return this;
        }

        /**
         * The prefix length by which IPv6 clients form one network in the failure budgets (and in
         * the networks an account logged in from); default 64, one subnet. A host can use every
         * address of its /64, and sites get a /48 or /56, so an attacker can rotate addresses
         * inside those; Dovecot's auth penalty groups IPv6 clients by /48. IPv4 clients count by
         * address.
         *
         * @throws IllegalArgumentException outside 32-128: a shorter prefix would group unrelated
         *     providers (a /32 is the smallest block a registry allocates to one)
         * @throws IllegalStateException if already set
         */
        public Builder failureBudgetIpv6Prefix(int prefixLength) {
            if (failureIpv6Prefix != 0) {
                throw new IllegalStateException("failureBudgetIpv6Prefix was already set to " + failureIpv6Prefix);
            }
            if (prefixLength < 32 || prefixLength > 128) {
                throw new IllegalArgumentException("the IPv6 failure-budget prefix must be 32-128, got " + prefixLength);
            }
            this.failureIpv6Prefix = prefixLength;
            return this;
        }

        /**
         * Networks whose clients spend and read no per-network failure budget: a webmail, gateway or
         * relay that logs many users in from a few addresses (Dovecot's {@code login_trusted_networks}),
         * whose users' typos would otherwise lock out all of them. Their per-login and per-account
         * budgets still hold. This trusts no header: which address is the client is
         * {@link TrustedProxies}' business. Default none.
         *
         * @throws IllegalArgumentException if no block is given, an entry is not a CIDR block
         *     ({@code 10.1.2.3/8}; named in the message), or one is a {@code /0}, which would exempt every client
         * @throws IllegalStateException if already set
         */
        public Builder failureBudgetTrustedNetworks(String... cidrs) {
            if (!trustedNetworks.isEmpty()) {
                throw new IllegalStateException("failureBudgetTrustedNetworks was already set to " + trustedNetworks);
            }
            if (cidrs == null || cidrs.length == 0) {
                throw new IllegalArgumentException("failureBudgetTrustedNetworks needs at least one CIDR block");
            }
            List<String> blocks = new ArrayList<>(cidrs.length);
            for (String cidr : cidrs) {
                inet.ipaddr.IPAddress block = dev.portcullis.internal.net.Cidrs.parseBlock(cidr);
                Integer prefix = block.getNetworkPrefixLength();
                if (prefix != null && prefix == 0) {
                    throw new IllegalArgumentException(cidr + " would exempt every client from the network failure budget");
                }
                blocks.add(block.toCanonicalString());
            }
            trustedNetworks.addAll(blocks);
            return this;
        }

        /** Who owns which resource, to deny cross-account access; see {@link ResourceOwners}. Default none. */
        public Builder resourceOwners(ResourceOwners owners) {
            once(this.owners, "resourceOwners");
            this.owners = Objects.requireNonNull(owners, "owners");
            return this;
        }

        /**
         * Also accepts opaque keys issued by another system, in this {@link KeyFormat#imported}
         * format (see {@link KeyManager#importKey}). Needs a {@link #pepper}: their ids are derived from it.
         */
        public Builder importedKeys(KeyFormat importedFormat) {
            once(this.imported, "importedKeys");
            if (!importedFormat.isImported()) {
                throw new IllegalArgumentException("importedKeys takes a KeyFormat.imported(...) format");
            }
            this.imported = importedFormat;
            return this;
        }

        /**
         * Registers Portcullis's meters (see docs/operations.md) in this Micrometer registry; without
         * one nothing is measured and Micrometer, an optional dependency, need not be present.
         */
        public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
            once(this.meterRegistry, "meterRegistry");
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Also tags decision counters with the key id: one time series per key, so mind the cardinality. Off by default. */
        public Builder metricsWithKeyIds() {
            this.metricsKeyIds = true;
            return this;
        }

        /** How often recorded usage is written to the store, in one batch; default 10 s. */
        public Builder usageFlushInterval(Duration interval) {
            once(this.usageFlush, "usageFlushInterval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("usage flush interval must be positive");
            }
            this.usageFlush = interval;
            return this;
        }

        /** Reads password hashes imported from another system; they are rehashed to Argon2id on first login. */
        public Builder legacyPasswordVerifier(LegacyPasswordVerifier verifier) {
            once(this.legacy, "legacyPasswordVerifier");
            this.legacy = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /**
         * Lets SASL PLAIN and LOGIN run on connections without TLS, where they send passwords in the
         * clear (RFC 4954 §4 says a server should not). For tests and loopback only.
         */
        public Builder insecureAllowSaslWithoutTls() {
            if (plaintextSasl) {
                throw new IllegalStateException("insecureAllowSaslWithoutTls was already set");
            }
            this.plaintextSasl = true;
            return this;
        }

        /**
         * @throws IllegalStateException if no store was given, or the refresh interval is not shorter
         *     than the max staleness
         */
        public Portcullis build() {
            if (store == null) {
                throw new IllegalStateException("a store is required: Portcullis.builder().store(...)");
            }
            if (imported != null && peppers.isEmpty()) {
                throw new IllegalStateException("imported keys need a pepper: their ids are derived from it");
            }
            return new Portcullis(this);
        }
    }

    /**
     * What {@link Portcullis#health()} found, for readiness probes.
     *
     * @param status the summary: {@code UP}, {@code DEGRADED} or {@code DOWN}
     * @param storeReachable whether the store answered a lookup
     * @param storeLatency how long that lookup took
     * @param changeFeedLag how far the store's change feed is behind (zero for a synchronous one)
     * @param pushConnected whether other nodes' changes reach this one by a push now
     *     ({@link CredentialStore#pushConnected()}); {@code false} for a store without one, and while a
     *     dropped one reconnects: revocations made elsewhere then take up to the poll interval. Reported,
     *     not part of the status: the poll still bounds them.
     * @param rateLimiter where rate limits are decided now
     * @param cachedCredentials records cached, positive and negative
     */
    public record Health(Status status, boolean storeReachable, Duration storeLatency, Duration changeFeedLag,
            boolean pushConnected, RateLimiter.Mode rateLimiter, long cachedCredentials) {
        public enum Status { UP, DEGRADED, DOWN }
    }

    /**
     * Argon2id cost parameters for SMTP and other human-chosen passwords.
     *
     * @param memoryKiB memory cost in KiB
     * @param iterations time cost
     * @param parallelism lanes
     */
    public record Argon2Parameters(int memoryKiB, int iterations, int parallelism) {
        /** The OWASP Password Storage Cheat Sheet minimum, the default: m=19456 KiB, t=2, p=1. */
        public static final Argon2Parameters OWASP_MINIMUM = new Argon2Parameters(19456, 2, 1);

        /**
         * @throws IllegalArgumentException for values Argon2 itself rejects (t &lt; 1, p &lt; 1,
         *     m &lt; 8·p KiB). Values below {@link #OWASP_MINIMUM} are allowed for tests only.
         */
        public Argon2Parameters {
            if (iterations < 1 || parallelism < 1 || parallelism > 64 || memoryKiB < 8 * parallelism) {
                throw new IllegalArgumentException(
                        "invalid Argon2 parameters: m=" + memoryKiB + " KiB, t=" + iterations + ", p=" + parallelism);
            }
        }

        /** The parameter part of a PHC string, e.g. {@code m=19456,t=2,p=1}. */
        @Override
        public String toString() {
            return "m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism;
        }
    }
}
