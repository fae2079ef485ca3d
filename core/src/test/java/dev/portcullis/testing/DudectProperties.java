package dev.portcullis.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Properties of {@link Dudect}'s block statistics, on made-up measurements (nothing is timed): what
 * the machine does to both classes alike within a block cannot move the verdict or the effect, and a
 * difference present in every block is found at its exact size.
 */
class DudectProperties {
    private static final double[] NO_CROP = new double[Dudect.PERCENTILES];

    static {
        Arrays.fill(NO_CROP, Double.POSITIVE_INFINITY);
    }

    /** {@code blocks} blocks of measurements: a random class each, times around 400 ns with a long tail. */
    private static long[][] measurements(long seed, int blocks) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = blocks * Dudect.BLOCK;
        long[] classes = new long[n];
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            classes[i] = r.nextInt(2);
            times[i] = 380 + r.nextInt(40) + (r.nextInt(50) == 0 ? r.nextInt(5_000) : 0);
        }
        return new long[][] {classes, times};
    }

    private static Dudect.Stats stats(long[] classes, long[] times, double[] thresholds) {
        Dudect.Stats s = new Dudect.Stats(thresholds);
        int[] cls = Arrays.stream(classes).mapToInt(c -> (int) c).toArray();
        boolean[] counts = new boolean[cls.length];
        Arrays.fill(counts, true);
        s.add(cls, times, counts);
        s.finish();
        return s;
    }

    @Property(tries = 50)
    @Label("a slowdown that hits both classes of a block alike (a busy sibling core, a frequency step) changes neither t nor the effect")
    void aCommonSlowdownPerBlockChangesNothing(@ForAll long seed, @ForAll @IntRange(min = 3, max = 30) int blocks,
            @ForAll("slowdowns") long[] slowdown) {
        long[][] m = measurements(seed, blocks);
        long[] slowed = m[1].clone();
        for (int i = 0; i < slowed.length; i++) {
            slowed[i] += slowdown[(i / Dudect.BLOCK) % slowdown.length];
        }
        Dudect.Stats before = stats(m[0], m[1], NO_CROP);
        Dudect.Stats after = stats(m[0], slowed, NO_CROP);
        assertEquals(before.tests[0].t(), after.tests[0].t(), 1e-6);
        assertEquals(before.tests[Dudect.PERCENTILES + 1].t(), after.tests[Dudect.PERCENTILES + 1].t(), 1e-6);
        assertEquals(before.effect.mean, after.effect.mean, 1e-6);
        assertEquals(before.effectMedian(), after.effectMedian(), 1e-6);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<long[]> slowdowns() {
        return net.jqwik.api.Arbitraries.longs().between(0, 2_000).array(long[].class).ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 50)
    @Label("swapping the classes turns every t and the effect around")
    void swappingTheClassesNegatesEverything(@ForAll long seed, @ForAll @IntRange(min = 3, max = 20) int blocks) {
        long[][] m = measurements(seed, blocks);
        long[] swapped = Arrays.stream(m[0]).map(c -> 1 - c).toArray();
        double[] thresholds = new double[Dudect.PERCENTILES];
        for (int i = 0; i < thresholds.length; i++) {
            thresholds[i] = 380 + 40 * Dudect.percentile(i);
        }
        Dudect.Stats a = stats(m[0], m[1], thresholds);
        Dudect.Stats b = stats(swapped, m[1], thresholds);
        for (int i = 0; i < a.tests.length; i++) {
            assertEquals(a.tests[i].t(), -b.tests[i].t(), 1e-9, "test " + i);
        }
        assertEquals(a.effect.mean, -b.effect.mean, 1e-9);
        assertEquals(a.effectMedian(), -b.effectMedian(), 1e-9);
    }

    @Property(tries = 50)
    @Label("a difference in every block is found at its size: infinite evidence, exact effect")
    void aDifferenceInEveryBlockIsFoundAtItsSize(@ForAll long seed, @ForAll @IntRange(min = 3, max = 20) int blocks,
            @ForAll @LongRange(min = 1, max = 200) long leak) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = blocks * Dudect.BLOCK;
        long[] classes = new long[n];
        long[] times = new long[n];
        // Each block holds the same 500 times in both classes, class 0's slower by the leak, in random order.
        for (int b = 0; b < blocks; b++) {
            long[] base = new long[Dudect.BLOCK / 2];
            for (int i = 0; i < base.length; i++) {
                base[i] = 380 + r.nextInt(40) + b * 7L;
            }
            int[] order = new int[Dudect.BLOCK];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int x = order[i];
                order[i] = order[j];
                order[j] = x;
            }
            for (int i = 0; i < Dudect.BLOCK; i++) {
                int k = order[i];
                int at = b * Dudect.BLOCK + i;
                classes[at] = k % 2;
                times[at] = base[k / 2] + (k % 2 == 0 ? leak : 0);
            }
        }
        Dudect.Stats s = stats(classes, times, NO_CROP);
        assertEquals(blocks, s.tests[0].blocks);
        assertTrue(s.tests[0].t() > 1e6, () -> "t = " + s.tests[0].t());
        assertEquals(leak, s.tests[0].mean, 1e-9);
        assertEquals(leak, s.effect.mean, 1e-9);
        assertEquals(leak, s.effectMedian(), 1e-9);
    }
}
