package dev.portcullis;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A change to a credential or an account, or a leak report, for the audit trail. Holds no secret.
 *
 * @param at when it happened
 * @param type what happened
 * @param keyId the credential, or {@code null} for account-wide events
 * @param account the account; {@code null} for a leak report whose token did not verify
 * @param actor who did it, as the application named them ({@link KeyManager#changedBy}); {@code null} if unnamed
 * @param reason why, as the application said; {@code null} if unsaid
 * @param detail a fixed-vocabulary detail, e.g. the successor's id of a rotation or a leak source; may be {@code null}
 */
public record KeyEvent(Instant at, Type type, @Nullable String keyId, @Nullable String account, @Nullable String actor,
        @Nullable String reason, @Nullable String detail) {
    public enum Type {
        CREATED,
        IMPORTED,
        ROTATED,
        UPDATED,
        PASSWORD_CHANGED,
        REVOKED,
        SUSPENDED,
        RESUMED,
        ACCOUNT_LIMITS_CHANGED,
        /** A credential's or an account's credits were set, added to or taken from by a manager (not by requests). */
        CREDITS_CHANGED,
        /** A leak report whose token verified: the key was revoked at once. */
        LEAK_REPORTED,
        /** A leak report for a key that was already revoked: nothing changed. */
        LEAK_REPORT_ALREADY_REVOKED,
        /** A leak report whose token did not verify (unknown, wrong secret, forged checksum): nothing changed. */
        LEAK_REPORT_UNVERIFIED
    }
}
