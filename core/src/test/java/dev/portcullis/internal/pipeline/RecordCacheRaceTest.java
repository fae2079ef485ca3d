package dev.portcullis.internal.pipeline;

import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.KeyUpdate;
import dev.portcullis.MutableClock;
import dev.portcullis.Portcullis;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.IssuedKey;
import dev.portcullis.DenyReason;
import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.internal.crypto.PasswordHasher;
import dev.portcullis.internal.crypto.TokenDigests;
import dev.portcullis.spi.CredentialStore;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.Portcullis.Argon2Parameters;

/**
 * DESIGN §2 Lookup, the races of RecordCache's own ages and refreshes. A background refresh that
 * read a record before a revocation never puts that record back, whether the revocation's
 * eviction lands while the refresh is loading or the entry was already gone (evicted, or removed
 * by an earlier change) when the refresh started; the refresh is held inside the compile step,
 * after the store answered and the announced version was checked, the last moment it could go
 * wrong. And an entry loaded just after a request read its clock is served to it, not thrown away.
 */
class RecordCacheRaceTest {
    private final MutableClock clock = new MutableClock();
    private final CredentialStore store = CredentialStore.inMemory();
    private final Portcullis keys = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("kat"))
            .clock(clock).refreshExecutor(Runnable::run).build();
    /** RecordCache's own refreshes, held back for the test to run; Caffeine's maintenance runs at once. */
    private final List<Runnable> refreshes = new CopyOnWriteArrayList<>();
    private final Executor executor = task -> {
        if (task.getClass().getName().startsWith(RecordCache.class.getName())) {
            refreshes.add(task);
        } else {
            task.run();
        }
    };
    private final AtomicBoolean stall = new AtomicBoolean();
    private final CountDownLatch compiling = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final TokenDigests digests = new TokenDigests(Map.of());
    private final FailureBudgets budgets = new FailureBudgets(RateLimiter.local(clock),
            FailureBudgets.DEFAULT_NETWORK, FailureBudgets.DEFAULT_LOGIN, FailureBudgets.DEFAULT_ACCOUNT);
    private final PasswordHasher hasher = new PasswordHasher(new Argon2Parameters(8, 1, 1), 1, Duration.ofSeconds(1));
    private final CachedCredential.Compiler compiler = new CachedCredential.Compiler(RateLimitPolicy.UNLIMITED, budgets, digests, hasher);
    private final RecordCache cache = new RecordCache(store, (id, username, r, at) -> {
        if (stall.get()) {
            compiling.countDown();
            await(release);
        }
        return compiler.compile(id, username, r, at);
    }, clock, () -> clock.millis() * 1_000_000L, executor, 1000, Duration.ofMinutes(5), Duration.ofSeconds(60), Metrics.NOOP);
    private final AutoCloseable subscription = store.subscribe(cache::onChange);

    @AfterEach
    void close() throws Exception {
        subscription.close();
        keys.close();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "never released");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A cached key gone stale, its background refresh queued; returns the key's id. */
    private String staleKeyWithARefreshQueued() {
        IssuedKey k = keys.keys().create(KeySpec.builder().account("acme").build());
        assertTrue(cache.byId(k.id(), clock.millis()).present());
        clock.advance(Duration.ofSeconds(61));
        assertNotNull(cache.cachedById(KeyId.of(k.id()), clock.millis()), "stale, and served");
        assertEquals(1, refreshes.size(), "one refresh queued");
        return k.id();
    }

    /** Runs the queued refresh until it holds the live record inside compile; then {@code meanwhile}; then lets it finish. */
    private void refreshAround(Runnable meanwhile) throws InterruptedException {
        stall.set(true);
        Thread refresher = new Thread(refreshes.remove(0));
        refresher.start();
        await(compiling);
        stall.set(false);
        meanwhile.run();
        release.countDown();
        refresher.join(10_000);
    }

    @Test
    void aRevocationWhileTheRefreshLoadsWins() throws Exception {
        String id = staleKeyWithARefreshQueued();
        refreshAround(() -> keys.keys().revoke(id)); // announced and evicted while the refresh holds the old answer
        assertTrue(cache.byId(id, clock.millis()).record.isRevoked(), "the refresh put the unrevoked record back");
    }

    @Test
    void aRefreshWhoseEntryWasAlreadyGoneNeverInsertsIt() throws Exception {
        String id = staleKeyWithARefreshQueued();
        keys.keys().update(id, KeyUpdate.builder().name("renamed").build()); // evicts the entry before the refresh runs
        refreshAround(() -> keys.keys().revoke(id)); // the eviction finds nothing cached: only the refresh could bring it back
        assertTrue(cache.byId(id, clock.millis()).record.isRevoked(), "the refresh inserted a record older than the revocation");
    }

    @Test
    void anEntryLoadedJustAfterARequestReadItsClockIsServed() {
        IssuedKey k = keys.keys().create(KeySpec.builder().account("acme").build());
        long requestStart = clock.millis();
        clock.advance(Duration.ofMillis(300)); // another thread's load finishes after this request began
        CachedCredential loaded = cache.byId(k.id(), clock.millis());
        assertEquals(loaded, cache.cachedById(KeyId.of(k.id()), requestStart), "a fresh entry, 300 ms younger than zero");
        assertEquals(0, refreshes.size(), "and no refresh for it");
    }
}
