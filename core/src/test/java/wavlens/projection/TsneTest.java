package wavlens.projection;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;
import wavlens.io.UserError;

class TsneTest {
    /** Three blobs far apart in 10-D (centres 20 apart per axis, unit spread), 100 points each. */
    static GaussianMixture.Data blobs(long seed) {
        Random r = new Random(seed);
        int n = 300, d = 10;
        float[] x = new float[n * d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < d; j++) x[i * d + j] = (float) ((j == labels[i] ? 20 : 0) + r.nextGaussian());
        }
        return new GaussianMixture.Data(n, d, x, labels);
    }

    static long[] longs(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }

    @Test
    void exactMethodSeparatesBlobs() {
        var data = blobs(1);
        double[] y = Tsne.embed(data.x(), data.n(), data.d(), Tsne.Options.defaults().withMethod(Tsne.Method.EXACT));
        assertEquals(1.0, NeighbourLabels.agreement(y, 2, longs(data.labels()), 10), 0.01);
        assertTrue(Trustworthiness.score(data.x(), data.d(), y, 2, 10) > 0.9);
    }

    @Test
    void fftMethodSeparatesBlobs() {
        var data = blobs(2);
        double[] y = Tsne.embed(data.x(), data.n(), data.d(), Tsne.Options.defaults().withMethod(Tsne.Method.FFT).withPerplexity(20).withIterations(500));
        assertEquals(1.0, NeighbourLabels.agreement(y, 2, longs(data.labels()), 10), 0.01);
        assertTrue(Trustworthiness.score(data.x(), data.d(), y, 2, 10) > 0.9);
    }

    @Test
    void fftRepulsionConvergesToExactSums() {
        // Gaussian cloud of std 6: spans ~40, so default boxes are ~1 wide as in a real run.
        Random r = new Random(4);
        int n = 800;
        double[] y = new double[2 * n];
        for (int i = 0; i < 2 * n; i++) y[i] = 6 * r.nextGaussian();
        double[] exact = new double[2 * n];
        double zExact = FftRepulsion.exactRepulsion(y, n, exact);
        // Default boxes (≤ 1 wide, openTSNE's setting): a few percent on the forces, ~1e-3 on Z.
        double[] errors = repulsionErrors(new FftRepulsion(), y, exact, zExact);
        assertTrue(errors[0] < 3e-2 && errors[1] < 5e-3, java.util.Arrays.toString(errors));
        // Quadratic interpolation: the error falls like width³, so boxes 4× narrower must be ≳ 30× better.
        double[] fine = repulsionErrors(new FftRepulsion(0.25), y, exact, zExact);
        assertTrue(fine[0] < errors[0] / 30 && fine[1] < 1e-4, java.util.Arrays.toString(fine));
    }

    /** {relative L2 error of the forces, relative error of Z}. */
    static double[] repulsionErrors(FftRepulsion fft, double[] y, double[] exact, double zExact) {
        int n = y.length / 2;
        double[] fast = new double[2 * n];
        double z = fft.repulsion(y, n, fast);
        double err = 0, norm = 0;
        for (int i = 0; i < 2 * n; i++) {
            err += (fast[i] - exact[i]) * (fast[i] - exact[i]);
            norm += exact[i] * exact[i];
        }
        return new double[] {Math.sqrt(err / norm), Math.abs(z / zExact - 1)};
    }

    @Test
    void exactRepulsionMatchesDefinitionOnThreePoints() {
        // Points (0,0), (1,0), (0,2): w01 = 1/2, w02 = 1/5, w12 = 1/6.
        double[] y = {0, 0, 1, 0, 0, 2};
        double[] rep = new double[6];
        double z = FftRepulsion.exactRepulsion(y, 3, rep);
        assertEquals(2 * (0.5 + 0.2 + 1.0 / 6), z, 1e-15);
        // rep_0 = w01²·(y0 − y1) + w02²·(y0 − y2) = (−1/4, 0) + (0, −2/25)
        assertEquals(-0.25, rep[0], 1e-15);
        assertEquals(-2.0 / 25, rep[1], 1e-15);
    }

    @Test
    void calibratedRowsHaveTheRequestedPerplexity() {
        Random r = new Random(9);
        double[] sq = new double[90];
        for (int j = 0; j < sq.length; j++) sq[j] = 50 + 30 * r.nextDouble();
        double[] p = new double[sq.length];
        Tsne.conditionalRow(sq, 30, p, 0);
        double sum = 0, entropy = 0;
        for (double v : p) {
            sum += v;
            if (v > 0) entropy -= v * Math.log(v);
        }
        assertEquals(1, sum, 1e-12);
        assertEquals(30, Math.exp(entropy), 30 * 1e-4);
    }

    @Test
    void symmetrisedAffinitiesAreSymmetricAndSumToOne() {
        // 3 points, k = 1: 0→1 (c=1), 1→0 (c=1), 2→1 (c=1). P ∝ C + Cᵀ: p01 = 2, p12 = 1, total 6.
        Tsne.Affinities a = Tsne.symmetrise(3, 1, new int[] {1, 0, 1}, new double[] {1, 1, 1});
        double[][] dense = new double[3][3];
        for (int i = 0; i < 3; i++)
            for (int t = a.rowStart()[i]; t < a.rowStart()[i + 1]; t++) dense[i][a.col()[t]] = a.p()[t];
        assertEquals(2.0 / 6, dense[0][1], 1e-15);
        assertEquals(2.0 / 6, dense[1][0], 1e-15);
        assertEquals(1.0 / 6, dense[1][2], 1e-15);
        assertEquals(1.0 / 6, dense[2][1], 1e-15);
        assertEquals(0, dense[0][2]);
    }

    @Test
    void exactKnnMatchesBruteForce() {
        var data = GaussianMixture.generate(400, 7, 3, 1.0, 8);
        Knn.Neighbours nn = Knn.exact(data.x(), 400, 7, 9);
        for (int i = 0; i < 400; i += 37) {
            double[] dist = new double[400];
            Integer[] order = new Integer[400];
            for (int j = 0; j < 400; j++) {
                dist[j] = j == i ? Double.POSITIVE_INFINITY : Math.sqrt(Knn.squaredDistance(data.x(), 7, i, j));
                order[j] = j;
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(dist[a], dist[b]));
            for (int c = 0; c < 9; c++) {
                assertEquals(order[c], nn.index()[i * 9 + c]);
                assertEquals(dist[order[c]], nn.distance()[i * 9 + c], 1e-12);
            }
        }
    }

    @Test
    void sameSeedSameResult() {
        var data = GaussianMixture.generate(150, 5, 3, 2.0, 1);
        var options = Tsne.Options.defaults().withIterations(300).withRandomInit(true).withSeed(42);
        for (Tsne.Method m : new Tsne.Method[] {Tsne.Method.EXACT, Tsne.Method.FFT}) {
            double[] a = Tsne.embed(data.x(), 150, 5, options.withMethod(m));
            double[] b = Tsne.embed(data.x(), 150, 5, options.withMethod(m));
            assertArrayEquals(a, b, m.toString());
        }
        double[] c = Tsne.embed(data.x(), 150, 5, options.withSeed(43));
        assertFalse(java.util.Arrays.equals(c, Tsne.embed(data.x(), 150, 5, options)));
    }

    @Test
    void badInputIsAClearUserError() {
        var options = Tsne.Options.defaults();
        UserError tooFew = assertThrows(UserError.class, () -> Tsne.embed(new float[6], 3, 2, options));
        assertTrue(tooFew.getMessage().contains("at least 4 points"), tooFew.getMessage());

        float[] x = new float[40];
        x[13] = Float.NaN;
        UserError nan = assertThrows(UserError.class, () -> Tsne.embed(x, 20, 2, options.withPerplexity(5)));
        assertTrue(nan.getMessage().contains("row 6, column 1"), nan.getMessage());

        UserError perplexity = assertThrows(UserError.class, () -> Tsne.embed(new float[40], 20, 2, options));
        assertTrue(perplexity.getMessage().contains("perplexity"), perplexity.getMessage());
    }
}
