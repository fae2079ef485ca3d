package dev.portcullis;

import java.time.Duration;
import java.util.Objects;

/**
 * One rate limit: {@code rate} requests per {@code period}, refilled greedily, with a bucket of
 * {@code capacity} (the burst; by default equal to the rate), counted per key or per account.
 * Immutable; the builder-style methods return new instances.
 */
public final class Limit {
    /** What a limit counts. */
    public enum Scope { KEY, ACCOUNT }

    private final long rate;
    private final Duration period;
    private final long capacity;
    private final Scope scope;

    private Limit(long rate, Duration period, long capacity, Scope scope) {
        if (rate < 1) {
            throw new IllegalArgumentException("a limit's rate must be at least 1, got " + rate);
        }
        if (period.isNegative() || period.isZero() || period.compareTo(Duration.ofDays(366)) > 0) {
            throw new IllegalArgumentException("a limit's period must be positive and at most a year, got " + period);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("a limit's burst must be at least 1, got " + capacity);
        }
        this.rate = rate;
        this.period = period;
        this.capacity = capacity;
        this.scope = scope;
    }

    public static Limit per(long rate, Duration period) {
        return new Limit(rate, Objects.requireNonNull(period, "period"), rate, Scope.KEY);
    }

    public static Limit perSecond(long rate) {
        return per(rate, Duration.ofSeconds(1));
    }

    public static Limit perMinute(long rate) {
        return per(rate, Duration.ofMinutes(1));
    }

    public static Limit perHour(long rate) {
        return per(rate, Duration.ofHours(1));
    }

    public static Limit perDay(long rate) {
        return per(rate, Duration.ofDays(1));
    }

    /** The same limit with a bucket of {@code capacity} requests. */
    public Limit burst(long capacity) {
        return new Limit(rate, period, capacity, scope);
    }

    /** The same limit, shared by every key of the account. */
    public Limit perAccount() {
        return new Limit(rate, period, capacity, Scope.ACCOUNT);
    }

    public long rate() {
        return rate;
    }

    public Duration period() {
        return period;
    }

    public long capacity() {
        return capacity;
    }

    public Scope scope() {
        return scope;
    }

    /** Stored form: {@code rate/period/capacity/scope}, e.g. {@code 100/PT1S/200/key}. */
    @Override
    public String toString() {
        return rate + "/" + period + "/" + capacity + "/" + scope.name().toLowerCase(java.util.Locale.ROOT);
    }

    static Limit parse(String s) {
        String[] p = s.trim().split("/", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("a limit is rate/period/capacity/scope, got \"" + s + "\"");
        }
        try {
            Scope scope = Scope.valueOf(p[3].toUpperCase(java.util.Locale.ROOT));
            return new Limit(Long.parseLong(p[0]), Duration.parse(p[1]), Long.parseLong(p[2]), scope);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a limit: \"" + s + "\"", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Limit l && l.rate == rate && l.period.equals(period) && l.capacity == capacity && l.scope == scope;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rate, period, capacity, scope);
    }
}
