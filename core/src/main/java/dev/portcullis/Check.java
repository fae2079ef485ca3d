package dev.portcullis;

/**
 * A check that can run in report-only mode: decided and reported (in {@link AuthEvent#wouldDeny()}
 * and in metrics) but not enforced, so an operator can see who a new allowlist or limit would lock
 * out before switching it on.
 */
public enum Check {
    /** The credential's CIDR allowlist. */
    ALLOWLIST,
    /** Rate limits: the credential's own, and its account's. */
    RATE_LIMIT
}
