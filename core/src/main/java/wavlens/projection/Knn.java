package wavlens.projection;

import java.util.Arrays;
import wavlens.tensor.Blas;

/**
 * Exact k nearest neighbours (Euclidean) by brute force: squared distances of a block of query
 * rows to all rows as ‖q‖² + ‖x‖² − 2·q·x, the product by SGEMM; a bounded max-heap keeps the
 * best candidates of each row; the survivors' distances are then recomputed in double from the
 * coordinates (the float expansion loses digits for close pairs) and sorted.
 *
 * <p>Cost n²·d multiply-adds in SGEMM plus n² heap tests: 30,000 × 50 takes a few seconds on two
 * cores, which is why t-SNE and UMAP use it up to tens of thousands of points.
 */
public final class Knn {
    private Knn() {}

    /**
     * Row i's neighbours are index[i*k .. i*k+k), nearest first (ties by lower index), never i
     * itself; distance holds the matching Euclidean distances.
     */
    public record Neighbours(int n, int k, int[] index, double[] distance) {}

    /** Extra float-ranked candidates per row, re-ranked in double, so float round-off near the k-th neighbour does not matter. */
    private static final int SPARE_CANDIDATES = 8;

    public static Neighbours exact(float[] x, int n, int d, int k) {
        if (k < 1 || k > n - 1) throw new IllegalArgumentException("k must be in 1.." + (n - 1) + ", got " + k);
        int candidates = Math.min(n - 1, k + SPARE_CANDIDATES);
        float[] norms = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += (double) x[i * d + j] * x[i * d + j];
            norms[i] = (float) s;
        }
        // Block of query rows × all rows of dot products; ~32 MB of floats per block.
        int blockRows = (int) Math.max(16, Math.min(1024, (8L << 20) / n));
        float[] dots = new float[blockRows * n];
        int[] index = new int[n * k];
        double[] distance = new double[n * k];
        for (int q0 = 0; q0 < n; q0 += blockRows) {
            int rows = Math.min(blockRows, n - q0);
            Blas.sgemm(false, true, rows, n, d, 1f, x, q0 * d, d, x, 0, d, 0f, dots, 0, n);
            final int first = q0;
            Parallel.chunks(rows, 4, (lo, hi) -> {
                float[] heapDist = new float[candidates];
                int[] heapIndex = new int[candidates];
                double[] exactDist = new double[candidates];
                for (int r = lo; r < hi; r++) {
                    int i = first + r;
                    int size = 0;
                    for (int j = 0; j < n; j++) {
                        if (j == i) continue;
                        float sq = norms[i] + norms[j] - 2 * dots[r * n + j];
                        if (size < candidates) {
                            heapPush(heapDist, heapIndex, size++, sq, j);
                        } else if (sq < heapDist[0]) {
                            heapReplaceTop(heapDist, heapIndex, size, sq, j);
                        }
                    }
                    for (int c = 0; c < size; c++) exactDist[c] = squaredDistance(x, d, i, heapIndex[c]);
                    sortByDistanceThenIndex(exactDist, heapIndex, size);
                    for (int c = 0; c < k; c++) {
                        index[i * k + c] = heapIndex[c];
                        distance[i * k + c] = Math.sqrt(exactDist[c]);
                    }
                }
            });
        }
        return new Neighbours(n, k, index, distance);
    }

    static double squaredDistance(float[] x, int d, int a, int b) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            double t = (double) x[a * d + j] - x[b * d + j];
            s += t * t;
        }
        return s;
    }

    // ---- bounded max-heap on (distance, index): the root is the worst candidate kept so far.

    private static void heapPush(float[] dist, int[] idx, int size, float value, int id) {
        int c = size;
        while (c > 0) {
            int parent = (c - 1) / 2;
            if (dist[parent] >= value) break;
            dist[c] = dist[parent];
            idx[c] = idx[parent];
            c = parent;
        }
        dist[c] = value;
        idx[c] = id;
    }

    private static void heapReplaceTop(float[] dist, int[] idx, int size, float value, int id) {
        int c = 0;
        while (true) {
            int child = 2 * c + 1;
            if (child >= size) break;
            if (child + 1 < size && dist[child + 1] > dist[child]) child++;
            if (dist[child] <= value) break;
            dist[c] = dist[child];
            idx[c] = idx[child];
            c = child;
        }
        dist[c] = value;
        idx[c] = id;
    }

    /** Sorts the first size entries of (dist, idx) by distance, then index. */
    static void sortByDistanceThenIndex(double[] dist, int[] idx, int size) {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> dist[a] != dist[b] ? Double.compare(dist[a], dist[b]) : Integer.compare(idx[a], idx[b]));
        double[] d2 = new double[size];
        int[] i2 = new int[size];
        for (int i = 0; i < size; i++) {
            d2[i] = dist[order[i]];
            i2[i] = idx[order[i]];
        }
        System.arraycopy(d2, 0, dist, 0, size);
        System.arraycopy(i2, 0, idx, 0, size);
    }
}
