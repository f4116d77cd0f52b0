package wavlens.projection;

import java.util.Random;
import wavlens.tensor.Blas;

/**
 * Trustworthiness of an embedding (Venna & Kaski 2001, "Neighborhood preservation in nonlinear
 * projection methods: an experimental study", ICANN), with exactly scikit-learn's
 * sklearn.manifold.trustworthiness semantics:
 * <pre>
 *   T(k) = 1 − 2/(n·k·(2n − 3k − 1)) · Σ_i Σ_{j ∈ N_k^emb(i)} max(0, r(i,j) − k)
 * </pre>
 * where N_k^emb(i) are the k nearest neighbours of i in the embedding and r(i,j) ≥ 1 is the rank
 * of j among i's neighbours in the original space (Euclidean; the point itself excluded; ties
 * broken by lower index, as a stable argsort would). Needs k &lt; n/2, as sklearn demands.
 *
 * <p>Exact for n ≤ {@link #EXACT_MAX_N}: original-space distances of each block of query rows to
 * all rows by DGEMM, O(n²·d). Above that, the sum over i is taken over a seeded sample of query
 * points and scaled by n / sample size (every query still sees all n points), and the result says so.
 */
public final class Trustworthiness {
    private Trustworthiness() {}

    public static final int EXACT_MAX_N = 20_000;
    /** Query points sampled when n exceeds EXACT_MAX_N. */
    public static final int SAMPLE_QUERIES = 5_000;

    /** The score, how many query points it averaged over, and whether those were a sample. */
    public record Result(double value, int queries, boolean sampled) {}

    /** sklearn.manifold.trustworthiness(X, Y, n_neighbors=k): exact up to EXACT_MAX_N points, sampled (seed 0) above. */
    public static double score(float[] x, int d, double[] y, int dy, int k) {
        return compute(x, d, y, dy, k, 0).value();
    }

    public static Result compute(float[] x, int d, double[] y, int dy, int k, long seed) {
        return compute(x, d, y, dy, k, seed, EXACT_MAX_N, SAMPLE_QUERIES);
    }

    static Result compute(float[] x, int d, double[] y, int dy, int k, long seed, int exactMaxN, int sampleQueries) {
        int n = x.length / d;
        if (y.length != n * dy) throw new IllegalArgumentException("embedding has " + y.length / dy + " rows, data has " + n);
        if (k < 1 || k >= n / 2.0) throw new IllegalArgumentException("k must be in 1 .. n/2 (exclusive), got " + k + " for n = " + n);
        int[] queries;
        boolean sampled = n > exactMaxN;
        if (sampled) {
            queries = sampleWithoutReplacement(n, Math.min(n, sampleQueries), seed);
        } else {
            queries = new int[n];
            for (int i = 0; i < n; i++) queries[i] = i;
        }
        double[] xd = new double[n * d];
        for (int i = 0; i < n * d; i++) xd[i] = x[i];
        double[] norms = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) norms[i] += xd[i * d + j] * xd[i * d + j];

        int blockRows = (int) Math.max(8, Math.min(512, (4L << 20) / n));
        double[] queryBlock = new double[blockRows * d];
        double[] dots = new double[blockRows * n];
        long[] penalties = new long[queries.length];
        for (int q0 = 0; q0 < queries.length; q0 += blockRows) {
            int rows = Math.min(blockRows, queries.length - q0);
            for (int r = 0; r < rows; r++) System.arraycopy(xd, queries[q0 + r] * d, queryBlock, r * d, d);
            Blas.dgemm(false, true, rows, n, d, 1.0, queryBlock, 0, d, xd, 0, d, 0.0, dots, 0, n);
            final int first = q0;
            Parallel.chunks(rows, 4, (lo, hi) -> {
                int[] embNeighbours = new int[k];
                double[] thresholds = new double[k];
                int[] thresholdIndex = new int[k];
                long[] below = new long[k + 1];
                for (int r = lo; r < hi; r++) {
                    int i = queries[first + r];
                    nearestInEmbedding(y, dy, n, i, k, embNeighbours);
                    // Original-space squared distances of i's embedding neighbours, sorted with their indices.
                    for (int c = 0; c < k; c++) {
                        int j = embNeighbours[c];
                        thresholds[c] = norms[i] + norms[j] - 2 * dots[r * n + j];
                        thresholdIndex[c] = j;
                    }
                    sortPairs(thresholds, thresholdIndex, k);
                    // below[c] = how many l ≠ i come before threshold c but not before c−1, in (distance, index) order.
                    java.util.Arrays.fill(below, 0);
                    for (int l = 0; l < n; l++) {
                        if (l == i) continue;
                        double dl = norms[i] + norms[l] - 2 * dots[r * n + l];
                        below[firstAbove(thresholds, thresholdIndex, k, dl, l)]++;
                    }
                    // rank(j_c) = 1 + #{l : (d_l, l) < (t_c, j_c)}
                    long penalty = 0, before = 0;
                    for (int c = 0; c < k; c++) {
                        before += below[c];
                        long rank = 1 + before;
                        if (rank > k) penalty += rank - k;
                    }
                    penalties[first + r] = penalty;
                }
            });
        }
        double total = 0;
        for (long p : penalties) total += p;
        total *= (double) n / queries.length;
        double value = 1 - total * (2.0 / ((double) n * k * (2.0 * n - 3.0 * k - 1.0)));
        return new Result(value, queries.length, sampled);
    }

    /** The first c with (t_c, idx_c) > (d, l) lexicographically, by binary search; k if none. */
    private static int firstAbove(double[] t, int[] idx, int k, double d, int l) {
        int lo = 0, hi = k;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            boolean above = t[mid] > d || (t[mid] == d && idx[mid] > l);
            if (above) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /** The k nearest rows to row i of the n×dy embedding (i excluded), by brute force with ties to the lower index. */
    static void nearestInEmbedding(double[] y, int dy, int n, int i, int k, int[] out) {
        double[] best = new double[k];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(out, -1);
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            double s = 0;
            for (int c = 0; c < dy; c++) {
                double t = y[i * dy + c] - y[j * dy + c];
                s += t * t;
            }
            if (s >= best[k - 1]) continue; // equal distance: the earlier (lower) index stays
            int pos = k - 1;
            while (pos > 0 && best[pos - 1] > s) {
                best[pos] = best[pos - 1];
                out[pos] = out[pos - 1];
                pos--;
            }
            best[pos] = s;
            out[pos] = j;
        }
    }

    private static void sortPairs(double[] t, int[] idx, int k) {
        for (int a = 1; a < k; a++) {
            double tv = t[a];
            int iv = idx[a];
            int b = a - 1;
            while (b >= 0 && (t[b] > tv || (t[b] == tv && idx[b] > iv))) {
                t[b + 1] = t[b];
                idx[b + 1] = idx[b];
                b--;
            }
            t[b + 1] = tv;
            idx[b + 1] = iv;
        }
    }

    static int[] sampleWithoutReplacement(int n, int m, long seed) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        Random random = new Random(seed);
        for (int i = 0; i < m; i++) { // partial Fisher–Yates
            int j = i + random.nextInt(n - i);
            int t = all[i]; all[i] = all[j]; all[j] = t;
        }
        int[] out = java.util.Arrays.copyOf(all, m);
        java.util.Arrays.sort(out);
        return out;
    }
}
