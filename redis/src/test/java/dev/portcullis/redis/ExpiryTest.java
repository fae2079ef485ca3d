package dev.portcullis.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.AuthRequest;
import dev.portcullis.DenyReason;
import dev.portcullis.KeyFormat;
import dev.portcullis.Limit;
import dev.portcullis.Portcullis;
import dev.portcullis.spi.RateLimiter.Quota;
import dev.portcullis.SaslExchange.SaslStep;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Redis forgets idle buckets by itself, and holds no names in clear. */
class ExpiryTest {
    private static final Duration KEEP = Duration.ofMillis(200);
    private static RedisServer redis;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedisCommands<String, String> cmd;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
        client = Clients.of(redis);
        connection = client.connect();
        cmd = connection.sync();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        redis.close();
    }

    private static RedisRateLimiter limiter(String prefix) {
        return RedisRateLimiter.create(client, RedisRateLimiterOptions.builder().keyPrefix(prefix).keepAfterRefill(KEEP).build());
    }

    @Test
    void anIdleKeyExpiresOnceItsBucketWouldBeFull() {
        try (RedisRateLimiter limiter = limiter("exp1:")) {
            Quota q = new Quota("k:idle:" + Limit.perSecond(2), Limit.perSecond(2));
            assertTrue(limiter.tryTakeAll(List.of(q)).allowed());
            String key = limiter.redisKey(q);
            long pttl = cmd.pttl(key);
            // One of 2 tokens gone at 2/s: full again in 500 ms, then kept 200 ms more.
            assertTrue(pttl > 0 && pttl <= 500 + KEEP.toMillis(), "PTTL " + pttl);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (cmd.exists(key) == 1 && System.nanoTime() < deadline) {
                RedisServer.sleep(50);
            }
            assertEquals(0L, cmd.exists(key), "gone without anyone deleting it");
            assertTrue(limiter.tryTakeAll(List.of(q)).allowed(), "and a new one starts full");
        }
    }

    @Test
    void aBusierBucketLivesLonger() {
        try (RedisRateLimiter limiter = limiter("exp2:")) {
            Quota q = new Quota("k:busy:" + Limit.perMinute(6), Limit.perMinute(6));
            for (int i = 0; i < 3; i++) {
                assertTrue(limiter.tryTakeAll(List.of(q)).allowed());
            }
            long pttl = cmd.pttl(limiter.redisKey(q));
            // 3 tokens at one per 10 s: about 30 s to full.
            assertTrue(pttl > 25_000 && pttl <= 30_000 + KEEP.toMillis(), "PTTL " + pttl);
        }
    }

    @Test
    void failureBudgetsLiveOnRedisUnderOpaqueKeys() {
        try (RedisRateLimiter limiter = limiter("exp3:");
             Portcullis node = Portcullis.builder().store(CredentialStore.inMemory())
                     .keyFormat(KeyFormat.withPrefix("kat")).rateLimiter(limiter).build()) {
            String unknownKey = KeyFormat.withPrefix("kat").newToken();
            assertEquals(DenyReason.UNKNOWN_KEY,
                    node.authenticator().authenticate(AuthRequest.apiKey(unknownKey, "198.51.100.9")).reason());
            String login = Base64.getEncoder().encodeToString(
                    "\0nobody-at-all@example.com\0not-the-password".getBytes(StandardCharsets.UTF_8));
            SaslStep s = node.authenticator().sasl("PLAIN", "198.51.100.9", true).respond(login);
            assertTrue(s.done());
            assertFalse(s.result().allowed());

            List<String> keys = cmd.keys("exp3:*");
            assertEquals(2, keys.stream().filter(k -> k.startsWith("exp3:fn:")).count()
                    + keys.stream().filter(k -> k.startsWith("exp3:fu:")).count(), keys.toString());
            for (String k : keys) {
                assertFalse(k.contains("nobody") || k.contains("198.51.100.9") || k.contains(unknownKey.substring(4, 16)),
                        "no login, address or key id in clear: " + k);
                long pttl = cmd.pttl(k);
                // The default network budget refills one failure in 12 s, the login budget in 60 s.
                assertTrue(pttl > 0 && pttl <= 120_000 + KEEP.toMillis(), k + " PTTL " + pttl);
            }
        }
    }
}
