package dev.portcullis.redis;

import dev.portcullis.Limit;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.spi.RateLimiter.Quota;
import dev.portcullis.testkit.RedisServer;
import io.lettuce.core.RedisClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The measurement the default {@code requestTimeout} and the breaker's trip rule are sized from
 * (docs/integration-redis.md, "How the defaults were sized"): {@code nodes} limiters, each with its
 * own Lettuce client, {@code threads} threads each, all on one hot key of N per day, the way
 * {@link FleetTest} runs, but with a timeout no call reaches so that every call's latency is seen.
 * Prints the admitted count of each trial and the latency distribution of every call.
 *
 * <pre>
 * java -cp redis/target/test-classes:redis/target/classes:$(cat /tmp/redis-cp.txt) \
 *     dev.portcullis.redis.FleetLatency [trials=20] [n=1000] [nodes=2] [threads=8] [quotas=1]
 * </pre>
 *
 * Not a test (no assertion, and its point is the tail on whatever machine runs it).
 */
public final class FleetLatency {
    private FleetLatency() {
    }

    public static void main(String[] args) throws Exception {
        int trials = arg(args, 0, 20);
        int n = arg(args, 1, 1000);
        int nodes = arg(args, 2, 2);
        int threads = arg(args, 3, 8);
        int quotaCount = arg(args, 4, 1);
        int callsPerTrial = 2 * n;
        List<BreakerEvent> events = new CopyOnWriteArrayList<>();
        long[] all = new long[trials * callsPerTrial];
        int filled = 0;
        int unanswered = 0;
        List<Long> trialMillis = new ArrayList<>();
        List<Integer> admittedPerTrial = new ArrayList<>();
        List<Long> maxMillisPerTrial = new ArrayList<>();
        List<Long> maxGapMillisPerTrial = new ArrayList<>();
        try (RedisServer redis = RedisServer.start()) {
            List<RedisClient> clients = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                clients.add(Clients.of(redis));
            }
            for (int trial = 0; trial < trials; trial++) {
                List<RedisRateLimiter> limiters = new ArrayList<>();
                for (RedisClient c : clients) {
                    limiters.add(RedisRateLimiter.create(c, RedisRateLimiterOptions.builder().keyPrefix("lat" + trial + ":")
                            .requestTimeout(Duration.ofSeconds(10)).listener(events::add).build()));
                }
                List<Quota> quotas = new ArrayList<>();
                Limit limit = Limit.perDay(n);
                quotas.add(new Quota("k:hot" + trial + ":" + limit, limit));
                if (quotaCount > 1) {
                    Limit acct = Limit.perDay(n * 10L).perAccount();
                    quotas.add(new Quota("A:acme" + trial + ":" + acct, acct));
                }
                AtomicInteger next = new AtomicInteger();
                AtomicInteger admitted = new AtomicInteger();
                AtomicInteger noAnswer = new AtomicInteger();
                long[] latencies = new long[callsPerTrial];
                long[] doneAt = new long[callsPerTrial];
                CountDownLatch start = new CountDownLatch(1);
                List<Thread> ts = new ArrayList<>();
                for (int t = 0; t < nodes * threads; t++) {
                    RateLimiter l = limiters.get(t % nodes);
                    Thread th = new Thread(() -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        for (int i = next.getAndIncrement(); i < callsPerTrial; i = next.getAndIncrement()) {
                            long t0 = System.nanoTime();
                            RateLimiter.Take take = l.tryTakeAll(quotas);
                            long t1 = System.nanoTime();
                            latencies[i] = t1 - t0;
                            doneAt[i] = t1;
                            if (take.allowed()) {
                                admitted.incrementAndGet();
                            } else if (take.status() == null) {
                                noAnswer.incrementAndGet();
                            }
                        }
                    });
                    th.start();
                    ts.add(th);
                }
                long t0 = System.nanoTime();
                start.countDown();
                for (Thread th : ts) {
                    th.join();
                }
                trialMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                admittedPerTrial.add(admitted.get());
                unanswered += noAnswer.get();
                Arrays.sort(doneAt);
                long gap = 0;
                for (int i = 1; i < callsPerTrial; i++) {
                    gap = Math.max(gap, doneAt[i] - doneAt[i - 1]);
                }
                maxGapMillisPerTrial.add(TimeUnit.NANOSECONDS.toMillis(gap));
                maxMillisPerTrial.add(TimeUnit.NANOSECONDS.toMillis(Arrays.stream(latencies).max().orElse(0)));
                System.arraycopy(latencies, 0, all, filled, callsPerTrial);
                filled += callsPerTrial;
                limiters.forEach(RedisRateLimiter::close);
            }
            for (RedisClient c : clients) {
                c.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
        Arrays.sort(all, 0, filled);
        System.out.printf(Locale.ROOT, "%d trials, %d nodes x %d threads, N=%d/day, %d quota(s), %d calls per trial%n",
                trials, nodes, threads, n, quotaCount, callsPerTrial);
        System.out.println("admitted per trial: " + admittedPerTrial);
        System.out.println("trial wall time ms: " + trialMillis);
        System.out.println("slowest call per trial ms: " + maxMillisPerTrial);
        System.out.println("longest time with no call completing, per trial ms: " + maxGapMillisPerTrial);
        System.out.println("unanswered calls: " + unanswered + ", breaker events: " + events);
        System.out.printf(Locale.ROOT, "latency us over %d calls: p50 %.0f  p90 %.0f  p99 %.0f  p99.9 %.0f  p99.99 %.0f  max %.0f%n",
                filled, pct(all, filled, 0.50), pct(all, filled, 0.90), pct(all, filled, 0.99), pct(all, filled, 0.999),
                pct(all, filled, 0.9999), all[filled - 1] / 1000.0);
        System.out.println("load average: " + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
    }

    private static double pct(long[] sorted, int count, double p) {
        return sorted[Math.min(count - 1, (int) Math.ceil(p * count) - 1)] / 1000.0;
    }

    private static int arg(String[] args, int i, int dflt) {
        return args.length > i ? Integer.parseInt(args[i]) : dflt;
    }
}
