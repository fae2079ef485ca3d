package dev.portcullis.internal.pipeline;

import dev.portcullis.DenyReason;

import java.time.Duration;

/**
 * The Throttle stage (DESIGN §2): the failure budgets, read before any store miss or hash and
 * spent by failures. The budgets themselves, and who is exempt, are {@link FailureBudgets}'.
 */
final class Throttle {
    private static final Denial NETWORK_BUDGET = new Denial(DenyReason.TOO_MANY_FAILURES, "NETWORK_BUDGET");
    private static final Denial LOGIN_BUDGET = new Denial(DenyReason.TOO_MANY_FAILURES, "LOGIN_BUDGET");
    private static final Denial ACCOUNT_BUDGET = new Denial(DenyReason.TOO_MANY_FAILURES, "ACCOUNT_BUDGET");

    private final FailureBudgets budgets;

    Throttle(FailureBudgets budgets) {
        this.budgets = budgets;
    }

    /** Before an API key's store miss: the client network's budget. */
    Denial keyMiss(Attempt a) {
        long blocked = budgets.networkBlocked(a.network(budgets), a.trusted());
        if (blocked > 0) {
            a.retryAfter = Duration.ofNanos(blocked);
            return NETWORK_BUDGET;
        }
        return null;
    }

    /** Before a password's lookup: the network's budget and the login's on it. */
    Denial login(Attempt a, String budgetName) {
        long blocked = budgets.loginBlocked(budgetName, a.network(budgets), a.trusted());
        if (blocked > 0) {
            a.retryAfter = Duration.ofNanos(blocked);
            return LOGIN_BUDGET;
        }
        return null;
    }

    /** Whether the login's account succeeded from the attempt's network before. */
    boolean isKnown(CachedCredential.Login l, Attempt a) {
        return budgets.isKnown(l.budgetAccount, a.network(budgets));
    }

    /**
     * Before a password's hash, from a network the account never succeeded from: the account's
     * budget. Spent and read for every login alike; it refuses only a login that exists.
     */
    Denial account(Attempt a, CachedCredential.Login l, boolean known) {
        if (!known) {
            long accountBlocked = budgets.accountBlocked(l.accountBudget);
            if (accountBlocked > 0 & l.exists()) {
                a.retryAfter = Duration.ofNanos(accountBlocked);
                return ACCOUNT_BUDGET;
            }
        }
        return null;
    }

    /** A failed key or request: the network's budget. */
    void keyFailed(Attempt a) {
        budgets.keyFailed(a.network(budgets), a.trusted());
    }

    /** A password pair that failed for the first time from this network (a repeat spends nothing: {@link LoginCache}). */
    void loginFailed(Attempt a, String budgetName, CachedCredential.Login l, boolean known) {
        budgets.loginFailed(budgetName, a.network(budgets), a.trusted(), l.accountBudget, known);
    }

    /** The attempt's failure-budget network, as the pair memory keys it. */
    String network(Attempt a) {
        return a.network(budgets);
    }

    void loginSucceeded(Attempt a, CachedCredential.Login l) {
        budgets.loginSucceeded(l.budgetAccount, a.network(budgets));
    }
}
