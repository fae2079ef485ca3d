package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.Portcullis.Argon2Parameters;
import dev.portcullis.spi.CredentialStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The failure budgets against a model written from their rules (DESIGN §2 Throttle, issue 32), over
 * random sequences of attempts by guessers and misconfigured clients on several networks, with
 * random spellings of one login and an unknown one, interleaved with the owner logging in from the
 * network they used before and with the clock moving past the window:
 * <ul>
 *   <li>the owner, from a network they logged in from before, is never locked out by anyone
 *       else's failures;
 *   <li>a (login, password) pair spends the budgets once per network within the window, and
 *       runs Argon2 once: a repeat is denied as wrong (never as over budget while budget is left)
 *       without a hash;
 *   <li>a budget refuses only once that many distinct pairs failed from the network (per login) or
 *       from new networks (per account), and refuses even a remembered pair then.
 * </ul>
 */
class FailureBudgetProperties {
    static final int LOGIN_CAP = 3;
    static final int ACCOUNT_CAP = 5;
    static final Duration WINDOW = Duration.ofMinutes(10);
    static final String OWNER = "owner@example.com";
    static final String PASSWORD = "the owner's real password";
    static final String OWNER_NETWORK = "203.0.113.7";
    /** Guessers' and stale clients' networks; the last two are one /64 (one network), the one before another. */
    static final List<String> NETWORKS = List.of("198.51.100.1", "198.51.100.2", "2001:db8:1:1::1", "2001:db8:1:2::1",
            "2001:db8:1:2::99");
    /** Spellings of the owner's login (one canonical login), then a login nobody has. */
    static final List<String> USERS = List.of(OWNER, "owner@EXAMPLE.com", "owner@example.com.", "nobody@example.com");
    static final List<String> WRONG = List.of("password1", "the owner's old password", "letmein", "hunter2", "Password1",
            "the owner's real password ");

    /** One step: a wrong attempt, the owner from their network, or the clock past the window. */
    record Step(int kind, int network, int user, int password) {
        static final int ATTEMPT = 0;
        static final int OWNER_LOGIN = 1;
        static final int ADVANCE = 2;

        @Override
        public String toString() {
            return switch (kind) {
                case ATTEMPT -> USERS.get(user) + " / " + WRONG.get(password) + " from " + NETWORKS.get(network);
                case OWNER_LOGIN -> "owner from " + OWNER_NETWORK;
                default -> "advance past the window";
            };
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> attempt = Combinators.combine(Arbitraries.integers().between(0, NETWORKS.size() - 1),
                Arbitraries.integers().between(0, USERS.size() - 1), Arbitraries.integers().between(0, WRONG.size() - 1))
                .as((n, u, p) -> new Step(Step.ATTEMPT, n, u, p));
        Arbitrary<Step> owner = Arbitraries.just(new Step(Step.OWNER_LOGIN, 0, 0, 0));
        Arbitrary<Step> advance = Arbitraries.just(new Step(Step.ADVANCE, 0, 0, 0));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(12, attempt), net.jqwik.api.Tuple.of(2, owner),
                net.jqwik.api.Tuple.of(1, advance)).list().ofMaxSize(60);
    }

    @Property(tries = 300)
    void budgetsFollowTheModelAndNeverLockOutTheOwner(@ForAll("steps") List<Step> steps) {
        MutableClock clock = new MutableClock();
        try (Portcullis p = Portcullis.builder().store(CredentialStore.inMemory()).keyFormat(KeyFormat.withPrefix("kat"))
                .clock(clock).refreshExecutor(Runnable::run).argon2(new Argon2Parameters(8, 1, 1))
                .failureBudgets(Limit.per(1000, WINDOW), Limit.per(LOGIN_CAP, WINDOW), Limit.per(ACCOUNT_CAP, WINDOW))
                .build()) {
            p.keys().createSmtpCredential(KeySpec.builder().account("acme").username(OWNER).password(PASSWORD).allowHttp().build());
            assertTrue(login(p, OWNER, PASSWORD, OWNER_NETWORK).allowed(), "the owner's first login");
            Model m = new Model();
            List<String> trace = new ArrayList<>();
            for (Step s : steps) {
                trace.add(s.toString());
                switch (s.kind()) {
                    case Step.OWNER_LOGIN -> {
                        AuthResult r = login(p, OWNER, PASSWORD, OWNER_NETWORK);
                        assertTrue(r.allowed(), () -> "the owner was locked out (" + r.reason() + ") after " + trace);
                    }
                    case Step.ADVANCE -> {
                        clock.advance(WINDOW.plusSeconds(1));
                        m = new Model(); // every budget full again, every remembered pair forgotten
                    }
                    default -> {
                        long runs = p.wiring.hasher().runs();
                        String user = USERS.get(s.user());
                        AuthResult r = login(p, user, WRONG.get(s.password()), NETWORKS.get(s.network()));
                        Model.Expect e = m.attempt(s);
                        assertEquals(e.reason(), r.reason(), () -> "step " + trace.size() + " of " + trace);
                        assertEquals(e.hashes(), p.wiring.hasher().runs() - runs, () -> "Argon2 runs at step " + trace.size() + " of " + trace);
                    }
                }
            }
            assertTrue(login(p, OWNER, PASSWORD, OWNER_NETWORK).allowed(), () -> "the owner was locked out after " + trace);
        }
    }

    private static AuthResult login(Portcullis p, String user, String password, String client) {
        return p.authenticator().authenticate(AuthRequest.http(Fixtures.basic(user, password), client));
    }

    /** The rules, written plainly: budgets keyed by canonical login and budget network, pairs remembered per network. */
    static final class Model {
        record Expect(DenyReason reason, long hashes) {}

        private final Map<String, Set<String>> failedPairs = new HashMap<>();
        private final Map<String, Integer> loginSpent = new HashMap<>();
        private int accountSpent;

        Expect attempt(Step s) {
            boolean owner = s.user() < 3;
            String login = owner ? OWNER : USERS.get(s.user());
            String network = network(s.network());
            String key = login + "|" + network;
            if (loginSpent.getOrDefault(key, 0) >= LOGIN_CAP) {
                return new Expect(DenyReason.TOO_MANY_FAILURES, 0);
            }
            // Guessers' networks are never ones the owner logged in from; an unknown login's budget never refuses.
            if (owner && accountSpent >= ACCOUNT_CAP) {
                return new Expect(DenyReason.TOO_MANY_FAILURES, 0);
            }
            DenyReason wrong = owner ? DenyReason.WRONG_SECRET : DenyReason.UNKNOWN_KEY;
            if (!failedPairs.computeIfAbsent(key, k -> new HashSet<>()).add(WRONG.get(s.password()))) {
                return new Expect(wrong, 0);
            }
            loginSpent.merge(key, 1, Integer::sum);
            if (owner) {
                accountSpent++;
            }
            return new Expect(wrong, 1);
        }

        /** IPv4 by address, IPv6 by /64. */
        private static String network(int i) {
            String a = NETWORKS.get(i);
            return a.startsWith("2001:db8:1:2:") ? "2001:db8:1:2::/64" : a;
        }
    }
}
