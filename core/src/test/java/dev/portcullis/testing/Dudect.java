package dev.portcullis.testing;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A JVM port of dudect's leakage detection (Reparaz, Balasch, Verbauwhede, "Dude, is my code
 * constant time?", 2017; oreparaz/dudect; checklist I50-I51), for two input classes of one
 * operation.
 *
 * <ul>
 *   <li>Each measurement picks its class at random (both classes interleaved, so drift and load from
 *       other processes fall on both alike) and times one call with {@link System#nanoTime}.
 *   <li>Warm-up: the operation runs untimed first, until the JIT has finished nothing for three batches and
 *       {@value #WARMUP_QUIET_NANOS} ns; then one calibration batch sets the cropping thresholds and is
 *       discarded, as dudect does.
 *   <li>A measurement during which the thread was off the CPU (another process, a long interrupt), and
 *       the {@value #SETTLE} after it, are left out: the caches refill in those calls, at a cost that
 *       depends on each class's memory and whose frequency depends on how busy the machine is (see
 *       {@link #settled}).
 *   <li>Statistics: Welch's t = (μ0−μ1)/√(s0²/n0+s1²/n1), means and variances by Welford's online
 *       method; one test on all measurements, 100 tests cropped at the percentiles
 *       1−0.5^(10(i+1)/100) (the cropping removes the long tail of preemptions and interrupts that a
 *       busy machine adds), and a second-order test on squared centred values once class 0 has more
 *       than 10,000 measurements.
 *   <li>A measurement during which the JIT compiled (more than {@value #JIT_QUIET_MILLIS} ms) timed the
 *       classes on changing code; it is repeated with fresh statistics, at most {@value #MAX_ATTEMPTS}
 *       times in all, and the last one counts.
 *   <li>Verdict: the largest |t| among the tests whose class 0 has more than 10,000 measurements;
 *       dudect calls |t| &gt; 10 "probably not constant time". A run over the threshold is confirmed by
 *       an independent second run, and the weaker of the two counts: a leak repeats, noise does not.
 *       Leakage detection, not proof.
 * </ul>
 */
public final class Dudect {
    /** dudect's DUDECT_NUMBER_PERCENTILES. */
    static final int PERCENTILES = 100;
    /** dudect's DUDECT_ENOUGH_MEASUREMENTS: a test counts only once class 0 has more than this. */
    public static final long ENOUGH = 10_000;
    /** dudect's threshold for "probably not constant time"; checklist I51. */
    public static final double THRESHOLD = 10;
    private static final int BATCH = 10_000;

    /** The operation under test; {@code index} lets a class pick from a pool of prepared inputs. */
    @FunctionalInterface
    public interface Operation {
        /** Runs once on an input of class {@code cls} (0 or 1); returns something, so the JIT keeps the work. */
        Object run(int cls, int index);
    }

    /**
     * What a run found.
     *
     * @param maxT the largest |t| of the tests with enough measurements
     * @param maxTest which test that was: {@code uncropped}, {@code cropped@p} or {@code second-order}
     * @param uncroppedT t of the test on all measurements
     * @param n the measurements per class that count (after warm-up and calibration)
     * @param medianNs the median time per class, in ns
     * @param seconds wall time of the whole run
     * @param seed the seed of the class choices, to repeat a run
     * @param warmupCalls how many untimed calls the warm-up took
     * @param jitMillisWhileMeasuring JIT compilation time spent while measuring (0 when the JIT had settled)
     * @param effectNs how much slower class 0 is than class 1, comparing the faster half of each class
     *     (the mean of its lower half by rank), in ns: the size of a difference, where t is its evidence
     * @param effectSeNs the standard error of {@code effectNs}
     * @param settling measurements left out as taken off the CPU or in the {@value Dudect#SETTLE} calls after it
     */
    public record Result(String name, double maxT, String maxTest, double uncroppedT, long[] n, double[] medianNs,
            double seconds, long seed, long warmupCalls, long jitMillisWhileMeasuring, double effectNs, double effectSeNs,
            long settling) {
        public boolean leaks() {
            return maxT > THRESHOLD;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "dudect %s: max|t|=%.2f (%s), uncropped t=%.2f, n=%d/%d, median %.0f/%.0f ns, "
                            + "effect %+.1f ± %.1f ns (faster half), warm-up %d calls, JIT %d ms while measuring, %d left out (disturbed or settling), "
                            + "%.1f s, seed %d",
                    name, maxT, maxTest, uncroppedT, n[0], n[1], medianNs[0], medianNs[1], effectNs, effectSeNs, warmupCalls,
                    jitMillisWhileMeasuring, settling, seconds, seed);
        }
    }

    /** Welch's t-test with Welford's running mean and variance, per class. */
    static final class TTest {
        final long[] n = new long[2];
        final double[] mean = new double[2];
        final double[] m2 = new double[2];

        void push(double x, int cls) {
            n[cls]++;
            double delta = x - mean[cls];
            mean[cls] += delta / n[cls];
            m2[cls] += delta * (x - mean[cls]);
        }

        double t() {
            if (n[0] < 2 || n[1] < 2) {
                return 0;
            }
            double v0 = m2[0] / (n[0] - 1);
            double v1 = m2[1] / (n[1] - 1);
            double den = Math.sqrt(v0 / n[0] + v1 / n[1]);
            return den == 0 ? (mean[0] == mean[1] ? 0 : Double.POSITIVE_INFINITY) : (mean[0] - mean[1]) / den;
        }
    }

    private Dudect() {
    }

    /**
     * Measures {@code op} until each class has at least {@code perClass} counted measurements.
     *
     * @param warmup untimed calls at least, before anything is measured (more while the JIT still compiles)
     */
    public static Result measure(String name, Operation op, long perClass, int warmup) {
        Result first = measureSettled(name, op, perClass, warmup);
        if (!first.leaks()) {
            return first;
        }
        // A leak is a property of the code, so an independent run (fresh seed, fresh interleaving)
        // shows it again; a run over the threshold that the next one does not repeat was noise on a
        // shared machine. The threshold stays; the weaker of the two runs is the verdict.
        System.out.println(first + " -- over the threshold, confirming with an independent run");
        Result second = measureSettled(name, op, perClass, warmup);
        return second.maxT() < first.maxT() ? second : first;
    }

    private static Result measureSettled(String name, Operation op, long perClass, int warmup) {
        Result r = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            r = measureOnce(name, op, perClass, warmup);
            if (r.jitMillisWhileMeasuring() <= JIT_QUIET_MILLIS) {
                return r;
            }
            // The JIT changed the code under test while it was measured: the classes were timed on
            // different code. Measure again (the threshold stays as it is), after a longer warm-up.
            System.out.println(r + " -- JIT busy while measuring, measured again");
            warmup *= 2;
        }
        return r;
    }

    /** JIT compilation while measuring above which a measurement is repeated. */
    static final long JIT_QUIET_MILLIS = 10;
    /** Measurements at most per case, each with fresh statistics. */
    static final int MAX_ATTEMPTS = 3;

    private static Result measureOnce(String name, Operation op, long perClass, int warmup) {
        long seed = new SecureRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        long started = System.nanoTime();
        int[] classes = new int[BATCH];
        long[] times = new long[BATCH];
        long[] starts = new long[BATCH];
        boolean[] counts = new boolean[BATCH];
        long sink = warmUp(op, random, warmup, classes, times, starts, counts);
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long jitBefore = jit.getTotalCompilationTime();
        sink += batch(op, random, classes, times, starts, 0);
        long median = (long) median(times);
        settled(times, starts, median, counts);
        double[] thresholds = percentiles(counted(times, counts));
        long dropped = 0;
        long[][] kept = {new long[(int) perClass], new long[(int) perClass]}; // every counted time, per class
        int[] keptN = new int[2];
        TTest[] tests = newTests();
        long[][] sample = new long[2][]; // for the medians: the last batch of each class
        int index = BATCH;
        while (tests[0].n[0] < perClass || tests[0].n[1] < perClass) {
            sink += batch(op, random, classes, times, starts, index);
            index += BATCH;
            dropped += settled(times, starts, median, counts);
            update(tests, thresholds, classes, times, counts);
            for (int i = 0; i < classes.length; i++) {
                if (!counts[i]) {
                    continue;
                }
                int c = classes[i];
                if (keptN[c] == kept[c].length) {
                    kept[c] = Arrays.copyOf(kept[c], kept[c].length * 2);
                }
                kept[c][keptN[c]++] = times[i];
            }
            for (int c = 0; c < 2; c++) {
                sample[c] = timesOf(classes, times, counts, c);
            }
        }
        double max = 0;
        String which = "none";
        for (int i = 0; i < tests.length; i++) {
            if (tests[i].n[0] > ENOUGH) {
                double x = Math.abs(tests[i].t());
                if (x > max) {
                    max = x;
                    which = i == 0 ? "uncropped" : i == PERCENTILES + 1 ? "second-order"
                            : String.format(java.util.Locale.ROOT, "cropped@%.3f", percentile(i - 1));
                }
            }
        }
        if (sink == 42) {
            System.out.print(""); // keeps sink alive
        }
        TTest effect = fasterHalves(kept, keptN);
        double se = Math.sqrt(effect.m2[0] / (effect.n[0] - 1) / effect.n[0] + effect.m2[1] / (effect.n[1] - 1) / effect.n[1]);
        return new Result(name, max, which, tests[0].t(), tests[0].n.clone(), new double[] {median(sample[0]), median(sample[1])},
                (System.nanoTime() - started) / 1e9, seed, lastWarmup, jit.getTotalCompilationTime() - jitBefore,
                effect.mean[0] - effect.mean[1], se, dropped);
    }

    /**
     * Each class's faster half, by rank: its measurements sorted, the lower half kept. By rank and
     * not below a threshold, so that classes of one distribution compare alike even though
     * {@code nanoTime} steps make many measurements equal.
     */
    private static TTest fasterHalves(long[][] kept, int[] keptN) {
        TTest t = new TTest();
        for (int c = 0; c < 2; c++) {
            long[] sorted = Arrays.copyOf(kept[c], keptN[c]);
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length / 2; i++) {
                t.push(sorted[i], c);
            }
        }
        return t;
    }

    private static TTest[] newTests() {
        TTest[] tests = new TTest[PERCENTILES + 2];
        for (int i = 0; i < tests.length; i++) {
            tests[i] = new TTest();
        }
        return tests;
    }

    /** dudect's update_statistics: all, the 100 crops, and the second-order test once class 0 has enough. */
    private static void update(TTest[] tests, double[] thresholds, int[] classes, long[] times, boolean[] counts) {
        TTest all = tests[0];
        TTest second = tests[PERCENTILES + 1];
        for (int i = 0; i < classes.length; i++) {
            if (!counts[i]) {
                continue;
            }
            long t = times[i];
            int c = classes[i];
            all.push(t, c);
            for (int p = 0; p < PERCENTILES; p++) {
                if (t < thresholds[p]) {
                    tests[p + 1].push(t, c);
                }
            }
            if (all.n[0] > ENOUGH) {
                double centred = t - all.mean[c];
                second.push(centred * centred, c);
            }
        }
    }

    /**
     * Runs {@code op} through the very loop that measures it, and the statistics over the results,
     * both discarded, until the JIT has settled: at least {@code minimum} calls, then until the JVM's
     * total compilation time stayed the same over three batches in a row (at most
     * {@value #MAX_WARMUP} calls). Warming up through another call site would leave the measuring
     * loop to be compiled, with the operation inlined into it, while it measures; and a JIT still
     * compiling makes each class's speed drift at its own moments, which dudect would report as a
     * leak of the code when it is none.
     */
    private static long warmUp(Operation op, SplittableRandom random, int minimum, int[] classes, long[] times, long[] starts,
            boolean[] counts) {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long sink = 0;
        long calls = 0;
        int quiet = 0;
        long compiled = jit.getTotalCompilationTime();
        long quietSince = System.nanoTime();
        while (calls < MAX_WARMUP && (calls < minimum || quiet < 3 || System.nanoTime() - quietSince < WARMUP_QUIET_NANOS)) {
            sink += batch(op, random, classes, times, starts, (int) calls);
            calls += BATCH;
            long median = (long) median(times);
            settled(times, starts, median, counts);
            update(newTests(), percentiles(counted(times, counts)), classes, times, counts);
            long now = jit.getTotalCompilationTime();
            if (now == compiled) {
                quiet++;
            } else {
                quiet = 0;
                quietSince = System.nanoTime();
            }
            compiled = now;
        }
        lastWarmup = calls;
        return sink;
    }

    /**
     * How long the JIT must have finished nothing before measuring starts. The compilation time only
     * moves when a compilation ends, and on a busy machine the compiler threads get a share of a
     * core: three batches of a fast operation (a few ms) were no proof that nothing was still compiling,
     * and a compilation that ended while measuring forced the whole measurement to be repeated.
     */
    static final long WARMUP_QUIET_NANOS = 300_000_000L;

    /** Calls of the last warm-up, for the report. */
    private static volatile long lastWarmup;
    static final long MAX_WARMUP = 3_000_000;

    private static long batch(Operation op, SplittableRandom random, int[] classes, long[] times, long[] starts, int base) {
        for (int i = 0; i < classes.length; i++) {
            classes[i] = random.nextInt(2);
        }
        long sink = 0;
        for (int i = 0; i < classes.length; i++) {
            long t0 = System.nanoTime();
            Object r = op.run(classes[i], base + i);
            long t1 = System.nanoTime();
            times[i] = t1 - t0;
            starts[i] = t0;
            sink += r == null ? 0 : 1;
        }
        return sink;
    }

    /**
     * Marks which measurements of a batch count: none that the thread was taken off the CPU during
     * (a measurement longer than the calibration median by {@value #DISTURBANCE_NANOS} ns, or a gap
     * that long before it), and none of the next {@value #SETTLE} after it, nor the first
     * {@value #SETTLE} of the batch (the statistics of the previous batch ran just before). Another
     * process running in between evicts from the caches what the operation keeps there, and for
     * the next few dozen calls each class pays for reloading its own memory: where the classes' memory
     * differs in size, that cost differs too, and how often it is paid depends only on how busy
     * the machine is. Leaving those calls out measures the same steady state on a quiet and a busy
     * machine. Returns how many were left out.
     */
    static int settled(long[] times, long[] starts, long median, boolean[] counts) {
        int left = SETTLE; // the batch starts after the statistics' own work
        int dropped = 0;
        for (int i = 0; i < times.length; i++) {
            long gap = i == 0 ? 0 : starts[i] - starts[i - 1] - times[i - 1];
            if (times[i] > median + DISTURBANCE_NANOS || gap > DISTURBANCE_NANOS) {
                left = SETTLE + 1;
            }
            counts[i] = left == 0;
            if (left > 0) {
                left--;
                dropped++;
            }
        }
        return dropped;
    }

    /** Off the CPU at least this long (beyond the median call) counts as a disturbance. */
    static final long DISTURBANCE_NANOS = 20_000;
    /** Calls left out after a disturbance, while the caches refill. */
    static final int SETTLE = 16;

    /** dudect's cropping fractions: 1 − 0.5^(10(i+1)/100). */
    static double percentile(int i) {
        return 1 - Math.pow(0.5, 10.0 * (i + 1) / PERCENTILES);
    }

    private static double[] percentiles(long[] calibration) {
        long[] sorted = calibration.clone();
        Arrays.sort(sorted);
        double[] th = new double[PERCENTILES];
        for (int i = 0; i < PERCENTILES; i++) {
            th[i] = sorted[(int) Math.min(sorted.length - 1, Math.floor(percentile(i) * sorted.length))];
        }
        return th;
    }

    private static long[] timesOf(int[] classes, long[] times, boolean[] counts, int c) {
        return java.util.stream.IntStream.range(0, classes.length).filter(i -> counts[i] && classes[i] == c).mapToLong(i -> times[i]).toArray();
    }

    private static long[] counted(long[] times, boolean[] counts) {
        return java.util.stream.IntStream.range(0, times.length).filter(i -> counts[i]).mapToLong(i -> times[i]).toArray();
    }

    private static double median(long[] xs) {
        if (xs == null || xs.length == 0) {
            return Double.NaN;
        }
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
