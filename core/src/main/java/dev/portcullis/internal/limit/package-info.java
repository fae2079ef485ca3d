/** The in-process {@link dev.portcullis.spi.RateLimiter}: Bucket4j buckets in a Caffeine cache. Internal: not exported. */
@NullMarked
package dev.portcullis.internal.limit;

import org.jspecify.annotations.NullMarked;
