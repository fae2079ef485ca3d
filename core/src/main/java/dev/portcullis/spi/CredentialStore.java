package dev.portcullis.spi;

import java.util.Collection;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

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
    Page<KeyRecord> listByAccount(String account, @Nullable String cursor, int limit);

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

    /**
     * Whether changes made by other processes reach this one by a push now (the JDBC store on
     * PostgreSQL, its listening connection up), for health checks. {@code false} for a store with no
     * push (in memory, one process; H2; push turned off) and while its listener reconnects: other
     * nodes' changes then arrive by the change feed's poll.
     */
    default boolean pushConnected() {
        return false;
    }

    // ---- credits: balances that change on every request, so never cached or versioned -------

    /**
     * One credit balance to take from: its {@code owner} (a record's {@link KeyRecord#creditBalance()}
     * or an account's), and, if it refills, the refill amount and the latest refill boundary at the
     * time of the take (a balance last refilled before {@code boundary} is first set to
     * {@code refillAmount}).
     *
     * @param boundary {@code null} for a balance that does not refill (then {@code refillAmount} is 0)
     */
    record CreditTake(String owner, long refillAmount, java.time.@Nullable Instant boundary) {
        public CreditTake {
            java.util.Objects.requireNonNull(owner, "owner");
            if (boundary == null ? refillAmount != 0 : refillAmount < 1) {
                throw new IllegalArgumentException("a refill has an amount of at least 1 and a boundary; none has neither");
            }
        }
    }

    /**
     * A stored credit balance.
     *
     * @param remaining credits left as of the last refill and takes (never negative)
     * @param refilledAt when it was last set or refilled
     */
    record CreditBalance(long remaining, java.time.Instant refilledAt) {
        public CreditBalance {
            if (remaining < 0) {
                throw new IllegalArgumentException("a balance is never negative");
            }
            java.util.Objects.requireNonNull(refilledAt, "refilledAt");
        }
    }

    /**
     * Takes {@code cost} (at least 1) from every balance of {@code takes} (at least one), all or none, in one atomic
     * step against every other take and change of those balances (a fleet shares the store: no
     * read-modify-write). A balance whose refill boundary is after its {@code refilledAt} is
     * refilled first, in the same step. A balance that does not exist counts as empty; a balance
     * listed twice is taken from once.
     *
     * @return the least remaining after the take; empty if some balance had less than {@code cost}
     *     (then nothing was taken)
     */
    default java.util.OptionalLong takeCredits(java.util.List<CreditTake> takes, long cost) {
        throw new UnsupportedOperationException(NO_CREDITS);
    }

    /** The balance of {@code owner}, if it has one. */
    default Optional<CreditBalance> credits(String owner) {
        throw new UnsupportedOperationException(NO_CREDITS);
    }

    /**
     * Sets the balance of {@code owner} to {@code remaining} (creating it), refilled as of
     * {@code refilledAt}; {@code null} deletes it.
     */
    default void setCredits(String owner, @Nullable CreditBalance balance) {
        throw new UnsupportedOperationException(NO_CREDITS);
    }

    /**
     * Adds {@code delta} (negative: takes) to the balance of {@code owner} in one atomic step,
     * flooring the result at 0 and capping it at {@link dev.portcullis.Limit.Refill#MAX_AMOUNT}.
     *
     * @return the new remaining; empty if there is no such balance (nothing changed)
     */
    default java.util.OptionalLong addCredits(String owner, long delta) {
        return addCredits(new CreditTake(owner, 0, null), delta);
    }

    /**
     * {@link #addCredits(String, long)} on a balance that refills: a refill already due (its
     * boundary after the balance's {@code refilledAt}) is applied first, in the same atomic step, so
     * a top-up made after a boundary is added to the refilled balance rather than lost at the next take.
     *
     * @return the new remaining; empty if there is no such balance (nothing changed)
     */
    default java.util.OptionalLong addCredits(CreditTake balance, long delta) {
        throw new UnsupportedOperationException(NO_CREDITS);
    }

    /**
     * Why the credit methods of a store that keeps none throw: a credential with credits on such a
     * store is then denied ({@code STORE_UNAVAILABLE}), never free. The stores of Portcullis keep them.
     */
    String NO_CREDITS = "this store keeps no credit balances";
}
