package dev.portcullis.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {
    @Test
    void defaults() {
        RedisRateLimiterOptions o = RedisRateLimiterOptions.defaults();
        assertEquals("portcullis:rl:", o.keyPrefix());
        assertEquals(Duration.ofMillis(500), o.requestTimeout());
        assertEquals(3, o.failuresToOpen());
        assertEquals(Duration.ofMillis(500), o.openDuration());
        assertEquals(Fallback.LOCAL, o.fallback());
        assertEquals(Duration.ofSeconds(10), o.keepAfterRefill());
    }

    @Test
    void settingsAreSetOnceAndChecked() {
        assertThrows(IllegalStateException.class, () -> RedisRateLimiterOptions.builder().failuresToOpen(2).failuresToOpen(3));
        assertThrows(IllegalArgumentException.class, () -> RedisRateLimiterOptions.builder().failuresToOpen(0));
        assertThrows(IllegalArgumentException.class, () -> RedisRateLimiterOptions.builder().requestTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> RedisRateLimiterOptions.builder().requestTimeout(Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> RedisRateLimiterOptions.builder().keyPrefix(""));
        assertThrows(IllegalArgumentException.class, () -> RedisRateLimiterOptions.builder().keepAfterRefill(Duration.ofSeconds(-1)));
        assertThrows(IllegalStateException.class, () -> RedisRateLimiterOptions.builder().fallback(Fallback.LOCAL_SHARE).build(),
                "LOCAL_SHARE without a node count");
        assertEquals(4, RedisRateLimiterOptions.builder().fallback(Fallback.LOCAL_SHARE).nodeCount(4).build().nodeCount());
    }
}
