package dev.portcullis.redis;

/**
 * How a {@link RedisRateLimiter} decides while Redis cannot answer (its breaker is open, or a call
 * just failed). It applies to every bucket: rate limits and failure budgets alike.
 */
public enum Fallback {
    /**
     * Buckets in this process with the full limit. Nobody is refused for the outage, but on N nodes
     * a key may get up to N times its limit while Redis is down.
     */
    LOCAL,
    /**
     * Buckets in this process with each limit divided by the configured node count (rounded down,
     * at least 1): the fleet stays near its limit if traffic is spread evenly, and a client pinned
     * to one node gets only its share.
     */
    LOCAL_SHARE,
    /**
     * Refuse: every limited request is {@code RATE_LIMITED} and every failure-budget check reads as
     * exhausted ({@code TOO_MANY_FAILURES}) until Redis answers again. Keys without limits still pass.
     */
    DENY
}
