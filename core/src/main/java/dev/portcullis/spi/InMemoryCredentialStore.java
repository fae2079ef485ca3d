package dev.portcullis.spi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** {@link CredentialStore#inMemory()}: one lock for writes, which are rare; changes published synchronously. */
final class InMemoryCredentialStore implements CredentialStore {
    private final Map<String, KeyRecord> byId = new HashMap<>();
    private final Map<String, String> idByUsername = new HashMap<>();
    private final Map<String, Usage> usage = new HashMap<>();
    private final Map<String, AccountRecord> accounts = new HashMap<>();
    /** Mutable under the lock, so that a take makes no objects. */
    private final Map<String, Balance> credits = new HashMap<>();

    private static final class Balance {
        long remaining;
        Instant refilledAt;

        Balance(long remaining, Instant refilledAt) {
            this.remaining = remaining;
            this.refilledAt = refilledAt;
        }

        /** What is left at a take's refill boundary: the refill's amount if it came after the last refill. */
        long remainingAt(CreditTake t) {
            return refilled(t) ? t.refillAmount() : remaining;
        }

        boolean refilled(CreditTake t) {
            return t.boundary() != null && refilledAt.isBefore(t.boundary());
        }
    }
    private final List<Consumer<StoreChange>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public synchronized Optional<KeyRecord> findById(String id) {
        return Optional.ofNullable(byId.get(Objects.requireNonNull(id, "id")));
    }

    @Override
    public synchronized Optional<KeyRecord> findByUsername(String username) {
        String id = idByUsername.get(Objects.requireNonNull(username, "username"));
        return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
    }

    @Override
    public KeyRecord save(KeyRecord record, long expectedVersion) {
        Objects.requireNonNull(record, "record");
        KeyRecord saved;
        Set<String> usernames = new LinkedHashSet<>();
        synchronized (this) {
            KeyRecord current = byId.get(record.id());
            long currentVersion = current == null ? 0 : current.version();
            if (currentVersion != expectedVersion) {
                throw new StoreConflictException(current == null
                        ? "record " + record.id() + " does not exist"
                        : "record " + record.id() + " is at version " + currentVersion + ", not " + expectedVersion);
            }
            if (record.username() != null) {
                String owner = idByUsername.get(record.username());
                if (owner != null && !owner.equals(record.id())) {
                    throw new StoreConflictException("username is already taken");
                }
            }
            saved = record.toBuilder().version(expectedVersion + 1).build();
            byId.put(saved.id(), saved);
            if (current != null && current.username() != null) {
                idByUsername.remove(current.username());
                usernames.add(current.username());
            }
            if (saved.username() != null) {
                idByUsername.put(saved.username(), saved.id());
                usernames.add(saved.username());
            }
        }
        publish(StoreChange.credential(saved.id(), saved.version(), usernames));
        return saved;
    }

    @Override
    public synchronized Optional<AccountRecord> findAccount(String account) {
        return Optional.ofNullable(accounts.get(Objects.requireNonNull(account, "account")));
    }

    @Override
    public AccountRecord saveAccount(AccountRecord account, long expectedVersion) {
        Objects.requireNonNull(account, "account");
        AccountRecord saved;
        synchronized (this) {
            AccountRecord current = accounts.get(account.account());
            long currentVersion = current == null ? 0 : current.version();
            if (currentVersion != expectedVersion) {
                throw new StoreConflictException("account " + account.account() + " is at version " + currentVersion
                        + ", not " + expectedVersion);
            }
            saved = new AccountRecord(account.account(), account.suspendedAt(), account.rateLimit(), account.reportOnly(),
                    account.creditBalance(), account.refill(), expectedVersion + 1);
            accounts.put(saved.account(), saved);
        }
        publish(StoreChange.account(saved.account(), saved.version()));
        return saved;
    }

    /**
     * Outside the lock: a listener may wait on a reader (a cache eviction waits for a load in
     * flight), and that reader needs the lock.
     */
    private void publish(StoreChange change) {
        for (Consumer<StoreChange> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                System.getLogger(CredentialStore.class.getName())
                        .log(System.Logger.Level.WARNING, "change listener threw; ignored", e);
            }
        }
    }

    @Override
    public synchronized Page<KeyRecord> listByAccount(String account, @Nullable String cursor, int limit) {
        Objects.requireNonNull(account, "account");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1 to 1000, got " + limit);
        }
        TreeMap<String, KeyRecord> sorted = new TreeMap<>();
        for (KeyRecord r : byId.values()) {
            if (r.account().equals(account) && (cursor == null || r.id().compareTo(cursor) > 0)) {
                sorted.put(r.id(), r);
            }
        }
        List<KeyRecord> items = new ArrayList<>(Math.min(limit, sorted.size()));
        for (KeyRecord r : sorted.values()) {
            if (items.size() == limit) {
                break;
            }
            items.add(r);
        }
        String next = sorted.size() > limit ? items.get(items.size() - 1).id() : null;
        return new Page<>(items, next);
    }

    @Override
    public synchronized void addUsage(Collection<Usage> batch) {
        for (Usage d : batch) {
            if (!byId.containsKey(d.keyId())) {
                continue;
            }
            usage.merge(d.keyId(), d, Usage::plus);
        }
    }

    @Override
    public synchronized Optional<Usage> usage(String keyId) {
        return Optional.ofNullable(usage.get(keyId));
    }

    @Override
    public AutoCloseable subscribe(Consumer<StoreChange> listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public synchronized java.util.OptionalLong takeCredits(List<CreditTake> takes, long cost) {
        if (cost < 1 || takes.isEmpty()) {
            throw new IllegalArgumentException("a take is of at least 1 from at least one balance");
        }
        // Two passes under the lock: every balance must pay before any is charged, all or none.
        int n = takes.size();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            CreditTake t = Objects.requireNonNull(takes.get(i), "take");
            if (namedBefore(takes, i)) {
                continue; // a balance named twice is taken from once; its first take names its refill
            }
            Balance b = credits.get(t.owner());
            long remaining = b == null ? -1 : b.remainingAt(t);
            if (remaining < cost) {
                return java.util.OptionalLong.empty();
            }
            least = Math.min(least, remaining - cost);
        }
        for (int i = 0; i < n; i++) {
            CreditTake t = takes.get(i);
            if (!namedBefore(takes, i)) {
                Balance b = credits.get(t.owner());
                if (b.refilled(t)) {
                    b.remaining = t.refillAmount();
                    b.refilledAt = t.boundary();
                }
                b.remaining -= cost;
            }
        }
        return java.util.OptionalLong.of(least);
    }

    private static boolean namedBefore(List<CreditTake> takes, int i) {
        String owner = takes.get(i).owner();
        for (int j = 0; j < i; j++) {
            if (takes.get(j).owner().equals(owner)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized Optional<CreditBalance> credits(String owner) {
        Balance b = credits.get(Objects.requireNonNull(owner, "owner"));
        return b == null ? Optional.empty() : Optional.of(new CreditBalance(b.remaining, b.refilledAt));
    }

    @Override
    public synchronized void setCredits(String owner, @Nullable CreditBalance balance) {
        Objects.requireNonNull(owner, "owner");
        if (balance == null) {
            credits.remove(owner);
        } else {
            credits.put(owner, new Balance(balance.remaining(), balance.refilledAt()));
        }
    }

    @Override
    public synchronized java.util.OptionalLong addCredits(CreditTake balance, long delta) {
        String owner = Objects.requireNonNull(balance, "balance").owner();
        Balance b = credits.get(owner);
        if (b == null) {
            return java.util.OptionalLong.empty();
        }
        if (b.refilled(balance)) {
            b.remaining = balance.refillAmount();
            b.refilledAt = balance.boundary();
        }
        long next = Math.max(0, Math.min(dev.portcullis.Limit.Refill.MAX_AMOUNT,
                delta >= 0 ? Math.min(b.remaining + Math.min(delta, dev.portcullis.Limit.Refill.MAX_AMOUNT), Long.MAX_VALUE)
                        : b.remaining + Math.max(delta, -dev.portcullis.Limit.Refill.MAX_AMOUNT)));
        b.remaining = next;
        return java.util.OptionalLong.of(next);
    }

    @Override
    public String toString() {
        return "CredentialStore.inMemory()";
    }
}
