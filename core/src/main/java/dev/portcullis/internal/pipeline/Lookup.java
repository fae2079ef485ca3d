package dev.portcullis.internal.pipeline;

import dev.portcullis.spi.StoreException;

import java.time.Duration;

/**
 * The Lookup stage (DESIGN §2): credentials and accounts through the {@link RecordCache}; a store
 * that cannot answer (with nothing fresh enough cached) is {@code STORE_UNAVAILABLE}, never an allow.
 */
final class Lookup {
    private static final Duration STORE_RETRY = Duration.ofSeconds(5);

    private final RecordCache cache;

    Lookup(RecordCache cache) {
        this.cache = cache;
    }

    /** What is cached for {@code id} and may be served now, without the store; {@code null} if nothing. */
    CachedCredential cached(KeyId id, long now) {
        return cache.cachedById(id, now);
    }

    /** The entry for {@code id}; {@code null} if the store cannot answer (then the attempt's retry is set). */
    CachedCredential byId(Attempt a, String id, long now) {
        try {
            return cache.byId(id, now);
        } catch (StoreException e) {
            a.retryAfter = STORE_RETRY;
            return null;
        }
    }

    /** @throws StoreException if the store cannot answer and nothing fresh enough is cached */
    CachedCredential byId(String id, long now) {
        return cache.byId(id, now);
    }

    /** The entry for a canonical login; {@code null} if the store cannot answer. */
    CachedCredential byUsername(Attempt a, String login, long now) {
        try {
            return cache.byUsername(login, now);
        } catch (StoreException e) {
            a.retryAfter = STORE_RETRY;
            return null;
        }
    }

    /** The account of {@code c}'s record; {@code null} if the store cannot answer. */
    CachedAccount account(Attempt a, CachedCredential c, long now) {
        try {
            return cache.account(c, now);
        } catch (StoreException e) {
            a.retryAfter = STORE_RETRY;
            return null;
        }
    }
}
