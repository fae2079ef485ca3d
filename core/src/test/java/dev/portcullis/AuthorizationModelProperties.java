package dev.portcullis;

import dev.portcullis.internal.keys.KeyInfos;

import dev.portcullis.spi.AccountRecord;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.Page;
import dev.portcullis.testing.ForwardingCredentialStore;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;
import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.Portcullis.Argon2Parameters;
import dev.portcullis.SaslExchange.SaslStep;

/**
 * Issue #24: the authorization model as a stateful property. Random sequences of management calls
 * (by the root manager and by keys acting as managers), authentications (HTTP, SASL PLAIN),
 * re-checks at MAIL FROM ({@code authorize}), fail-closed probes and clock advances run against a
 * real {@link Portcullis} on the in-memory store and, step by step, against a small reference model
 * written here from the rules:
 *
 * <ul>
 *   <li><b>Escalation</b>: a credential made or changed by a scoped manager (actor A) can do nothing A
 *       cannot do. A acts only while its record as stored now is unrevoked and unexpired and holds
 *       {@code keys:write} ({@code keys:read} to read). A target is <em>within</em> A iff same account,
 *       every grant covered by one of A's, it expires no later than A (if A expires), its CIDR blocks
 *       lie inside A's (if A has an allowlist; none is not inside), its channels and report-only
 *       checks are among A's, and for each rate limit of A it has one of the same scope and period
 *       that is no looser. create: the new credential is within A; update: before and after;
 *       rotate (with its successor), changePassword, revoke: the target; revokeAll: every unrevoked
 *       credential of the account, else nothing is revoked. The root manager is unrestricted.
 *   <li><b>Refusals change nothing</b>: any exception is a refusal; the store is then as before
 *       (every record's {@link KeyInfo} equal, no new live credential).
 *   <li><b>Authentication</b> (HTTP, SASL): secret, revoked, expired (rotation grace ends at
 *       min(old expiry, now + grace)), suspended, channel, allowlist (report-only: a miss is
 *       allowed), grant and ownership, denial reasons in that order.
 *   <li><b>authorize</b> (MAIL FROM) re-checks all of that but the secret on the record as it is now,
 *       the channel the principal authenticated on (SMTP for a session), the allowlist for the session's address, and is denied once
 *       the credential's secret changed since the principal authenticated.
 *   <li><b>Fail closed</b>: a null, wildcard or non-canonicalisable permission or resource throws
 *       at the call ({@code require}, {@code authorize}).
 *   <li><b>Rotation racing an update</b> does not undo the update; a failed rotation leaves no new live key.
 * </ul>
 *
 * <p>Every step's outcome must agree with the model; after every management step the whole store is
 * compared with it. A disagreement fails with the resolved trace of the (shrunk) sequence.
 *
 * <p>Knobs (system properties): {@code portcullis.model.tries} (default 1000),
 * {@code portcullis.model.steps} (default 50), {@code portcullis.model.exclude} (comma-separated
 * action names to leave out, to look past a known disagreement: create, createSmtp, update, rotate,
 * rotateRacingUpdate, revoke, revokeAll, changePassword, read, suspend, http, sasl, authorize,
 * authorizeHttpSession, failClosed, advance), {@code portcullis.model.stats=true} (print what the
 * sequences covered). For example:
 * <pre>mvn -pl core verify -Dtest=AuthorizationModelProperties -Dportcullis.model.tries=100000</pre>
 */
class AuthorizationModelProperties {

    static final int STEPS = Integer.getInteger("portcullis.model.steps", 50);
    static final Set<String> EXCLUDED = Arrays.stream(System.getProperty("portcullis.model.exclude", "").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());

    private static final Queue<World> OPEN = new ConcurrentLinkedQueue<>();

    @Property(tries = 1000)
    @AddLifecycleHook(TriesFromSystemProperty.class)
    void everyStepAgreesWithTheModel(@ForAll("sequences") ActionChain<World> chain) {
        chain.run();
    }

    @AfterTry
    void closeWorlds() {
        World w;
        while ((w = OPEN.poll()) != null) {
            STATS.merge("sequences of " + (w.steps / 10 * 10) + "-" + (w.steps / 10 * 10 + 9) + " steps", 1L, Long::sum);
            w.close();
        }
    }

    /** With {@code -Dportcullis.model.stats=true}: what the sequences covered, printed at the end. */
    static final boolean SHOW_STATS = Boolean.getBoolean("portcullis.model.stats");
    static final Map<String, Long> STATS = new java.util.concurrent.ConcurrentSkipListMap<>();

    static void count(String what) {
        if (SHOW_STATS) {
            STATS.merge(what, 1L, Long::sum);
        }
    }

    @net.jqwik.api.lifecycle.AfterContainer
    static void showStats() {
        if (SHOW_STATS) {
            STATS.forEach((k, v) -> System.out.printf("%8d  %s%n", v, k));
        }
    }

    /** {@code -Dportcullis.model.tries=N} overrides the annotation's count. */
    public static final class TriesFromSystemProperty implements AroundPropertyHook {
        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            String tries = System.getProperty("portcullis.model.tries");
            if (tries != null && !tries.isBlank()) {
                context.attributes().setTries(Integer.parseInt(tries.trim()));
            }
            return property.execute();
        }
    }

    // ==== the small world ==========================================================================

    static final String ACME = "acme";
    static final String BETA = "beta";
    static final List<String> ACCOUNTS = List.of(ACME, BETA);
    static final List<String> PERMISSIONS = List.of("*", "keys:*", "keys:write", "keys:read", "messages:*", "messages:send", "domains:read");
    static final List<String> PATTERNS = List.of("*", "example.com", "a.example.com", "other.test", "*.example.com", "*.a.example.com");
    static final List<String> REQUIRED = List.of("messages:send", "messages:read", "keys:write", "keys:read", "domains:read");
    /** Resource names as a request gives them; the last one canonicalises to a.example.com. */
    static final List<String> RESOURCES = List.of("example.com", "a.example.com", "b.a.example.com", "other.test", "A.Example.COM.");
    static final Map<String, String> OWNERS = Map.of("example.com", ACME, "a.example.com", ACME, "b.a.example.com", ACME,
            "other.test", BETA);
    static final List<String> CIDRS = List.of("203.0.113.0/24", "203.0.113.128/25", "198.51.100.0/24", "2001:db8::/32");
    static final List<String> IPS = List.of("203.0.113.7", "203.0.113.200", "198.51.100.9", "2001:db8::1");
    static final List<String> USERNAMES = List.of("u1@example.com", "u2@example.com", "u3@a.example.com", "u4@other.test");
    static final List<Duration> ADVANCES = List.of(Duration.ofMillis(1), Duration.ofMinutes(1), Duration.ofHours(1),
            Duration.ofHours(12), Duration.ofDays(1), Duration.ofDays(8), Duration.ofDays(31));
    static final List<Duration> GRACES = List.of(Duration.ZERO, Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(30),
            Duration.ofSeconds(Long.MAX_VALUE));

    static final Lim KA = new Lim(Limit.Scope.KEY, Duration.ofSeconds(1), 1_000_000, 1_000_000);
    static final Lim KB = new Lim(Limit.Scope.KEY, Duration.ofSeconds(1), 500_000, 500_000);
    static final Lim KBX = new Lim(Limit.Scope.KEY, Duration.ofSeconds(1), 500_000, 1_500_000);
    static final Lim KM = new Lim(Limit.Scope.KEY, Duration.ofMinutes(1), 1_000_000, 1_000_000);
    static final Lim AC = new Lim(Limit.Scope.ACCOUNT, Duration.ofSeconds(1), 1_000_000, 1_000_000);
    /** Rate-limit policies by index; 0 is none. All far above what a sequence spends. */
    static final List<Set<Lim>> POLICIES = Arrays.asList(null, Set.of(KA), Set.of(KB), Set.of(KA, KM), Set.of(KB, AC), Set.of(KBX));

    /** Fail-closed probes: what must throw at the call. */
    static final List<String> FAIL_CLOSED = List.of(
            "require(null, example.com)",
            "require(messages:send, null)",
            "require(*, example.com)",
            "require(messages:*, example.com)",
            "require(*)",
            "require(messages:send, bad..name)",
            "authorize(p, null, example.com)",
            "authorize(p, *, example.com)",
            "authorize(p, messages:send, bad..name)");

    // ==== the model ================================================================================

    record G(String perm, String pat) {
        @Override
        public String toString() {
            return perm + "@" + pat;
        }
    }

    record Lim(Limit.Scope scope, Duration period, long rate, long cap) {
        Limit limit() {
            Limit l = Limit.per(rate, period).burst(cap);
            return scope == Limit.Scope.ACCOUNT ? l.perAccount() : l;
        }

        static Lim of(Limit l) {
            return new Lim(l.scope(), l.period(), l.rate(), l.capacity());
        }

        @Override
        public String toString() {
            return rate + "/" + period + (cap != rate ? " burst " + cap : "") + (scope == Limit.Scope.ACCOUNT ? " per account" : "");
        }
    }

    /** What the escalation rule compares. {@code rate == null}: no policy of its own. */
    record Shape(String account, Set<G> grants, Set<String> allow, Set<Lim> rate, Set<Channel> channels, Set<Check> reportOnly,
            Instant exp) {}

    static boolean permits(String held, String wanted) { // wanted is concrete
        return held.equals("*") || held.equals(wanted)
                || held.endsWith(":*") && wanted.startsWith(held.substring(0, held.length() - 1));
    }

    static boolean permissionCovers(String held, String wanted) { // wanted may be a wildcard
        if (held.equals("*") || held.equals(wanted)) {
            return true;
        }
        return held.endsWith(":*") && !wanted.equals("*") && wanted.startsWith(held.substring(0, held.length() - 1));
    }

    static boolean patternCovers(String held, String wanted) {
        if (held.equals("*") || held.equals(wanted)) {
            return true;
        }
        if (held.startsWith("*.")) {
            return !wanted.equals("*") && wanted.endsWith(held.substring(1)); // x.d, *.x.d; never d
        }
        return false;
    }

    static boolean resourceCovered(String pattern, String resource) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            return resource.endsWith(pattern.substring(1));
        }
        return pattern.equals(resource);
    }

    static String canonical(String resource) {
        return resource.equals("A.Example.COM.") ? "a.example.com" : resource;
    }

    static boolean blockInside(String inner, String outer) {
        return inner.equals(outer) || outer.equals("203.0.113.0/24") && inner.equals("203.0.113.128/25");
    }

    static boolean ipIn(String ip, String cidr) {
        switch (cidr) {
            case "203.0.113.0/24":
                return ip.startsWith("203.0.113.");
            case "203.0.113.128/25":
                return ip.equals("203.0.113.200");
            case "198.51.100.0/24":
                return ip.startsWith("198.51.100.");
            case "2001:db8::/32":
                return ip.startsWith("2001:db8:");
            default:
                throw new AssertionError(cidr);
        }
    }

    /** {@code null} if {@code t} is within {@code a}, else which part of the rule it breaks. */
    static String notWithin(Shape t, Shape a) {
        if (!t.account().equals(a.account())) {
            return "other account (" + t.account() + ")";
        }
        for (G g : t.grants()) {
            if (a.grants().stream().noneMatch(h -> permissionCovers(h.perm(), g.perm()) && patternCovers(h.pat(), g.pat()))) {
                return "grant " + g + " is not covered by the actor's " + a.grants();
            }
        }
        if (a.exp() != null && (t.exp() == null || t.exp().isAfter(a.exp()))) {
            return "expiry " + t.exp() + " outlives the actor's " + a.exp();
        }
        if (!a.allow().isEmpty()) {
            if (t.allow().isEmpty()) {
                return "unconfined (no allowlist) under a confined actor " + a.allow();
            }
            for (String b : t.allow()) {
                if (a.allow().stream().noneMatch(o -> blockInside(b, o))) {
                    return "block " + b + " is outside the actor's " + a.allow();
                }
            }
        }
        if (!a.channels().containsAll(t.channels())) {
            return "channels " + t.channels() + " not among the actor's " + a.channels();
        }
        if (!a.reportOnly().containsAll(t.reportOnly())) {
            return "report-only " + t.reportOnly() + " not among the actor's " + a.reportOnly();
        }
        if (a.rate() != null) {
            if (t.rate() == null) {
                return "unlimited under the actor's limits " + a.rate();
            }
            for (Lim l : a.rate()) {
                if (t.rate().stream().noneMatch(m -> m.scope() == l.scope() && m.period().equals(l.period())
                        && m.rate() <= l.rate() && m.cap() <= l.cap())) {
                    return "no limit as tight as the actor's " + l + " in " + t.rate();
                }
            }
        }
        return null;
    }

    /** A credential as the model sees it. */
    static final class Cred {
        final String label;
        final String id;
        final String account;
        final boolean login;
        final String username;
        String secret;
        String oldSecret;
        int generation;
        String name;
        Set<G> grants;
        Set<String> allow;
        Set<Lim> rate;
        Set<Channel> channels;
        Set<Check> reportOnly;
        Instant exp;
        Duration lifetime;
        boolean revoked;
        String replacedBy;

        Cred(String label, String id, String account, boolean login, String username) {
            this.label = label;
            this.id = id;
            this.account = account;
            this.login = login;
            this.username = username;
        }

        Shape shape() {
            return new Shape(account, Set.copyOf(grants), Set.copyOf(allow), rate == null ? null : Set.copyOf(rate),
                    Set.copyOf(channels), Set.copyOf(reportOnly), exp);
        }

        @Override
        public String toString() {
            return label + (login ? "(login " + username + ")" : "(key)") + "{" + account + " grants=" + grants + " allow=" + allow
                    + " rate=" + rate + " ch=" + channels + " ro=" + reportOnly + " exp=" + exp
                    + (lifetime != null ? " lifetime=" + lifetime : "") + (revoked ? " REVOKED" : "")
                    + (replacedBy != null ? " replaced" : "") + "}";
        }
    }

    /** An authenticated principal kept for later: as a manager ({@code actingAs}) or at MAIL FROM. */
    record Session(String label, Cred cred, String ip, int generation, Shape snapshot, Principal principal, Channel via) {
        @Override
        public String toString() {
            return label + "=" + cred.label + "@" + ip + " via " + via;
        }
    }

    enum Expect { ALLOW, REFUSE, EITHER }

    record Verdict(Expect expect, String why) {
        static final Verdict ALLOW = new Verdict(Expect.ALLOW, "");

        static Verdict refuse(String why) {
            return new Verdict(Expect.REFUSE, why);
        }

        static Verdict either(String why) {
            return new Verdict(Expect.EITHER, why);
        }

        Verdict and(Verdict o) {
            if (expect == Expect.REFUSE) {
                return this;
            }
            if (o.expect == Expect.REFUSE || expect == Expect.ALLOW) {
                return o;
            }
            return this;
        }

        @Override
        public String toString() {
            return expect + (why.isEmpty() ? "" : " (" + why + ")");
        }
    }

    // ==== generated parameters =====================================================================

    /** Expiry choices: relative to now, to the actor's own expiry, or invalid. */
    static final List<String> EXPIRIES = List.of("never", "at +1h", "at +1d", "at +30d", "in 1d", "in 30d",
            "at actor's", "at actor's +1ms", "at -1s", "at now");

    record Props(List<G> grants, List<String> allow, int policy, int expiry, Set<Channel> channels, Set<Check> reportOnly,
            Derive derive) {
        @Override
        public String toString() {
            return derive != null ? derive.toString() : "grants=" + grants + " allow=" + allow + " rate=" + POLICIES.get(policy)
                    + " exp=" + EXPIRIES.get(expiry) + " ch=" + channels + " ro=" + reportOnly;
        }
    }

    /** What a derived credential breaks of its actor's bounds (0: nothing). */
    static final List<String> BREAKS = List.of("nothing", "a grant", "the expiry", "the allowlist", "the channels",
            "the report-only checks", "the rate limit (none)", "the rate limit (looser)");

    /**
     * The acting key's own properties, narrowed at random ({@code seed}), with at most one of its
     * bounds broken: generated against the actor as it is when the step runs, to probe the edges.
     */
    record Derive(int breaks, int seed) {
        @Override
        public String toString() {
            return "{the actor's own, narrowed (seed " + seed + "), breaking " + BREAKS.get(breaks) + "}";
        }
    }

    /** Each field {@code null} (or -1) when the update leaves it. */
    record Change(String name, List<G> grants, List<String> allow, int policy, int expiry, Set<Check> reportOnly, Derive derive) {
        @Override
        public String toString() {
            if (derive != null) {
                return "{everything set to " + derive + "}";
            }
            List<String> parts = new ArrayList<>();
            if (name != null) {
                parts.add("name=" + name);
            }
            if (grants != null) {
                parts.add("grants=" + grants);
            }
            if (allow != null) {
                parts.add("allow=" + allow);
            }
            if (policy >= 0) {
                parts.add("rate=" + POLICIES.get(policy));
            }
            if (expiry >= 0) {
                parts.add("exp=" + EXPIRIES.get(expiry));
            }
            if (reportOnly != null) {
                parts.add("ro=" + reportOnly);
            }
            return "{" + String.join(" ", parts) + "}";
        }
    }

    static Arbitrary<Integer> actor() {
        // 0 is the root manager; n > 0 the (n-1)-th session, modulo how many there are.
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0)), Tuple.of(3, Arbitraries.integers().between(1, 8)));
    }

    static Arbitrary<Integer> index() {
        return Arbitraries.integers().between(0, 15);
    }

    static Arbitrary<G> grant() {
        Arbitrary<String> perm = Arbitraries.frequency(Tuple.of(1, "*"), Tuple.of(4, "keys:*"), Tuple.of(3, "keys:write"),
                Tuple.of(1, "keys:read"), Tuple.of(2, "messages:*"), Tuple.of(3, "messages:send"), Tuple.of(1, "domains:read"));
        Arbitrary<String> pattern = Arbitraries.frequency(Tuple.of(3, "*"), Tuple.of(2, "example.com"), Tuple.of(2, "a.example.com"),
                Tuple.of(1, "other.test"), Tuple.of(2, "*.example.com"), Tuple.of(1, "*.a.example.com"));
        return Combinators.combine(perm, pattern).as(G::new);
    }

    static Arbitrary<List<G>> grants() {
        return grant().list().ofMinSize(0).ofMaxSize(3).uniqueElements();
    }

    static Arbitrary<List<String>> allowlist() {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(List.of())),
                Tuple.of(2, Arbitraries.of(CIDRS).list().ofMinSize(1).ofMaxSize(2).uniqueElements()));
    }

    static Arbitrary<Integer> policy() {
        return Arbitraries.frequency(Tuple.of(5, 0), Tuple.of(1, 1), Tuple.of(1, 2), Tuple.of(1, 3), Tuple.of(1, 4), Tuple.of(1, 5));
    }

    static Arbitrary<Integer> expiry() {
        return Arbitraries.frequency(Tuple.of(4, 0), Tuple.of(1, 1), Tuple.of(2, 2), Tuple.of(2, 3), Tuple.of(1, 4), Tuple.of(1, 5),
                Tuple.of(2, 6), Tuple.of(1, 7), Tuple.of(1, 8), Tuple.of(1, 9));
    }

    static Arbitrary<Set<Channel>> channels() {
        return Arbitraries.frequency(Tuple.of(6, Set.of(Channel.HTTP, Channel.SMTP)), Tuple.of(2, Set.of(Channel.HTTP)),
                Tuple.of(2, Set.of(Channel.SMTP)));
    }

    static Arbitrary<Set<Check>> reportOnly() {
        return Arbitraries.frequency(Tuple.of(6, Set.<Check>of()), Tuple.of(2, Set.of(Check.ALLOWLIST)),
                Tuple.of(1, Set.of(Check.RATE_LIMIT)), Tuple.of(1, Set.of(Check.ALLOWLIST, Check.RATE_LIMIT)));
    }

    static Arbitrary<Derive> derive() {
        return Combinators.combine(
                Arbitraries.frequency(Tuple.of(6, 0), Tuple.of(1, 1), Tuple.of(1, 2), Tuple.of(1, 3), Tuple.of(1, 4), Tuple.of(1, 5),
                        Tuple.of(1, 6), Tuple.of(1, 7)),
                Arbitraries.integers().between(0, 999)).as(Derive::new).injectNull(0.5);
    }

    static Arbitrary<Props> props() {
        return Combinators.combine(grants(), allowlist(), policy(), expiry(), channels(), reportOnly(), derive()).as(Props::new);
    }

    static Arbitrary<Change> change() {
        return Combinators.combine(
                Arbitraries.of("renamed", "other name").injectNull(0.7),
                grants().injectNull(0.5),
                allowlist().injectNull(0.6),
                Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(-1)), Tuple.of(1, policy())),
                Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(-1)), Tuple.of(2, expiry())),
                reportOnly().injectNull(0.7),
                derive().injectNull(0.5)).as(Change::new);
    }

    static Arbitrary<String> account() {
        return Arbitraries.frequency(Tuple.of(5, ACME), Tuple.of(1, BETA));
    }

    @Provide
    Arbitrary<ActionChain<World>> sequences() {
        ActionChainArbitrary<World> chain = ActionChain.startWith(World::open);
        Map<String, Tuple.Tuple2<Integer, Action.Independent<World>>> actions = new LinkedHashMap<>();
        actions.put("create", Tuple.of(12, (Action.Independent<World>) () ->
                Combinators.combine(actor(), props(), account()).as((a, p, acct) ->
                        step("create by " + a(a) + " in " + acct + " " + p, w -> w.create(a, p, acct)))));
        actions.put("createSmtp", Tuple.of(5, (Action.Independent<World>) () ->
                Combinators.combine(actor(), props(), account(), Arbitraries.integers().between(0, USERNAMES.size() - 1),
                        Arbitraries.of(true, false), Arbitraries.of(true, false)).as((a, p, acct, u, http, chosen) ->
                        step("createSmtpCredential by " + a(a) + " in " + acct + " " + USERNAMES.get(u) + (http ? " +http" : "")
                                + " " + p, w -> w.createSmtp(a, p, acct, u, http, chosen)))));
        actions.put("update", Tuple.of(10, (Action.Independent<World>) () ->
                Combinators.combine(actor(), index(), change()).as((a, i, c) ->
                        step("update #" + i + " by " + a(a) + " " + c, w -> w.update(a, i, c)))));
        actions.put("rotate", Tuple.of(6, (Action.Independent<World>) () ->
                Combinators.combine(actor(), index(), Arbitraries.frequency(Tuple.of(3, 0), Tuple.of(3, 1), Tuple.of(2, 2),
                        Tuple.of(1, 3), Tuple.of(1, 4))).as((a, i, g) ->
                        step("rotate #" + i + " by " + a(a) + " grace " + GRACES.get(g), w -> w.rotate(a, i, g)))));
        actions.put("rotateRacingUpdate", Tuple.of(2, (Action.Independent<World>) () ->
                Combinators.combine(index(), Arbitraries.integers().between(0, 3), change()).as((i, g, c) ->
                        step("rotate #" + i + " by root grace " + GRACES.get(g) + " while root updates it " + c,
                                w -> w.rotateRacingUpdate(i, g, c)))));
        actions.put("revoke", Tuple.of(4, (Action.Independent<World>) () ->
                Combinators.combine(actor(), index()).as((a, i) -> step("revoke #" + i + " by " + a(a), w -> w.revoke(a, i)))));
        actions.put("revokeAll", Tuple.of(1, (Action.Independent<World>) () ->
                Combinators.combine(actor(), account()).as((a, acct) ->
                        step("revokeAll " + acct + " by " + a(a), w -> w.revokeAll(a, acct)))));
        actions.put("changePassword", Tuple.of(3, (Action.Independent<World>) () ->
                Combinators.combine(actor(), index(), Arbitraries.of(true, false)).as((a, i, chosen) ->
                        step("changePassword #" + i + (chosen ? " (chosen)" : " (generated)") + " by " + a(a),
                                w -> w.changePassword(a, i, chosen)))));
        actions.put("read", Tuple.of(3, (Action.Independent<World>) () ->
                Combinators.combine(actor(), index(), Arbitraries.of(true, false), account()).as((a, i, list, acct) ->
                        step((list ? "list " + acct : "get #" + i) + " by " + a(a), w -> w.read(a, i, list, acct)))));
        actions.put("suspend", Tuple.of(1, (Action.Independent<World>) () ->
                Combinators.combine(Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(0)), Tuple.of(1, actor())), account(),
                        Arbitraries.of(true, false)).as((a, acct, resume) ->
                        step((resume ? "resume " : "suspend ") + acct + " by " + a(a), w -> w.suspend(a, acct, resume)))));
        actions.put("http", Tuple.of(18, (Action.Independent<World>) () ->
                Combinators.combine(index(), Arbitraries.integers().between(0, IPS.size() - 1), Arbitraries.of(true, false),
                        Arbitraries.frequency(Tuple.of(2, 0), Tuple.of(1, 1), Tuple.of(3, 2)),
                        Arbitraries.integers().between(0, REQUIRED.size() - 1),
                        Arbitraries.integers().between(0, RESOURCES.size() - 1),
                        Arbitraries.frequency(Tuple.of(4, false), Tuple.of(1, true))).as((i, ip, bearer, req, p, r, old) ->
                        step("http #" + i + " from " + IPS.get(ip) + (bearer ? " bearer" : " basic")
                                + (req == 1 ? " require(" + REQUIRED.get(p) + ")" : "")
                                + (req == 2 ? " require(" + REQUIRED.get(p) + ", " + RESOURCES.get(r) + ")" : "")
                                + (old ? " with the previous password" : ""),
                                w -> w.http(i, ip, bearer, req, p, r, old)))));
        actions.put("sasl", Tuple.of(8, (Action.Independent<World>) () ->
                Combinators.combine(index(), Arbitraries.integers().between(0, IPS.size() - 1),
                        Arbitraries.frequency(Tuple.of(4, false), Tuple.of(1, true))).as((i, ip, old) ->
                        step("sasl PLAIN #" + i + " from " + IPS.get(ip) + (old ? " with the previous password" : ""),
                                w -> w.sasl(i, ip, old)))));
        actions.put("authorize", Tuple.of(8, (Action.Independent<World>) () ->
                Combinators.combine(index(), Arbitraries.integers().between(0, REQUIRED.size() - 1),
                        Arbitraries.integers().between(0, RESOURCES.size() - 1)).as((s, p, r) ->
                        step("authorize SMTP session #" + s + " " + REQUIRED.get(p) + " on " + RESOURCES.get(r),
                                w -> w.authorize(Channel.SMTP, s, p, r)))));
        actions.put("authorizeHttpSession", Tuple.of(3, (Action.Independent<World>) () ->
                Combinators.combine(index(), Arbitraries.integers().between(0, REQUIRED.size() - 1),
                        Arbitraries.integers().between(0, RESOURCES.size() - 1)).as((s, p, r) ->
                        step("authorize HTTP session #" + s + " " + REQUIRED.get(p) + " on " + RESOURCES.get(r),
                                w -> w.authorize(Channel.HTTP, s, p, r)))));
        actions.put("failClosed", Tuple.of(3, (Action.Independent<World>) () ->
                Combinators.combine(Arbitraries.integers().between(0, FAIL_CLOSED.size() - 1), index()).as((k, s) ->
                        step("fail-closed " + FAIL_CLOSED.get(k) + " (session #" + s + ")", w -> w.failClosed(k, s)))));
        actions.put("advance", Tuple.of(6, (Action.Independent<World>) () ->
                Arbitraries.integers().between(0, ADVANCES.size() - 1).map(d ->
                        step("advance clock " + ADVANCES.get(d), w -> w.advance(d)))));
        for (Map.Entry<String, Tuple.Tuple2<Integer, Action.Independent<World>>> e : actions.entrySet()) {
            if (!EXCLUDED.contains(e.getKey())) {
                chain = chain.withAction(e.getValue().get1(), e.getValue().get2());
            }
        }
        return chain.withMaxTransformations(STEPS);
    }

    private static String a(int actor) {
        return actor == 0 ? "root" : "session #" + (actor - 1);
    }

    private static Transformer<World> step(String description, Consumer<World> body) {
        return Transformer.mutate(description, w -> w.run(description, body));
    }

    // ==== the world: a real Portcullis and the model beside it =====================================

    static final class World {
        final MutableClock clock = new MutableClock();
        final RacingStore store = new RacingStore();
        final Portcullis portcullis;
        final List<Cred> creds = new ArrayList<>();
        final List<Session> sessions = new ArrayList<>();
        final Set<String> suspended = new HashSet<>();
        final Set<String> usernames = new HashSet<>();
        final List<String> trace = new ArrayList<>();
        int steps;
        int names;

        static World open() {
            World w = new World();
            OPEN.add(w);
            return w;
        }

        private World() {
            Limit huge = Limit.per(1_000_000, Duration.ofSeconds(1));
            portcullis = Portcullis.builder()
                    .store(store)
                    .clock(clock)
                    .refreshExecutor(Runnable::run)
                    .argon2(new Argon2Parameters(8, 1, 1)) // the cheapest Argon2 allows
                    .failureBudgets(huge, huge, huge)
                    .resourceOwners(OWNERS::get)
                    .usageFlushInterval(Duration.ofDays(1))
                    .build();
        }

        void close() {
            portcullis.close();
        }

        Instant now() {
            return clock.instant();
        }

        @Override
        public String toString() {
            return "World[" + steps + " steps, " + creds.size() + " credentials, " + sessions.size() + " sessions]";
        }

        KeyManager root() {
            return portcullis.keys();
        }

        void run(String description, Consumer<World> body) {
            steps++;
            trace.add("#" + steps + " " + description);
            body.accept(this);
        }

        void note(String s) {
            trace.add("      " + s);
        }

        AssertionError disagree(String what) {
            StringBuilder b = new StringBuilder("MODEL DISAGREES at step ").append(steps).append(": ").append(what)
                    .append("\n  trace (model's view of each credential after the failure below):\n");
            for (String t : trace) {
                b.append("    ").append(t).append('\n');
            }
            for (Cred c : creds) {
                b.append("    model ").append(c).append('\n');
            }
            return new AssertionError(b.toString());
        }

        Cred cred(int index) {
            return creds.isEmpty() ? null : creds.get(index % creds.size());
        }

        Session session(int actor) {
            return actor == 0 || sessions.isEmpty() ? null : sessions.get((actor - 1) % sessions.size());
        }

        KeyManager manager(Session s) {
            return s == null ? root() : root().actingAs(s.principal());
        }

        String who(Session s) {
            return s == null ? "root" : s.label() + " (" + s.cred().label + ")";
        }

        boolean expired(Cred c) {
            return c.exp != null && !now().isBefore(c.exp);
        }

        // ---- the escalation rule ----

        /** What the rule says of {@code s} doing something needing {@code permission} to {@code within}, in {@code account}. */
        Verdict authority(Session s, String permission, String account, Shape... within) {
            if (s == null) {
                return Verdict.ALLOW;
            }
            Cred a = s.cred();
            if (a.revoked) {
                return Verdict.refuse("actor " + a.label + " is revoked");
            }
            if (expired(a)) {
                return Verdict.refuse("actor " + a.label + " expired at " + a.exp);
            }
            if (a.grants.stream().noneMatch(g -> permits(g.perm(), permission))) {
                return Verdict.refuse("actor " + a.label + " lacks " + permission);
            }
            if (!a.account.equals(account)) {
                return Verdict.refuse("another account's credential (" + account + ")");
            }
            Shape actor = a.shape();
            for (Shape t : within) {
                String why = notWithin(t, actor);
                if (why != null) {
                    return Verdict.refuse("not within actor " + a.label + ": " + why);
                }
            }
            // The rule reads the actor as stored now; where that differs from what its principal saw
            // (or its account is suspended, or its password changed), a refusal is also acceptable.
            if (!actor.equals(s.snapshot()) || suspended.contains(a.account) || a.generation != s.generation()) {
                return Verdict.either("actor changed since " + s.label() + " authenticated, or its account is suspended");
            }
            return Verdict.ALLOW;
        }

        // ---- management steps ----

        Map<String, KeyInfo> snapshot() {
            Map<String, KeyInfo> all = new HashMap<>();
            for (String acct : ACCOUNTS) {
                for (KeyRecord r : store.listByAccount(acct, null, 1000).items()) {
                    all.put(r.id(), KeyInfos.of(r));
                }
            }
            return all;
        }

        <T> T manage(String what, Verdict v, Supplier<T> call, Consumer<T> onSuccess) {
            Map<String, KeyInfo> before = snapshot();
            T result = null;
            RuntimeException error = null;
            try {
                result = call.get();
            } catch (RuntimeException e) {
                error = e;
            }
            note(what + " -> " + (error == null ? "ok" : "refused: " + error.getClass().getSimpleName() + ": " + error.getMessage())
                    + "   [model: " + v + "]");
            if (SHOW_STATS) count(what.replaceAll(" .*? by ", " by ").replaceAll("by p\\d+ \\(c\\d+\\)", "by a key").replaceAll(" (acme|beta)", "")
                    + (error == null ? " ok" : " refused") + (v.why().isEmpty() ? "" : ": " + v.why().replaceAll("c\\d+|p\\d+", "_")
                    .replaceAll("\\[.*|\\(.*|[0-9]{4}-.*", "").trim()));
            if (error == null) {
                if (v.expect() == Expect.REFUSE) {
                    throw disagree(what + " succeeded, but the model refuses it: " + v.why());
                }
                onSuccess.accept(result);
            } else {
                if (v.expect() == Expect.ALLOW) {
                    AssertionError e = disagree(what + " was refused, but the model allows it: " + error + changes(before));
                    e.initCause(error);
                    throw e;
                }
                unchangedSince(before, what);
            }
            agree();
            return result;
        }

        /** What changed in the store since {@code before}, for a message. */
        String changes(Map<String, KeyInfo> before) {
            StringBuilder b = new StringBuilder();
            Map<String, KeyInfo> after = snapshot();
            for (KeyInfo k : after.values()) {
                KeyInfo was = before.get(k.id());
                if (was == null) {
                    b.append("\n      and it left a new credential: ").append(k);
                } else if (!was.equals(k)) {
                    b.append("\n      and it changed ").append(label(k.id())).append(k.isRevoked() && !was.isRevoked() ? " (revoked it)" : "")
                            .append(": ").append(k);
                }
            }
            return b.length() == 0 ? "\n      (the store is unchanged)" : b.toString();
        }

        void unchangedSince(Map<String, KeyInfo> before, String what) {
            Map<String, KeyInfo> after = snapshot();
            for (Map.Entry<String, KeyInfo> e : before.entrySet()) {
                if (!e.getValue().equals(after.get(e.getKey()))) {
                    throw disagree("the refused " + what + " changed " + label(e.getKey()) + ":\n      before " + e.getValue()
                            + "\n      after  " + after.get(e.getKey()));
                }
            }
            for (KeyInfo k : after.values()) {
                if (!before.containsKey(k.id()) && live(k)) {
                    throw disagree("the refused " + what + " left a new live credential: " + k);
                }
            }
        }

        boolean live(KeyInfo k) {
            return !k.isRevoked() && (k.expiresAt() == null || now().isBefore(k.expiresAt()));
        }

        String label(String id) {
            return creds.stream().filter(c -> c.id.equals(id)).map(c -> c.label).findFirst().orElse("untracked " + id);
        }

        /** The store holds exactly what the model says, and nothing else live. */
        void agree() {
            List<String> wrong = new ArrayList<>();
            Set<String> known = new HashSet<>();
            for (Cred c : creds) {
                known.add(c.id);
                KeyInfo k = store.findById(c.id).map(KeyInfos::of).orElse(null);
                if (k == null) {
                    wrong.add(c.label + " is gone from the store");
                    continue;
                }
                Set<G> grants = k.grants().stream().map(g -> new G(g.permission(), g.resourcePattern())).collect(Collectors.toSet());
                Set<Lim> rate = k.rateLimit() == null ? null : k.rateLimit().limits().stream().map(Lim::of).collect(Collectors.toSet());
                check(wrong, c, "account", c.account, k.account());
                check(wrong, c, "name", c.name, k.name());
                check(wrong, c, "kind", c.login ? CredentialKind.PASSWORD : CredentialKind.API_KEY, k.kind());
                check(wrong, c, "grants", c.grants, grants);
                check(wrong, c, "allowlist", c.allow, Set.copyOf(k.allowlist()));
                check(wrong, c, "rate limit", c.rate, rate);
                check(wrong, c, "channels", c.channels, Set.copyOf(k.channels()));
                check(wrong, c, "report-only", c.reportOnly, Set.copyOf(k.reportOnly()));
                check(wrong, c, "expiry", c.exp, k.expiresAt());
                check(wrong, c, "lifetime", c.lifetime, k.lifetime());
                check(wrong, c, "revoked", c.revoked, k.isRevoked());
                check(wrong, c, "replacedBy", c.replacedBy == null ? null : label(c.replacedBy),
                        k.replacedBy() == null ? null : label(k.replacedBy()));
            }
            for (KeyInfo k : snapshot().values()) {
                if (!known.contains(k.id()) && live(k)) {
                    wrong.add("a live credential the model does not know: " + k);
                }
            }
            if (!wrong.isEmpty()) {
                throw disagree("the store differs from the model:\n      " + String.join("\n      ", wrong));
            }
        }

        private static void check(List<String> wrong, Cred c, String what, Object model, Object real) {
            if (!java.util.Objects.equals(model, real)) {
                wrong.add(c.label + " " + what + ": model " + model + ", store " + real);
            }
        }

        /** An expiry choice as (absolute instant, lifetime); both null for never. */
        Object[] expiry(int code, Session s) {
            Instant now = now();
            Instant actorExp = s == null ? now.plus(Duration.ofDays(7)) : s.cred().exp;
            switch (code) {
                case 0: return new Object[] {null, null};
                case 1: return new Object[] {now.plus(Duration.ofHours(1)), null};
                case 2: return new Object[] {now.plus(Duration.ofDays(1)), null};
                case 3: return new Object[] {now.plus(Duration.ofDays(30)), null};
                case 4: return new Object[] {null, Duration.ofDays(1)};
                case 5: return new Object[] {null, Duration.ofDays(30)};
                case 6: return new Object[] {actorExp, null};
                case 7: return new Object[] {actorExp == null ? null : actorExp.plusMillis(1), null};
                case 8: return new Object[] {now.minusSeconds(1), null};
                case 9: return new Object[] {now, null};
                default: throw new AssertionError(code);
            }
        }

        Instant resolve(Object[] e) {
            return e[0] != null ? (Instant) e[0] : e[1] != null ? now().plus((Duration) e[1]) : null;
        }

        Verdict validExpiry(Instant exp) {
            return exp != null && !exp.isAfter(now()) ? Verdict.refuse("expiry " + exp + " is not in the future") : Verdict.ALLOW;
        }

        static RateLimitPolicy policy(Set<Lim> lims) {
            return RateLimitPolicy.of(lims.stream().sorted(java.util.Comparator.comparing(Lim::toString)).map(Lim::limit)
                    .toArray(Limit[]::new));
        }

        /** A credential's properties as a step asks for them, resolved against the actor and the clock. */
        record Concrete(List<G> grants, List<String> allow, Set<Lim> rate, Object[] expiry, Set<Channel> channels,
                Set<Check> reportOnly) {}

        Concrete concrete(Props p, Session s) {
            if (p.derive() == null || s == null) {
                return new Concrete(p.grants(), p.allow(), POLICIES.get(p.policy()), expiry(p.expiry(), s), p.channels(),
                        p.reportOnly());
            }
            return derived(p.derive(), s.cred());
        }

        Concrete derived(Derive d, Cred a) {
            java.util.Random r = new java.util.Random(d.seed());
            LinkedHashSet<G> grants = new LinkedHashSet<>();
            for (G g : a.grants) {
                if (r.nextInt(4) != 0) {
                    grants.add(narrow(g, r));
                }
            }
            LinkedHashSet<String> allow = new LinkedHashSet<>(a.allow);
            if (allow.contains("203.0.113.0/24") && r.nextBoolean()) {
                allow.remove("203.0.113.0/24");
                allow.add("203.0.113.128/25");
            }
            Set<Lim> rate = a.rate == null ? null : a.rate.stream()
                    .map(l -> r.nextBoolean() ? l : new Lim(l.scope(), l.period(), Math.max(1, l.rate() / 2), Math.max(1, l.cap() / 2)))
                    .collect(Collectors.toSet());
            Object[] exp = a.exp == null ? (r.nextBoolean() ? new Object[] {null, null} : new Object[] {now().plus(Duration.ofDays(1)), null})
                    : r.nextBoolean() ? new Object[] {a.exp, null} : new Object[] {a.exp.minus(Duration.ofHours(1)), null};
            Set<Channel> channels = a.channels.size() == 2 && r.nextInt(3) == 0
                    ? Set.of(r.nextBoolean() ? Channel.HTTP : Channel.SMTP) : a.channels;
            Set<Check> reportOnly = a.reportOnly.stream().filter(x -> r.nextInt(3) != 0).collect(Collectors.toSet());
            switch (d.breaks()) {
                case 1:
                    for (G g : List.of(new G("*", "*"), new G("keys:*", "*"), new G("messages:*", "*.example.com"),
                            new G("domains:read", "example.com"), new G("messages:send", "*"))) {
                        if (a.grants.stream().noneMatch(h -> permissionCovers(h.perm(), g.perm()) && patternCovers(h.pat(), g.pat()))) {
                            grants.add(g);
                            break;
                        }
                    }
                    break;
                case 2:
                    if (a.exp != null) {
                        exp = r.nextBoolean() ? new Object[] {null, null} : new Object[] {a.exp.plusMillis(1), null};
                    }
                    break;
                case 3:
                    if (!a.allow.isEmpty()) {
                        if (r.nextBoolean()) {
                            allow.clear();
                        } else {
                            CIDRS.stream().filter(b -> a.allow.stream().noneMatch(o -> blockInside(b, o))).findFirst().ifPresent(allow::add);
                        }
                    }
                    break;
                case 4:
                    channels = Set.of(Channel.HTTP, Channel.SMTP);
                    break;
                case 5:
                    reportOnly = Set.of(Check.ALLOWLIST, Check.RATE_LIMIT);
                    break;
                case 6:
                    rate = null;
                    break;
                case 7:
                    if (rate != null) {
                        rate = a.rate.stream().map(l -> new Lim(l.scope(), l.period(), l.rate(), l.cap() + 1)).collect(Collectors.toSet());
                    }
                    break;
                default:
                    break;
            }
            return new Concrete(List.copyOf(grants), List.copyOf(allow), rate, exp, channels, reportOnly);
        }

        private static G narrow(G g, java.util.Random r) {
            String perm = g.perm();
            if (r.nextInt(3) == 0) {
                perm = switch (perm) {
                    case "*" -> r.nextBoolean() ? "keys:*" : "messages:send";
                    case "keys:*" -> r.nextBoolean() ? "keys:write" : "keys:read";
                    case "messages:*" -> "messages:send";
                    default -> perm;
                };
            }
            String pat = g.pat();
            if (r.nextInt(3) == 0) {
                pat = switch (pat) {
                    case "*" -> r.nextBoolean() ? "example.com" : "*.example.com";
                    case "*.example.com" -> r.nextBoolean() ? "a.example.com" : "*.a.example.com";
                    case "*.a.example.com" -> "b.a.example.com";
                    default -> pat;
                };
            }
            return new G(perm, pat);
        }

        void create(int actor, Props p, String acct) {
            Session s = session(actor);
            Concrete x = concrete(p, s);
            Object[] e = x.expiry();
            KeySpec.Builder b = KeySpec.builder().account(acct).name("k" + (++names));
            x.grants().forEach(g -> b.grant(g.perm(), g.pat()));
            x.allow().forEach(b::allow);
            if (x.rate() != null) {
                b.rateLimit(policy(x.rate()));
            }
            if (e[0] != null) {
                b.expiresAt((Instant) e[0]);
            } else if (e[1] != null) {
                b.expiresIn((Duration) e[1]);
            }
            b.channels(x.channels().toArray(Channel[]::new));
            b.reportOnly(x.reportOnly().toArray(Check[]::new));
            KeySpec spec = b.build();
            Instant exp = resolve(e);
            Shape t = new Shape(acct, Set.copyOf(x.grants()), Set.copyOf(x.allow()), x.rate(), x.channels(), x.reportOnly(), exp);
            Verdict v = validExpiry(exp).and(authority(s, "keys:write", acct, t));
            String name = "k" + names;
            manage("create by " + who(s), v, () -> manager(s).create(spec), k -> {
                Cred c = new Cred("c" + creds.size(), k.id(), acct, false, null);
                c.secret = k.token();
                c.name = name;
                c.grants = new HashSet<>(x.grants());
                c.allow = new HashSet<>(x.allow());
                c.rate = x.rate();
                c.channels = x.channels();
                c.reportOnly = x.reportOnly();
                c.exp = exp;
                c.lifetime = (Duration) e[1];
                creds.add(c);
                note("  = " + c);
            });
        }

        void createSmtp(int actor, Props p, String acct, int user, boolean allowHttp, boolean chosen) {
            Session s = session(actor);
            Concrete x = concrete(p, s);
            Object[] e = x.expiry();
            String username = USERNAMES.get(user);
            KeySpec.Builder b = KeySpec.builder().account(acct).username(username).name("l" + (++names));
            x.grants().forEach(g -> b.grant(g.perm(), g.pat()));
            x.allow().forEach(b::allow);
            if (x.rate() != null) {
                b.rateLimit(policy(x.rate()));
            }
            if (e[0] != null) {
                b.expiresAt((Instant) e[0]);
            } else if (e[1] != null) {
                b.expiresIn((Duration) e[1]);
            }
            if (allowHttp) {
                b.allowHttp();
            }
            if (chosen) {
                b.password("chosen password " + names);
            }
            KeySpec spec = b.build();
            Instant exp = resolve(e);
            Set<Channel> channels = allowHttp ? Set.of(Channel.HTTP, Channel.SMTP) : Set.of(Channel.SMTP);
            Shape t = new Shape(acct, Set.copyOf(x.grants()), Set.copyOf(x.allow()), x.rate(), channels, Set.of(), exp);
            Verdict v = (usernames.contains(username) ? Verdict.refuse("username " + username + " is taken") : Verdict.ALLOW)
                    .and(validExpiry(exp)).and(authority(s, "keys:write", acct, t));
            String name = "l" + names;
            manage("createSmtpCredential by " + who(s), v, () -> manager(s).createSmtpCredential(spec), k -> {
                Cred c = new Cred("c" + creds.size(), k.id(), acct, true, username);
                c.secret = k.password();
                c.name = name;
                c.grants = new HashSet<>(x.grants());
                c.allow = new HashSet<>(x.allow());
                c.rate = x.rate();
                c.channels = channels;
                c.reportOnly = Set.of();
                c.exp = exp;
                c.lifetime = (Duration) e[1];
                creds.add(c);
                usernames.add(username);
                note("  = " + c);
            });
        }

        /** An update resolved: each field {@code null} when it is left as it is ({@code rateSet} for the rate limit). */
        record Upd(String name, List<G> grants, List<String> allow, boolean rateSet, Set<Lim> rate, Object[] expiry,
                Set<Check> reportOnly) {}

        Upd resolveChange(Change ch, Session s) {
            if (ch.derive() != null && s != null) {
                Concrete x = derived(ch.derive(), s.cred());
                return new Upd(null, x.grants(), x.allow(), true, x.rate(), x.expiry(), x.reportOnly());
            }
            return new Upd(ch.name(), ch.grants(), ch.allow(), ch.policy() >= 0, ch.policy() >= 0 ? POLICIES.get(ch.policy()) : null,
                    ch.expiry() >= 0 ? expiry(ch.expiry(), s) : null, ch.reportOnly());
        }

        KeyUpdate keyUpdate(Upd u) {
            KeyUpdate.Builder b = KeyUpdate.builder();
            if (u.name() != null) {
                b.name(u.name());
            }
            if (u.grants() != null) {
                b.grants(u.grants().stream().map(g -> Grant.of(g.perm(), g.pat())).toArray(Grant[]::new));
            }
            if (u.allow() != null) {
                b.allowlist(u.allow().toArray(String[]::new));
            }
            if (u.rateSet()) {
                b.rateLimit(u.rate() == null ? null : policy(u.rate()));
            }
            Object[] e = u.expiry();
            if (e != null) {
                if (e[0] != null) {
                    b.expiresAt((Instant) e[0]);
                } else if (e[1] != null) {
                    b.expiresIn((Duration) e[1]);
                } else {
                    b.neverExpires();
                }
            }
            if (u.reportOnly() != null) {
                b.reportOnly(u.reportOnly().toArray(Check[]::new));
            }
            return b.build();
        }

        /** The target as it would be after the update (expiry resolved now). */
        Shape changed(Cred c, Upd u) {
            return new Shape(c.account,
                    u.grants() != null ? Set.copyOf(u.grants()) : Set.copyOf(c.grants),
                    u.allow() != null ? Set.copyOf(u.allow()) : Set.copyOf(c.allow),
                    u.rateSet() ? u.rate() : c.rate,
                    Set.copyOf(c.channels), u.reportOnly() != null ? Set.copyOf(u.reportOnly()) : Set.copyOf(c.reportOnly),
                    u.expiry() != null ? resolve(u.expiry()) : c.exp);
        }

        void applyChange(Cred c, Upd u, Instant exp) {
            if (u.name() != null) {
                c.name = u.name();
            }
            if (u.grants() != null) {
                c.grants = new HashSet<>(u.grants());
            }
            if (u.allow() != null) {
                c.allow = new HashSet<>(u.allow());
            }
            if (u.rateSet()) {
                c.rate = u.rate();
            }
            if (u.expiry() != null) {
                c.exp = exp;
                c.lifetime = (Duration) u.expiry()[1];
            }
            if (u.reportOnly() != null) {
                c.reportOnly = u.reportOnly();
            }
        }

        Verdict rootUpdate(Cred c, Upd u) {
            return (c.revoked ? Verdict.refuse("target " + c.label + " is revoked") : Verdict.ALLOW)
                    .and(u.expiry() == null ? Verdict.ALLOW : validExpiry(resolve(u.expiry())));
        }

        void update(int actor, int index, Change ch) {
            Cred c = cred(index);
            if (c == null) {
                note("(no credential yet)");
                return;
            }
            Session s = session(actor);
            Upd u = resolveChange(ch, s);
            KeyUpdate ku = keyUpdate(u);
            Shape after = changed(c, u);
            Verdict v = rootUpdate(c, u).and(authority(s, "keys:write", c.account, c.shape(), after));
            manage("update " + c.label + " by " + who(s), v, () -> manager(s).update(c.id, ku), k -> {
                applyChange(c, u, after.exp());
                note("  = " + c);
            });
        }

        Verdict rootRotate(Cred c, Duration grace) {
            if (c.login) {
                return Verdict.refuse(c.label + " is a login: it does not rotate");
            }
            if (c.replacedBy != null) {
                return Verdict.refuse(c.label + " was already rotated");
            }
            if (c.revoked) {
                return Verdict.refuse(c.label + " is revoked");
            }
            if (expired(c)) {
                return Verdict.refuse(c.label + " expired");
            }
            try {
                now().plus(grace);
            } catch (RuntimeException overflow) {
                return Verdict.refuse("the grace " + grace + " ends past the end of time");
            }
            return Verdict.ALLOW;
        }

        Shape successor(Cred c) {
            Shape s = c.shape();
            return new Shape(s.account(), s.grants(), s.allow(), s.rate(), s.channels(), s.reportOnly(),
                    c.lifetime != null ? now().plus(c.lifetime) : c.exp);
        }

        void applyRotation(Cred c, IssuedKey k, Duration grace) {
            Cred n = new Cred("c" + creds.size(), k.id(), c.account, false, null);
            n.secret = k.token();
            n.name = c.name;
            n.grants = new HashSet<>(c.grants);
            n.allow = new HashSet<>(c.allow);
            n.rate = c.rate;
            n.channels = c.channels;
            n.reportOnly = c.reportOnly;
            n.exp = c.lifetime != null ? now().plus(c.lifetime) : c.exp;
            n.lifetime = c.lifetime;
            creds.add(n);
            Instant graceEnd = now().plus(grace);
            c.exp = c.exp != null && c.exp.isBefore(graceEnd) ? c.exp : graceEnd;
            c.replacedBy = k.id();
            note("  = " + c + " -> " + n);
        }

        void rotate(int actor, int index, int g) {
            Cred c = cred(index);
            if (c == null) {
                note("(no credential yet)");
                return;
            }
            Session s = session(actor);
            Duration grace = GRACES.get(g);
            Verdict v = rootRotate(c, grace).and(authority(s, "keys:write", c.account, c.shape(), successor(c)));
            manage("rotate " + c.label + " by " + who(s), v, () -> manager(s).rotate(c.id, grace), k -> applyRotation(c, k, grace));
        }

        /**
         * The root manager rotates a key while the root manager updates it: the update lands right
         * after the rotation first reads the key. The update must survive: on the old key, and on the
         * successor if the rotation succeeds (a rotation may also fail over the conflict).
         */
        void rotateRacingUpdate(int index, int g, Change ch) {
            Cred c = cred(index);
            if (c == null) {
                note("(no credential yet)");
                return;
            }
            Duration grace = GRACES.get(g);
            Upd upd = resolveChange(ch, null);
            KeyUpdate u = keyUpdate(upd);
            Shape after = changed(c, upd);
            Verdict rotation = rootRotate(c, grace);
            Verdict update = rootUpdate(c, upd);
            RuntimeException[] updateError = new RuntimeException[1];
            boolean[] fired = new boolean[1];
            store.armRead(c.id, () -> {
                fired[0] = true;
                try {
                    root().update(c.id, u);
                } catch (RuntimeException x) {
                    updateError[0] = x;
                }
            });
            IssuedKey k = null;
            RuntimeException error = null;
            try {
                k = root().rotate(c.id, grace);
            } catch (RuntimeException x) {
                error = x;
            } finally {
                store.disarm();
            }
            note("rotate " + c.label + " (update " + (fired[0] ? (updateError[0] == null ? "landed" : "refused: " + updateError[0])
                    : "never ran: the rotation did not read the key from the store") + ") -> "
                    + (error == null ? "ok" : "refused: " + error) + "   [model: rotate " + rotation + ", update " + update + "]");
            if (SHOW_STATS) count("rotateRacingUpdate: update " + (fired[0] ? (updateError[0] == null ? "landed" : "refused") : "never ran")
                    + ", rotate " + (error == null ? "ok" : "refused"));
            if (fired[0]) {
                if (updateError[0] == null && update.expect() == Expect.REFUSE) {
                    throw disagree("the racing update succeeded, but the model refuses it: " + update.why());
                }
                if (updateError[0] != null && update.expect() == Expect.ALLOW) {
                    throw disagree("the racing update was refused, but the model allows it: " + updateError[0]);
                }
                if (updateError[0] == null) {
                    applyChange(c, upd, after.exp());
                }
            }
            if (error == null) {
                if (rotation.expect() == Expect.REFUSE) {
                    throw disagree("rotate succeeded, but the model refuses it: " + rotation.why());
                }
                applyRotation(c, k, grace); // the successor carries the update
            } else if (rotation.expect() == Expect.ALLOW && !fired[0]) {
                throw disagree("rotate was refused, but the model allows it: " + error);
            }
            agree();
        }

        void revoke(int actor, int index) {
            Cred c = cred(index);
            if (c == null) {
                note("(no credential yet)");
                return;
            }
            Session s = session(actor);
            Verdict v = authority(s, "keys:write", c.account, c.shape());
            manage("revoke " + c.label + " by " + who(s), v, () -> manager(s).revoke(c.id), k -> c.revoked = true);
        }

        void revokeAll(int actor, String acct) {
            Session s = session(actor);
            Verdict v = authority(s, "keys:write", acct);
            List<Cred> live = creds.stream().filter(c -> c.account.equals(acct) && !c.revoked).toList();
            if (s != null && v.expect() != Expect.REFUSE) {
                for (Cred c : live) {
                    String why = notWithin(c.shape(), s.cred().shape());
                    if (why != null) {
                        v = Verdict.refuse(c.label + " is not within actor " + s.cred().label + ": " + why);
                        break;
                    }
                }
            }
            Integer n = manage("revokeAll " + acct + " by " + who(s), v, () -> manager(s).revokeAll(acct), count -> {
                live.forEach(c -> c.revoked = true);
            });
            if (n != null && n != live.size()) {
                throw disagree("revokeAll said it revoked " + n + ", the model revoked " + live.size());
            }
        }

        void changePassword(int actor, int index, boolean chosen) {
            Cred c = cred(index);
            if (c == null) {
                note("(no credential yet)");
                return;
            }
            Session s = session(actor);
            Verdict v = (!c.login ? Verdict.refuse(c.label + " is an API key: it has no password")
                    : c.revoked ? Verdict.refuse(c.label + " is revoked") : Verdict.ALLOW)
                    .and(authority(s, "keys:write", c.account, c.shape()));
            String password = "a new chosen password " + (++names);
            manage("changePassword " + c.label + " by " + who(s), v, () -> chosen
                    ? (Object) manager(s).changePassword(c.id, password)
                    : manager(s).changePassword(c.id), r -> {
                        c.oldSecret = c.secret;
                        c.secret = r instanceof IssuedKey p ? p.password() : password;
                        c.generation++;
                    });
        }

        void read(int actor, int index, boolean list, String acct) {
            Session s = session(actor);
            Cred c = cred(index);
            if (!list && c == null) {
                note("(no credential yet)");
                return;
            }
            String account = list ? acct : c.account;
            Verdict v = authority(s, "keys:read", account);
            Map<String, KeyInfo> before = snapshot();
            String what = (list ? "list " + acct : "get " + c.label) + " by " + who(s);
            Boolean ok; // null: an empty answer where there is nothing to show, which tells nothing
            String shown;
            try {
                if (list) {
                    Page<KeyInfo> page = manager(s).list(acct, null, 1000);
                    Set<String> ids = page.items().stream().map(KeyInfo::id).collect(Collectors.toCollection(TreeSet::new));
                    Set<String> expected = before.values().stream().filter(k -> k.account().equals(acct)).map(KeyInfo::id)
                            .collect(Collectors.toCollection(TreeSet::new));
                    shown = "listed " + ids.size();
                    if (expected.isEmpty() && ids.isEmpty()) {
                        ok = null;
                    } else if (ids.isEmpty()) {
                        ok = false;
                    } else if (!ids.equals(expected)) {
                        throw disagree(what + " listed " + ids + ", the store has " + expected);
                    } else {
                        ok = true;
                    }
                } else {
                    Optional<KeyInfo> got = manager(s).get(c.id);
                    ok = got.isPresent();
                    if (ok && !got.get().id().equals(c.id)) {
                        throw disagree(what + " answered another credential: " + got.get());
                    }
                    shown = ok ? "found" : "empty";
                }
            } catch (RuntimeException e) {
                ok = false;
                shown = "refused: " + e;
            }
            note(what + " -> " + shown + "   [model: " + v + "]");
            if (ok != null && ok && v.expect() == Expect.REFUSE) {
                throw disagree(what + " answered, but the model refuses it: " + v.why());
            }
            if (ok != null && !ok && v.expect() == Expect.ALLOW) {
                throw disagree(what + " was refused (" + shown + "), but the model allows it");
            }
            unchangedSince(before, what);
        }

        void suspend(int actor, String acct, boolean resume) {
            Session s = session(actor);
            Verdict v = s == null ? Verdict.ALLOW : Verdict.refuse("a key cannot suspend or resume accounts");
            manage((resume ? "resume " : "suspend ") + acct + " by " + who(s), v,
                    () -> resume ? manager(s).resume(acct) : manager(s).suspend(acct), (AccountRecord r) -> {
                        if (resume) {
                            suspended.remove(acct);
                        } else {
                            suspended.add(acct);
                        }
                    });
        }

        // ---- authentication steps ----

        /** The model's decision: {@code null} to allow, else the reason. */
        DenyReason decide(Cred c, boolean secretOk, Channel channel, String ip, boolean required, String permission, String resource) {
            if (!secretOk) {
                return DenyReason.WRONG_SECRET;
            }
            if (c.revoked) {
                return DenyReason.REVOKED;
            }
            if (expired(c)) {
                return DenyReason.EXPIRED;
            }
            if (suspended.contains(c.account)) {
                return DenyReason.ACCOUNT_SUSPENDED;
            }
            if (!c.channels.contains(channel)) {
                return DenyReason.PERMISSION_DENIED;
            }
            if (!c.allow.isEmpty() && c.allow.stream().noneMatch(b -> ipIn(ip, b)) && !c.reportOnly.contains(Check.ALLOWLIST)) {
                return DenyReason.IP_NOT_ALLOWED;
            }
            if (required) {
                if (resource == null) {
                    if (c.grants.stream().noneMatch(g -> permits(g.perm(), permission))) {
                        return DenyReason.PERMISSION_DENIED;
                    }
                } else {
                    String r = canonical(resource);
                    if (!c.account.equals(OWNERS.get(r))
                            || c.grants.stream().noneMatch(g -> permits(g.perm(), permission) && resourceCovered(g.pat(), r))) {
                        return DenyReason.PERMISSION_DENIED;
                    }
                }
            }
            return null;
        }

        void expectDecision(String what, DenyReason expected, boolean reasonKnown, AuthResult result) {
            if (SHOW_STATS) {
                count(what.replaceAll(" [pc][0-9].*", "").replaceAll(" from .*", "") + (what.contains("password changed") ? " (password changed)" : "")
                        + " " + (result.allowed() ? "allowed" : "denied " + result.reason()));
            }
            note(what + " -> " + (result.allowed() ? "allowed" : "denied " + result.reason()) + "   [model: "
                    + (expected == null ? "allowed" : "denied" + (reasonKnown ? " " + expected : "")) + "]");
            if (result.allowed() != (expected == null)) {
                throw disagree(what + " was " + (result.allowed() ? "allowed" : "denied " + result.reason()) + ", the model "
                        + (expected == null ? "allows it" : "denies it" + (reasonKnown ? " with " + expected : "")));
            }
            if (expected != null && reasonKnown && result.reason() != expected) {
                throw disagree(what + " was denied with " + result.reason() + ", the model says " + expected);
            }
        }

        void remember(Cred c, String ip, AuthResult r, Channel via) {
            if (!r.allowed()) {
                return;
            }
            Principal p = r.principal();
            if (!c.id.equals(p.keyId())) {
                throw disagree("the principal is " + p.keyId() + ", not " + c.label);
            }
            Session s = new Session("p" + sessions.size(), c, ip, c.generation, c.shape(), p, via);
            sessions.add(s);
            note("  session " + s);
        }

        void http(int index, int ipIndex, boolean bearer, int req, int p, int r, boolean old) {
            Cred c = cred(index);
            if (c == null) {
                note("(no credential yet)");
                return;
            }
            String ip = IPS.get(ipIndex);
            boolean useOld = old && c.oldSecret != null;
            String header = c.login ? basic(c.username, useOld ? c.oldSecret : c.secret)
                    : bearer ? "Bearer " + c.secret : basic("api", c.secret);
            AuthRequest request = AuthRequest.http(header, ip);
            String permission = REQUIRED.get(p);
            String resource = req == 2 ? RESOURCES.get(r) : null;
            if (req == 1) {
                request = request.require(permission);
            } else if (req == 2) {
                request = request.require(permission, resource);
            }
            AuthResult result = portcullis.authenticator().authenticate(request);
            expectDecision("http " + c.label + " from " + ip, decide(c, !useOld, Channel.HTTP, ip, req > 0, permission, resource),
                    true, result);
            remember(c, ip, result, Channel.HTTP);
        }

        void sasl(int index, int ipIndex, boolean old) {
            Cred c = cred(index);
            if (c == null) {
                note("(no credential yet)");
                return;
            }
            String ip = IPS.get(ipIndex);
            boolean useOld = old && c.oldSecret != null;
            String user = c.login ? c.username : "api";
            String password = useOld ? c.oldSecret : c.secret;
            SaslStep step = portcullis.authenticator().sasl("PLAIN", ip, true).respond(b64("\0" + user + "\0" + password));
            if (!step.done()) {
                throw disagree("SASL PLAIN with an initial response did not finish: " + step);
            }
            AuthResult result = step.result();
            expectDecision("sasl " + c.label + " from " + ip, decide(c, !useOld, Channel.SMTP, ip, false, null, null), true, result);
            remember(c, ip, result, Channel.SMTP);
        }

        /** MAIL FROM on a session that authenticated on {@code via} (SASL for SMTP). */
        void authorize(Channel via, int index, int p, int r) {
            List<Session> those = sessions.stream().filter(x -> x.via() == via).toList();
            if (those.isEmpty()) {
                note("(no " + via + " session yet)");
                return;
            }
            Session s = those.get(index % those.size());
            Cred c = s.cred();
            String permission = REQUIRED.get(p);
            String resource = RESOURCES.get(r);
            // Everything a new authentication would check but the secret, on the channel the session
            // authenticated on (an SMTP session's MAIL FROM: SMTP), for the session's address.
            DenyReason expected = decide(c, true, s.via(), s.ip(), true, permission, resource);
            boolean secretChanged = c.generation != s.generation();
            AuthResult result = portcullis.authenticator().authorize(s.principal(), permission, resource);
            String what = "authorize " + s + " " + permission + " on " + resource + (secretChanged ? " (its password changed since)" : "");
            if (secretChanged) {
                // Denied; which reason comes first is not specified.
                expectDecision(what, expected != null ? expected : DenyReason.REVOKED, false, result);
            } else {
                expectDecision(what, expected, true, result);
            }
        }

        void failClosed(int kind, int index) {
            Session s = sessions.isEmpty() ? null : sessions.get(index % sessions.size());
            AuthRequest request = AuthRequest.http("Bearer nothing", IPS.get(0));
            String what = FAIL_CLOSED.get(kind);
            Object answer;
            try {
                switch (kind) {
                    case 0: answer = request.require(null, "example.com"); break;
                    case 1: answer = request.require("messages:send", null); break;
                    case 2: answer = request.require("*", "example.com"); break;
                    case 3: answer = request.require("messages:*", "example.com"); break;
                    case 4: answer = request.require("*"); break;
                    case 5: answer = request.require("messages:send", "bad..name"); break;
                    default:
                        if (s == null) {
                            note(what + ": no session yet");
                            return;
                        }
                        Authenticator auth = portcullis.authenticator();
                        answer = kind == 6 ? auth.authorize(s.principal(), null, "example.com")
                                : kind == 7 ? auth.authorize(s.principal(), "*", "example.com")
                                : auth.authorize(s.principal(), "messages:send", "bad..name");
                }
            } catch (IllegalArgumentException e) {
                note(what + " -> threw " + e.getClass().getSimpleName());
                return;
            } catch (RuntimeException e) {
                note(what + " -> threw " + e.getClass().getSimpleName());
                if (kind == 5 || kind == 8) {
                    throw disagree(what + " threw " + e + "; a resource that cannot be canonicalised is an IllegalArgumentException");
                }
                return;
            }
            note(what + " -> returned " + answer);
            throw disagree(what + " did not throw at the call: it returned " + answer);
        }

        void advance(int d) {
            clock.advance(ADVANCES.get(d));
            note("now " + now());
        }
    }

    static String basic(String user, String password) {
        return "Basic " + b64(user + ":" + password);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The in-memory store, with a hook run once right after the next read of one record. */
    static final class RacingStore extends ForwardingCredentialStore {
        private volatile String armedId;
        private volatile Runnable hook;

        void armRead(String id, Runnable h) {
            this.hook = h;
            this.armedId = id;
        }

        void disarm() {
            armedId = null;
            hook = null;
        }

        @Override
        public Optional<KeyRecord> findById(String id) {
            Optional<KeyRecord> answer = delegate().findById(id);
            Runnable h = hook;
            if (h != null && id.equals(armedId)) {
                disarm();
                h.run();
            }
            return answer;
        }
    }
}
