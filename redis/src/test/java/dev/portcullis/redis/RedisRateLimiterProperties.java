package dev.portcullis.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.Limit;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.spi.RateLimiter.Quota;
import dev.portcullis.spi.RateLimiter.Take;
import dev.portcullis.testkit.MutableClock;
import dev.portcullis.testkit.RedisServer;
import io.lettuce.core.RedisClient;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The Redis limiter decides as {@code RateLimiter.local} does (issue 26): random limits, random
 * sequences of takes and give-backs of random costs over random subsets of the quotas, on a real
 * Redis, at a clock that stands still (the limiter's {@code clock} option), so that both count
 * the same tokens. Each take must agree on admission and status, and at the end every bucket
 * holds the same number of tokens.
 */
class RedisRateLimiterProperties {
    private static final MutableClock FROZEN = new MutableClock(Instant.now());
    private static final AtomicInteger RUN = new AtomicInteger();
    private static final List<Duration> PERIODS = List.of(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofHours(1),
            Duration.ofDays(1), Duration.ofDays(7));
    private static RedisServer redis;
    private static RedisClient client;
    private static RedisRateLimiter onRedis;

    @BeforeContainer
    static void startRedis() throws Exception {
        redis = RedisServer.start();
        client = Clients.of(redis);
        onRedis = RedisRateLimiter.create(client, RedisRateLimiterOptions.builder().clock(FROZEN).build());
    }

    @AfterContainer
    static void stopRedis() throws Exception {
        onRedis.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        redis.close();
    }

    /** A take ({@code give} false) or give-back of {@code cost}, on the quotas picked by the bits of {@code mask}. */
    record Op(boolean give, long cost, int mask) {}

    @Provide
    Arbitrary<List<Limit>> limits() {
        Arbitrary<Limit> limit = Combinators.combine(
                Arbitraries.longs().between(1, 10),
                Arbitraries.of(PERIODS),
                Arbitraries.longs().between(1, 12),
                Arbitraries.of(true, false)).as((rate, period, burst, account) -> {
                    Limit l = Limit.per(rate, period).burst(burst);
                    return account ? l.perAccount() : l;
                });
        return limit.list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.of(false, false, true), // takes twice as often as give-backs
                Arbitraries.longs().between(1, 14), // up to above every capacity
                Arbitraries.integers().between(1, 7)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(30);
    }

    @Property(tries = 500)
    void decidesAsTheLocalLimiterForRandomCostsTakesAndGiveBacks(@ForAll("limits") List<Limit> limits, @ForAll("ops") List<Op> ops) {
        String run = "p" + RUN.incrementAndGet();
        List<Quota> quotas = new ArrayList<>();
        for (int i = 0; i < limits.size(); i++) {
            Limit l = limits.get(i);
            quotas.add(new Quota((l.scope() == Limit.Scope.ACCOUNT ? "A:" : "k:") + run + "." + i + ":" + l, l));
        }
        RateLimiter local = RateLimiter.local(FROZEN);
        for (int step = 0; step < ops.size(); step++) {
            Op op = ops.get(step);
            List<Quota> picked = pick(quotas, op.mask());
            String at = "step " + step + " " + op + " on " + picked;
            if (op.give()) {
                onRedis.giveBack(picked, op.cost());
                local.giveBack(picked, op.cost());
                continue;
            }
            Take r = onRedis.tryTakeAll(picked, op.cost());
            Take l = local.tryTakeAll(picked, op.cost());
            assertEquals(l.allowed(), r.allowed(), at);
            assertEquals(l.status(), r.status(), at);
            if (!l.allowed()) {
                // Redis counts in µs, rounded up; the local limiter in ns.
                boolean same = l.nanosToWait() == r.nanosToWait()
                        || l.nanosToWait() != Long.MAX_VALUE && r.nanosToWait() != Long.MAX_VALUE
                                && Math.abs(l.nanosToWait() - r.nanosToWait()) < 1000;
                assertTrue(same, at + ": waits " + l.nanosToWait() + " ns here, " + r.nanosToWait() + " ns on Redis");
            }
        }
        for (Quota q : quotas) {
            assertEquals(drain(local, q), drain(onRedis, q), "tokens left in " + q);
        }
        assertEquals(BreakerState.CLOSED, onRedis.state(), "decided on Redis throughout");
    }

    /** The quotas whose bit is set in {@code mask}, in order; all of them if none is. */
    private static List<Quota> pick(List<Quota> quotas, int mask) {
        List<Quota> out = new ArrayList<>();
        for (int i = 0; i < quotas.size(); i++) {
            if ((mask & 1 << i) != 0) {
                out.add(quotas.get(i));
            }
        }
        return out.isEmpty() ? quotas : out;
    }

    private static int drain(RateLimiter limiter, Quota q) {
        int n = 0;
        while (limiter.tryTakeAll(List.of(q), 1).allowed()) {
            n++;
        }
        return n;
    }
}
