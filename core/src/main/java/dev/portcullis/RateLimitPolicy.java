package dev.portcullis;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The rate limits of a key: all must admit a request. Immutable.
 *
 * <pre>{@code RateLimitPolicy.of(Limit.perSecond(100).burst(200), Limit.perDay(50_000).perAccount())}</pre>
 */
public final class RateLimitPolicy {
    /** No limits. */
    public static final RateLimitPolicy UNLIMITED = new RateLimitPolicy(List.of());

    private final List<Limit> limits;

    private RateLimitPolicy(List<Limit> limits) {
        this.limits = limits;
    }

    public static RateLimitPolicy of(Limit... limits) {
        for (Limit l : limits) {
            Objects.requireNonNull(l, "limit");
        }
        return limits.length == 0 ? UNLIMITED : new RateLimitPolicy(List.of(limits));
    }

    public List<Limit> limits() {
        return limits;
    }

    /**
     * Parses the stored form written by {@link #toString()}: limits joined by {@code ;}, or the
     * empty string for {@link #UNLIMITED}.
     */
    public static RateLimitPolicy parse(@Nullable String stored) {
        if (stored == null || stored.isBlank()) {
            return UNLIMITED;
        }
        List<Limit> out = new ArrayList<>();
        for (String part : stored.split(";")) {
            out.add(Limit.parse(part));
        }
        return new RateLimitPolicy(List.copyOf(out));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Limit l : limits) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(l);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof RateLimitPolicy p && p.limits.equals(limits);
    }

    @Override
    public int hashCode() {
        return limits.hashCode();
    }
}
