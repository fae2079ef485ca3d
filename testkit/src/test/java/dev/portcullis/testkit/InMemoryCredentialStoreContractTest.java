package dev.portcullis.testkit;

import dev.portcullis.store.CredentialStore;

/** The in-memory store keeps the whole contract. */
class InMemoryCredentialStoreContractTest extends CredentialStoreContract {
    @Override
    protected CredentialStore newStore() {
        return CredentialStore.inMemory();
    }
}
