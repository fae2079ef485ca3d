package dev.portcullis.spi;

import java.util.Set;

/**
 * A record was created or changed. For a credential, readers evict {@code id} and every username
 * in {@code usernames} (old and new, so a renamed login frees its old name) from their caches,
 * positive and negative entries alike, and refuse any later answer older than {@code version}.
 * For an account, {@code id} is the account name. A {@code version} of 0 means "evict only": a
 * pushed notice that names the record but not its version (the poll announces the version later).
 */
public record StoreChange(Kind kind, String id, long version, Set<String> usernames) {
    public enum Kind { CREDENTIAL, ACCOUNT }

    public StoreChange {
        usernames = Set.copyOf(usernames);
    }

    public static StoreChange credential(String id, long version, Set<String> usernames) {
        return new StoreChange(Kind.CREDENTIAL, id, version, usernames);
    }

    public static StoreChange account(String account, long version) {
        return new StoreChange(Kind.ACCOUNT, account, version, Set.of());
    }
}
