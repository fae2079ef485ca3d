package dev.portcullis.internal.keys;

import dev.portcullis.Grant;
import dev.portcullis.KeyManager;
import dev.portcullis.Limit;
import dev.portcullis.PortcullisException;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.internal.net.Cidrs;
import dev.portcullis.internal.rules.Grants;

import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.KeyRecord;

import inet.ipaddr.IPAddress;

import java.time.Clock;
import java.util.List;

/**
 * The escalation rule of {@link KeyManager#actingAs}, in one place: <b>a credential made or
 * changed by a management key can do nothing that key cannot do</b>, and the key cannot touch a
 * credential that can do more than it can.
 *
 * <p>A target is <em>within</em> the acting key when it is in the same account and
 * <ul>
 *   <li>each of its grants is implied by one of the actor's ({@link Grants#implies});
 *   <li>it expires no later than the actor, if the actor expires (never-expiring is later);
 *   <li>its networks lie inside the actor's, if the actor has an allowlist (a confined manager
 *       cannot make an unconfined key);
 *   <li>its channels are among the actor's, and its report-only checks among the actor's (an
 *       actor whose checks are enforced cannot lift them for others);
 *   <li>it is limited at least as tightly, if the actor has rate limits: for each of the
 *       actor's limits one of the same scope and period with no more rate and no more burst;
 *   <li>if the actor has credits: it has credits too, no more than the actor has left, and no
 *       refill (a refill makes credits every period); or it shares the actor's balance.
 * </ul>
 * And credits are never made from nothing ({@link #checkSet}, {@link #mustPay}): an actor with
 * credits gives them only from its own balance, in one atomic take, and no actor raises its own.
 *
 * Every check reads the actor's record as stored now: an actor revoked or expired since it
 * authenticated can do nothing. {@link DefaultKeyManager} calls {@link #check} inside its
 * read-change-save loop, on the record read and the record about to be saved, so the rule holds
 * for the version actually written.
 */
final class ManagementScope {
    private final String actorId;
    private final String account;
    private final CredentialStore store;
    private final Clock clock;
    private final RateLimitPolicy defaultPolicy;

    ManagementScope(String actorId, String account, CredentialStore store, Clock clock, RateLimitPolicy defaultPolicy) {
        this.actorId = actorId;
        this.account = account;
        this.store = store;
        this.clock = clock;
        this.defaultPolicy = defaultPolicy;
    }

    String account() {
        return account;
    }

    String actorId() {
        return actorId;
    }

    /**
     * The actor as stored now, if it may still manage credentials with {@code permission}.
     *
     * @throws PortcullisException.Denied if it is gone, revoked, expired, moved, or lacks the permission
     */
    KeyRecord actor(String permission) {
        KeyRecord a = store.findById(actorId).orElse(null);
        if (a == null || a.isRevoked() || a.isExpiredAt(clock.instant()) || !a.account().equals(account)) {
            throw new PortcullisException.Denied("key " + actorId + " is no longer valid: it manages nothing");
        }
        if (store.findAccount(account).map(x -> x.isSuspended()).orElse(false)) {
            throw new PortcullisException.Denied("account " + account + " is suspended: its keys manage nothing");
        }
        if (!Grants.allows(a.grants(), permission, null)) {
            throw new PortcullisException.Denied("key " + actorId + " lacks " + permission);
        }
        return a;
    }

    /** Refuses a credential in another account. */
    void ownAccount(String other) {
        if (!account.equals(other)) {
            throw new PortcullisException.Denied("key " + actorId + " may manage only account " + account);
        }
    }

    /**
     * Refuses the change of {@code before} (or {@code null} for a new credential) into
     * {@code after} (or {@code null} for none) unless both are within the actor.
     *
     * @throws PortcullisException.Denied naming the first rule broken
     */
    void check(KeyRecord before, KeyRecord after) {
        KeyRecord actor = actor("keys:write");
        for (KeyRecord target : new KeyRecord[] {before, after}) {
            if (target != null) {
                String why = whyNotWithin(actor, target);
                if (why != null) {
                    throw new PortcullisException.Denied("key " + actorId + " cannot manage " + target.id() + ": " + why);
                }
            }
        }
    }

    /** Whether {@code target} is within the actor as stored now. */
    boolean within(KeyRecord target) {
        return whyNotWithin(actor("keys:write"), target) == null;
    }

    /** {@code null} if {@code target} can do nothing {@code actor} cannot, else the rule it breaks. */
    String whyNotWithin(KeyRecord actor, KeyRecord target) {
        if (!actor.account().equals(target.account())) {
            return "it is in another account";
        }
        if (!Grants.impliesAll(actor.grants(), target.grants())) {
            return "it would hold a grant the acting key does not hold";
        }
        if (actor.expiresAt() != null && (target.expiresAt() == null || target.expiresAt().isAfter(actor.expiresAt()))) {
            return "it would outlive the acting key (" + actor.expiresAt() + ")";
        }
        if (!networksWithin(actor.allowlist(), target.allowlist())) {
            return "its networks exceed the acting key's allowlist";
        }
        if (!actor.channels().containsAll(target.channels())) {
            return "its channels exceed the acting key's";
        }
        if (!actor.reportOnly().containsAll(target.reportOnly())) {
            return "it would not enforce a check the acting key enforces";
        }
        if (!limitedWithin(effective(actor), effective(target))) {
            return "its rate limits are looser than the acting key's";
        }
        if (!creditsWithin(actor, target)) {
            return "its credits are looser than the acting key's";
        }
        return null;
    }

    /**
     * Refuses setting {@code target}'s credits to {@code remaining} ({@code null}: unlimited) refilling
     * as {@code refill}, when the actor could not: a change to the actor's own balance (its own, or one
     * it shares through rotation) other than lowering it; or, from an actor with credits, anything but
     * lowering a balance without a refill (credits are given with {@link #mustPay}, from its own).
     *
     * @param targetNow the target's credits now ({@link Long#MAX_VALUE} if it has none)
     * @throws PortcullisException.Denied naming the rule
     */
    void checkSet(KeyRecord target, Long remaining, Limit.Refill refill, long targetNow) {
        KeyRecord actor = actor("keys:write");
        if (sharesBalance(actor, target)) {
            if (remaining == null || remaining > targetNow || !java.util.Objects.equals(refill, target.refill())) {
                throw new PortcullisException.Denied("key " + actorId + " cannot give itself credits");
            }
            return;
        }
        if (actor.creditBalance() != null && (remaining == null || refill != null || remaining > targetNow)) {
            throw new PortcullisException.Denied("key " + actorId + " has credits: it can lower a balance, and give"
                    + " credits only from its own (addCredits), never unlimited or refilling ones");
        }
    }

    /**
     * Whether giving {@code target} {@code delta} credits must be paid from the actor's own balance:
     * an actor with credits gives only what it has, so no credit is ever made from nothing.
     *
     * @throws PortcullisException.Denied if the target is the actor's own balance and {@code delta} raises it
     */
    boolean mustPay(KeyRecord target, long delta) {
        KeyRecord actor = actor("keys:write");
        if (delta <= 0) {
            return false;
        }
        if (sharesBalance(actor, target)) {
            throw new PortcullisException.Denied("key " + actorId + " cannot give itself credits");
        }
        return actor.creditBalance() != null;
    }

    /** The actor as stored now, which pays for credits it gives. */
    KeyRecord payer() {
        return actor("keys:write");
    }

    private static boolean sharesBalance(KeyRecord actor, KeyRecord target) {
        return target.id().equals(actor.id())
                || target.creditBalance() != null && target.creditBalance().equals(actor.creditBalance());
    }

    /**
     * An actor with credits reaches only credentials with credits that hold no more than it has left
     * and do not refill (a refill makes credits every period), or that share its own balance.
     */
    private boolean creditsWithin(KeyRecord actor, KeyRecord target) {
        if (actor.creditBalance() == null || sharesBalance(actor, target)) {
            return true;
        }
        if (target.creditBalance() == null || target.refill() != null) {
            return false;
        }
        java.time.Instant now = clock.instant();
        return DefaultKeyManager.remaining(store, target.creditBalance(), null, now)
                <= DefaultKeyManager.remaining(store, actor.creditBalance(), actor.refill(), now);
    }

    private RateLimitPolicy effective(KeyRecord r) {
        return r.rateLimit() != null ? r.rateLimit() : defaultPolicy;
    }

    /** Every block of {@code target} inside a block of {@code actor}; anything is within no allowlist. */
    private static boolean networksWithin(List<String> actor, List<String> target) {
        if (actor.isEmpty()) {
            return true;
        }
        if (target.isEmpty()) {
            return false; // unconfined
        }
        IPAddress[] held = new IPAddress[actor.size()];
        for (int i = 0; i < held.length; i++) {
            held[i] = Cidrs.parseBlock(actor.get(i));
        }
        for (String t : target) {
            IPAddress block = Cidrs.parseBlock(t);
            boolean inside = false;
            for (IPAddress h : held) {
                if (h.getIPVersion() == block.getIPVersion() && h.contains(block)) {
                    inside = true;
                    break;
                }
            }
            if (!inside) {
                return false;
            }
        }
        return true;
    }

    /** For each of the actor's limits, one of the target's of the same scope and period, no looser. */
    private static boolean limitedWithin(RateLimitPolicy actor, RateLimitPolicy target) {
        for (Limit held : actor.limits()) {
            boolean matched = false;
            for (Limit t : target.limits()) {
                if (t.scope() == held.scope() && t.period().equals(held.period())
                        && t.rate() <= held.rate() && t.capacity() <= held.capacity()) {
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                return false;
            }
        }
        return true;
    }
}
