package dev.portcullis;

import dev.portcullis.store.AccountRecord;
import dev.portcullis.store.Page;

import java.util.Optional;

/**
 * Writes credentials: the management half of {@link Portcullis}. Every change goes to the
 * {@code CredentialStore}, whose change feed brings every {@link Authenticator} on it up to date.
 * Thread-safe.
 */
public interface KeyManager {

    /**
     * Creates an API key. The returned token is the only copy; only its digest is stored.
     *
     * @throws IllegalArgumentException if a CIDR of the spec is not a block (e.g. {@code 10.1.2.3/8})
     */
    IssuedKey create(KeySpec spec);

    /**
     * Creates an SMTP login; the returned password is the only copy (only its Argon2id hash is stored).
     *
     * @throws dev.portcullis.store.StoreConflictException if the username is taken
     */
    IssuedPassword createSmtpCredential(SmtpCredentialSpec spec);

    Optional<KeyInfo> get(String id);

    /**
     * The credentials of an account, by id, {@code limit} (1–1000) at a time.
     *
     * @param cursor {@code null}, or the {@code nextCursor} of the previous page
     */
    Page<KeyInfo> list(String account, String cursor, int limit);

    /**
     * Revokes a credential at once: every authenticator on the store denies it from the next
     * request on (in-process) or within the store's change-feed bound (fleet). Revoking a revoked
     * credential changes nothing.
     *
     * @return the credential as revoked
     * @throws java.util.NoSuchElementException if there is no such credential
     */
    KeyInfo revoke(String id);

    /**
     * Suspends an account: every credential of it is denied with {@code ACCOUNT_SUSPENDED} until
     * {@link #resume}. Suspending a suspended account changes nothing.
     */
    AccountRecord suspend(String account);

    /** Lifts a suspension; resuming an active account changes nothing. */
    AccountRecord resume(String account);

    /**
     * Limits shared by every credential of the account, on top of each credential's own;
     * {@code null} removes them.
     */
    AccountRecord setAccountRateLimit(String account, RateLimitPolicy policy);

    /**
     * This manager as seen by a key acting through an API: it creates, changes, revokes and lists
     * credentials only in its own account, only with {@code keys:write} (or {@code keys:read} to get
     * and list), only with grants it holds itself, and only with an expiry no later than its own.
     * Anything else throws {@link SecurityException} naming the rule. Account-wide operations
     * (suspension, account limits) are refused.
     */
    KeyManager actingAs(Principal principal);
}
