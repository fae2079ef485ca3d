package dev.portcullis;

import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.Page;
import dev.portcullis.spi.StoreChange;
import dev.portcullis.spi.StoreException;
import dev.portcullis.spi.Usage;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A real in-memory store behind a switch: reads can fail, or stall after reading. */
class ControllableStore implements CredentialStore {
    private final CredentialStore delegate = CredentialStore.inMemory();
    volatile boolean down;
    /** When set, findById answers with this (older) record for its id: a lagging replica. */
    volatile KeyRecord lagging;
    /** When set, changes are saved but not announced: a feed that missed them. */
    volatile boolean feedMuted;
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger usageWrites = new AtomicInteger();
    /** When set, the next findById reads its answer, signals {@code stalled}, then waits for {@code release}. */
    volatile CountDownLatch release;
    final CountDownLatch stalled = new CountDownLatch(1);

    private void check() {
        if (down) {
            throw new StoreException("store is down (test)");
        }
    }

    @Override
    public Optional<KeyRecord> findById(String id) {
        reads.incrementAndGet();
        check();
        KeyRecord lag = lagging;
        Optional<KeyRecord> answer = lag != null && lag.id().equals(id) ? Optional.of(lag) : delegate.findById(id);
        CountDownLatch r = release;
        if (r != null) {
            release = null;
            stalled.countDown();
            try {
                if (!r.await(10, TimeUnit.SECONDS)) {
                    throw new StoreException("stall never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted");
            }
        }
        return answer;
    }

    @Override
    public Optional<KeyRecord> findByUsername(String username) {
        reads.incrementAndGet();
        check();
        return delegate.findByUsername(username);
    }

    /** When set, runs once before the next save of a new record (expected version 0): a change racing it. */
    volatile Runnable beforeNextCreate;

    @Override
    public KeyRecord save(KeyRecord record, long expectedVersion) {
        check();
        Runnable race = beforeNextCreate;
        if (race != null && expectedVersion == 0) {
            beforeNextCreate = null;
            race.run();
        }
        return delegate.save(record, expectedVersion);
    }

    @Override
    public Page<KeyRecord> listByAccount(String account, String cursor, int limit) {
        check();
        return delegate.listByAccount(account, cursor, limit);
    }

    @Override
    public void addUsage(Collection<Usage> batch) {
        check();
        usageWrites.incrementAndGet();
        delegate.addUsage(batch);
    }

    @Override
    public Optional<Usage> usage(String keyId) {
        check();
        return delegate.usage(keyId);
    }

    @Override
    public Optional<dev.portcullis.spi.AccountRecord> findAccount(String account) {
        reads.incrementAndGet();
        check();
        return delegate.findAccount(account);
    }

    @Override
    public dev.portcullis.spi.AccountRecord saveAccount(dev.portcullis.spi.AccountRecord account, long expectedVersion) {
        check();
        return delegate.saveAccount(account, expectedVersion);
    }

    @Override
    public AutoCloseable subscribe(Consumer<StoreChange> listener) {
        return delegate.subscribe(change -> {
            if (!feedMuted) {
                listener.accept(change);
            }
        });
    }

    @Override
    public java.util.OptionalLong takeCredits(java.util.List<CreditTake> takes, long cost) {
        check();
        return delegate.takeCredits(takes, cost);
    }

    @Override
    public Optional<CreditBalance> credits(String owner) {
        check();
        return delegate.credits(owner);
    }

    @Override
    public void setCredits(String owner, CreditBalance balance) {
        check();
        delegate.setCredits(owner, balance);
    }

    @Override
    public java.util.OptionalLong addCredits(String owner, long delta) {
        check();
        return delegate.addCredits(owner, delta);
    }
}
