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
 *       {@value #WARMUP_QUIET_NANOS} ns and has nothing compiling or queued ({@link #jitIdle}); then one
 *       calibration batch sets the cropping thresholds and each class's usual time, and is discarded,
 *       as dudect does.
 *   <li>A measurement held up by something outside the operation (another process, the host taking
 *       the virtual CPU away: longer than its class's median by {@value #DISTURBANCE_NANOS} ns, or
 *       after a gap that long), and the {@value #SETTLE} after it, are left out: the caches refill in
 *       those calls, at a cost that depends on each class's memory and whose frequency depends on how
 *       busy the machine is (see {@link #settled}).
 *   <li>Inputs that must be new for every call are made per batch before it is timed ({@link Inputs}).
 *   <li>Statistics: dudect's tests (one on all measurements, 100 cropped at the percentiles
 *       1−0.5^(10(i+1)/100), one second-order), each taken over <em>blocks</em> of
 *       {@value #BLOCK} consecutive counted measurements: every block gives the difference of the
 *       classes' means (of their variances, for the second-order test), and t is the mean of those
 *       differences over its standard error, from their spread across blocks (see {@link Blocked}).
 *       On a quiet machine this is dudect's Welch t; on a busy one the machine's own state (another
 *       process on the sibling core, a frequency step) changes how much the classes differ from one
 *       moment to the next, and the spread across blocks counts that in, where a t from single
 *       measurements took them for independent and overstated its evidence. The effect (how much
 *       slower class 0 is) is the median of the blocks' differences of the classes' faster halves.
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
    /** Calls per batch: their classes are drawn, and their inputs made ({@link Inputs}), before any is timed. */
    public static final int BATCH = 10_000;
    /**
     * Counted measurements per block of the statistics: short enough that the machine's state
     * changes little within one (a block of the fastest case lasts about half a millisecond, of the
     * 20 µs password case about 25 ms), long enough that each class has hundreds in it, so even the
     * sharpest crop compares dozens against dozens.
     */
    public static final int BLOCK = 1_000;

    /** The operation under test; {@code index} lets a class pick from a pool of prepared inputs. */
    @FunctionalInterface
    public interface Operation {
        /** Runs once on an input of class {@code cls} (0 or 1); returns something, so the JIT keeps the work. */
        Object run(int cls, int index);
    }

    /**
     * Makes the inputs of the next batch before any of it is timed, as dudect's {@code prepare_inputs}
     * does: for inputs that must be new for every call (a password never tried before), so that making
     * them is not measured with the operation. The call {@code base + k} (for {@code k} below
     * {@value #BATCH}) will be of class {@code classes[k]}; the operation finds its input by
     * {@code index % BATCH}.
     */
    @FunctionalInterface
    public interface Inputs {
        void prepare(int[] classes, int base);
    }

    /**
     * What a run found.
     *
     * @param maxT the largest |t| of the tests with enough measurements, over blocks (the verdict)
     * @param maxTest which test that was: {@code uncropped}, {@code cropped@p} or {@code second-order}
     * @param uncroppedT t of the test on all measurements, over blocks
     * @param n the measurements per class that count (after warm-up and calibration)
     * @param medianNs the median time per class, in ns (of the last block)
     * @param seconds wall time of the whole run
     * @param seed the seed of the class choices, to repeat a run
     * @param warmupCalls how many untimed calls the warm-up took
     * @param jitMillisWhileMeasuring JIT compilation time spent while measuring (0 when the JIT had settled)
     * @param effectNs how much slower class 0 is than class 1, comparing the faster half of each class
     *     (the mean of its lower half by rank) block by block, in ns: the median of the blocks'
     *     differences, the size of a difference in the machine's usual state, where t is its evidence
     * @param effectSeNs the standard error of {@code effectNs}, from the blocks' spread (1.2533 σ/√blocks,
     *     the median's)
     * @param settling measurements left out as taken off the CPU or in the {@value Dudect#SETTLE} calls after it
     * @param perMeasurementMaxT dudect's own statistic for comparison: the largest |t| of the same tests
     *     taken over single measurements as if they were independent
     * @param blocks how many blocks the statistics had
     */
    public record Result(String name, double maxT, String maxTest, double uncroppedT, long[] n, double[] medianNs,
            double seconds, long seed, long warmupCalls, long jitMillisWhileMeasuring, double effectNs, double effectSeNs,
            long settling, double perMeasurementMaxT, long blocks) {
        public boolean leaks() {
            return maxT > THRESHOLD;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "dudect %s: max|t|=%.2f (%s, over %d blocks; per measurement %.2f), uncropped t=%.2f, n=%d/%d, "
                            + "median %.0f/%.0f ns, effect %+.1f ± %.1f ns (faster half), warm-up %d calls, "
                            + "JIT %d ms while measuring, %d left out (disturbed or settling), %.1f s, seed %d",
                    name, maxT, maxTest, blocks, perMeasurementMaxT, uncroppedT, n[0], n[1], medianNs[0], medianNs[1],
                    effectNs, effectSeNs, warmupCalls, jitMillisWhileMeasuring, settling, seconds, seed);
        }
    }

    /** Welch's t-test with Welford's running mean and variance, per class: dudect's per-measurement test. */
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

    /**
     * One of dudect's tests taken over blocks: each block adds one difference between the classes
     * (Welford's running mean and variance of those differences), and t is their mean over its
     * standard error, a one-sample t on the block differences. With the same difference in every
     * block and no drift, it equals Welch's t on single measurements; when the difference itself
     * moves with the machine's state, its spread across blocks says by how much.
     */
    static final class Blocked {
        /** Measurements of each class this test took in, over all blocks (for dudect's "enough"). */
        final long[] n = new long[2];
        long blocks;
        double mean;
        double m2;

        void add(double difference, long n0, long n1) {
            n[0] += n0;
            n[1] += n1;
            blocks++;
            double delta = difference - mean;
            mean += delta / blocks;
            m2 += delta * (difference - mean);
        }

        double se() {
            return blocks < 2 ? Double.NaN : Math.sqrt(m2 / (blocks - 1) / blocks);
        }

        double t() {
            if (blocks < 2) {
                return 0;
            }
            double se = se();
            return se == 0 ? (mean == 0 ? 0 : Double.POSITIVE_INFINITY) : mean / se;
        }
    }

    /**
     * The statistics of one measurement: dudect's tests over blocks (the verdict), the same tests over
     * single measurements (for comparison), and the effect, fed batch by batch.
     */
    static final class Stats {
        private final double[] thresholds;
        /** 0: all measurements; 1..100: cropped at {@code thresholds}; 101: second order. */
        final Blocked[] tests = new Blocked[PERCENTILES + 2];
        final TTest[] perMeasurement = new TTest[PERCENTILES + 1];
        final Blocked effect = new Blocked();
        /** Every block's faster-half difference, for their median. */
        private double[] effects = new double[256];
        final long[] n = new long[2];
        /** The open block's measurements per class, and after {@link #close} its sorted copy. */
        private final long[][] block = {new long[BLOCK], new long[BLOCK]};
        private final int[] blockN = new int[2];
        private final double[][] prefix = {new double[BLOCK + 1], new double[BLOCK + 1]};
        final double[] lastMedian = {Double.NaN, Double.NaN};

        Stats(double[] thresholds) {
            this.thresholds = thresholds;
            for (int i = 0; i < tests.length; i++) {
                tests[i] = new Blocked();
            }
            for (int i = 0; i < perMeasurement.length; i++) {
                perMeasurement[i] = new TTest();
            }
        }

        void add(int[] classes, long[] times, boolean[] counts) {
            for (int i = 0; i < classes.length; i++) {
                if (!counts[i]) {
                    continue;
                }
                int c = classes[i];
                long t = times[i];
                n[c]++;
                perMeasurement[0].push(t, c);
                for (int p = 0; p < PERCENTILES; p++) {
                    if (t < thresholds[p]) {
                        perMeasurement[p + 1].push(t, c);
                    }
                }
                block[c][blockN[c]++] = t;
                if (blockN[0] + blockN[1] == BLOCK) {
                    close();
                }
            }
        }

        /** Ends the measurement: a last block at least half full counts, a smaller rest does not. */
        void finish() {
            if (blockN[0] + blockN[1] >= BLOCK / 2) {
                close();
            }
        }

        /**
         * Adds the open block to every test: sorted per class, with prefix sums, a crop's mean is a
         * binary search away; the second-order test compares the classes' variances within the block.
         */
        private void close() {
            int n0 = blockN[0];
            int n1 = blockN[1];
            blockN[0] = 0;
            blockN[1] = 0;
            if (n0 < 2 || n1 < 2) {
                return;
            }
            int[] len = {n0, n1};
            for (int c = 0; c < 2; c++) {
                Arrays.sort(block[c], 0, len[c]);
                double[] s = prefix[c];
                for (int i = 0; i < len[c]; i++) {
                    s[i + 1] = s[i] + block[c][i];
                }
                lastMedian[c] = block[c][len[c] / 2];
            }
            tests[0].add(prefix[0][n0] / n0 - prefix[1][n1] / n1, n0, n1);
            for (int p = 0; p < PERCENTILES; p++) {
                int k0 = below(block[0], n0, thresholds[p]);
                int k1 = below(block[1], n1, thresholds[p]);
                if (k0 >= 2 && k1 >= 2) {
                    tests[p + 1].add(prefix[0][k0] / k0 - prefix[1][k1] / k1, k0, k1);
                }
            }
            tests[PERCENTILES + 1].add(variance(block[0], n0) - variance(block[1], n1), n0, n1);
            int h0 = n0 / 2;
            int h1 = n1 / 2;
            double e = prefix[0][h0] / h0 - prefix[1][h1] / h1;
            effect.add(e, h0, h1);
            if (effect.blocks > effects.length) {
                effects = Arrays.copyOf(effects, effects.length * 2);
            }
            effects[(int) effect.blocks - 1] = e;
        }

        /** How many of the first {@code len} (sorted) values are below {@code threshold}. */
        private static int below(long[] sorted, int len, double threshold) {
            int lo = 0;
            int hi = len;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (sorted[mid] < threshold) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        private static double variance(long[] xs, int len) {
            double mean = 0;
            double m2 = 0;
            for (int i = 0; i < len; i++) {
                double delta = xs[i] - mean;
                mean += delta / (i + 1);
                m2 += delta * (xs[i] - mean);
            }
            return m2 / (len - 1);
        }

        /**
         * The median of the blocks' faster-half differences: a minority of blocks in another state of
         * the machine (a sibling core busy, which makes every memory difference between the classes
         * cost several times more) moves a mean, not the median.
         */
        double effectMedian() {
            int n = (int) effect.blocks;
            if (n == 0) {
                return Double.NaN;
            }
            double[] sorted = Arrays.copyOf(effects, n);
            Arrays.sort(sorted);
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        /** The large-sample standard error of that median: 1.2533 (√(π/2)) times the mean's. */
        double effectMedianSe() {
            return Math.sqrt(Math.PI / 2) * effect.se();
        }

        /** The largest |t| among tests with enough measurements, and which test: over blocks or per measurement. */
        Object[] max(boolean blocked) {
            double max = 0;
            String which = "none";
            int last = blocked ? PERCENTILES + 1 : PERCENTILES; // per measurement: the first-order tests
            for (int i = 0; i <= last; i++) {
                long n0 = blocked ? tests[i].n[0] : perMeasurement[i].n[0];
                double x = Math.abs(blocked ? tests[i].t() : perMeasurement[i].t());
                if (n0 > ENOUGH && x > max) {
                    max = x;
                    which = i == 0 ? "uncropped" : i == PERCENTILES + 1 ? "second-order"
                            : String.format(java.util.Locale.ROOT, "cropped@%.3f", percentile(i - 1));
                }
            }
            return new Object[] {max, which};
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
        return measure(name, op, perClass, warmup, null);
    }

    /**
     * As {@link #measure(String, Operation, long, int)}, with every batch's inputs made by
     * {@code inputs} before it is timed.
     */
    public static Result measure(String name, Operation op, long perClass, int warmup, Inputs inputs) {
        Result first = measureSettled(name, op, perClass, warmup, inputs);
        if (!first.leaks()) {
            return first;
        }
        // A leak is a property of the code, so an independent run (fresh seed, fresh interleaving)
        // shows it again; a run over the threshold that the next one does not repeat was noise on a
        // shared machine. The threshold stays; the weaker of the two runs is the verdict.
        System.out.println(first + " -- over the threshold, confirming with an independent run");
        Result second = measureSettled(name, op, perClass, warmup, inputs);
        return second.maxT() < first.maxT() ? second : first;
    }

    private static Result measureSettled(String name, Operation op, long perClass, int warmup, Inputs inputs) {
        Result r = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            r = measureOnce(name, op, perClass, warmup, inputs);
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

    /**
     * Calls at most per counted measurement wanted: a machine so busy that fewer than one call in
     * this many counts ends the measurement short, and the case fails for too few measurements
     * rather than running for hours.
     */
    static final int MAX_CALLS_PER_COUNTED = 40;

    /** JIT compilation while measuring above which a measurement is repeated. */
    static final long JIT_QUIET_MILLIS = 10;
    /** Measurements at most per case, each with fresh statistics. */
    static final int MAX_ATTEMPTS = 3;

    private static Result measureOnce(String name, Operation op, long perClass, int warmup, Inputs inputs) {
        long seed = new SecureRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        long started = System.nanoTime();
        int[] classes = new int[BATCH];
        long[] times = new long[BATCH];
        long[] starts = new long[BATCH];
        boolean[] counts = new boolean[BATCH];
        long sink = warmUp(op, inputs, random, warmup, classes, times, starts, counts);
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long jitBefore = jit.getTotalCompilationTime();
        // The calibration batch: the classes' usual times and the crops. One the machine disturbed
        // throughout (too few measurements left) is drawn again, a few times at most.
        long[] usual;
        long[] calibration;
        int calibrations = 0;
        do {
            sink += batch(op, inputs, random, classes, times, starts, 0);
            usual = usual(classes, times);
            settled(classes, times, starts, usual, counts);
            calibration = counted(times, counts);
        } while (calibration.length < BATCH / 10 && ++calibrations < 10);
        Stats stats = new Stats(percentiles(calibration.length > 0 ? calibration : times));
        long dropped = 0;
        int index = BATCH;
        while ((stats.n[0] < perClass || stats.n[1] < perClass) && index < MAX_CALLS_PER_COUNTED * 2 * perClass) {
            sink += batch(op, inputs, random, classes, times, starts, index);
            index += BATCH;
            dropped += settled(classes, times, starts, usual, counts);
            stats.add(classes, times, counts);
        }
        stats.finish();
        if (sink == 42) {
            System.out.print(""); // keeps sink alive
        }
        Object[] blocked = stats.max(true);
        Object[] single = stats.max(false);
        return new Result(name, (double) blocked[0], (String) blocked[1], stats.tests[0].t(), stats.n.clone(),
                stats.lastMedian.clone(), (System.nanoTime() - started) / 1e9, seed, lastWarmup,
                jit.getTotalCompilationTime() - jitBefore, stats.effectMedian(), stats.effectMedianSe(), dropped,
                (double) single[0], stats.effect.blocks);
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
    private static long warmUp(Operation op, Inputs inputs, SplittableRandom random, int minimum, int[] classes, long[] times,
            long[] starts, boolean[] counts) {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long sink = 0;
        long calls = 0;
        int quiet = 0;
        long compiled = jit.getTotalCompilationTime();
        long quietSince = System.nanoTime();
        while (calls < MAX_WARMUP && (calls < minimum || quiet < 3 || System.nanoTime() - quietSince < WARMUP_QUIET_NANOS)) {
            sink += batch(op, inputs, random, classes, times, starts, (int) calls);
            calls += BATCH;
            settled(classes, times, starts, usual(classes, times), counts);
            long[] kept = counted(times, counts);
            Stats s = new Stats(percentiles(kept.length > 0 ? kept : times));
            s.add(classes, times, counts);
            s.finish();
            sink += s.tests[0].blocks;
            long now = jit.getTotalCompilationTime();
            if (now == compiled && jitIdle()) {
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
     * Whether the JIT has nothing compiling and nothing queued (jcmd's {@code Compiler.queue}, through
     * the platform's diagnostic command bean). The total compilation time moves only when a
     * compilation ends: under load a C2 compilation can run for longer than the quiet wait, and a
     * measurement then timed the classes on code about to be replaced (the parser regression read
     * −15 ns for a whole measurement on such code, and 0 on the next). {@code true} where the bean is
     * missing, so the other conditions still decide.
     */
    static boolean jitIdle() {
        try {
            Object queue = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue", null, null);
            if (!(queue instanceof String text)) {
                return true;
            }
            // "Current compiles:" then one line per compilation running, then each queue: "Empty" or its tasks.
            int current = text.indexOf("Current compiles:");
            int firstQueue = text.indexOf("compile queue:");
            boolean compiling = current >= 0 && firstQueue > current
                    && !text.substring(current + "Current compiles:".length(), text.lastIndexOf('\n', firstQueue) + 1).isBlank();
            long queues = text.lines().filter(l -> l.endsWith("compile queue:")).count();
            long empty = text.lines().filter(l -> l.strip().equals("Empty")).count();
            return !compiling && empty >= queues;
        } catch (javax.management.JMException | RuntimeException e) {
            return true;
        }
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

    private static long batch(Operation op, Inputs inputs, SplittableRandom random, int[] classes, long[] times, long[] starts,
            int base) {
        for (int i = 0; i < classes.length; i++) {
            classes[i] = random.nextInt(2);
        }
        if (inputs != null) {
            inputs.prepare(classes, base);
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
     * Marks which measurements of a batch count: none that something outside the operation held up
     * (a measurement longer than its class's usual time by {@value #DISTURBANCE_NANOS} ns, or a gap
     * that long before it), none of the next {@value #SETTLE} after it, nor the first
     * {@value #SETTLE} of the batch (the statistics of the previous batch ran just before). Another
     * process running in between evicts from the caches what the operation keeps there, and for
     * the next few dozen calls each class pays for reloading its own memory: where the classes' memory
     * differs in size, that cost differs too, and how often it is paid depends only on how busy
     * the machine is. Leaving those calls out measures the same steady state on a quiet and a busy
     * machine. Each class is held to its own usual time, so that a class slower by a leak of any size
     * is never left out for being slow. Returns how many were left out.
     */
    static int settled(int[] classes, long[] times, long[] starts, long[] usual, boolean[] counts) {
        int left = SETTLE; // the batch starts after the statistics' own work
        int dropped = 0;
        for (int i = 0; i < times.length; i++) {
            long gap = i == 0 ? 0 : starts[i] - starts[i - 1] - times[i - 1];
            if (times[i] > usual[classes[i]] + DISTURBANCE_NANOS || gap > DISTURBANCE_NANOS) {
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

    /** Each class's median time in a batch: what {@link #settled} holds its measurements to. */
    private static long[] usual(int[] classes, long[] times) {
        long[] usual = new long[2];
        for (int c = 0; c < 2; c++) {
            int cls = c;
            usual[c] = (long) median(java.util.stream.IntStream.range(0, times.length).filter(i -> classes[i] == cls)
                    .mapToLong(i -> times[i]).toArray());
        }
        return usual;
    }

    /**
     * Held up at least this long (beyond its class's median) counts as a disturbance. A host that
     * runs other virtual CPUs on this core takes it away for 10-20 µs at a time, which the guest's
     * own scheduler never sees (the thread's CPU time goes on), so only the wall clock can tell.
     */
    static final long DISTURBANCE_NANOS = 5_000;
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
