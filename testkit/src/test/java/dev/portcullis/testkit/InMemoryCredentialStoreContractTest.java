package dev.portcullis.testkit;

import dev.portcullis.spi.CredentialStore;

/** The in-memory store keeps the whole contract. */
class InMemoryCredentialStoreContractTest extends CredentialStoreContract {
    @Override
    protected CredentialStore newStore() {
        return CredentialStore.inMemory();
    }
}
