package dev.portcullis.redis;

/** Where a {@link RedisRateLimiter}'s decisions come from. */
public enum BreakerState {
    /** From Redis. */
    CLOSED,
    /** From the {@link Fallback}, without waiting on Redis; a background probe looks for its return. */
    OPEN
}
