package wavlens.projection;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FftTest {
    /** X[k] = Σ_t x[t]·e^{−2πi·kt/n}, straight from the definition, in double. */
    static double[][] naiveDft(double[] re, double[] im) {
        int n = re.length;
        double[][] out = new double[2][n];
        for (int k = 0; k < n; k++)
            for (int t = 0; t < n; t++) {
                double a = -2 * Math.PI * ((long) k * t % n) / n;
                out[0][k] += re[t] * Math.cos(a) - im[t] * Math.sin(a);
                out[1][k] += re[t] * Math.sin(a) + im[t] * Math.cos(a);
            }
        return out;
    }

    @Test
    void oneDimensionalTransformMatchesNaiveDftAndInverts() {
        Random r = new Random(11);
        for (int n : new int[] {1, 2, 4, 8, 64, 256}) {
            float[] re = new float[n], im = new float[n];
            double[] dre = new double[n], dim = new double[n];
            for (int i = 0; i < n; i++) {
                dre[i] = re[i] = (float) r.nextGaussian();
                dim[i] = im[i] = (float) r.nextGaussian();
            }
            double[][] expected = naiveDft(dre, dim);
            Fft fft = new Fft(n);
            fft.transform(re, im, 0, false);
            double tol = 1e-5 * Math.sqrt(n) * (1 + Math.log(n));
            for (int k = 0; k < n; k++) {
                assertEquals(expected[0][k], re[k], tol, "n=" + n + " re[" + k + "]");
                assertEquals(expected[1][k], im[k], tol, "n=" + n + " im[" + k + "]");
            }
            fft.transform(re, im, 0, true);
            for (int i = 0; i < n; i++) {
                assertEquals(dre[i], re[i] / n, 1e-5);
                assertEquals(dim[i], im[i] / n, 1e-5);
            }
        }
    }

    @Test
    void twoDimensionalTransformMatchesNaiveDftInTransposedLayout() {
        // 8 is narrower than a vector (scalar column path); 32 uses the vectorised one.
        checkTwoDimensional(8, 3);
        checkTwoDimensional(32, 12);
    }

    /** Data only in the top-left m×m block, as in the t-SNE grids. */
    private static void checkTwoDimensional(int n, int m) {
        Fft fft = new Fft(n);
        int s = fft.stride();
        Random r = new Random(5);
        float[] re = new float[n * s], im = new float[n * s];
        double[][] x = new double[n][n], xi = new double[n][n];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) {
                x[a][b] = re[a * s + b] = (float) r.nextGaussian();
                xi[a][b] = im[a * s + b] = (float) r.nextGaussian();
            }
        fft.forward2dToTransposed(re, im, m);
        for (int u = 0; u < n; u += 3)
            for (int v = 0; v < n; v += 5) {
                double sr = 0, si = 0;
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++) {
                        double ang = -2 * Math.PI * ((double) u * a / n + (double) v * b / n);
                        sr += x[a][b] * Math.cos(ang) - xi[a][b] * Math.sin(ang);
                        si += x[a][b] * Math.sin(ang) + xi[a][b] * Math.cos(ang);
                    }
                // frequency (row u, column v) is stored at [v][u]
                assertEquals(sr, re[v * s + u], 1e-3);
                assertEquals(si, im[v * s + u], 1e-3);
            }
        fft.inverse2dFromTransposed(re, im, m);
        for (int a = 0; a < n; a++)
            for (int b = 0; b < m; b++) {
                assertEquals(x[a][b], re[a * s + b], 1e-5);
                assertEquals(xi[a][b], im[a * s + b], 1e-5);
            }
    }

    @Test
    void rejectsLengthsThatAreNotPowersOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new Fft(12));
    }
}
