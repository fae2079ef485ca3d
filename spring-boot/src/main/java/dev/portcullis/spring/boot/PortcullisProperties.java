package dev.portcullis.spring.boot;

import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.TrustedProxies;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code portcullis.*} properties. Every setting is optional; an unset one keeps the core's
 * default (named in each description). The pepper is never part of {@link #toString()}, and the
 * starter never logs it.
 */
@ConfigurationProperties(prefix = "portcullis")
public class PortcullisProperties {

    /** Whether the starter configures anything at all. */
    private boolean enabled = true;

    /** Prefix of the key format: keys look like {@code <prefix>_<id><secret><check>}. Default {@code pc}. */
    private String keyPrefix = "pc";

    /** Basic-auth usernames whose password is an API key ({@code api:KEY}, Mailgun style). Default {@code api}. */
    private List<String> keyUsernames = new ArrayList<>(List.of("api"));

    /** Also accept a bare key as the whole {@code Authorization} value (SparkPost style). */
    private boolean acceptBareKeys;

    /** Realm of the {@code WWW-Authenticate} challenge. Default {@code portcullis}. */
    private String realm = "portcullis";

    /** How often recorded usage is written to the store, in one batch. Default 10 s. */
    private Duration usageFlushInterval;

    /** Tag decision counters with the key id too: one time series per key, so mind the cardinality. */
    private boolean metricsWithKeyIds;

    /** Limits of credentials that have none of their own. Default none. */
    private List<LimitProperties> defaultRateLimit = new ArrayList<>();

    private final Cache cache = new Cache();
    private final FailureBudgets failureBudgets = new FailureBudgets();
    private final Argon2 argon2 = new Argon2();
    private final Pepper pepper = new Pepper();
    private final Proxies trustedProxies = new Proxies();
    private final Web web = new Web();
    private final Jdbc jdbc = new Jdbc();
    private final Redis redis = new Redis();

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public String getKeyPrefix() { return keyPrefix; }
    public void setKeyPrefix(String keyPrefix) { this.keyPrefix = keyPrefix; }
    public List<String> getKeyUsernames() { return keyUsernames; }
    public void setKeyUsernames(List<String> keyUsernames) { this.keyUsernames = keyUsernames; }
    public boolean isAcceptBareKeys() { return acceptBareKeys; }
    public void setAcceptBareKeys(boolean acceptBareKeys) { this.acceptBareKeys = acceptBareKeys; }
    public String getRealm() { return realm; }
    public void setRealm(String realm) { this.realm = realm; }
    public Duration getUsageFlushInterval() { return usageFlushInterval; }
    public void setUsageFlushInterval(Duration usageFlushInterval) { this.usageFlushInterval = usageFlushInterval; }
    public boolean isMetricsWithKeyIds() { return metricsWithKeyIds; }
    public void setMetricsWithKeyIds(boolean metricsWithKeyIds) { this.metricsWithKeyIds = metricsWithKeyIds; }
    public List<LimitProperties> getDefaultRateLimit() { return defaultRateLimit; }
    public void setDefaultRateLimit(List<LimitProperties> defaultRateLimit) { this.defaultRateLimit = defaultRateLimit; }
    public Cache getCache() { return cache; }
    public FailureBudgets getFailureBudgets() { return failureBudgets; }
    public Argon2 getArgon2() { return argon2; }
    public Pepper getPepper() { return pepper; }
    public Proxies getTrustedProxies() { return trustedProxies; }
    public Web getWeb() { return web; }
    public Jdbc getJdbc() { return jdbc; }
    public Redis getRedis() { return redis; }

    /** The default rate limit as the core's policy; {@code null} when none is configured. */
    RateLimitPolicy defaultRateLimitPolicy() {
        if (defaultRateLimit.isEmpty()) {
            return null;
        }
        return RateLimitPolicy.of(defaultRateLimit.stream().map(LimitProperties::toLimit).toArray(Limit[]::new));
    }

    @Override
    public String toString() {
        return "PortcullisProperties[keyPrefix=" + keyPrefix + ", realm=" + realm + ", pepper=" + pepper + "]";
    }

    /** One rate limit: {@code rate} per {@code per}, with an optional burst, per key or per account. */
    public static class LimitProperties {
        /** Requests admitted per period. */
        private long rate;
        /** The period, e.g. {@code 1s}, {@code 10m}, {@code 1h}, {@code P1D}. */
        private Duration per;
        /** Bucket size; default the rate. */
        private Long burst;
        /** What the limit counts: {@code key} or {@code account}. */
        private Limit.Scope scope = Limit.Scope.KEY;

        public LimitProperties() {}

        LimitProperties(long rate, Duration per) {
            this.rate = rate;
            this.per = per;
        }

        public long getRate() { return rate; }
        public void setRate(long rate) { this.rate = rate; }
        public Duration getPer() { return per; }
        public void setPer(Duration per) { this.per = per; }
        public Long getBurst() { return burst; }
        public void setBurst(Long burst) { this.burst = burst; }
        public Limit.Scope getScope() { return scope; }
        public void setScope(Limit.Scope scope) { this.scope = scope; }

        Limit toLimit() {
            if (per == null) {
                throw new IllegalArgumentException("a portcullis limit needs 'per' (e.g. per: 1m) beside rate " + rate);
            }
            Limit l = Limit.per(rate, per);
            if (burst != null) {
                l = l.burst(burst);
            }
            return scope == Limit.Scope.ACCOUNT ? l.perAccount() : l;
        }

        @Override
        public String toString() {
            return rate + "/" + per + (burst != null ? " burst " + burst : "") + " per " + scope;
        }
    }

    /** The credential cache. */
    public static class Cache {
        /** Most records cached (by id, and again by username). Default 100,000. */
        private Long maximumSize;
        /** Hard bound: the longest a cached record is served since it was last read from the store. Default 5 min. */
        private Duration maxStaleness;
        /** How often a cached record in use is re-read; default 60 s with a change feed, 5 s without. */
        private Duration refreshInterval;

        public Long getMaximumSize() { return maximumSize; }
        public void setMaximumSize(Long maximumSize) { this.maximumSize = maximumSize; }
        public Duration getMaxStaleness() { return maxStaleness; }
        public void setMaxStaleness(Duration maxStaleness) { this.maxStaleness = maxStaleness; }
        public Duration getRefreshInterval() { return refreshInterval; }
        public void setRefreshInterval(Duration refreshInterval) { this.refreshInterval = refreshInterval; }
    }

    /**
     * Failure budgets: limits on failed attempts. Unset ones keep the core's defaults: 50 per 10
     * minutes per network, 10 per 10 minutes per login and network, 100 an hour per account from
     * networks it never succeeded from.
     */
    public static class FailureBudgets {
        /** Failures per client network (IPv4 address, IPv6 /64). */
        private LimitProperties perNetwork;
        /** Failures per login and network. */
        private LimitProperties perLogin;
        /** Failures per account, from networks the account never succeeded from. */
        private LimitProperties perAccount;

        static final LimitProperties DEFAULT_NETWORK = new LimitProperties(50, Duration.ofMinutes(10));
        static final LimitProperties DEFAULT_LOGIN = new LimitProperties(10, Duration.ofMinutes(10));
        static final LimitProperties DEFAULT_ACCOUNT = new LimitProperties(100, Duration.ofHours(1));

        public LimitProperties getPerNetwork() { return perNetwork; }
        public void setPerNetwork(LimitProperties perNetwork) { this.perNetwork = perNetwork; }
        public LimitProperties getPerLogin() { return perLogin; }
        public void setPerLogin(LimitProperties perLogin) { this.perLogin = perLogin; }
        public LimitProperties getPerAccount() { return perAccount; }
        public void setPerAccount(LimitProperties perAccount) { this.perAccount = perAccount; }

        boolean configured() {
            return perNetwork != null || perLogin != null || perAccount != null;
        }
    }

    /** Argon2id, for SMTP logins and other human-chosen passwords. */
    public static class Argon2 {
        /** Memory cost in KiB. Default 19456 (the OWASP minimum, with the two below). */
        private Integer memoryKib;
        /** Time cost. Default 2. */
        private Integer iterations;
        /** Lanes. Default 1. */
        private Integer parallelism;
        /** Argon2 runs at once; default the number of cores, at least 2. */
        private Integer slots;
        /** The longest a login waits for a slot before it is refused as busy. Default 100 ms. */
        private Duration maxWait;

        public Integer getMemoryKib() { return memoryKib; }
        public void setMemoryKib(Integer memoryKib) { this.memoryKib = memoryKib; }
        public Integer getIterations() { return iterations; }
        public void setIterations(Integer iterations) { this.iterations = iterations; }
        public Integer getParallelism() { return parallelism; }
        public void setParallelism(Integer parallelism) { this.parallelism = parallelism; }
        public Integer getSlots() { return slots; }
        public void setSlots(Integer slots) { this.slots = slots; }
        public Duration getMaxWait() { return maxWait; }
        public void setMaxWait(Duration maxWait) { this.maxWait = maxWait; }

        Portcullis.Argon2Parameters parameters() {
            if (memoryKib == null && iterations == null && parallelism == null) {
                return null;
            }
            Portcullis.Argon2Parameters d = Portcullis.Argon2Parameters.OWASP_MINIMUM;
            return new Portcullis.Argon2Parameters(memoryKib != null ? memoryKib : d.memoryKiB(),
                    iterations != null ? iterations : d.iterations(), parallelism != null ? parallelism : d.parallelism());
        }
    }

    /**
     * The pepper key digests are HMACed with: at least 32 bytes, from {@code value} (base64; from
     * an environment variable with {@code PORTCULLIS_PEPPER_VALUE}, or {@code value: ${MY_VAR}})
     * or from {@code file} (its raw bytes), not both. Without one, digests are plain SHA-256.
     */
    public static class Pepper {
        /** Names the pepper in stored digests, so a later pepper can be added beside it. */
        private String id = "p1";
        /** The pepper, base64-encoded. Never logged. */
        private String value;
        /** A file holding the pepper's raw bytes (e.g. 32 bytes from /dev/urandom), readable by the application only. */
        private Path file;

        public String getId() { return id; }
        public void setId(String id) { this.id = id; }
        public String getValue() { return value; }
        public void setValue(String value) { this.value = value; }
        public Path getFile() { return file; }
        public void setFile(Path file) { this.file = file; }

        /** Says where the pepper comes from, never what it is. */
        @Override
        public String toString() {
            return value != null ? "Pepper[" + id + ", from a property]" : file != null ? "Pepper[" + id + ", from " + file + "]" : "Pepper[none]";
        }
    }

    /**
     * Reverse proxies that may name the client, for the servlet filter and the Spring Security
     * filter. Default none: the socket peer is the client. Do not combine with
     * {@code server.forward-headers-strategy}.
     */
    public static class Proxies {
        /** Which header the proxies append to: {@code x-forwarded-for} or {@code forwarded}. */
        private Header header = Header.X_FORWARDED_FOR;
        /** CIDR blocks of the proxies; none means no proxy is trusted. */
        private List<String> cidrs = new ArrayList<>();

        public enum Header { X_FORWARDED_FOR, FORWARDED }

        public Header getHeader() { return header; }
        public void setHeader(Header header) { this.header = header; }
        public List<String> getCidrs() { return cidrs; }
        public void setCidrs(List<String> cidrs) { this.cidrs = cidrs; }

        TrustedProxies toTrustedProxies() {
            if (cidrs.isEmpty()) {
                return TrustedProxies.none();
            }
            String[] blocks = cidrs.toArray(String[]::new);
            return header == Header.FORWARDED ? TrustedProxies.forwarded(blocks) : TrustedProxies.xForwardedFor(blocks);
        }
    }

    /** The servlet filter ({@code PortcullisFilter}) for applications without Spring Security. */
    public static class Web {
        private final Filter filter = new Filter();
        /** Rules: which request needs which permission on which resource. */
        private List<RouteProperties> routes = new ArrayList<>();
        /** Public requests, read without credentials: {@code "GET /actuator/health"}. */
        private List<String> permit = new ArrayList<>();
        /** Let requests no rule matches through untouched (by default they are answered 403). */
        private boolean permitUnmatched;
        /** Let every OPTIONS request through without credentials (CORS preflights). */
        private boolean passOptions;
        /** Challenge with {@code Bearer realm=…} instead of Basic. */
        private boolean bearerChallenge;

        public Filter getFilter() { return filter; }
        public List<RouteProperties> getRoutes() { return routes; }
        public void setRoutes(List<RouteProperties> routes) { this.routes = routes; }
        public List<String> getPermit() { return permit; }
        public void setPermit(List<String> permit) { this.permit = permit; }
        public boolean isPermitUnmatched() { return permitUnmatched; }
        public void setPermitUnmatched(boolean permitUnmatched) { this.permitUnmatched = permitUnmatched; }
        public boolean isPassOptions() { return passOptions; }
        public void setPassOptions(boolean passOptions) { this.passOptions = passOptions; }
        public boolean isBearerChallenge() { return bearerChallenge; }
        public void setBearerChallenge(boolean bearerChallenge) { this.bearerChallenge = bearerChallenge; }

        /** The filter's registration. */
        public static class Filter {
            /**
             * Whether to register the servlet filter. Default: yes without Spring Security on the class
             * path, no with it (then {@code http.with(portcullis(), …)} authenticates instead).
             */
            private Boolean enabled;
            /** The filter's order; default {@code PortcullisAutoConfiguration.FILTER_ORDER} (-10000). */
            private int order = PortcullisWebAutoConfiguration.FILTER_ORDER;
            /** URL patterns the filter is mapped to. */
            private List<String> urlPatterns = new ArrayList<>(List.of("/*"));

            public Boolean getEnabled() { return enabled; }
            public void setEnabled(Boolean enabled) { this.enabled = enabled; }
            public int getOrder() { return order; }
            public void setOrder(int order) { this.order = order; }
            public List<String> getUrlPatterns() { return urlPatterns; }
            public void setUrlPatterns(List<String> urlPatterns) { this.urlPatterns = urlPatterns; }
        }
    }

    /** One rule of the filter: {@code method path} needs {@code permission} (on the resource named by {@code resource}). */
    public static class RouteProperties {
        /** Upper case, as sent: GET, POST, … */
        private String method;
        /** A template such as {@code /v3/{domain}/messages}. */
        private String path;
        /** A concrete {@code noun:verb}, e.g. {@code messages:send}. */
        private String permission;
        /** The template variable naming the resource, e.g. {@code domain}; none for a collection request. */
        private String resource;

        public String getMethod() { return method; }
        public void setMethod(String method) { this.method = method; }
        public String getPath() { return path; }
        public void setPath(String path) { this.path = path; }
        public String getPermission() { return permission; }
        public void setPermission(String permission) { this.permission = permission; }
        public String getResource() { return resource; }
        public void setResource(String resource) { this.resource = resource; }
    }

    /** The JDBC store, used when {@code portcullis-jdbc} is on the class path and the application has a DataSource. */
    public static class Jdbc {
        /** Use the JDBC store when possible. */
        private boolean enabled = true;
        /** Prefix of every table, index, sequence and the Flyway history table. Default {@code portcullis_}. */
        private String tablePrefix;
        /** How often the change feed polls. Default 1 s. */
        private Duration pollInterval;
        /** Run the store's Flyway migrations at start. Default true. */
        private Boolean migrateSchema;
        /** PostgreSQL: push changes with LISTEN/NOTIFY. Default true. */
        private Boolean pushChanges;
        /** Query timeout of lookups on the request path. Default 1 s. */
        private Duration lookupTimeout;
        /** Query timeout of writes, listings, usage flushes and feed polls. Default 5 s. */
        private Duration statementTimeout;

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getTablePrefix() { return tablePrefix; }
        public void setTablePrefix(String tablePrefix) { this.tablePrefix = tablePrefix; }
        public Duration getPollInterval() { return pollInterval; }
        public void setPollInterval(Duration pollInterval) { this.pollInterval = pollInterval; }
        public Boolean getMigrateSchema() { return migrateSchema; }
        public void setMigrateSchema(Boolean migrateSchema) { this.migrateSchema = migrateSchema; }
        public Boolean getPushChanges() { return pushChanges; }
        public void setPushChanges(Boolean pushChanges) { this.pushChanges = pushChanges; }
        public Duration getLookupTimeout() { return lookupTimeout; }
        public void setLookupTimeout(Duration lookupTimeout) { this.lookupTimeout = lookupTimeout; }
        public Duration getStatementTimeout() { return statementTimeout; }
        public void setStatementTimeout(Duration statementTimeout) { this.statementTimeout = statementTimeout; }
    }

    /**
     * Fleet-wide limits on Redis, used when {@code portcullis-redis} is on the class path and there is
     * a Lettuce client: a {@code RedisClient} bean, {@code url} below, or Spring Data Redis' Lettuce
     * connection factory, in that order.
     */
    public static class Redis {
        /** Use the Redis limiter when possible. */
        private boolean enabled = true;
        /** A Redis URI (redis://host:port/db) for a client of the starter's own; it shuts it down with the context. */
        private String url;
        /** Prepended to every key written. Default {@code portcullis:rl:}. */
        private String keyPrefix;
        /** Bound on one call to Redis. Default 100 ms. */
        private Duration requestTimeout;
        /** Failed calls in a row that open the circuit breaker. Default 3. */
        private Integer failuresToOpen;
        /** Time before the first probe, and between probes. Default 5 s. */
        private Duration openDuration;
        /** What decides while Redis is away: {@code local}, {@code local-share} (needs node-count) or {@code deny}. Default local. */
        private Fallback fallback;
        /** Nodes in the fleet, for the {@code local-share} fallback. */
        private Integer nodeCount;
        /** How long a key outlives the moment its bucket is full again. Default 10 s. */
        private Duration keepAfterRefill;

        /** The fallbacks of {@code portcullis-redis}, named here so that this class loads without that module. */
        public enum Fallback { LOCAL, LOCAL_SHARE, DENY }

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getUrl() { return url; }
        public void setUrl(String url) { this.url = url; }
        public String getKeyPrefix() { return keyPrefix; }
        public void setKeyPrefix(String keyPrefix) { this.keyPrefix = keyPrefix; }
        public Duration getRequestTimeout() { return requestTimeout; }
        public void setRequestTimeout(Duration requestTimeout) { this.requestTimeout = requestTimeout; }
        public Integer getFailuresToOpen() { return failuresToOpen; }
        public void setFailuresToOpen(Integer failuresToOpen) { this.failuresToOpen = failuresToOpen; }
        public Duration getOpenDuration() { return openDuration; }
        public void setOpenDuration(Duration openDuration) { this.openDuration = openDuration; }
        public Fallback getFallback() { return fallback; }
        public void setFallback(Fallback fallback) { this.fallback = fallback; }
        public Integer getNodeCount() { return nodeCount; }
        public void setNodeCount(Integer nodeCount) { this.nodeCount = nodeCount; }
        public Duration getKeepAfterRefill() { return keepAfterRefill; }
        public void setKeepAfterRefill(Duration keepAfterRefill) { this.keepAfterRefill = keepAfterRefill; }
    }
}
