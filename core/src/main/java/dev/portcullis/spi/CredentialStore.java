package dev.portcullis.spi;

import java.util.Collection;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where credentials live: the one place {@code KeyManager} (writes) and {@code Authenticator}
 * (reads) meet. Implementations must be thread-safe, and must pass the contract suite in
 * {@code portcullis-testkit}.
 *
 * <p>Every method may throw {@link StoreException} when the store cannot answer; callers on the
 * request path turn that into a denial, never an allow.
 */
public interface CredentialStore {

    /** A store in this process's memory, publishing changes synchronously. For tests and single nodes. */
    static CredentialStore inMemory() {
        return new InMemoryCredentialStore();
    }

    Optional<KeyRecord> findById(String id);

    /** The password credential with this exact username, if any. */
    Optional<KeyRecord> findByUsername(String username);

    /**
     * Writes {@code record} if the stored version is still {@code expectedVersion} (0: the id must
     * not exist yet), and returns it as stored, with version {@code expectedVersion + 1}. The
     * record's own version field is ignored. On success a {@link StoreChange} is published.
     *
     * @throws StoreConflictException if the version moved on, the id exists, or the username is taken
     */
    KeyRecord save(KeyRecord record, long expectedVersion);

    /**
     * Records of an account in a stable order (by id), {@code limit} at a time.
     *
     * @param cursor {@code null} for the first page, else a previous page's {@code nextCursor}
     * @param limit 1 to 1000
     */
    Page<KeyRecord> listByAccount(String account, String cursor, int limit);

    /**
     * Adds a batch of usage to the stored values: counts are summed, the latest use wins for
     * last-used time and address, networks are unioned (bounded by {@link Usage#MAX_NETWORKS}).
     * Deltas for unknown ids are dropped. A batch is added whole or not at all: when this throws,
     * nothing of it was added, and Portcullis retries the same batch later (at its next flush, and
     * at close), which must not count anything twice.
     */
    void addUsage(Collection<Usage> batch);

    Optional<Usage> usage(String keyId);

    Optional<AccountRecord> findAccount(String account);

    /**
     * Writes an account record if its stored version is still {@code expectedVersion} (0: none
     * stored yet) and returns it with version {@code expectedVersion + 1}; publishes a change.
     *
     * @throws StoreConflictException if the version moved on
     */
    AccountRecord saveAccount(AccountRecord account, long expectedVersion);

    /**
     * Calls {@code listener} after every change; changes of different records may arrive in any
     * order, and versions tell which is newer. The in-memory store calls it
     * synchronously inside {@link #save}; a store shared by a fleet calls it within a stated
     * bound (the JDBC store on PostgreSQL: a push, milliseconds, with its poll interval as the
     * backstop). Listeners must be fast and must not throw.
     *
     * @return a handle that stops the calls
     */
    AutoCloseable subscribe(Consumer<StoreChange> listener);

    /**
     * Whether {@link #subscribe} reports every change: readers then refresh cached records
     * rarely and rely on the feed for revocation. {@code false}: they refresh often.
     */
    default boolean hasChangeFeed() {
        return true;
    }

    /**
     * How far the change feed is behind the store, for health checks: zero for a synchronous feed;
     * a polling store reports the time since its last successful poll.
     */
    default java.time.Duration changeFeedLag() {
        return java.time.Duration.ZERO;
    }
}
