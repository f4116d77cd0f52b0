package wavlens.analysis;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import wavlens.io.UserError;
import wavlens.tensor.Blas;

/**
 * Silhouette coefficient (Rousseeuw 1987): for point i with mean distance a(i) to the other points
 * of its own cluster and smallest mean distance b(i) to the points of another cluster,
 * s(i) = (b − a) / max(a, b); s(i) = 0 for a point alone in its cluster (and for a = b = 0), as in
 * scikit-learn. The score is the mean of s(i).
 *
 * <p>Exact on all n points when n ≤ sampleSize; otherwise on a seeded uniform sample of sampleSize
 * points (without replacement) using only distances among the sample, like sklearn's
 * silhouette_score(sample_size=…). Pairwise distances come from DGEMM on blocks of rows
 * (‖a−b‖² = ‖a‖² + ‖b‖² − 2a·b), in double so small examples are exact to ~1e-12; the sample is
 * copied to double (10,000 × 768 doubles = 61 MB).
 */
public final class Silhouette {
    private Silhouette() {}

    public enum Metric { EUCLIDEAN, COSINE }

    public static final int DEFAULT_SAMPLE_SIZE = 10_000;
    static final int BLOCK_ROWS = 512;

    /**
     * @param score         mean silhouette over the points used
     * @param sampleIndices the rows used, ascending (all rows when not sampled)
     * @param perPoint      s(i) for each used row, in the order of sampleIndices
     */
    public record Result(double score, int[] sampleIndices, double[] perPoint, boolean sampled) {
        public int sampleSize() {
            return sampleIndices.length;
        }
    }

    public static Result score(float[] x, int n, int d, int[] labels, Metric metric) {
        return score(x, n, d, labels, metric, DEFAULT_SAMPLE_SIZE, 0);
    }

    public static Result score(float[] x, int n, int d, int[] labels, Metric metric, int sampleSize, long seed) {
        if (x.length != (long) n * d) throw new UserError("expected an " + n + "×" + d + " matrix, got " + x.length + " values");
        if (labels.length != n) throw new UserError("features have " + n + " rows but there are " + labels.length + " labels");
        if (sampleSize < 2) throw new UserError("sample size must be at least 2");
        int[] rows = n <= sampleSize ? IntStream.range(0, n).toArray() : sample(n, sampleSize, seed);
        int m = rows.length;

        // The used points as doubles (unit rows for cosine), their squared norms and dense cluster ids.
        double[] points = new double[m * d];
        double[] squared = new double[m];
        for (int s = 0; s < m; s++) {
            int i = rows[s];
            double norm = 0;
            for (int f = 0; f < d; f++) {
                double v = x[i * d + f];
                if (!Double.isFinite(v)) throw new UserError("row " + i + ", column " + f + " is " + v);
                points[s * d + f] = v;
                norm += v * v;
            }
            if (metric == Metric.COSINE) {
                // A zero row stays zero: cosine distance 1 to everything (sklearn's convention).
                double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
                for (int f = 0; f < d; f++) points[s * d + f] *= scale;
                norm = norm > 0 ? 1 : 0;
            }
            squared[s] = norm;
        }
        long[] ids = new long[m];
        for (int s = 0; s < m; s++) ids[s] = labels[rows[s]];
        long[] distinct = Contingency.distinctSorted(ids);
        int clusters = distinct.length;
        if (clusters < 2 || clusters > m - 1) {
            throw new UserError("silhouette needs 2 to " + (m - 1) + " clusters among the " + m + " points used, found " + clusters);
        }
        int[] cluster = Contingency.indexInto(distinct, ids);
        long[] size = new long[clusters];
        for (int c : cluster) size[c]++;

        double[] perPoint = new double[m];
        double[] dots = new double[Math.min(BLOCK_ROWS, m) * m];
        for (int r0 = 0; r0 < m; r0 += BLOCK_ROWS) {
            int start = r0, count = Math.min(BLOCK_ROWS, m - r0);
            Blas.dgemm(false, true, count, m, d, 1.0, points, r0 * d, d, points, 0, d, 0.0, dots, 0, m);
            // Rows in parallel; each writes only its own perPoint entry, so timing cannot change a bit.
            IntStream.range(0, count).parallel().forEach(r -> {
                int i = start + r;
                double[] sums = new double[clusters];
                for (int j = 0; j < m; j++) {
                    if (j == i) continue; // distance to itself is 0 by definition
                    double dist = metric == Metric.COSINE
                            ? Math.max(0, squared[i] == 0 || squared[j] == 0 ? 1 : 1 - dots[r * m + j])
                            : Math.sqrt(Math.max(0, squared[i] + squared[j] - 2 * dots[r * m + j]));
                    sums[cluster[j]] += dist;
                }
                int own = cluster[i];
                if (size[own] == 1) return; // alone in its cluster: s = 0
                double a = sums[own] / (size[own] - 1);
                double b = Double.POSITIVE_INFINITY;
                for (int c = 0; c < clusters; c++) if (c != own) b = Math.min(b, sums[c] / size[c]);
                double denominator = Math.max(a, b);
                perPoint[i] = denominator == 0 ? 0 : (b - a) / denominator;
            });
        }
        double total = 0;
        for (double s : perPoint) total += s;
        return new Result(total / m, rows, perPoint, m < n);
    }

    /** sampleSize distinct rows of n, uniformly, ascending (partial Fisher–Yates shuffle). */
    static int[] sample(int n, int sampleSize, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] order = IntStream.range(0, n).toArray();
        for (int s = 0; s < sampleSize; s++) {
            int j = s + r.nextInt(n - s);
            int tmp = order[s];
            order[s] = order[j];
            order[j] = tmp;
        }
        int[] out = Arrays.copyOf(order, sampleSize);
        Arrays.sort(out);
        return out;
    }
}
