package wavlens.analysis;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import wavlens.io.UserError;

class SilhouetteTest {

    @Test
    void handExampleOnALine() {
        // A = {0, 1}, B = {4, 6}:
        // s(0) = (5 − 1)/5, s(1) = (4 − 1)/4, s(4) = (3.5 − 2)/3.5, s(6) = (5.5 − 2)/5.5.
        float[] x = {0, 1, 4, 6};
        Silhouette.Result r = Silhouette.score(x, 4, 1, new int[] {7, 7, 3, 3}, Silhouette.Metric.EUCLIDEAN);
        double[] expected = {0.8, 0.75, 3.0 / 7, 7.0 / 11};
        assertArrayEquals(expected, r.perPoint(), 1e-14);
        assertEquals((0.8 + 0.75 + 3.0 / 7 + 7.0 / 11) / 4, r.score(), 1e-14);
        assertFalse(r.sampled());
    }

    /** The definition, one pair at a time. */
    static double[] bruteForce(float[] x, int d, int[] labels, int[] rows, boolean cosine) {
        int m = rows.length;
        double[] s = new double[m];
        for (int p = 0; p < m; p++) {
            java.util.Map<Integer, double[]> sumAndCount = new java.util.TreeMap<>();
            for (int q = 0; q < m; q++) {
                if (q == p) continue;
                double dist;
                if (cosine) {
                    double dot = 0, na = 0, nb = 0;
                    for (int f = 0; f < d; f++) {
                        dot += (double) x[rows[p] * d + f] * x[rows[q] * d + f];
                        na += (double) x[rows[p] * d + f] * x[rows[p] * d + f];
                        nb += (double) x[rows[q] * d + f] * x[rows[q] * d + f];
                    }
                    dist = 1 - dot / Math.sqrt(na * nb);
                } else {
                    double sq = 0;
                    for (int f = 0; f < d; f++) {
                        double diff = (double) x[rows[p] * d + f] - x[rows[q] * d + f];
                        sq += diff * diff;
                    }
                    dist = Math.sqrt(sq);
                }
                double[] sc = sumAndCount.computeIfAbsent(labels[rows[q]], k -> new double[2]);
                sc[0] += dist;
                sc[1]++;
            }
            int own = labels[rows[p]];
            if (!sumAndCount.containsKey(own)) continue; // singleton → 0
            double a = sumAndCount.get(own)[0] / sumAndCount.get(own)[1];
            double b = Double.POSITIVE_INFINITY;
            for (var e : sumAndCount.entrySet()) if (e.getKey() != own) b = Math.min(b, e.getValue()[0] / e.getValue()[1]);
            s[p] = (b - a) / Math.max(a, b);
        }
        return s;
    }

    @Test
    void matchesBruteForceEuclideanAndCosine() {
        SplittableRandom r = new SplittableRandom(4);
        int n = 700, d = 9; // more than one block of rows
        float[] x = new float[n * d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(4) * 10;
            for (int f = 0; f < d; f++) x[i * d + f] = (float) (r.nextGaussian() + (f == labels[i] / 10 ? 3 : 0));
        }
        labels[5] = 99; // a singleton cluster
        int[] all = java.util.stream.IntStream.range(0, n).toArray();
        for (Silhouette.Metric metric : Silhouette.Metric.values()) {
            double[] ref = bruteForce(x, d, labels, all, metric == Silhouette.Metric.COSINE);
            Silhouette.Result got = Silhouette.score(x, n, d, labels, metric);
            assertArrayEquals(ref, got.perPoint(), 1e-10, metric.toString());
            assertEquals(0.0, got.perPoint()[5]);
        }
    }

    @Test
    void samplesAboveTheSampleSize() {
        SplittableRandom r = new SplittableRandom(6);
        int n = 400, d = 3;
        float[] x = new float[n * d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int f = 0; f < d; f++) x[i * d + f] = (float) (r.nextGaussian() + 4 * labels[i]);
        }
        Silhouette.Result s = Silhouette.score(x, n, d, labels, Silhouette.Metric.EUCLIDEAN, 120, 1);
        assertTrue(s.sampled());
        assertEquals(120, s.sampleSize());
        assertEquals(120, java.util.Arrays.stream(s.sampleIndices()).distinct().count());
        double[] ref = bruteForce(x, d, labels, s.sampleIndices(), false);
        double mean = 0;
        for (double v : ref) mean += v / ref.length;
        assertEquals(mean, s.score(), 1e-10);
        // Same seed → same sample.
        assertArrayEquals(s.sampleIndices(), Silhouette.score(x, n, d, labels, Silhouette.Metric.EUCLIDEAN, 120, 1).sampleIndices());
    }

    @Test
    void badInputs() {
        float[] x = {0, 1, 2};
        assertThrows(UserError.class, () -> Silhouette.score(x, 3, 1, new int[] {0, 0, 0}, Silhouette.Metric.EUCLIDEAN)); // one cluster
        assertThrows(UserError.class, () -> Silhouette.score(x, 3, 1, new int[] {0, 1, 2}, Silhouette.Metric.EUCLIDEAN)); // n clusters
        assertThrows(UserError.class, () -> Silhouette.score(x, 3, 1, new int[] {0, 1}, Silhouette.Metric.EUCLIDEAN));
        float[] nan = {0, Float.NaN, 2};
        UserError e = assertThrows(UserError.class, () -> Silhouette.score(nan, 3, 1, new int[] {0, 0, 1}, Silhouette.Metric.EUCLIDEAN));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
    }
}
