package dev.portcullis.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.Limit;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.CredentialStore.CreditBalance;
import dev.portcullis.spi.CredentialStore.CreditTake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The JDBC store's credit statements (conditional UPDATEs, upsert, bounded add) answer every random
 * sequence of sets, adds and takes exactly as the in-memory store, the reference: the same result for
 * each call and the same balances after it. Balances are few and small, so takes often meet empty,
 * missing and due-for-refill balances, and adds reach the floor and the cap.
 */
class CreditsProperties {
    private static final List<Instant> TIMES = List.of(Instant.parse("2026-01-31T00:00:00Z"),
            Instant.parse("2026-02-28T00:00:00Z"), Instant.parse("2026-03-31T00:00:00Z"));
    private static final long MAX = Limit.Refill.MAX_AMOUNT;
    private static JdbcCredentialStore jdbc;

    @BeforeContainer
    static void open() {
        jdbc = JdbcCredentialStore.builder(Databases.h2()).build();
    }

    @AfterContainer
    static void close() {
        jdbc.close();
    }

    sealed interface Op permits Set, Delete, Add, Take {}

    record Set(int owner, long remaining, int at) implements Op {}

    record Delete(int owner) implements Op {}

    record Add(int owner, long delta) implements Op {}

    /** {@code refills[i]}: 0 for none, else the amount, with boundary {@code TIMES[at[i]]}. */
    record Take(int[] owners, long[] refills, int[] at, long cost) implements Op {}

    @Provide
    Arbitrary<List<Op>> sequences() {
        Arbitrary<Integer> owner = Arbitraries.integers().between(0, 2);
        Arbitrary<Integer> at = Arbitraries.integers().between(0, TIMES.size() - 1);
        Arbitrary<Op> set = Combinators.combine(owner, Arbitraries.longs().between(0, 12), at).as(Set::new);
        Arbitrary<Op> delete = owner.map(Delete::new);
        Arbitrary<Op> add = Combinators.combine(owner, Arbitraries.oneOf(Arbitraries.longs().between(-15, 15),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, MAX, -MAX, MAX - 1))).as(Add::new);
        Arbitrary<Op> take = Arbitraries.integers().between(1, 3).flatMap(n -> Combinators.combine(
                owner.array(int[].class).ofSize(n),
                Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, 12)).array(long[].class).ofSize(n),
                at.array(int[].class).ofSize(n),
                Arbitraries.longs().between(1, 8)).as(Take::new));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, set), net.jqwik.api.Tuple.of(1, delete),
                net.jqwik.api.Tuple.of(2, add), net.jqwik.api.Tuple.of(6, take)).list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 300)
    void theJdbcStoreAnswersEveryCreditCallAsTheReferenceDoes(@ForAll("sequences") List<Op> ops) {
        CredentialStore reference = CredentialStore.inMemory();
        // Fresh owners per try: the one H2 database outlives the tries.
        String run = UUID.randomUUID().toString();
        List<String> owners = List.of(run + "-a", run + "-b", run + "-c");
        int step = 0;
        for (Op op : ops) {
            String where = "step " + step++ + " " + describe(op);
            if (op instanceof Set s) {
                CreditBalance b = new CreditBalance(s.remaining(), TIMES.get(s.at()));
                reference.setCredits(owners.get(s.owner()), b);
                jdbc.setCredits(owners.get(s.owner()), b);
            } else if (op instanceof Delete d) {
                reference.setCredits(owners.get(d.owner()), null);
                jdbc.setCredits(owners.get(d.owner()), null);
            } else if (op instanceof Add a) {
                assertEquals(reference.addCredits(owners.get(a.owner()), a.delta()), jdbc.addCredits(owners.get(a.owner()), a.delta()),
                        where);
            } else if (op instanceof Take t) {
                List<CreditTake> takes = new ArrayList<>();
                for (int i = 0; i < t.owners().length; i++) {
                    takes.add(t.refills()[i] == 0 ? new CreditTake(owners.get(t.owners()[i]), 0, null)
                            : new CreditTake(owners.get(t.owners()[i]), t.refills()[i], TIMES.get(t.at()[i])));
                }
                assertEquals(reference.takeCredits(takes, t.cost()), jdbc.takeCredits(takes, t.cost()), where);
            }
            for (String o : owners) {
                assertEquals(reference.credits(o), jdbc.credits(o), where + ": balance " + o.substring(run.length()));
            }
        }
    }

    private static String describe(Op op) {
        return op instanceof Take t
                ? "Take[owners=" + java.util.Arrays.toString(t.owners()) + ", refills=" + java.util.Arrays.toString(t.refills())
                        + ", at=" + java.util.Arrays.toString(t.at()) + ", cost=" + t.cost() + "]"
                : op.toString();
    }
}
