/** The in-process {@link dev.portcullis.spi.RateLimiter}: Bucket4j buckets in a Caffeine cache. Internal: not exported. */
package dev.portcullis.internal.limit;
