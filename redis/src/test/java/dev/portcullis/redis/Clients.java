package dev.portcullis.redis;

import dev.portcullis.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;

/** Lettuce clients of a test's {@link RedisServer}, with a 2 s command timeout so a hung server fails a test. */
final class Clients {
    private Clients() {
    }

    static RedisURI uri(RedisServer redis) {
        return RedisURI.builder().withHost("127.0.0.1").withPort(redis.port()).withTimeout(Duration.ofSeconds(2)).build();
    }

    static RedisClient of(RedisServer redis) {
        return RedisClient.create(uri(redis));
    }
}
