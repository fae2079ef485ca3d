package dev.portcullis.internal.pipeline;

import dev.portcullis.DenyReason;

/**
 * The Network stage (DESIGN §2): the credential's CIDR allowlist (compiled with its cache entry,
 * see {@link dev.portcullis.internal.net.Allowlist}) against the client address, enforced, or only
 * reported when the credential or its account runs the allowlist report-only.
 */
final class Network {
    private static final Denial UNREADABLE = new Denial(DenyReason.IP_NOT_ALLOWED, "UNREADABLE_ALLOWLIST");
    private static final Denial NOT_ALLOWED = new Denial(DenyReason.IP_NOT_ALLOWED, null);

    private Network() {
    }

    /** {@code null} if the client may use the credential, or the check only reports (then {@code a.wouldDeny} says so). */
    static Denial check(Attempt a, CachedCredential c, CachedAccount account) {
        if (c.allowlist == null) {
            return UNREADABLE;
        }
        if (!c.allowlist.permits(a.client)) {
            if (!account.reportAllowlist && !c.reportsAllowlist) {
                return NOT_ALLOWED;
            }
            a.wouldDeny = DenyReason.IP_NOT_ALLOWED; // report-only: decided, reported, not enforced
        }
        return null;
    }
}
