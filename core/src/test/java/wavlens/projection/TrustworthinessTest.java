package wavlens.projection;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrustworthinessTest {
    /**
     * sklearn.manifold.trustworthiness written out literally: full argsort of each row of the
     * original distances (self last), inverted index of ranks, k nearest in the embedding by a
     * full sort, penalties max(0, rank − k).
     */
    static double reference(double[][] x, double[][] y, int k) {
        int n = x.length;
        double total = 0;
        for (int i = 0; i < n; i++) {
            final int q = i;
            Integer[] byX = new Integer[n];
            for (int j = 0; j < n; j++) byX[j] = j;
            double[] dx = new double[n], dy = new double[n];
            for (int j = 0; j < n; j++) {
                dx[j] = j == i ? Double.POSITIVE_INFINITY : dist(x[i], x[j]);
                dy[j] = j == i ? Double.POSITIVE_INFINITY : dist(y[i], y[j]);
            }
            Arrays.sort(byX, (a, b) -> Double.compare(dx[a], dx[b]));
            int[] rank = new int[n];
            for (int r = 0; r < n; r++) rank[byX[r]] = r + 1;
            Integer[] byY = new Integer[n];
            for (int j = 0; j < n; j++) byY[j] = j;
            Arrays.sort(byY, (a, b) -> Double.compare(dy[a], dy[b]));
            for (int c = 0; c < k; c++) total += Math.max(0, rank[byY[c]] - k);
            assertNotEquals(q, byY[0]);
        }
        return 1 - total * 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0));
    }

    static double dist(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }

    @Test
    void identityEmbeddingScoresOne() {
        Random r = new Random(1);
        int n = 200;
        float[] x = new float[2 * n];
        double[] y = new double[2 * n];
        for (int i = 0; i < 2 * n; i++) y[i] = x[i] = (float) r.nextGaussian();
        assertEquals(1.0, Trustworthiness.score(x, 2, y, 2, 10), 1e-15);
    }

    @Test
    void handComputedOneDimensionalCase() {
        // X = 0,1,3,6,10,15; the embedding swaps the two end points. With k = 1 the embedding
        // neighbours are 0→4, 1→5, 2→1, 3→2, 4→3, 5→1 with original ranks 4, 5, 1, 1, 1, 4:
        // penalties 3 + 4 + 0 + 0 + 0 + 3 = 10, T = 1 − 10·2/(6·1·(12 − 3 − 1)) = 7/12.
        float[] x = {0, 1, 3, 6, 10, 15};
        double[] y = {15, 1, 3, 6, 10, 0};
        assertEquals(7.0 / 12.0, Trustworthiness.score(x, 1, y, 1, 1), 1e-15);
    }

    @Test
    void matchesLiteralReferenceOnRandomData() {
        Random r = new Random(7);
        int n = 120, d = 6;
        float[] x = new float[n * d];
        double[][] xr = new double[n][d], yr = new double[n][2];
        double[] y = new double[2 * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) xr[i][j] = x[i * d + j] = (float) r.nextGaussian();
            // A noisy projection: partly faithful, so ranks beyond k occur.
            yr[i][0] = y[2 * i] = xr[i][0] + 0.5 * r.nextGaussian();
            yr[i][1] = y[2 * i + 1] = xr[i][1] + 0.5 * r.nextGaussian();
        }
        for (int k : new int[] {1, 5, 12}) {
            double expected = reference(xr, yr, k);
            assertEquals(expected, Trustworthiness.score(x, d, y, 2, k), 1e-12, "k = " + k);
            assertTrue(expected < 0.99 && expected > 0.5);
        }
    }

    @Test
    void sampledEstimateIsCloseToExactAndSaysSo() {
        var data = GaussianMixture.generate(1500, 8, 4, 1.0, 3);
        double[] y = new double[2 * 1500];
        for (int i = 0; i < 1500; i++) {
            y[2 * i] = data.x()[i * 8];
            y[2 * i + 1] = data.x()[i * 8 + 1];
        }
        Trustworthiness.Result exact = Trustworthiness.compute(data.x(), 8, y, 2, 10, 0);
        Trustworthiness.Result sampled = Trustworthiness.compute(data.x(), 8, y, 2, 10, 0, 1000, 400);
        assertFalse(exact.sampled());
        assertTrue(sampled.sampled());
        assertEquals(400, sampled.queries());
        assertEquals(exact.value(), sampled.value(), 0.01);
    }

    @Test
    void rejectsTooManyNeighbours() {
        float[] x = new float[20];
        double[] y = new double[20];
        assertThrows(IllegalArgumentException.class, () -> Trustworthiness.score(x, 2, y, 2, 5));
    }
}
