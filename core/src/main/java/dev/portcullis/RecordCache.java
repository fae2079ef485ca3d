package dev.portcullis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.portcullis.store.CredentialStore;
import dev.portcullis.store.KeyRecord;
import dev.portcullis.store.StoreChange;
import dev.portcullis.store.StoreException;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The Lookup stage (DESIGN §2): records by id and by username, positive and negative, in front
 * of the store.
 *
 * <ul>
 *   <li>One hard bound for every entry: the time since its last <em>successful</em> load. A failed
 *       refresh keeps the old entry but not its age, so a record is never served longer than the
 *       bound while the store is unreachable.
 *   <li>The change feed is the revocation bound: a change evicts the id and its usernames. A load
 *       racing the eviction cannot put the old record back: Caffeine makes an eviction wait for a
 *       miss's load and drops a refresh whose entry was evicted meanwhile; and an answer older than
 *       the version the feed announced (a lagging replica) is read again, then refused.
 *   <li>Refreshes run on the given (bounded) executor; while the store fails, loads back off instead
 *       of calling it on every read, and a failed refresh retries only after another interval.
 *   <li>A miss while the store is down throws {@link StoreException}: the caller denies.
 * </ul>
 */
final class RecordCache {
    private static final int MAX_ATTEMPTS = 3;

    private final BiFunction<KeyRecord, Long, CachedCredential> compiler;
    private final Ticker ticker;
    private final long hardBoundNanos;
    private final LoadingCache<String, CachedCredential> byId;
    private final LoadingCache<String, CachedCredential> byUsername;
    /** Highest version the feed announced per id. */
    private final Cache<String, Long> announced;
    private final Backoff backoff;

    RecordCache(CredentialStore store, BiFunction<KeyRecord, Long, CachedCredential> compiler, Ticker ticker, Executor executor,
            long maximumSize, Duration hardBound, Duration refreshInterval) {
        this.compiler = compiler;
        this.ticker = ticker;
        this.hardBoundNanos = hardBound.toNanos();
        this.backoff = new Backoff(ticker);
        this.byId = build(executor, maximumSize, refreshInterval, store::findById);
        this.byUsername = build(executor, maximumSize, refreshInterval, store::findByUsername);
        this.announced = Caffeine.newBuilder().ticker(ticker).executor(executor)
                .expireAfterWrite(hardBound.plus(refreshInterval)).maximumSize(maximumSize).build();
    }

    private LoadingCache<String, CachedCredential> build(Executor executor, long maximumSize, Duration refreshInterval,
            Function<String, Optional<KeyRecord>> find) {
        CacheLoader<String, CachedCredential> loader = new CacheLoader<>() {
            @Override
            public CachedCredential load(String key) {
                return loadFresh(key, find);
            }

            @Override
            public CachedCredential reload(String key, CachedCredential old) {
                try {
                    return loadFresh(key, find);
                } catch (StoreException e) {
                    return old; // keeps its loadedAt, so the hard bound still counts from the last good load
                }
            }
        };
        return Caffeine.newBuilder()
                .ticker(ticker)
                .executor(executor)
                .maximumSize(maximumSize)
                .expireAfter(new Expiry<String, CachedCredential>() {
                    @Override
                    public long expireAfterCreate(String key, CachedCredential value, long now) {
                        return remaining(value, now);
                    }

                    @Override
                    public long expireAfterUpdate(String key, CachedCredential value, long now, long current) {
                        return remaining(value, now);
                    }

                    @Override
                    public long expireAfterRead(String key, CachedCredential value, long now, long current) {
                        return current;
                    }
                })
                .refreshAfterWrite(refreshInterval)
                .build(loader);
    }

    private long remaining(CachedCredential v, long now) {
        return Math.max(0, hardBoundNanos - (now - v.loadedAt()));
    }

    /** @throws StoreException when the store cannot answer and nothing fresh enough is cached */
    CachedCredential byId(String id) {
        return byId.get(id);
    }

    /** @throws StoreException when the store cannot answer and nothing fresh enough is cached */
    CachedCredential byUsername(String username) {
        return byUsername.get(username);
    }

    /** The change feed: remember the version, and evict. */
    void onChange(StoreChange change) {
        announced.asMap().merge(change.id(), change.version(), Math::max);
        byId.invalidate(change.id());
        for (String u : change.usernames()) {
            byUsername.invalidate(u);
        }
    }

    private CachedCredential loadFresh(String key, Function<String, Optional<KeyRecord>> find) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            backoff.check();
            Optional<KeyRecord> found;
            try {
                found = find.apply(key);
                backoff.succeeded();
            } catch (RuntimeException e) {
                backoff.failed();
                throw e instanceof StoreException se ? se : new StoreException("credential store failed", e);
            }
            KeyRecord r = found.orElse(null);
            if (r != null) {
                Long v = announced.getIfPresent(r.id());
                if (v != null && r.version() < v) {
                    continue; // the store answered with an older version than the feed announced
                }
            }
            return compiler.apply(r, ticker.read());
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
