package dev.portcullis.internal.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Cache;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.MutableClock;
import dev.portcullis.Portcullis;
import dev.portcullis.Portcullis.Argon2Parameters;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.internal.crypto.PasswordHasher;
import dev.portcullis.internal.crypto.TokenDigests;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.RateLimiter;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §2 Lookup: a credential's entry keeps the account entry its last request was given, and a
 * request reuses it instead of reading the account cache ({@code RecordCache.account}), only while
 * no account changed since that entry was loaded and it is fresh. A change the feed announces ends
 * the reuse even when the kept entry had already left the cache (evicted by size) before it.
 */
class AccountEntryReuseTest {
    private final MutableClock clock = new MutableClock();
    private final CredentialStore store = CredentialStore.inMemory();
    private final Portcullis keys = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("kat")).clock(clock).build();
    private final FailureBudgets budgets = new FailureBudgets(RateLimiter.local(clock),
            FailureBudgets.DEFAULT_NETWORK, FailureBudgets.DEFAULT_LOGIN, FailureBudgets.DEFAULT_ACCOUNT);
    private final CachedCredential.Compiler compiler = new CachedCredential.Compiler(RateLimitPolicy.UNLIMITED, budgets,
            new TokenDigests(Map.of()), new PasswordHasher(new Argon2Parameters(8, 1, 1), 1, Duration.ofSeconds(1)));
    private final RecordCache cache = new RecordCache(store, compiler::compile, clock, () -> clock.millis() * 1_000_000L,
            Runnable::run, 1000, Duration.ofMinutes(5), Duration.ofSeconds(60), Metrics.NOOP);
    private final AutoCloseable subscription = store.subscribe(cache::onChange);

    @AfterEach
    void close() throws Exception {
        subscription.close();
        keys.close();
    }

    private CachedCredential entryOf(IssuedKey k) {
        return cache.byId(k.id(), clock.millis());
    }

    @Test
    void theKeptAccountEntryIsReusedUntilTheAccountChanges() {
        CachedCredential c = entryOf(keys.keys().create(KeySpec.builder().account("acme").build()));
        CachedAccount first = cache.account(c, clock.millis());
        assertFalse(first.suspended);
        assertSame(first, cache.account(c, clock.millis()), "nothing changed: the kept entry");

        keys.keys().suspend("acme");
        assertTrue(cache.account(c, clock.millis()).suspended, "the change ends the reuse");
    }

    @Test
    void aChangeEndsTheReuseEvenWhenTheKeptEntryWasEvictedBeforeIt() throws ReflectiveOperationException {
        CachedCredential c = entryOf(keys.keys().create(KeySpec.builder().account("acme").build()));
        CachedAccount first = cache.account(c, clock.millis());
        accountTier().invalidateAll(); // as an eviction by size: the entry leaves the cache, no change is announced
        assertSame(first, cache.account(c, clock.millis()), "still fresh and unchanged: the kept entry");

        keys.keys().suspend("acme"); // its eviction finds nothing to evict
        assertTrue(cache.account(c, clock.millis()).suspended);
    }

    @Test
    void aChangeToAnotherAccountCostsOneReadThroughTheCache() {
        CachedCredential c = entryOf(keys.keys().create(KeySpec.builder().account("acme").build()));
        CachedAccount first = cache.account(c, clock.millis());
        keys.keys().suspend("other");
        CachedAccount again = cache.account(c, clock.millis());
        assertSame(first, again, "read through the cache, which still holds acme's entry");
        assertFalse(again.suspended);
    }

    @Test
    void aStaleKeptEntryIsReadThroughTheCacheAndRefreshed() {
        CachedCredential c = entryOf(keys.keys().create(KeySpec.builder().account("acme").build()));
        CachedAccount first = cache.account(c, clock.millis());
        clock.advance(Duration.ofSeconds(61)); // past the refresh interval, within the hard bound
        assertSame(first, cache.account(c, clock.millis()), "served stale while the refresh runs");
        CachedAccount refreshed = cache.account(c, clock.millis()); // the refresh ran on the caller (Runnable::run)
        assertNotSame(first, refreshed);
        assertSame(refreshed, cache.account(c, clock.millis()));
    }

    /** RecordCache's account cache, to evict from it as its size bound would. */
    private Cache<?, ?> accountTier() throws ReflectiveOperationException {
        Field tier = RecordCache.class.getDeclaredField("byAccount");
        tier.setAccessible(true);
        Object t = tier.get(cache);
        Field caffeine = t.getClass().getDeclaredField("cache");
        caffeine.setAccessible(true);
        return (Cache<?, ?>) caffeine.get(t);
    }
}
