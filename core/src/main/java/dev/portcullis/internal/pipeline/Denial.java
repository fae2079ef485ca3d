package dev.portcullis.internal.pipeline;

import dev.portcullis.DenyReason;

/**
 * How a stage ends a request: the reason, and the fixed-vocabulary detail for the event. Constants
 * only, so a denial allocates nothing; {@code null} from a stage means "pass it on".
 */
final class Denial {
    static final Denial STORE_UNAVAILABLE = new Denial(DenyReason.STORE_UNAVAILABLE, null);

    final DenyReason reason;
    final String detail;

    Denial(DenyReason reason, String detail) {
        this.reason = reason;
        this.detail = detail;
    }

    @Override
    public String toString() {
        return "Denial[" + reason + (detail == null ? "" : " " + detail) + "]";
    }
}
