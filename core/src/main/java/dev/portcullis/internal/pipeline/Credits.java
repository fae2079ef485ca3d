package dev.portcullis.internal.pipeline;

import dev.portcullis.AuthResult.CreditStatus;
import dev.portcullis.DenyReason;
import dev.portcullis.Limit;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.AccountRecord;
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
    Denial take(Attempt a, CachedCredential c, CachedAccount account, long nowMillis) {
        String keyBalance = c.creditBalance;
        String accountBalance = account.creditBalance;
        if (a.cost == 0 || keyBalance == null && accountBalance == null) {
            return null;
        }
        KeyRecord r = c.record;
        AccountRecord ar = account.record;
        Instant now = Instant.ofEpochMilli(nowMillis);
        Limit.Refill keyRefill = keyBalance == null ? null : r.refill();
        Limit.Refill accountRefill = accountBalance == null ? null : ar.refill();
        Takes takes = c.creditTakes;
        Instant keyBoundary = keyRefill == null ? null : keyRefill.lastBoundary(now);
        Instant accountBoundary = accountRefill == null ? null : accountRefill.lastBoundary(now);
        if (takes == null || takes.account != ar || takes.keyBoundary != keyBoundary || takes.accountBoundary != accountBoundary) {
            // Once per refill period and account entry: the boundaries are the refill's cached instants.
            List<CreditTake> list = keyBalance == null ? List.of(take(accountBalance, accountRefill, accountBoundary))
                    : accountBalance == null ? List.of(take(keyBalance, keyRefill, keyBoundary))
                    : List.of(take(keyBalance, keyRefill, keyBoundary), take(accountBalance, accountRefill, accountBoundary));
            takes = new Takes(ar, keyBoundary, accountBoundary, list);
            c.creditTakes = takes;
        }
        OptionalLong left;
        try {
            left = store.takeCredits(takes.list, a.cost);
        } catch (RuntimeException e) { // the store cannot answer: a denial, never an allow
            return Denial.STORE_UNAVAILABLE;
        }
        Limit.Refill shown = keyBalance != null ? keyRefill : accountRefill;
        if (left.isEmpty() && keyBalance != null && accountBalance != null) {
            // Which balance refused decides when to come back (a read, off the path of admitted requests).
            shown = payable(keyBalance, keyRefill, keyBoundary, a.cost) ? accountRefill : keyRefill;
        }
        Duration untilRefill = null;
        long window = 0;
        if (shown != null) {
            Instant next = shown.nextBoundary(now);
            untilRefill = Duration.ofMillis(next.toEpochMilli() - nowMillis);
            window = (next.toEpochMilli() - shown.lastBoundary(now).toEpochMilli()) / 1000;
        }
        a.credits = new CreditStatus(left.orElse(0), shown == null ? 0 : shown.amount(), untilRefill, window);
        if (left.isPresent()) {
            return null;
        }
        a.retryAfter = untilRefill; // no Retry-After unless a refill is due
        return EXHAUSTED;
    }

    /**
     * A credential's takes for one account entry and refill period, kept on its cache entry: an
     * admitted request then makes no take objects. Compared by identity (the refills hand out the
     * same boundary instants all period), so a miss only costs building them again.
     */
    static final class Takes {
        final AccountRecord account;
        final Instant keyBoundary;
        final Instant accountBoundary;
        final List<CreditTake> list;

        Takes(AccountRecord account, Instant keyBoundary, Instant accountBoundary, List<CreditTake> list) {
            this.account = account;
            this.keyBoundary = keyBoundary;
            this.accountBoundary = accountBoundary;
            this.list = list;
        }
    }

    /** On a refusal of two balances only: whether this one could have paid. */
    private boolean payable(String owner, Limit.Refill refill, Instant boundary, long cost) {
        try {
            CredentialStore.CreditBalance b = store.credits(owner).orElse(null);
            long left = b == null ? 0 : refill != null && b.refilledAt().isBefore(boundary) ? refill.amount() : b.remaining();
            return left >= cost;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static CreditTake take(String owner, Limit.Refill refill, Instant boundary) {
        return refill == null ? new CreditTake(owner, 0, null) : new CreditTake(owner, refill.amount(), boundary);
    }
}
