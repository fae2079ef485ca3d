package dev.portcullis.internal.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.portcullis.spi.AccountRecord;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.StoreChange;
import dev.portcullis.spi.StoreException;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The Lookup stage (DESIGN §2): credentials by id and by username, and accounts, positive and
 * negative, in front of the store.
 *
 * <p>Ages are kept here, on the clock the hot path reads once per request anyway, and Caffeine
 * only bounds the size: a Caffeine cache with expiry reads its own ticker and updates its timer
 * wheel on every hit, which costs ten times the lookup itself ({@code HotPathStagesBenchmark}).
 *
 * <ul>
 *   <li>One hard bound for every entry: the time since its last <em>successful</em> load. A failed
 *       refresh keeps the old entry but not its age, so nothing is served longer than the bound
 *       while the store is unreachable. An entry that looks older than the bound, or more than a
 *       second younger than zero (the clock stepped back), is loaded again before it is served. The
 *       bound is on the wall clock: a step back shorter than an entry's age lengthens it by the step.
 *   <li>An entry older than the refresh interval is served and refreshed in the background, at
 *       most once per interval.
 *   <li>The change feed is the revocation bound: a change evicts the id and its usernames (or the
 *       account). A load racing the eviction cannot put the old record back: Caffeine makes an
 *       eviction wait for a miss's load, a refresh replaces only the very entry it started from
 *       (so none whose entry was evicted meanwhile), and an answer older than the version the feed
 *       announced (a lagging replica) is read again, then refused.
 *   <li>Refreshes run on the given (bounded) executor; while the store fails, loads back off instead
 *       of calling it on every read, and a failed refresh retries only after another interval.
 *   <li>A miss while the store is down throws {@link StoreException}: the caller denies.
 * </ul>
 */
final class RecordCache {
    /** A cached answer, stamped with the clock time (epoch millis) of the load it came from. */
    abstract static class Entry {
        final long loadedAt;
        /** When a stale entry may next start a background refresh. */
        volatile long refreshAt;

        Entry(long loadedAt) {
            this.loadedAt = loadedAt;
        }
    }

    private static final int MAX_ATTEMPTS = 3;

    private final long hardBoundMillis;
    private final long refreshMillis;
    private final Backoff backoff;
    /** Highest version the feed announced, per credential id and per "@account". */
    private final Cache<String, Long> announced;
    private final Tier<KeyId, CachedCredential> byId;
    private final Tier<String, CachedCredential> byUsername;
    private final Tier<String, CachedAccount> byAccount;

    private final Metrics metrics;
    private final Executor executor;
    /**
     * Counts the account changes the feed announced, each counted once its entry is evicted. An
     * account entry loaded (its store read begun) under an older count may predate a change, so a
     * credential reuses the account entry it last saw only while the count is the one that entry
     * was loaded under.
     */
    private final java.util.concurrent.atomic.AtomicLong accountEpoch = new java.util.concurrent.atomic.AtomicLong();

    /** Compiles a loaded record, or the absence of one, into what the hot path needs. */
    interface Compiler {
        /**
         * @param id the record's id, or the id looked up; {@code null} for a username with no record
         * @param username the username looked up, or {@code null} when looked up by id
         */
        CachedCredential compile(String id, String username, KeyRecord recordOrNull, long loadedAt);
    }

    /**
     * @param clock what entry ages are measured on (the clock requests read)
     * @param ticker monotonic time for the store backoff and the feed's version memory
     */
    RecordCache(CredentialStore store, Compiler compile, java.time.Clock clock, Ticker ticker,
            Executor executor, long maximumSize, Duration hardBound, Duration refreshInterval, Metrics metrics) {
        this.metrics = metrics;
        this.executor = executor;
        this.hardBoundMillis = hardBound.toMillis();
        this.refreshMillis = refreshInterval.toMillis();
        this.backoff = new Backoff(ticker);
        this.announced = Caffeine.newBuilder().ticker(ticker).executor(executor)
                .expireAfterWrite(hardBound.plus(refreshInterval)).maximumSize(maximumSize).build();
        this.byId = new Tier<>(executor, maximumSize, key -> {
            String id = key.toString();
            return load(() -> store.findById(id), KeyRecord::id, KeyRecord::version,
                    r -> compile.compile(id, null, r.orElse(null), clock.millis()));
        });
        this.byUsername = new Tier<>(executor, maximumSize,
                u -> load(() -> store.findByUsername(u), KeyRecord::id, KeyRecord::version,
                        r -> compile.compile(r.map(KeyRecord::id).orElse(null), u, r.orElse(null), clock.millis())));
        this.byAccount = new Tier<>(executor, maximumSize, a -> {
            long epoch = accountEpoch.get(); // before the store is read: see account(CachedCredential, long)
            return load(() -> store.findAccount(a), r -> "@" + r.account(), AccountRecord::version,
                    r -> CachedAccount.of(r.orElse(null), clock.millis(), epoch));
        });
    }

    /**
     * A request reads its clock once, at its start, so an entry loaded meanwhile (by another
     * thread, or by this request's own store miss) can look up to this much younger than zero;
     * only a larger negative age means the clock stepped back.
     */
    private static final long SKEW_MILLIS = 1000;

    /** One cache (by id, by username, or of accounts) and how to load its entries. */
    private final class Tier<K, T extends Entry> {
        private final LoadingCache<K, T> cache;
        private final Function<K, T> fresh;

        Tier(Executor executor, long maximumSize, Function<K, T> fresh) {
            this.fresh = fresh;
            Caffeine<Object, Object> builder = Caffeine.newBuilder();
            if (metrics != Metrics.NOOP) {
                builder.recordStats(); // a few LongAdder increments per lookup: only when someone reads them
            }
            this.cache = builder.executor(executor).maximumSize(maximumSize).build(fresh::apply);
        }

        /** Whether {@code v} may be served at {@code now} without a second look: the hot path's one check. */
        boolean fresh(Entry v, long now) {
            long age = now - v.loadedAt;
            return age >= -SKEW_MILLIS && age < refreshMillis;
        }

        /**
         * {@code v}, cached under {@code key} and not {@linkplain #fresh fresh}, if it may still be
         * served: younger than the hard bound, and then a background refresh starts (at most once
         * per interval). {@code null} if it is past the bound, or younger than zero because the clock
         * stepped back: it is dropped, to be loaded again.
         */
        T serveStale(K key, T v, long now) {
            long age = now - v.loadedAt;
            if (age < -SKEW_MILLIS || age >= hardBoundMillis) {
                cache.asMap().remove(key, v); // only this entry: a newer one loaded meanwhile stays
                return null;
            }
            if (now >= v.refreshAt) {
                v.refreshAt = now + refreshMillis; // a failed refresh keeps the entry: retry after another interval
                try {
                    executor.execute(() -> refresh(key, v));
                } catch (RuntimeException rejected) {
                    // The refresh executor is saturated or shut down: serve the entry, try again next interval.
                    metrics.staleServed();
                }
            }
            return v;
        }

        /**
         * Loads {@code key} again and puts the answer in place of {@code old} only if {@code old}
         * is still what is cached: an entry the feed invalidated (or that was evicted, or loaded
         * anew) meanwhile is never replaced, so a slow refresh cannot bring back what a revocation
         * removed. A store failure keeps {@code old}, and with it the age of its last good load.
         */
        private void refresh(K key, T old) {
            T loaded;
            try {
                loaded = fresh.apply(key);
            } catch (StoreException e) {
                metrics.staleServed();
                return;
            }
            cache.asMap().replace(key, old, loaded); // entries are compared by identity
        }

        /** The entry for {@code key}, loaded if absent or past the hard bound. */
        T get(K key, long now) {
            T v = cache.getIfPresent(key);
            if (v != null && (fresh(v, now) || serveStale(key, v, now) != null)) {
                return v;
            }
            return cache.get(key);
        }
    }

    /** Hits, misses and evictions of the credential caches (by id and by username) together. */
    com.github.benmanes.caffeine.cache.stats.CacheStats stats() {
        return byId.cache.stats().plus(byUsername.cache.stats());
    }

    /** Credentials cached now, positive and negative, by id and by username. */
    long size() {
        return byId.cache.estimatedSize() + byUsername.cache.estimatedSize();
    }

    /** @throws StoreException when the store cannot answer and nothing fresh enough is cached */
    CachedCredential byId(String id, long now) {
        return byId.get(KeyId.of(id), now);
    }

    /**
     * What is cached for this id and may be served at {@code now}, without waiting for the
     * store; {@code null} if nothing is. The id may be a reused {@linkplain KeyId#probe probe}: a
     * lookup keeps no reference to it.
     */
    CachedCredential cachedById(KeyId id, long now) {
        CachedCredential c = byId.cache.getIfPresent(id);
        if (c == null || byId.fresh(c, now)) {
            return c;
        }
        return byId.serveStale(KeyId.of(c.id), c, now); // allocates the key: only while a refresh is due or failing
    }

    /** @throws StoreException when the store cannot answer and nothing fresh enough is cached */
    CachedCredential byUsername(String username, long now) {
        return byUsername.get(username, now);
    }

    /**
     * The account of {@code c}'s record. The entry {@code c} was last given is reused while it is
     * fresh and no account changed since it was loaded: a request then skips the account cache,
     * whose lookup (hash, table, key compare, Caffeine's read bookkeeping) costs memory accesses
     * that miss the CPU caches once the keys are many. Otherwise it is read through the cache,
     * refreshed or loaded as any entry, and kept for the next request.
     *
     * @throws StoreException when the store cannot answer and nothing fresh enough is cached
     */
    CachedAccount account(CachedCredential c, long now) {
        CachedAccount last = c.account;
        if (last != null && last.epoch == accountEpoch.get() && byAccount.fresh(last, now)) {
            return last;
        }
        CachedAccount a = byAccount.get(c.record.account(), now);
        c.account = a;
        return a;
    }

    /** The change feed: remember the version, and evict. */
    void onChange(StoreChange change) {
        if (change.kind() == StoreChange.Kind.ACCOUNT) {
            announced.asMap().merge("@" + change.id(), change.version(), Math::max);
            byAccount.cache.invalidate(change.id());
            // After the eviction (which waits for a load in progress): an entry a credential kept, and
            // one loaded from a read begun before now, are no longer reused.
            accountEpoch.incrementAndGet();
            return;
        }
        announced.asMap().merge(change.id(), change.version(), Math::max);
        byId.cache.invalidate(KeyId.of(change.id()));
        for (String u : change.usernames()) {
            byUsername.cache.invalidate(u);
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
