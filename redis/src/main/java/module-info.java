/** Portcullis on Redis: fleet-wide rate limits and failure budgets through Bucket4j's Lettuce backend. */
@SuppressWarnings("requires-transitive-automatic") // lettuce-core has no module-info; its RedisClient is in our API
module dev.portcullis.redis {
    requires transitive dev.portcullis.core;
    requires transitive lettuce.core;
    requires io.github.bucket4j.core;
    requires io.github.bucket4j.lettuce;

    exports dev.portcullis.redis;
}
