package dev.portcullis.demo;

import dev.portcullis.Grant;
import dev.portcullis.KeyInfo;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;
import dev.portcullis.RateLimitPolicy;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a request for a new key says, as the HTTP API's JSON and the CLI's options both give it,
 * and how a key is shown. Every problem is an {@link IllegalArgumentException} with a message fit
 * for the caller.
 */
final class KeyRequests {
    private KeyRequests() {}

    /**
     * {@code POST /v1/keys}: {@code {"name", "grants": ["messages:send@example.com"], "allow", "rateLimit",
     * "expiresAt"|"expiresIn", "credits", "refill"}}.
     */
    record CreateKey(String account, String name, List<String> grants, List<String> allow, List<RateLimit> rateLimit,
            String expiresAt, String expiresIn, Long credits, Refill refill) {}

    /**
     * How credits refill, as Unkey spells it: {@code {"amount": 500, "interval": "monthly", "refillDay": 1}};
     * {@code interval} is {@code daily}, {@code monthly} or an ISO-8601 period ({@code P7D}, {@code PT6H}).
     */
    record Refill(Long amount, String interval, Integer refillDay) {}

    /**
     * {@code PATCH /v1/keys/{id}/credits}: {@code {"remaining": 100, "refill": {…}}} sets, {@code {"add": -5}}
     * adds (negative: takes), {@code {"unlimited": true}} lifts them.
     */
    record Credits(Long remaining, Refill refill, Long add, Boolean unlimited) {
        int given() {
            return (remaining != null || refill != null ? 1 : 0) + (add != null ? 1 : 0) + (Boolean.TRUE.equals(unlimited) ? 1 : 0);
        }
    }

    /** One limit: {@code rate} requests {@code per} second, minute, hour, day or ISO-8601 duration; {@code burst}; {@code scope} key or account. */
    record RateLimit(Long rate, String per, Long burst, String scope) {}

    /** {@code POST /v1/keys/{id}/rotate}: how long the old key keeps working, ISO-8601 ({@code PT24H}, {@code PT0S}). */
    record Rotate(String grace) {}

    static final Duration DEFAULT_GRACE = Duration.ofHours(24);

    /**
     * The spec of a new key in {@code account}, whose grants must name that account's domains (or
     * {@code *}); with {@code domains} null the grants' domains are not checked.
     */
    static KeySpec spec(CreateKey req, String account, DataFolder.Domains domains) {
        if (req.grants() == null || req.grants().isEmpty()) {
            throw new IllegalArgumentException("grants: at least one, like \"messages:send@" + DataFolder.DOMAIN + "\"");
        }
        KeySpec.Builder b = KeySpec.builder().account(account).name(req.name());
        for (Grant g : grants(req.grants(), account, domains)) {
            b.grant(g.permission(), g.resourcePattern());
        }
        if (req.allow() != null) {
            b.allow(req.allow().toArray(new String[0]));
        }
        if (req.rateLimit() != null) {
            List<Limit> limits = new ArrayList<>();
            for (RateLimit l : req.rateLimit()) {
                limits.add(limit(l));
            }
            b.rateLimit(RateLimitPolicy.of(limits.toArray(new Limit[0])));
        }
        if (req.refill() != null && req.credits() == null) {
            throw new IllegalArgumentException("refill: give credits too, like \"credits\": 500");
        }
        if (req.credits() != null) {
            if (req.refill() == null) {
                b.credits(req.credits());
            } else {
                b.credits(req.credits(), refill(req.refill()));
            }
        }
        if (req.expiresAt() != null && req.expiresIn() != null) {
            throw new IllegalArgumentException("give expiresAt or expiresIn, not both");
        }
        if (req.expiresAt() != null) {
            try {
                b.expiresAt(Instant.parse(req.expiresAt()));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("expiresAt: not an ISO-8601 instant like 2027-01-01T00:00:00Z");
            }
        }
        if (req.expiresIn() != null) {
            b.expiresIn(duration(req.expiresIn(), "expiresIn"));
        }
        try {
            return b.build();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Parses {@code permission@pattern} grants; a named domain must belong to {@code account}. */
    static List<Grant> grants(List<String> stored, String account, DataFolder.Domains domains) {
        List<Grant> out = new ArrayList<>();
        for (String s : stored) {
            Grant g;
            try {
                g = Grant.parse(s == null ? "" : s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("grant \"" + s + "\": " + e.getMessage() + " (like messages:send@" + DataFolder.DOMAIN + ")");
            }
            String pattern = g.resourcePattern();
            if (domains != null && !pattern.equals("*")) {
                String domain = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
                if (!account.equals(domains.ownerOf(domain))) {
                    throw new IllegalArgumentException("unknown domain " + domain + ": account " + account + " has "
                            + domains.of(account));
                }
            }
            out.add(g);
        }
        return out;
    }

    static Limit limit(RateLimit l) {
        if (l == null || l.rate() == null || l.per() == null) {
            throw new IllegalArgumentException("rateLimit: each needs rate and per, like {\"rate\": 100, \"per\": \"minute\"}");
        }
        Limit limit = Limit.per(l.rate(), duration(l.per(), "per"));
        if (l.burst() != null) {
            limit = limit.burst(l.burst());
        }
        if (l.scope() != null) {
            switch (l.scope()) {
                case "key" -> { }
                case "account" -> limit = limit.perAccount();
                default -> throw new IllegalArgumentException("rateLimit scope: key or account, not \"" + l.scope() + "\"");
            }
        }
        return limit;
    }

    /** {@code second}, {@code minute}, {@code hour}, {@code day}, or ISO-8601 ({@code PT10S}, {@code P30D}). */
    static Duration duration(String s, String field) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "second": return Duration.ofSeconds(1);
            case "minute": return Duration.ofMinutes(1);
            case "hour": return Duration.ofHours(1);
            case "day": return Duration.ofDays(1);
            default:
                try {
                    return Duration.parse(s);
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException(field + ": second, minute, hour, day or an ISO-8601 duration like PT10S, not \"" + s + "\"");
                }
        }
    }

    static dev.portcullis.Limit.Refill refill(Refill r) {
        if (r.amount() == null || r.interval() == null) {
            throw new IllegalArgumentException("refill: needs amount and interval, like {\"amount\": 500, \"interval\": \"monthly\"}");
        }
        if (r.refillDay() != null && !r.interval().equals("monthly")) {
            throw new IllegalArgumentException("refill: refillDay is for a monthly interval");
        }
        return switch (r.interval()) {
            case "daily" -> dev.portcullis.Limit.Refill.daily(r.amount());
            case "monthly" -> dev.portcullis.Limit.Refill.monthly(r.amount(), r.refillDay() == null ? 1 : r.refillDay());
            default -> dev.portcullis.Limit.Refill.every(r.amount(), r.interval());
        };
    }

    /** A key as the API shows it: everything but its secret (which is never stored). */
    static Map<String, Object> view(KeyInfo k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", k.id());
        m.put("display", k.display());
        m.put("account", k.account());
        m.put("name", k.name());
        m.put("kind", k.kind().name());
        putIf(m, "username", k.username());
        m.put("grants", k.grants().stream().map(Grant::toString).toList());
        m.put("allow", k.allowlist());
        if (k.rateLimit() != null) {
            m.put("rateLimit", k.rateLimit().limits().stream().map(l -> {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("rate", l.rate());
                o.put("per", l.period().toString());
                o.put("burst", l.capacity());
                o.put("scope", l.scope().name().toLowerCase(Locale.ROOT));
                return o;
            }).toList());
        }
        if (k.credits() != null) {
            m.put("remaining", k.credits()); // as Unkey names it; absent: unlimited
            if (k.refill() != null) {
                m.put("refill", k.refill().toString());
            }
        }
        m.put("status", status(k));
        m.put("createdAt", k.createdAt().toString());
        putIf(m, "expiresAt", k.expiresAt());
        putIf(m, "revokedAt", k.revokedAt());
        putIf(m, "replacedBy", k.replacedBy());
        putIf(m, "changedBy", k.changedBy());
        putIf(m, "changeReason", k.changeReason());
        return m;
    }

    static String status(KeyInfo k) {
        if (k.isRevoked()) {
            return "revoked";
        }
        if (k.expiresAt() != null && !k.expiresAt().isAfter(Instant.now())) {
            return "expired";
        }
        return k.replacedBy() != null ? "rotated" : "active";
    }

    private static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }
}
