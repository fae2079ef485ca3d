package dev.portcullis;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

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
    public boolean equals(@Nullable Object o) {
        return o instanceof Limit l && l.rate == rate && l.period.equals(period) && l.capacity == capacity && l.scope == scope;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rate, period, capacity, scope);
    }

    /**
     * How a credit balance refills (see {@link KeySpec.Builder#credits}): at each boundary of its
     * schedule the balance is set to {@code amount} (not added to; unused credits do not pile up),
     * on the first request or read after the boundary. Boundaries are in UTC: every day at 00:00;
     * monthly on a day at 00:00 (the month's last day when it is shorter); or every ISO-8601 period
     * counted from 1970-01-01T00:00Z ({@code P7D}, {@code P1M}, {@code PT6H}). Immutable.
     *
     * <pre>{@code Limit.Refill.monthly(500, 1)   // a trial: 500 messages, topped up on the 1st}</pre>
     */
    public static final class Refill {
        /** A balance is at most this; a cost is too (see {@link AuthRequest#cost}). */
        public static final long MAX_AMOUNT = 1_000_000_000_000L;
        private static final java.time.LocalDate EPOCH = java.time.LocalDate.of(1970, 1, 1);

        private final long amount;
        /** 1 to 31 for a monthly refill, else 0. */
        private final int dayOfMonth;
        /** A date-based period (days, months, years), or {@code null}. */
        private final java.time.Period period;
        /** A time-based period, or {@code null}. */
        private final Duration duration;
        /** The period the last query fell in (not part of the value). */
        private volatile @Nullable Window window;

        private Refill(long amount, int dayOfMonth, java.time.Period period, Duration duration) {
            if (amount < 1 || amount > MAX_AMOUNT) {
                throw new IllegalArgumentException("a refill amount must be 1 to " + MAX_AMOUNT + ", got " + amount);
            }
            this.amount = amount;
            this.dayOfMonth = dayOfMonth;
            this.period = period;
            this.duration = duration;
        }

        /** {@code amount} every day at 00:00 UTC. */
        public static Refill daily(long amount) {
            return new Refill(amount, 0, java.time.Period.ofDays(1), null);
        }

        /** {@code amount} every month on {@code dayOfMonth} (1–31; the last day of a shorter month) at 00:00 UTC. */
        public static Refill monthly(long amount, int dayOfMonth) {
            if (dayOfMonth < 1 || dayOfMonth > 31) {
                throw new IllegalArgumentException("a day of the month is 1 to 31, got " + dayOfMonth);
            }
            return new Refill(amount, dayOfMonth, null, null);
        }

        /**
         * {@code amount} every ISO-8601 {@code period}: a date period ({@code P1D}, {@code P2W},
         * {@code P1M}, {@code P1Y}, not mixed with a time) or a time period of at least a minute
         * ({@code PT1H}), counted from 1970-01-01T00:00Z.
         *
         * @throws IllegalArgumentException if it is not such a period
         */
        public static Refill every(long amount, String period) {
            Objects.requireNonNull(period, "period");
            try {
                if (period.toUpperCase(java.util.Locale.ROOT).contains("T")) {
                    Duration d = Duration.parse(period);
                    if (d.compareTo(Duration.ofMinutes(1)) < 0 || d.compareTo(Duration.ofDays(3660)) > 0) {
                        throw new IllegalArgumentException("out of range");
                    }
                    return new Refill(amount, 0, null, d);
                }
                java.time.Period p = java.time.Period.parse(period).normalized();
                if (p.isNegative() || p.isZero() || p.toTotalMonths() > 120 || p.getDays() > 3660
                        || p.getDays() != 0 && p.toTotalMonths() != 0) {
                    throw new IllegalArgumentException("out of range");
                }
                return new Refill(amount, 0, p, null);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("a refill period is an ISO-8601 period such as P1D, P1M or PT6H,"
                        + " of days or months (not both) or of at least a minute, got \"" + period + "\"");
            }
        }

        /** What the balance is set to at each boundary. */
        public long amount() {
            return amount;
        }

        /** The latest boundary at or before {@code now}: a balance last refilled before it is refilled now. */
        public java.time.Instant lastBoundary(java.time.Instant now) {
            Window w = window(now);
            return w != null ? w.from : computeLastBoundary(now);
        }

        /** The first boundary after {@code now}: when a spent balance is refilled. */
        public java.time.Instant nextBoundary(java.time.Instant now) {
            Window w = window(now);
            return w != null ? w.to : computeNextBoundary(computeLastBoundary(now));
        }

        /**
         * The refill period {@code now} is in, or {@code null} beyond epoch milliseconds (some
         * 290 million years). Every credit take asks, and nearly all ask about the period the last
         * one was in: the calendar is read once per period, not per request.
         */
        private @Nullable Window window(java.time.Instant now) {
            try {
                long t = now.toEpochMilli();
                Window w = window;
                if (w == null || t < w.fromMillis || t >= w.toMillis) {
                    java.time.Instant from = computeLastBoundary(now);
                    w = new Window(from, computeNextBoundary(from));
                    window = w;
                }
                return w;
            } catch (ArithmeticException e) {
                return null;
            }
        }

        /** A refill period: boundaries are whole milliseconds (days, months, or periods of at least a minute). */
        private static final class Window {
            final java.time.Instant from;
            final java.time.Instant to;
            final long fromMillis;
            final long toMillis;

            Window(java.time.Instant from, java.time.Instant to) {
                this.from = from;
                this.to = to;
                this.fromMillis = from.toEpochMilli();
                this.toMillis = to.toEpochMilli();
            }
        }

        private java.time.Instant computeLastBoundary(java.time.Instant now) {
            java.time.LocalDate today = now.atZone(java.time.ZoneOffset.UTC).toLocalDate();
            if (duration != null) {
                long step = duration.toMillis();
                return java.time.Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), step) * step);
            }
            if (dayOfMonth > 0) {
                java.time.LocalDate d = onDay(java.time.YearMonth.from(today));
                return (d.isAfter(today) ? onDay(java.time.YearMonth.from(today).minusMonths(1)) : d)
                        .atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            }
            if (period.toTotalMonths() == 0) {
                long days = today.toEpochDay() - EPOCH.toEpochDay();
                return EPOCH.plusDays(Math.floorDiv(days, period.getDays()) * period.getDays())
                        .atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            }
            long months = period.toTotalMonths();
            long elapsed = (today.getYear() - 1970L) * 12 + today.getMonthValue() - 1; // months since 1970-01, floored before it too
            return EPOCH.plusMonths(Math.floorDiv(elapsed, months) * months).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        }

        private java.time.Instant computeNextBoundary(java.time.Instant last) {
            if (duration != null) {
                return last.plus(duration);
            }
            java.time.LocalDate d = last.atZone(java.time.ZoneOffset.UTC).toLocalDate();
            if (dayOfMonth > 0) {
                return onDay(java.time.YearMonth.from(d).plusMonths(1)).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            }
            return d.plus(period).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        }

        private java.time.LocalDate onDay(java.time.YearMonth m) {
            return m.atDay(Math.min(dayOfMonth, m.lengthOfMonth()));
        }

        /** Stored form: {@code amount/daily}, {@code amount/monthly:DAY} or {@code amount/PERIOD}. */
        @Override
        public String toString() {
            String when = dayOfMonth > 0 ? "monthly:" + dayOfMonth
                    : duration != null ? duration.toString()
                    : period.equals(java.time.Period.ofDays(1)) ? "daily" : period.toString();
            return amount + "/" + when;
        }

        /**
         * Parses what {@link #toString} wrote.
         *
         * @throws IllegalArgumentException if it is not a refill
         */
        public static Refill parse(String stored) {
            Objects.requireNonNull(stored, "stored");
            int slash = stored.indexOf('/');
            try {
                long amount = Long.parseLong(stored.substring(0, slash));
                String when = stored.substring(slash + 1);
                if (when.equals("daily")) {
                    return daily(amount);
                }
                if (when.startsWith("monthly:")) {
                    return monthly(amount, Integer.parseInt(when.substring("monthly:".length())));
                }
                return every(amount, when);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a refill: \"" + stored + "\"");
            }
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Refill r && r.toString().equals(toString());
        }

        @Override
        public int hashCode() {
            return toString().hashCode();
        }
    }
}
