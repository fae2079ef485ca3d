package dev.portcullis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.portcullis.store.AccountRecord;
import dev.portcullis.store.CredentialStore;
import dev.portcullis.store.KeyRecord;
import dev.portcullis.store.StoreChange;
import dev.portcullis.store.StoreException;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The Lookup stage (DESIGN §2): credentials by id and by username, and accounts, positive and
 * negative, in front of the store.
 *
 * <ul>
 *   <li>One hard bound for every entry: the time since its last <em>successful</em> load. A failed
 *       refresh keeps the old entry but not its age, so nothing is served longer than the bound
 *       while the store is unreachable.
 *   <li>The change feed is the revocation bound: a change evicts the id and its usernames (or the
 *       account). A load racing the eviction cannot put the old record back: Caffeine makes an
 *       eviction wait for a miss's load and drops a refresh whose entry was evicted meanwhile; and an
 *       answer older than the version the feed announced (a lagging replica) is read again, then
 *       refused.
 *   <li>Refreshes run on the given (bounded) executor; while the store fails, loads back off instead
 *       of calling it on every read, and a failed refresh retries only after another interval.
 *   <li>A miss while the store is down throws {@link StoreException}: the caller denies.
 * </ul>
 */
final class RecordCache {
    /** A cached answer: knows when the load it came from succeeded (ticker time). */
    interface Entry {
        long loadedAt();
    }

    private static final int MAX_ATTEMPTS = 3;

    private final Ticker ticker;
    private final long hardBoundNanos;
    private final Backoff backoff;
    /** Highest version the feed announced, per credential id and per "@account". */
    private final Cache<String, Long> announced;
    private final LoadingCache<KeyId, CachedCredential> byId;
    private final LoadingCache<String, CachedCredential> byUsername;
    private final LoadingCache<String, CachedAccount> byAccount;

    private final Metrics metrics;

    /** Compiles a loaded record, or the absence of one, into what the hot path needs. */
    interface Compiler {
        CachedCredential compile(String id, KeyRecord recordOrNull, long loadedAt);
    }

    RecordCache(CredentialStore store, Compiler compile, Ticker ticker,
            Executor executor, long maximumSize, Duration hardBound, Duration refreshInterval, Metrics metrics) {
        this.metrics = metrics;
        this.ticker = ticker;
        this.hardBoundNanos = hardBound.toNanos();
        this.backoff = new Backoff(ticker);
        this.announced = Caffeine.newBuilder().ticker(ticker).executor(executor)
                .expireAfterWrite(hardBound.plus(refreshInterval)).maximumSize(maximumSize).build();
        this.byId = build(executor, maximumSize, refreshInterval, key -> {
            String id = key.toString();
            return load(() -> store.findById(id), KeyRecord::id, KeyRecord::version,
                    r -> compile.compile(id, r.orElse(null), ticker.read()));
        });
        this.byUsername = build(executor, maximumSize, refreshInterval,
                u -> load(() -> store.findByUsername(u), KeyRecord::id, KeyRecord::version,
                        r -> compile.compile(r.map(KeyRecord::id).orElse(null), r.orElse(null), ticker.read())));
        this.byAccount = build(executor, maximumSize, refreshInterval,
                a -> load(() -> store.findAccount(a), r -> "@" + r.account(), AccountRecord::version,
                        r -> CachedAccount.of(r.orElse(null), ticker.read())));
    }

    private <K, T extends Entry> LoadingCache<K, T> build(Executor executor, long maximumSize,
            Duration refreshInterval, Function<K, T> fresh) {
        CacheLoader<K, T> loader = new CacheLoader<>() {
            @Override
            public T load(K key) {
                return fresh.apply(key);
            }

            @Override
            public T reload(K key, T old) {
                try {
                    return fresh.apply(key);
                } catch (StoreException e) {
                    metrics.staleServed();
                    return old; // keeps its loadedAt, so the hard bound still counts from the last good load
                }
            }
        };
        Caffeine<Object, Object> builder = Caffeine.newBuilder();
        if (metrics != Metrics.NOOP) {
            builder.recordStats(); // a few LongAdder increments per lookup: only when someone reads them
        }
        return builder
                .ticker(ticker)
                .executor(executor)
                .maximumSize(maximumSize)
                .expireAfter(new Expiry<K, T>() {
                    @Override
                    public long expireAfterCreate(K key, T value, long now) {
                        return remaining(value, now);
                    }

                    @Override
                    public long expireAfterUpdate(K key, T value, long now, long current) {
                        return remaining(value, now);
                    }

                    @Override
                    public long expireAfterRead(K key, T value, long now, long current) {
                        return current;
                    }
                })
                .refreshAfterWrite(refreshInterval)
                .build(loader);
    }

    private long remaining(Entry v, long now) {
        return Math.max(0, hardBoundNanos - (now - v.loadedAt()));
    }

    /** Hits, misses and evictions of the credential caches (by id and by username) together. */
    com.github.benmanes.caffeine.cache.stats.CacheStats stats() {
        return byId.stats().plus(byUsername.stats());
    }

    /** Credentials cached now, positive and negative, by id and by username. */
    long size() {
        return byId.estimatedSize() + byUsername.estimatedSize();
    }

    /** @throws StoreException when the store cannot answer and nothing fresh enough is cached */
    CachedCredential byId(String id) {
        return byId.get(KeyId.of(id));
    }

    /**
     * What is cached for this id, without touching the store; {@code null} if nothing is. The id
     * may be a reused {@linkplain KeyId#probe probe}: a lookup keeps no reference to it.
     */
    CachedCredential cachedById(KeyId id) {
        return byId.getIfPresent(id);
    }

    /** @throws StoreException when the store cannot answer and nothing fresh enough is cached */
    CachedCredential byUsername(String username) {
        return byUsername.get(username);
    }

    /** @throws StoreException when the store cannot answer and nothing fresh enough is cached */
    CachedAccount account(String account) {
        return byAccount.get(account);
    }

    /** The change feed: remember the version, and evict. */
    void onChange(StoreChange change) {
        if (change.kind() == StoreChange.Kind.ACCOUNT) {
            announced.asMap().merge("@" + change.id(), change.version(), Math::max);
            byAccount.invalidate(change.id());
            return;
        }
        announced.asMap().merge(change.id(), change.version(), Math::max);
        byId.invalidate(KeyId.of(change.id()));
        for (String u : change.usernames()) {
            byUsername.invalidate(u);
        }
    }

    private <R, T> T load(java.util.function.Supplier<Optional<R>> find, Function<R, String> versionKey,
            java.util.function.ToLongFunction<R> version, Function<Optional<R>, T> compile) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            backoff.check();
            Optional<R> found;
            try {
                found = find.get();
                backoff.succeeded();
            } catch (RuntimeException e) {
                backoff.failed();
                throw e instanceof StoreException se ? se : new StoreException("credential store failed", e);
            }
            if (found.isPresent()) {
                Long v = announced.getIfPresent(versionKey.apply(found.get()));
                if (v != null && version.applyAsLong(found.get()) < v) {
                    continue; // the store answered with an older version than the feed announced
                }
            }
            return compile.apply(found);
        }
        throw new StoreException("credential store kept returning stale data");
    }

    /** Exponential backoff after store failures: 50 ms doubling to 5 s, reset by a success. */
    private static final class Backoff {
        private static final long FIRST = Duration.ofMillis(50).toNanos();
        private static final long MAX = Duration.ofSeconds(5).toNanos();

        private final Ticker ticker;
        private volatile long openAt;
        private long delay;

        Backoff(Ticker ticker) {
            this.ticker = ticker;
        }

        void check() {
            long at = openAt;
            if (at != 0 && ticker.read() - at < 0) {
                throw new StoreException("credential store unavailable (backing off)");
            }
        }

        synchronized void failed() {
            delay = delay == 0 ? FIRST : Math.min(delay * 2, MAX);
            openAt = ticker.read() + delay;
        }

        void succeeded() {
            if (openAt != 0) {
                synchronized (this) {
                    delay = 0;
                    openAt = 0;
                }
            }
        }
    }
}
