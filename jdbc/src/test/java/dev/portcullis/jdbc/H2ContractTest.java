package dev.portcullis.jdbc;

import dev.portcullis.spi.CredentialStore;
import dev.portcullis.testkit.CredentialStoreContract;

import java.time.Duration;

/** The store contract on embedded H2, a fresh database per test. */
class H2ContractTest extends CredentialStoreContract {
    private static final Duration POLL = Duration.ofMillis(100);

    @Override
    protected CredentialStore newStore() {
        return JdbcCredentialStore.builder(Databases.h2()).pollInterval(POLL).build();
    }

    @Override
    protected void closeStore(CredentialStore store) {
        ((JdbcCredentialStore) store).close();
    }

    @Override
    protected Duration changeFeedBound() {
        return POLL;
    }
}
