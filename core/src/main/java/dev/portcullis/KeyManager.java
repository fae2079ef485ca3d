package dev.portcullis;

import dev.portcullis.spi.AccountRecord;
import dev.portcullis.spi.Page;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
     * @throws dev.portcullis.spi.StoreConflictException if the username is taken
     */
    IssuedKey createSmtpCredential(KeySpec spec);

    Optional<KeyInfo> get(String id);

    /**
     * The credentials of an account, by id, {@code limit} (1–1000) at a time.
     *
     * @param cursor {@code null}, or the {@code nextCursor} of the previous page
     */
    Page<KeyInfo> list(String account, @Nullable String cursor, int limit);

    /**
     * Revokes a credential at once: every authenticator on the store denies it from the next
     * request on (in-process) or within the store's change-feed bound (fleet). Revoking a revoked
     * credential changes nothing.
     *
     * @return the credential as revoked
     * @throws PortcullisException.NotFound if there is no such credential
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
    AccountRecord setAccountRateLimit(String account, @Nullable RateLimitPolicy policy);

    /**
     * Makes checks report-only for every credential of the account (none: enforce all again); the
     * change reaches running authenticators through the change feed.
     */
    AccountRecord setAccountReportOnly(String account, Check... checks);

    /**
     * Rotates an API key: a new key with the same account, name, grants, allowlist, limits,
     * channels and expiry (an expiry given as a lifetime renews: now plus the lifetime). The old
     * key keeps working until {@code now + grace} (never past its own expiry), then is denied as
     * expired; {@link Duration#ZERO} swaps at once.
     *
     * @return the new key, whose token is shown only now
     * @throws IllegalStateException if the key was already rotated (it is in, or past, its grace
     *     period), is revoked or expired
     * @throws IllegalArgumentException for a password credential (use {@link #changePassword}) or a negative grace
     */
    IssuedKey rotate(String id, java.time.Duration grace);

    /**
     * Changes a live credential; running authenticators see the change through the store's feed.
     *
     * @throws IllegalStateException if it is revoked
     */
    KeyInfo update(String id, KeyUpdate update);

    /**
     * Sets a credential's credits to {@code remaining}, refilling as {@code refill} (or not, if
     * {@code null}); {@code remaining} {@code null} makes it unlimited. A rotated key and its
     * successor share one balance, so this sets both.
     *
     * @throws IllegalArgumentException if {@code remaining} is negative or above
     *     {@link Limit.Refill#MAX_AMOUNT}, or a refill is given without credits
     * @throws IllegalStateException if it is revoked
     * @throws PortcullisException.NotFound if there is no such credential
     */
    KeyInfo setCredits(String id, @Nullable Long remaining, Limit.@Nullable Refill refill);

    /**
     * Adds {@code delta} credits (negative: takes them away, never below 0) in one atomic step, so
     * concurrent requests and top-ups never lose one another's changes. A top-up lasts until the
     * next refill, which sets the balance to the refill's amount.
     *
     * @return the credential with its new balance
     * @throws IllegalStateException if it is unlimited (give it credits with {@link #setCredits}) or revoked
     * @throws PortcullisException.NotFound if there is no such credential
     */
    KeyInfo addCredits(String id, long delta);

    /**
     * Credits shared by every credential of the account, taken on top of each credential's own;
     * {@code remaining} {@code null} removes them.
     *
     * @throws IllegalArgumentException as {@link #setCredits}
     */
    AccountRecord setAccountCredits(String account, @Nullable Long remaining, Limit.@Nullable Refill refill);

    /**
     * Adds {@code delta} (negative: takes) to the account's credits, atomically, never below 0.
     *
     * @return the new balance
     * @throws IllegalStateException if the account has no credits
     */
    long addAccountCredits(String account, long delta);

    /** Revokes every live credential of the account. @return how many were revoked */
    int revokeAll(String account);

    /** Which credential a token is, after full verification of its secret; empty if it verifies as none. */
    Optional<KeyInfo> whoami(@Nullable String token);

    /**
     * Revokes the API key {@code token} is, at once, if and only if the token verifies exactly as
     * {@link Authenticator#authenticate} verifies it: whoever holds a key may end it (an API's
     * {@code DELETE /keys/self}), whatever its grants. The {@link KeyEvent} is {@code REVOKED} with
     * detail {@code self}. A token that verifies as no key (unknown, wrong secret, bad checksum,
     * {@code null}, an SMTP password) changes nothing and emits nothing.
     *
     * @return the key as revoked (as it was, if it already was revoked); empty if the token verifies as none
     */
    Optional<KeyInfo> revokeSelf(@Nullable String token);

    /** A new generated password (≥ 128 bits) for an SMTP credential; the old one stops working at once. */
    IssuedKey changePassword(String id);

    /**
     * A password the user chose, of at least {@value KeySpec#MIN_PASSWORD_LENGTH} characters.
     *
     * @throws IllegalArgumentException if it is too short
     */
    KeyInfo changePassword(String id, String newPassword);

    /**
     * Imports a key issued elsewhere, so its holders need not change anything: a token of the
     * configured {@link KeyFormat#imported imported} format (its id derived from the pepper), or of
     * the native format (its own id). Only the token's digest is stored.
     *
     * @throws IllegalArgumentException if the token matches neither format
     */
    KeyInfo importKey(String token, KeySpec spec);

    /**
     * Imports an SMTP login with its existing password hash: an Argon2id PHC string, or a hash the
     * configured {@link LegacyPasswordVerifier} reads. It is rehashed to Argon2id on the first
     * successful login.
     *
     * @throws IllegalArgumentException for a hash nothing here can verify, or a spec with a password
     */
    KeyInfo importSmtpCredential(KeySpec spec, String passwordHash);

    /**
     * Reports a leaked token (e.g. from a secret-scanning partner). The token is verified exactly
     * as {@link Authenticator#authenticate} verifies it; only a token whose secret matches revokes
     * its key, at once. Anything else changes nothing. Every report emits a {@link KeyEvent}
     * naming {@code source}.
     */
    LeakReport reportLeaked(@Nullable String token, String source);

    /** The outcome of {@link #reportLeaked}. */
    enum LeakReport {
        /** The token verified; its key is now revoked. */
        REVOKED,
        /** The token verified, but its key was already revoked. */
        ALREADY_REVOKED,
        /** The token did not verify; nothing changed. */
        UNVERIFIED
    }

    /** Usage as recorded so far (flushed to the store and not yet flushed), if the credential exists. */
    Optional<dev.portcullis.spi.Usage> usage(String id);

    /**
     * This manager, stamping every change it makes with {@code actor} and {@code reason} (on the
     * record and in the {@link KeyEvent}). Both are free text the application chooses; they must
     * not hold secrets.
     */
    KeyManager changedBy(@Nullable String actor, @Nullable String reason);

    /**
     * This manager as seen by a key acting through an API: it creates, changes, revokes and lists
     * credentials only in its own account, only with {@code keys:write} (or {@code keys:read} to get
     * and list), only with grants it holds itself, only with an expiry no later than its own, and
     * never making credits: a key with credits gives no credential more than it has left (nor an
     * unlimited one), and no key raises its own balance.
     * Anything else throws {@link PortcullisException.Denied} naming the rule. Account-wide operations
     * (suspension, account limits) are refused.
     */
    KeyManager actingAs(Principal principal);
}
