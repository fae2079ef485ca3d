package dev.portcullis.redis;

import dev.portcullis.Limit;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.spi.RateLimiter.Quota;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node of the fleet measurement across processes ({@code redis/bench/fleet.sh}): a limiter at
 * default options with its own Lettuce client, {@code threads} threads on one hot key of N per day,
 * {@code 2N / nodes} calls per trial. The nodes of a run start each trial together at a barrier kept
 * in Redis; after a trial each waits for its unanswered takes to be resolved (given back if
 * admitted), and node 0 then takes what is left. One line per trial:
 * {@code trial <t> node <i> admitted <a> late <l> unanswered <u> ms <wall> slowest_ms <s>}, and a
 * last line {@code events <breaker switches>}.
 *
 * <pre>
 * java -cp … dev.portcullis.redis.FleetNode port nodeIndex nodes threads n trials runId
 * </pre>
 */
public final class FleetNode {
    private FleetNode() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int index = Integer.parseInt(args[1]);
        int nodes = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int n = Integer.parseInt(args[4]);
        int trials = Integer.parseInt(args[5]);
        String run = args[6];
        List<BreakerEvent> events = new CopyOnWriteArrayList<>();
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port).build());
        try (StatefulRedisConnection<String, String> control = client.connect();
             RedisRateLimiter limiter = RedisRateLimiter.create(client, RedisRateLimiterOptions.builder()
                     .keyPrefix("fleet:" + run + ":").listener(events::add).build())) {
            Limit limit = Limit.perDay(n);
            int callsPerNode = 2 * n / nodes;
            for (int trial = 0; trial < trials; trial++) {
                List<Quota> quotas = List.of(new Quota("k:hot" + trial + ":" + limit, limit));
                barrier(control, "barrier:" + run + ":go:" + trial, nodes);
                int unansweredBefore = limiter.unanswered();
                AtomicInteger calls = new AtomicInteger();
                AtomicInteger admitted = new AtomicInteger();
                AtomicLong slowest = new AtomicLong();
                CountDownLatch done = new CountDownLatch(threads);
                long t0 = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    Thread th = new Thread(() -> {
                        while (calls.getAndIncrement() < callsPerNode) {
                            long c0 = System.nanoTime();
                            RateLimiter.Take take = limiter.tryTakeAll(quotas);
                            slowest.accumulateAndGet(System.nanoTime() - c0, Math::max);
                            if (take.allowed()) {
                                admitted.incrementAndGet();
                            }
                        }
                        done.countDown();
                    });
                    th.start();
                }
                done.await();
                long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (limiter.unresolved() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                barrier(control, "barrier:" + run + ":done:" + trial, nodes);
                int late = 0;
                if (index == 0) {
                    while (limiter.tryTakeAll(quotas).allowed()) {
                        late++;
                    }
                }
                System.out.printf(Locale.ROOT, "trial %d node %d admitted %d late %d unanswered %d ms %d slowest_ms %d%n",
                        trial, index, admitted.get(), late, limiter.unanswered() - unansweredBefore, wallMs,
                        TimeUnit.NANOSECONDS.toMillis(slowest.get()));
            }
            System.out.println("events " + events.size() + " " + events);
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    /** Waits until {@code nodes} processes have arrived at {@code key} (60 s at most). */
    private static void barrier(StatefulRedisConnection<String, String> c, String key, int nodes) throws InterruptedException {
        c.sync().incr(key);
        c.sync().expire(key, 600);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Long.parseLong(c.sync().get(key)) < nodes) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the other nodes did not reach " + key);
            }
            Thread.sleep(1);
        }
    }
}
