package dev.portcullis.internal.pipeline;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.portcullis.AuthListener;
import dev.portcullis.Authenticator;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeyManager;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis.Argon2Parameters;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.internal.audit.Listeners;
import dev.portcullis.internal.crypto.PasswordHasher;
import dev.portcullis.internal.crypto.TokenDigests;
import dev.portcullis.internal.keys.DefaultKeyManager;
import dev.portcullis.internal.wire.AuthorizationParser;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.LegacyPasswordVerifier;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.spi.ResourceOwners;
import dev.portcullis.spi.StoreChange;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Builds the pipeline and key management from the builder's values: each stage gets only what it
 * needs, and nothing else holds the configuration. {@code Portcullis} keeps the wiring for its
 * lifecycle (usage flushes, close, health).
 */
public final class Wiring {
    /**
     * The builder's values, defaults already applied, read once by the constructor.
     *
     * @param peppers pepper id to secret, the last one current
     * @param ticker the cache's time source, on {@code clock}
     * @param listeners in the order added
     * @param imported the imported key format, or {@code null}
     * @param owners {@code null} if none
     * @param legacy {@code null} if none
     * @param meterRegistry a Micrometer {@code MeterRegistry}, or {@code null} (Micrometer is then never loaded)
     * @param failureIpv6Prefix the prefix length IPv6 clients are grouped by in the failure budgets
     * @param trustedNetworks CIDR blocks exempt from the network failure budget (checked); empty for none
     */
    public record Options(
            CredentialStore store,
            KeyFormat format,
            Map<String, byte[]> peppers,
            Clock clock,
            Ticker ticker,
            Executor executor,
            Argon2Parameters argon2,
            int argon2Slots,
            Duration argon2Wait,
            long cacheSize,
            Duration maxStaleness,
            Duration refreshInterval,
            List<AuthListener> listeners,
            Set<String> keyUsernames,
            boolean bareKeys,
            String realm,
            RateLimiter limiter,
            RateLimitPolicy defaultRateLimit,
            Limit networkBudget,
            Limit loginBudget,
            Limit accountBudget,
            ResourceOwners owners,
            LegacyPasswordVerifier legacy,
            boolean plaintextSasl,
            KeyFormat imported,
            Object meterRegistry,
            boolean metricsKeyIds,
            int failureIpv6Prefix,
            List<String> trustedNetworks) {}

    private final DefaultAuthenticator authenticator;
    private final DefaultKeyManager keys;
    private final RecordCache cache;
    private final UsageRecorder usage;
    private final FailureBudgets budgets;
    private final PasswordHasher hasher;

    public Wiring(Options o) {
        if (o.refreshInterval().compareTo(o.maxStaleness()) >= 0) {
            throw new IllegalStateException("refresh interval " + o.refreshInterval() + " must be shorter than max staleness "
                    + o.maxStaleness());
        }
        CredentialStore store = o.store();
        // MicrometerMetrics is the only class that touches Micrometer: without a registry it is never loaded.
        Metrics metrics = o.meterRegistry() == null ? Metrics.NOOP
                : new MicrometerMetrics((io.micrometer.core.instrument.MeterRegistry) o.meterRegistry(), o.metricsKeyIds());
        TokenDigests digests = new TokenDigests(o.peppers());
        this.hasher = new PasswordHasher(o.argon2(), o.argon2Slots(), o.argon2Wait());
        this.budgets = new FailureBudgets(o.limiter(), o.networkBudget(), o.loginBudget(), o.accountBudget(),
                o.failureIpv6Prefix(), o.trustedNetworks());
        this.usage = new UsageRecorder(store, o.clock(), o.executor());
        CachedCredential.Compiler compiler = new CachedCredential.Compiler(o.defaultRateLimit(), budgets, digests, hasher);
        this.cache = new RecordCache(store, compiler, o.clock(), o.ticker(), o.executor(), o.cacheSize(), o.maxStaleness(),
                o.refreshInterval(), metrics);
        if (metrics instanceof MicrometerMetrics m) {
            m.bind(cache, hasher, store, o.limiter());
        }
        Listeners listeners = new Listeners(o.listeners());
        this.authenticator = new DefaultAuthenticator(
                AuthorizationParser.builder().keyUsernames(o.keyUsernames()).allowBareKey(o.bareKeys()).build(),
                new Identify(o.format(), o.imported(), digests),
                new Throttle(budgets),
                new Lookup(cache),
                new Verify(digests, hasher, new LoginCache(o.cacheSize(), Duration.ofMinutes(15), budgets.pairWindow(), o.ticker()), o.legacy(), store),
                new Authorize(o.owners()),
                new RateLimit(o.limiter()),
                new Credits(store),
                new Decision(usage, metrics, listeners, o.clock(), o.realm()),
                compiler.none(),
                o.clock(),
                o.keyUsernames(),
                o.plaintextSasl());
        this.keys = new DefaultKeyManager(new DefaultKeyManager.Context(store, o.format(), o.imported(), digests, hasher,
                o.legacy(), o.clock(), listeners, o.defaultRateLimit(), authenticator::verifiedRecord, usage::snapshot));
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public KeyManager keys() {
        return keys;
    }

    /** What the store's change feed is subscribed with: evictions in the cache. */
    public Consumer<StoreChange> changeListener() {
        return cache::onChange;
    }

    /** Credentials cached now, positive and negative, by id and by username. */
    public long cachedCredentials() {
        return cache.size();
    }

    /** Writes the usage recorded so far (see {@code Portcullis.flushUsage}). */
    public void flushUsage() {
        usage.flush();
    }

    /** Writes the usage still held, for good; from now on nothing is counted (see {@code Portcullis.close}). */
    public boolean closeUsage(long deadlineNanos) {
        return usage.close(deadlineNanos);
    }

    /** The failure budgets, for tests that set up a known network. */
    public FailureBudgets budgets() {
        return budgets;
    }

    /** The password hasher, for tests that count or replace its runs. */
    public PasswordHasher hasher() {
        return hasher;
    }
}
