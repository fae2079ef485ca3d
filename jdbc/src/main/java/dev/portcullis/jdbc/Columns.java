package dev.portcullis.jdbc;

import dev.portcullis.Channel;
import dev.portcullis.Check;
import dev.portcullis.Grant;
import dev.portcullis.Limit;
import dev.portcullis.RateLimitPolicy;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** How record fields are kept in columns: lists as text, instants in microseconds (PostgreSQL's precision). */
final class Columns {
    private Columns() {}

    /** What a stored instant reads back as; both databases are given the same precision. */
    static Instant stored(Instant i) {
        return i == null ? null : i.truncatedTo(ChronoUnit.MICROS);
    }

    static void setInstant(PreparedStatement ps, int index, Instant i) throws SQLException {
        if (i == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(stored(i), ZoneOffset.UTC));
        }
    }

    static Instant getInstant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** Grants one per line in their stored form {@code permission@pattern}. */
    static String grants(List<Grant> grants) {
        return join(grants.stream().map(Grant::toString).toList(), "\n");
    }

    static List<Grant> grants(String stored) {
        return split(stored, "\n").stream().map(Grant::parse).toList();
    }

    /** Canonical CIDR blocks, comma-separated. */
    static String allowlist(List<String> cidrs) {
        return join(cidrs, ",");
    }

    static List<String> allowlist(String stored) {
        return split(stored, ",");
    }

    static String channels(Set<Channel> channels) {
        return join(channels.stream().sorted().map(Channel::name).toList(), ",");
    }

    static Set<Channel> channels(String stored) {
        Set<Channel> out = EnumSet.noneOf(Channel.class);
        for (String s : split(stored, ",")) {
            out.add(Channel.valueOf(s));
        }
        return out;
    }

    static String checks(Set<Check> checks) {
        return join(checks.stream().sorted().map(Check::name).toList(), ",");
    }

    static Set<Check> checks(String stored) {
        Set<Check> out = EnumSet.noneOf(Check.class);
        for (String s : split(stored, ",")) {
            out.add(Check.valueOf(s));
        }
        return out;
    }

    /** {@code null} (no own policy) stays NULL; {@link RateLimitPolicy#UNLIMITED} is the empty string. */
    static String rateLimit(RateLimitPolicy policy) {
        return policy == null ? null : policy.toString();
    }

    static RateLimitPolicy rateLimit(String stored) {
        return stored == null ? null : RateLimitPolicy.parse(stored);
    }

    /** A refill in its stored form ({@link Limit.Refill#toString}); {@code null}: none. */
    static String refill(Limit.Refill refill) {
        return refill == null ? null : refill.toString();
    }

    static Limit.Refill refill(String stored) {
        return stored == null ? null : Limit.Refill.parse(stored);
    }

    static String duration(Duration d) {
        return d == null ? null : d.toString();
    }

    static Duration duration(String stored) {
        return stored == null ? null : Duration.parse(stored);
    }

    /** Old and new usernames of a change, one per line. */
    static String usernames(Collection<String> usernames) {
        return join(usernames, "\n");
    }

    static Set<String> usernames(String stored) {
        return new LinkedHashSet<>(split(stored, "\n"));
    }

    static String join(Collection<String> parts, String separator) {
        for (String p : parts) {
            if (p.contains(separator) || p.isEmpty()) {
                throw new IllegalArgumentException("a stored list item must be non-empty and without \""
                        + separator.replace("\n", "\\n") + "\"");
            }
        }
        return String.join(separator, parts);
    }

    static List<String> split(String stored, String separator) {
        if (stored == null || stored.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int at = stored.indexOf(separator, from);
            if (at < 0) {
                out.add(stored.substring(from));
                return out;
            }
            out.add(stored.substring(from, at));
            from = at + separator.length();
        }
    }
}
