package dev.portcullis.redis;

import java.time.Instant;
import java.util.Objects;

/**
 * A switch of a {@link RedisRateLimiter}'s circuit breaker.
 *
 * @param state the state switched to
 * @param at when, on the limiter's clock
 * @param cause for {@link BreakerState#OPEN}, the failure that opened it; {@code null} on closing
 */
public record BreakerEvent(BreakerState state, Instant at, Throwable cause) {
    public BreakerEvent {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
    }
}
