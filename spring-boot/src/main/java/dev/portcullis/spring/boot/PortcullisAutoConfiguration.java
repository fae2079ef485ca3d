package dev.portcullis.spring.boot;

import dev.portcullis.AuthEvent;
import dev.portcullis.AuthListener;
import dev.portcullis.KeyEvent;
import dev.portcullis.KeyFormat;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.TrustedProxies;
import dev.portcullis.jdbc.JdbcCredentialStore;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.LegacyPasswordVerifier;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.spi.ResourceOwners;

import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Base64;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The {@link Portcullis} bean, from the {@code portcullis.*} properties, on a {@link CredentialStore}
 * and (optionally) a {@link RateLimiter} bean. Every bean here backs off when the application
 * defines its own of the same type.
 *
 * <ul>
 *   <li>Store: the JDBC store on the application's {@link DataSource} when {@code portcullis-jdbc}
 *       is on the class path (its Flyway migrations, with their own history table, run after the
 *       application's own database initialisation; its change feed runs from the bean's creation to
 *       the context's close), else an in-memory store, with a warning that keys vanish on restart.</li>
 *   <li>Limits: the Redis limiter ({@link PortcullisRedisConfiguration}) when {@code portcullis-redis}
 *       and a Lettuce client are there; else the core's in-process buckets.</li>
 *   <li>Listeners: every {@link AuthListener} bean, and one that publishes each {@link AuthEvent} and
 *       {@link KeyEvent} as a Spring application event ({@code @EventListener void on(AuthEvent e)}).</li>
 *   <li>Meters: in the application's {@code MeterRegistry}, when it has one.</li>
 * </ul>
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnProperty(prefix = "portcullis", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(PortcullisProperties.class)
@Import({ PortcullisAutoConfiguration.JdbcStoreConfiguration.class,
        PortcullisRedisConfiguration.class, PortcullisAutoConfiguration.MetricsConfiguration.class })
public class PortcullisAutoConfiguration {
    private static final Log log = LogFactory.getLog(PortcullisAutoConfiguration.class);

    /**
     * The one {@code Portcullis} of the application, closed with the context (after the beans that
     * use it, before its store): the close writes the usage it still holds.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Portcullis portcullis(PortcullisProperties properties, CredentialStore store, ObjectProvider<RateLimiter> limiter,
            ObjectProvider<AuthListener> listeners, ObjectProvider<ResourceOwners> owners,
            ObjectProvider<LegacyPasswordVerifier> legacy, ObjectProvider<PortcullisBuilderCustomizer> customizers) {
        Portcullis.Builder b = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix(properties.getKeyPrefix()));
        if (!properties.getKeyUsernames().isEmpty()) {
            b.keyUsernames(properties.getKeyUsernames().toArray(String[]::new));
        }
        if (properties.isAcceptBareKeys()) {
            b.acceptBareKeys(true);
        }
        b.realm(properties.getRealm());
        PortcullisProperties.Cache cache = properties.getCache();
        if (cache.getMaximumSize() != null) {
            b.cacheMaximumSize(cache.getMaximumSize());
        }
        if (cache.getMaxStaleness() != null) {
            b.cacheMaxStaleness(cache.getMaxStaleness());
        }
        if (cache.getRefreshInterval() != null) {
            b.cacheRefreshInterval(cache.getRefreshInterval());
        }
        PortcullisProperties.FailureBudgets budgets = properties.getFailureBudgets();
        if (budgets.configured()) {
            b.failureBudgets(orDefault(budgets.getPerNetwork(), PortcullisProperties.FailureBudgets.DEFAULT_NETWORK),
                    orDefault(budgets.getPerLogin(), PortcullisProperties.FailureBudgets.DEFAULT_LOGIN),
                    orDefault(budgets.getPerAccount(), PortcullisProperties.FailureBudgets.DEFAULT_ACCOUNT));
        }
        PortcullisProperties.Argon2 argon2 = properties.getArgon2();
        Portcullis.Argon2Parameters parameters = argon2.parameters();
        if (parameters != null) {
            b.argon2(parameters);
        }
        if (argon2.getSlots() != null || argon2.getMaxWait() != null) {
            b.argon2Concurrency(argon2.getSlots() != null ? argon2.getSlots() : Math.max(2, Runtime.getRuntime().availableProcessors()),
                    argon2.getMaxWait() != null ? argon2.getMaxWait() : java.time.Duration.ofMillis(100));
        }
        byte[] pepper = pepper(properties.getPepper());
        if (pepper != null) {
            try {
                b.pepper(properties.getPepper().getId(), pepper);
            } finally {
                Arrays.fill(pepper, (byte) 0); // the builder keeps its own copy
            }
        }
        RateLimitPolicy defaultPolicy = properties.defaultRateLimitPolicy();
        if (defaultPolicy != null) {
            b.defaultRateLimit(defaultPolicy);
        }
        if (properties.getUsageFlushInterval() != null) {
            b.usageFlushInterval(properties.getUsageFlushInterval());
        }
        limiter.ifAvailable(b::rateLimiter);
        owners.ifAvailable(b::resourceOwners);
        legacy.ifAvailable(b::legacyPasswordVerifier);
        listeners.orderedStream().forEach(b::listener);
        customizers.orderedStream().forEach(c -> c.customize(b));
        return b.build();
    }

    /**
     * Nothing else: keys in memory, gone at restart. A method of this class, so that it is registered
     * after the imported JDBC configuration's store and backs off from it.
     */
    @Bean
    @ConditionalOnMissingBean(CredentialStore.class)
    public CredentialStore portcullisCredentialStore() {
        log.warn("Portcullis keeps its keys in memory: every key vanishes when the application stops. "
                + "Add portcullis-jdbc and a DataSource, or define a CredentialStore bean, to keep them.");
        return CredentialStore.inMemory();
    }

    /** The proxies trusted to name the client, shared by the servlet filter and the Spring Security filter. */
    @Bean
    @ConditionalOnMissingBean
    public TrustedProxies portcullisTrustedProxies(PortcullisProperties properties) {
        return properties.getTrustedProxies().toTrustedProxies();
    }

    /** Publishes every {@link AuthEvent} and {@link KeyEvent} as an application event, on the request thread. */
    @Bean
    @ConditionalOnMissingBean
    public PortcullisEventPublisher portcullisEventPublisher(ApplicationEventPublisher publisher) {
        return new PortcullisEventPublisher(publisher);
    }

    private static Limit orDefault(PortcullisProperties.LimitProperties given, PortcullisProperties.LimitProperties fallback) {
        return (given != null ? given : fallback).toLimit();
    }

    /** The pepper's bytes, or {@code null}; messages name where it comes from, never a byte of it. */
    static byte[] pepper(PortcullisProperties.Pepper p) {
        if (p.getValue() != null && p.getFile() != null) {
            throw new IllegalStateException("portcullis.pepper: give value or file, not both");
        }
        byte[] bytes;
        if (p.getValue() != null) {
            try {
                String text = p.getValue().replaceAll("\\s", "");
                bytes = (text.indexOf('-') >= 0 || text.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("portcullis.pepper.value is not base64"); // the cause would quote it
            }
        } else if (p.getFile() != null) {
            try {
                bytes = Files.readAllBytes(p.getFile());
            } catch (IOException e) {
                throw new IllegalStateException("portcullis.pepper.file " + p.getFile() + " cannot be read: " + e.getClass().getSimpleName());
            }
        } else {
            return null;
        }
        if (bytes.length < 32) {
            int n = bytes.length;
            Arrays.fill(bytes, (byte) 0);
            throw new IllegalStateException("portcullis.pepper must have at least 32 bytes, has " + n);
        }
        return bytes;
    }

    /** The JDBC store on the application's data source. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ JdbcCredentialStore.class, DataSource.class })
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnProperty(prefix = "portcullis.jdbc", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class JdbcStoreConfiguration {
        /**
         * Built after the application's own database initialisation (Flyway, Liquibase, SQL scripts),
         * so the application's Flyway never meets this store's tables in a schema it thinks empty.
         * Building runs the store's migrations and starts its change feed; the context's close stops it.
         */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(CredentialStore.class)
        @DependsOnDatabaseInitialization
        JdbcCredentialStore portcullisCredentialStore(DataSource dataSource, PortcullisProperties properties) {
            PortcullisProperties.Jdbc p = properties.getJdbc();
            JdbcCredentialStore.Builder b = JdbcCredentialStore.builder(dataSource);
            if (p.getTablePrefix() != null) {
                b.tablePrefix(p.getTablePrefix());
            }
            if (p.getPollInterval() != null) {
                b.pollInterval(p.getPollInterval());
            }
            if (p.getMigrateSchema() != null) {
                b.migrateSchema(p.getMigrateSchema());
            }
            if (p.getPushChanges() != null) {
                b.pushChanges(p.getPushChanges());
            }
            if (p.getLookupTimeout() != null) {
                b.lookupTimeout(p.getLookupTimeout());
            }
            if (p.getStatementTimeout() != null) {
                b.statementTimeout(p.getStatementTimeout());
            }
            return b.build();
        }
    }

    /** Portcullis' meters, in the application's registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class MetricsConfiguration {
        @Bean
        PortcullisBuilderCustomizer portcullisMeterRegistryCustomizer(ObjectProvider<MeterRegistry> registries, PortcullisProperties properties) {
            return b -> {
                MeterRegistry registry = registries.getIfUnique();
                if (registry != null) {
                    b.meterRegistry(registry);
                    if (properties.isMetricsWithKeyIds()) {
                        b.metricsWithKeyIds();
                    }
                }
            };
        }
    }

    /** Hands every event to the application's event publisher, as the event itself (a payload event). */
    public static final class PortcullisEventPublisher implements AuthListener {
        private final ApplicationEventPublisher publisher;

        PortcullisEventPublisher(ApplicationEventPublisher publisher) {
            this.publisher = publisher;
        }

        @Override
        public void onEvent(AuthEvent event) {
            publisher.publishEvent(event);
        }

        @Override
        public void onKeyEvent(KeyEvent event) {
            publisher.publishEvent(event);
        }
    }
}
