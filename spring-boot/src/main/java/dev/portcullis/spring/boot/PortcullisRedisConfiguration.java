package dev.portcullis.spring.boot;

import dev.portcullis.redis.Fallback;
import dev.portcullis.redis.RedisRateLimiter;
import dev.portcullis.redis.RedisRateLimiterOptions;
import dev.portcullis.spi.RateLimiter;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * Fleet-wide limits on Redis: a {@link RedisRateLimiter} when {@code portcullis-redis} and Lettuce are
 * on the class path and a client can be had, in this order: the application's {@link RedisClient}
 * bean; a client of the starter's own for {@code portcullis.redis.url} (shut down with the context);
 * the client of Spring Data Redis' {@code LettuceConnectionFactory} (standalone Redis only). The
 * fallback and the breaker come from {@code portcullis.redis.*}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = { "dev.portcullis.redis.RedisRateLimiter", "io.lettuce.core.RedisClient" })
@ConditionalOnProperty(prefix = "portcullis.redis", name = "enabled", havingValue = "true", matchIfMissing = true)
class PortcullisRedisConfiguration {
    private static final Log log = LogFactory.getLog(PortcullisRedisConfiguration.class);
    private static final String LETTUCE_FACTORY = "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory";

    @Bean
    @ConditionalOnMissingBean(RateLimiter.class)
    @Conditional(ClientAvailable.class)
    PortcullisRedisClient portcullisRedisClient(PortcullisProperties properties, ObjectProvider<RedisClient> clients, BeanFactory beans) {
        RedisClient own = clients.getIfUnique();
        if (own != null) {
            return new PortcullisRedisClient(own, false, "the application's RedisClient bean");
        }
        String url = properties.getRedis().getUrl();
        if (url != null && !url.isBlank()) {
            return new PortcullisRedisClient(RedisClient.create(url), true, "portcullis.redis.url");
        }
        if (ClassUtils.isPresent(LETTUCE_FACTORY, PortcullisRedisConfiguration.class.getClassLoader())) {
            RedisClient fromFactory = SpringDataRedis.client(beans);
            if (fromFactory != null) {
                return new PortcullisRedisClient(fromFactory, false, "Spring Data Redis' LettuceConnectionFactory");
            }
        }
        throw new IllegalStateException("no Redis client for Portcullis' rate limits");
    }

    /** Closed before the client (it depends on it): its own connection goes, the client stays whoever's it is. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(RateLimiter.class)
    @ConditionalOnBean(PortcullisRedisClient.class)
    RedisRateLimiter portcullisRateLimiter(PortcullisRedisClient client, PortcullisProperties properties) {
        PortcullisProperties.Redis p = properties.getRedis();
        RedisRateLimiterOptions.Builder o = RedisRateLimiterOptions.builder();
        if (p.getKeyPrefix() != null) {
            o.keyPrefix(p.getKeyPrefix());
        }
        if (p.getRequestTimeout() != null) {
            o.requestTimeout(p.getRequestTimeout());
        }
        if (p.getFailuresToOpen() != null) {
            o.failuresToOpen(p.getFailuresToOpen());
        }
        if (p.getOpenDuration() != null) {
            o.openDuration(p.getOpenDuration());
        }
        if (p.getFallback() != null) {
            o.fallback(Fallback.valueOf(p.getFallback().name()));
        }
        if (p.getNodeCount() != null) {
            o.nodeCount(p.getNodeCount());
        }
        if (p.getKeepAfterRefill() != null) {
            o.keepAfterRefill(p.getKeepAfterRefill());
        }
        o.listener(e -> log.warn("Portcullis rate limits: Redis breaker " + e.state()
                + (e.cause() != null ? " (" + e.cause().getClass().getSimpleName() + ")" : "")));
        RedisRateLimiter limiter = RedisRateLimiter.create(client.client(), o.build());
        log.info("Portcullis rate limits on Redis, through " + client.source() + "; " + limiter);
        return limiter;
    }

    /** The Lettuce client the limiter runs on, and whether the starter made it (then it shuts it down). */
    static final class PortcullisRedisClient implements DisposableBean {
        private final RedisClient client;
        private final boolean owned;
        private final String source;

        PortcullisRedisClient(RedisClient client, boolean owned, String source) {
            this.client = client;
            this.owned = owned;
            this.source = source;
        }

        RedisClient client() {
            return client;
        }

        String source() {
            return source;
        }

        @Override
        public void destroy() {
            if (owned) {
                client.shutdown();
            }
        }
    }

    /** A client bean, a URL, or Spring Data Redis' Lettuce factory. */
    static final class ClientAvailable extends AnyNestedCondition {
        ClientAvailable() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBean(RedisClient.class)
        static final class ClientBean {}

        @ConditionalOnProperty(prefix = "portcullis.redis", name = "url")
        static final class Url {}

        @ConditionalOnBean(type = LETTUCE_FACTORY)
        static final class LettuceFactory {}
    }

    /** Touched only when Spring Data Redis is on the class path. */
    static final class SpringDataRedis {
        private SpringDataRedis() {}

        static RedisClient client(BeanFactory beans) {
            var factory = beans.getBeanProvider(org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory.class).getIfUnique();
            if (factory == null) {
                return null;
            }
            if (!factory.isRunning()) {
                factory.start(); // its client is made at start; starting early is what Spring Data Redis allows for this
            }
            AbstractRedisClient client = factory.getNativeClient();
            if (client instanceof RedisClient standalone) {
                return standalone;
            }
            throw new IllegalStateException("Portcullis' Redis limiter needs a standalone Redis; Spring Data Redis is set up for "
                    + client.getClass().getSimpleName() + ". Define a RedisRateLimiter bean of your own.");
        }
    }
}
