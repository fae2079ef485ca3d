package dev.portcullis.spi;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a credential has been used, as the store holds it, or a batch of additions to it.
 *
 * @param keyId the record
 * @param lastUsedAt the latest use, or {@code null}
 * @param lastClientAddress the client address of that use, or {@code null}
 * @param counts attempts per outcome name ({@code ALLOWED}, or a {@code DenyReason} name)
 * @param networks networks seen (IPv4 /24, IPv6 /48 in CIDR form), bounded by {@link #MAX_NETWORKS}
 */
public record Usage(String keyId, @Nullable Instant lastUsedAt, @Nullable String lastClientAddress, Map<String, Long> counts,
        Set<String> networks) {
    /** The most networks a store keeps per credential; later ones are dropped. */
    public static final int MAX_NETWORKS = 256;

    public Usage {
        counts = Map.copyOf(counts);
        networks = Set.copyOf(networks);
    }

    /**
     * This usage with {@code more} added, as a store adds a batch: counts summed, the later use
     * wins for last-used time and address, networks unioned up to {@link #MAX_NETWORKS}.
     */
    public Usage plus(Usage more) {
        java.util.Map<String, Long> c = new java.util.HashMap<>(counts);
        more.counts.forEach((k, v) -> c.merge(k, v, Long::sum));
        java.util.Set<String> nets = new java.util.HashSet<>(networks);
        for (String n : more.networks) {
            if (nets.size() >= MAX_NETWORKS) {
                break;
            }
            nets.add(n);
        }
        boolean later = more.lastUsedAt != null && (lastUsedAt == null || more.lastUsedAt.isAfter(lastUsedAt));
        return new Usage(keyId, later ? more.lastUsedAt : lastUsedAt, later ? more.lastClientAddress : lastClientAddress, c, nets);
    }
}
