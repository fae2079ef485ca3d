package dev.portcullis;

import java.time.Duration;

/**
 * What {@link Portcullis#health()} found, for readiness probes.
 *
 * @param status the summary: {@code UP}, {@code DEGRADED} or {@code DOWN}
 * @param storeReachable whether the store answered a lookup
 * @param storeLatency how long that lookup took
 * @param changeFeedLag how far the store's change feed is behind (zero for a synchronous one)
 * @param rateLimiter where rate limits are decided now
 * @param cachedCredentials records cached, positive and negative
 */
public record Health(Status status, boolean storeReachable, Duration storeLatency, Duration changeFeedLag,
        RateLimiter.Mode rateLimiter, long cachedCredentials) {
    public enum Status { UP, DEGRADED, DOWN }
}
