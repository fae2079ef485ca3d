package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.Portcullis.Health;

/** Portcullis.health() for readiness probes: the store, its feed, the limiter, the cache. */
class HealthTest {

    @Test
    void reflectsAStoppedStore() {
        ControllableStore store = new ControllableStore();
        Fixtures f = new Fixtures(store);
        f.withKey(f.key().token());
        Health up = f.portcullis.health();
        assertEquals(Health.Status.UP, up.status());
        assertTrue(up.storeReachable());
        assertEquals(RateLimiter.Mode.LOCAL, up.rateLimiter());
        assertTrue(up.cachedCredentials() >= 1);
        store.down = true;
        Health down = f.portcullis.health();
        assertEquals(Health.Status.DOWN, down.status());
        assertFalse(down.storeReachable());
        store.down = false;
        assertEquals(Health.Status.UP, f.portcullis.health().status());
    }

    /** A limiter whose shared backend is gone: it decides by its fallback. */
    private static final class FallbackLimiter implements RateLimiter {
        private final RateLimiter local = RateLimiter.local(Clock.systemUTC());
        volatile Mode mode = Mode.REMOTE;

        @Override
        public Take tryTakeAll(List<Quota> quotas, long cost) {
            return local.tryTakeAll(quotas, cost);
        }

        @Override
        public void giveBack(List<Quota> quotas, long cost) {
            local.giveBack(quotas, cost);
        }

        @Override
        public long nanosUntilAvailable(Quota quota) {
            return local.nanosUntilAvailable(quota);
        }

        @Override
        public void spend(Quota quota) {
            local.spend(quota);
        }

        @Override
        public Mode mode() {
            return mode;
        }
    }

    @Test
    void reflectsALimiterOnItsFallbackAndALaggingFeed() {
        FallbackLimiter limiter = new FallbackLimiter();
        Fixtures f = new Fixtures(CredentialStore.inMemory(), Portcullis.builder().rateLimiter(limiter), Runnable::run);
        assertEquals(Health.Status.UP, f.portcullis.health().status());
        limiter.mode = RateLimiter.Mode.FALLBACK;
        Health h = f.portcullis.health();
        assertEquals(Health.Status.DEGRADED, h.status());
        assertEquals(RateLimiter.Mode.FALLBACK, h.rateLimiter());

        ControllableStore lagging = new ControllableStore() {
            @Override
            public Duration changeFeedLag() {
                return Duration.ofMinutes(2);
            }
        };
        Fixtures g = new Fixtures(lagging);
        assertEquals(Health.Status.DEGRADED, g.portcullis.health().status());
        assertEquals(Duration.ofMinutes(2), g.portcullis.health().changeFeedLag());
    }

    /** The push itself is tested on PostgreSQL (jdbc's PostgresPushTest); here, that health() reports the store's word. */
    @Test
    void reportsWhetherOtherNodesChangesArriveByAPushWithoutChangingTheStatus() {
        Health alone = new Fixtures(CredentialStore.inMemory()).portcullis.health();
        assertFalse(alone.pushConnected(), "one process: nothing to push");
        assertEquals(Health.Status.UP, alone.status());
        boolean[] connected = {true};
        ControllableStore pushed = new ControllableStore() {
            @Override
            public boolean pushConnected() {
                return connected[0];
            }
        };
        Fixtures f = new Fixtures(pushed);
        assertTrue(f.portcullis.health().pushConnected());
        connected[0] = false;
        Health dropped = f.portcullis.health();
        assertFalse(dropped.pushConnected());
        assertEquals(Health.Status.UP, dropped.status(), "the poll still bounds revocation: reported, not a degradation");
    }
}
