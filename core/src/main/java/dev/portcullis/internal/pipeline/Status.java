package dev.portcullis.internal.pipeline;

import dev.portcullis.Channel;
import dev.portcullis.DenyReason;

/**
 * The Status stage (DESIGN §2) on a verified record: revoked, expired (a rotated-out key whose
 * grace is over included), then, once its account is looked up, the account suspended, and the
 * channel the credential may be presented on.
 */
final class Status {
    private static final Denial REVOKED = new Denial(DenyReason.REVOKED, null);
    private static final Denial EXPIRED = new Denial(DenyReason.EXPIRED, null);
    private static final Denial NO_RECORD = new Denial(DenyReason.UNKNOWN_KEY, "UNKNOWN_ID");
    private static final Denial SUSPENDED = new Denial(DenyReason.ACCOUNT_SUSPENDED, null);
    private static final Denial CHANNEL = new Denial(DenyReason.PERMISSION_DENIED, "CHANNEL");

    private Status() {
    }

    /** No record (a negative entry, which no secret matches: never reached), revoked, or expired at {@code now}; else {@code null}. */
    static Denial ofRecord(CachedCredential c, long now) {
        if (!c.present()) {
            return NO_RECORD; // fail closed, should a negative entry ever get here
        }
        if (c.revoked) {
            return REVOKED;
        }
        if (now >= c.expiresAtMillis) {
            return EXPIRED;
        }
        return null;
    }

    /** The account suspended, or the credential not usable on {@code channel}; else {@code null}. */
    static Denial ofAccount(CachedAccount account, CachedCredential c, Channel channel) {
        if (account.suspended) {
            return SUSPENDED;
        }
        if ((c.channels & 1 << channel.ordinal()) == 0) {
            return CHANNEL;
        }
        return null;
    }
}
