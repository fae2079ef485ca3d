package dev.portcullis.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.redis.RedisRateLimiter;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.testkit.RedisServer;

import io.lettuce.core.RedisClient;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Two application contexts, as two nodes of a fleet, on one database (a shared in-memory H2) and one
 * real {@code redis-server}: node A's limiter gets its client from {@code portcullis.redis.url}, node
 * B's from Spring Data Redis' Lettuce connection factory. A key's limit of 5 is shared: of 10
 * requests sent alternately to A and B, exactly the first 5 are admitted.
 */
class RedisSharedLimitTest {
    static RedisServer redis;
    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(MailController.class)
    static class App {}

    @RestController
    static class MailController {
        @PostMapping("/v3/{domain}/messages")
        String send(@PathVariable String domain) {
            return "queued";
        }
    }

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        String db = "jdbc:h2:mem:fleet-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        a = node(db, "portcullis.redis.url=redis://127.0.0.1:" + redis.port());
        b = node(db, "portcullis.redis.fallback=deny");
    }

    private static ConfigurableApplicationContext node(String db, String redisSetting) {
        return new SpringApplicationBuilder(App.class).properties(
                "server.port=0",
                "spring.autoconfigure.exclude=" + Apps.SECURITY,
                "spring.datasource.url=" + db,
                "spring.data.redis.host=127.0.0.1",
                "spring.data.redis.port=" + redis.port(),
                "portcullis.web.filter.enabled=true",
                "portcullis.web.routes[0].method=POST",
                "portcullis.web.routes[0].path=/v3/{domain}/messages",
                "portcullis.web.routes[0].permission=messages:send",
                "portcullis.web.routes[0].resource=domain",
                "portcullis.redis.key-prefix=fleet-test:",
                "portcullis.redis.request-timeout=2s",
                redisSetting).run();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    private static int port(ConfigurableApplicationContext c) {
        return ((WebServerApplicationContext) c).getWebServer().getPort();
    }

    @Test
    void bothNodesDecideOnRedisOneThroughTheUrlOneThroughSpringDataRedis() {
        for (ConfigurableApplicationContext node : List.of(a, b)) {
            assertTrue(node.getBean(RateLimiter.class) instanceof RedisRateLimiter);
            assertEquals(RateLimiter.Mode.REMOTE, node.getBean(Portcullis.class).health().rateLimiter());
        }
        assertTrue(a.getBeansOfType(RedisClient.class).isEmpty() && b.getBeansOfType(RedisClient.class).isEmpty(),
                "no RedisClient bean: A's client is the starter's own, B's is Spring Data Redis'");
        assertTrue(b.getBeanNamesForType(org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory.class).length == 1);
    }

    @Test
    void aLimitSharedByTwoContextsIsExact() {
        IssuedKey key = a.getBean(Portcullis.class).keys().create(KeySpec.builder().account("acme").name("fleet")
                .grant("messages:send", "example.com").rateLimit(RateLimitPolicy.of(Limit.perHour(5))).build());
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ConfigurableApplicationContext node = i % 2 == 0 ? a : b;
            statuses.add(Http.post(port(node), "/v3/example.com/messages", Http.apiKey(key.token()), "").statusCode());
        }
        assertEquals(List.of(200, 200, 200, 200, 200, 429, 429, 429, 429, 429), statuses);
    }
}
