package dev.portcullis;

/**
 * The state of the tightest limit after a decision, for the {@code RateLimit} and
 * {@code RateLimit-Policy} fields of draft-ietf-httpapi-ratelimit-headers-10.
 *
 * @param quota {@code q}: the limit's capacity
 * @param windowSeconds {@code w}: its refill period in seconds
 * @param remaining {@code r}: requests left
 * @param resetSeconds {@code t}: seconds until the bucket is full again
 */
public record RateLimitStatus(long quota, long windowSeconds, long remaining, long resetSeconds) {}
