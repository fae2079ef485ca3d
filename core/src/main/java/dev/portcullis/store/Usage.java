package dev.portcullis.store;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * How a credential has been used, as the store holds it, or a batch of additions to it.
 *
 * @param keyId the record
 * @param lastUsedAt the latest use, or {@code null}
 * @param lastClientAddress the client address of that use, or {@code null}
 * @param counts attempts per outcome name ({@code ALLOWED}, or a {@code DenyReason} name)
 * @param networks networks seen (IPv4 /24, IPv6 /48 in CIDR form), bounded by {@link #MAX_NETWORKS}
 */
public record Usage(String keyId, Instant lastUsedAt, String lastClientAddress, Map<String, Long> counts, Set<String> networks) {
    /** The most networks a store keeps per credential; later ones are dropped. */
    public static final int MAX_NETWORKS = 256;

    public Usage {
        counts = Map.copyOf(counts);
        networks = Set.copyOf(networks);
    }
}
