/** Portcullis on Redis: fleet-wide rate limits and failure budgets through Bucket4j's Lettuce backend. */
module dev.portcullis.redis {
    requires transitive dev.portcullis.core;
    requires transitive lettuce.core;
    requires io.github.bucket4j.core;
    requires io.github.bucket4j.lettuce;

    exports dev.portcullis.redis;
}
