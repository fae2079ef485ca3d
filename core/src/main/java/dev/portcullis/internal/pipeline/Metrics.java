package dev.portcullis.internal.pipeline;

import dev.portcullis.Channel;
import dev.portcullis.DenyReason;

/**
 * Where the pipeline reports what it decided, for metrics. {@link #NOOP} unless a Micrometer
 * registry was given, so the hot path costs nothing (and reads no clock) without one; the
 * Micrometer implementation lives in {@link MicrometerMetrics}, the only class that touches
 * Micrometer, which is therefore an optional dependency.
 */
interface Metrics {
    Metrics NOOP = new Metrics() {};

    /** A start time for the latency timer, or 0 when nothing measures it. */
    default long start() {
        return 0;
    }

    /** One decision: {@code reason} null when allowed; {@code wouldDeny} set by a report-only check. */
    default void decided(Channel channel, DenyReason reason, DenyReason wouldDeny, String keyId, long startNanos) {}

    /** A cached record was kept past a failed refresh (served stale, within the hard bound). */
    default void staleServed() {}
}
