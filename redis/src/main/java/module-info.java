/** Portcullis on Redis: fleet-wide rate limits and failure budgets, every limit of a request in one Lua call. */
@SuppressWarnings("requires-transitive-automatic") // lettuce-core has no module-info; its RedisClient is in our API
module dev.portcullis.redis {
    requires transitive dev.portcullis.core;
    requires transitive lettuce.core;

    exports dev.portcullis.redis;
}
