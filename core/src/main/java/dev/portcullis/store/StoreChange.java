package dev.portcullis.store;

import java.util.Set;

/**
 * A record was created or changed. Readers evict {@code id} and every username in
 * {@code usernames} (old and new, so a renamed login frees its old name) from their caches,
 * positive and negative entries alike, and discard any load older than {@code version}.
 */
public record StoreChange(String id, long version, Set<String> usernames) {
    public StoreChange {
        usernames = Set.copyOf(usernames);
    }
}
