package dev.portcullis.testing;

import dev.portcullis.spi.AccountRecord;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.Page;
import dev.portcullis.spi.StoreChange;
import dev.portcullis.spi.Usage;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * A store that forwards every call to a real one (a new in-memory store unless given): a test
 * overrides only the calls it breaks, stalls or counts, and a method added to
 * {@link CredentialStore} is forwarded here once instead of in every test's copy.
 */
public abstract class ForwardingCredentialStore implements CredentialStore {
    private final CredentialStore delegate;

    protected ForwardingCredentialStore(CredentialStore delegate) {
        this.delegate = delegate;
    }

    protected ForwardingCredentialStore() {
        this(CredentialStore.inMemory());
    }

    protected final CredentialStore delegate() {
        return delegate;
    }

    @Override
    public Optional<KeyRecord> findById(String id) {
        return delegate.findById(id);
    }

    @Override
    public Optional<KeyRecord> findByUsername(String username) {
        return delegate.findByUsername(username);
    }

    @Override
    public KeyRecord save(KeyRecord record, long expectedVersion) {
        return delegate.save(record, expectedVersion);
    }

    @Override
    public Page<KeyRecord> listByAccount(String account, String cursor, int limit) {
        return delegate.listByAccount(account, cursor, limit);
    }

    @Override
    public void addUsage(Collection<Usage> batch) {
        delegate.addUsage(batch);
    }

    @Override
    public Optional<Usage> usage(String keyId) {
        return delegate.usage(keyId);
    }

    @Override
    public Optional<AccountRecord> findAccount(String account) {
        return delegate.findAccount(account);
    }

    @Override
    public AccountRecord saveAccount(AccountRecord account, long expectedVersion) {
        return delegate.saveAccount(account, expectedVersion);
    }

    @Override
    public AutoCloseable subscribe(Consumer<StoreChange> listener) {
        return delegate.subscribe(listener);
    }

    @Override
    public boolean hasChangeFeed() {
        return delegate.hasChangeFeed();
    }

    @Override
    public Duration changeFeedLag() {
        return delegate.changeFeedLag();
    }

    @Override
    public boolean pushConnected() {
        return delegate.pushConnected();
    }

    @Override
    public OptionalLong takeCredits(List<CreditTake> takes, long cost) {
        return delegate.takeCredits(takes, cost);
    }

    @Override
    public Optional<CreditBalance> credits(String owner) {
        return delegate.credits(owner);
    }

    @Override
    public void setCredits(String owner, CreditBalance balance) {
        delegate.setCredits(owner, balance);
    }

    @Override
    public OptionalLong addCredits(String owner, long delta) {
        return delegate.addCredits(owner, delta);
    }
}
