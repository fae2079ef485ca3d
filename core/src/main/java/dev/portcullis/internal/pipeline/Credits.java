package dev.portcullis.internal.pipeline;

import dev.portcullis.AuthResult.CreditStatus;
import dev.portcullis.DenyReason;
import dev.portcullis.Limit;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.CredentialStore.CreditTake;
import dev.portcullis.spi.KeyRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * The Credits stage, last before the decision: a request every other stage admitted takes its cost
 * from the key's and the account's credit balances, all or nothing, in one atomic store call.
 * Every take goes to the store (no lease): a fleet can never spend credits it does not have, and a
 * crashed node loses none. A credential without a balance pays nothing and costs no store call.
 */
final class Credits {
    private static final Denial EXHAUSTED = new Denial(DenyReason.CREDITS_EXHAUSTED, null);

    private final CredentialStore store;

    Credits(CredentialStore store) {
        this.store = store;
    }

    /** {@code null} if the cost was taken (or nothing was owed), else the denial; sets {@code a.credits}. */
    Denial take(Attempt a, KeyRecord r, CachedAccount account, long nowMillis) {
        String keyBalance = r.creditBalance();
        String accountBalance = account.record == null ? null : account.record.creditBalance();
        if (a.cost == 0 || keyBalance == null && accountBalance == null) {
            return null;
        }
        Instant now = Instant.ofEpochMilli(nowMillis);
        Limit.Refill shown = keyBalance != null ? r.refill() : account.record.refill();
        List<CreditTake> takes = keyBalance == null ? List.of(take(accountBalance, account.record.refill(), now))
                : accountBalance == null ? List.of(take(keyBalance, r.refill(), now))
                : List.of(take(keyBalance, r.refill(), now), take(accountBalance, account.record.refill(), now));
        OptionalLong left;
        try {
            left = store.takeCredits(takes, a.cost);
        } catch (RuntimeException e) { // the store cannot answer: a denial, never an allow
            return Denial.STORE_UNAVAILABLE;
        }
        if (left.isEmpty() && keyBalance != null && accountBalance != null && !payable(keyBalance, r.refill(), now, a.cost)) {
            shown = r.refill(); // the key's refused
        } else if (left.isEmpty() && keyBalance != null && accountBalance != null) {
            shown = account.record.refill(); // the account's refused: its refill is when to come back
        }
        Duration untilRefill = shown == null ? null : Duration.between(now, shown.nextBoundary(now));
        long window = shown == null ? 0 : Duration.between(shown.lastBoundary(now), shown.nextBoundary(now)).toSeconds();
        a.credits = new CreditStatus(left.orElse(0), shown == null ? 0 : shown.amount(), untilRefill, window);
        if (left.isPresent()) {
            return null;
        }
        a.retryAfter = untilRefill; // no Retry-After unless a refill is due
        return EXHAUSTED;
    }

    /** On a refusal of two balances only: whether this one could have paid (a read, off the path of admitted requests). */
    private boolean payable(String owner, Limit.Refill refill, Instant now, long cost) {
        try {
            CredentialStore.CreditBalance b = store.credits(owner).orElse(null);
            long left = b == null ? 0 : refill != null && b.refilledAt().isBefore(refill.lastBoundary(now)) ? refill.amount() : b.remaining();
            return left >= cost;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static CreditTake take(String owner, Limit.Refill refill, Instant now) {
        return refill == null ? new CreditTake(owner, 0, null) : new CreditTake(owner, refill.amount(), refill.lastBoundary(now));
    }
}
