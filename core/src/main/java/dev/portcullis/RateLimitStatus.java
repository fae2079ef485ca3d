package dev.portcullis;

/**
 * The state of the tightest limit after a decision, for the {@code RateLimit} and
 * {@code RateLimit-Policy} fields of draft-ietf-httpapi-ratelimit-headers-10.
 *
 * @param quota {@code q}: the limit's capacity
 * @param windowSeconds {@code w}: its refill period in seconds
 * @param remaining {@code r}: requests left
 * @param resetSeconds {@code t}: seconds until the bucket is full again (admitted), or until it admits again (refused)
 */
public record RateLimitStatus(long quota, long windowSeconds, long remaining, long resetSeconds) {
    /**
     * The state of a bucket of {@code limit} after an admitted request, holding {@code remaining}
     * tokens: {@code t} is the time until it is full again.
     */
    public static RateLimitStatus of(Limit limit, long remaining) {
        long window = Math.max(1, limit.period().toSeconds());
        double missing = limit.capacity() - remaining;
        long reset = (long) Math.ceil(missing / limit.rate() * limit.period().toMillis() / 1000.0);
        return new RateLimitStatus(limit.capacity(), window, remaining, reset);
    }

    /**
     * The state of a bucket of {@code limit} that refused a request: nothing remains, and {@code t}
     * is the time until it admits one again, the same as {@code Retry-After} (which the draft says
     * should not point earlier than {@code t}).
     */
    public static RateLimitStatus refused(Limit limit, long nanosToWait) {
        long window = Math.max(1, limit.period().toSeconds());
        long t = Math.max(1, (nanosToWait + 999_999_999L) / 1_000_000_000L);
        return new RateLimitStatus(limit.capacity(), window, 0, t);
    }
}
