package wavlens.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Kernels against straightforward double-precision reference loops, on random and odd shapes. */
class OpsTest {
    static float[] randn(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * 2);
        return a;
    }

    @Test
    void erfMatchesKnownValues() {
        // erf values from tables (Abramowitz & Stegun Table 7.1)
        double[][] known = {{0, 0}, {0.5, 0.5204998778}, {1, 0.8427007929}, {2, 0.9953222650}, {-1, -0.8427007929}, {3, 0.9999779095}};
        for (double[] k : known) assertEquals(k[1], Ops.erf((float) k[0]), 3e-7);
    }

    @Property(tries = 40)
    void vectorGeluMatchesScalarFormula(@ForAll @IntRange(min = 1, max = 300) int n, @ForAll long seed) {
        float[] a = randn(new Random(seed), n);
        float[] v = a.clone();
        Ops.geluInPlace(v, 0, n);
        for (int i = 0; i < n; i++) {
            double x = a[i];
            double ref = 0.5 * x * (1 + erfRef(x / Math.sqrt(2)));
            assertEquals(ref, v[i], 1e-6 * (1 + Math.abs(ref)));
        }
    }

    /** erf by its Taylor/continued series in double (reference only). */
    static double erfRef(double x) {
        if (Math.abs(x) > 5) return Math.signum(x);
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Property(tries = 30)
    void layerNormMatchesReference(@ForAll @IntRange(min = 1, max = 9) int rows, @ForAll @IntRange(min = 2, max = 137) int cols, @ForAll long seed) {
        Random r = new Random(seed);
        float[] x = randn(r, rows * cols), w = randn(r, cols), b = randn(r, cols);
        float[] y = new float[x.length];
        Ops.layerNorm(x, y, rows, cols, w, b, 1e-5f);
        for (int i = 0; i < rows; i++) {
            double m = 0, v = 0;
            for (int j = 0; j < cols; j++) m += x[i * cols + j];
            m /= cols;
            for (int j = 0; j < cols; j++) v += Math.pow(x[i * cols + j] - m, 2);
            v /= cols;   // biased variance, as torch.nn.LayerNorm
            for (int j = 0; j < cols; j++) {
                double ref = (x[i * cols + j] - m) / Math.sqrt(v + 1e-5) * w[j] + b[j];
                assertEquals(ref, y[i * cols + j], 2e-5 * (1 + Math.abs(ref)));
            }
        }
    }

    @Test
    void channelNormNormalisesEachChannelOverTime() {
        Random r = new Random(5);
        int time = 37, ch = 5;
        float[] x = randn(r, time * ch), w = randn(r, ch), b = randn(r, ch);
        float[] y = x.clone();
        Ops.channelNormOverTime(y, time, ch, w, b, 1e-5f);
        for (int c = 0; c < ch; c++) {
            double m = 0, v = 0;
            for (int t = 0; t < time; t++) m += x[t * ch + c];
            m /= time;
            for (int t = 0; t < time; t++) v += Math.pow(x[t * ch + c] - m, 2);
            v /= time;
            for (int t = 0; t < time; t++) {
                double ref = (x[t * ch + c] - m) / Math.sqrt(v + 1e-5) * w[c] + b[c];
                assertEquals(ref, y[t * ch + c], 2e-5 * (1 + Math.abs(ref)));
            }
        }
    }

    @Property(tries = 30)
    void softmaxMatchesReference(@ForAll @IntRange(min = 1, max = 70) int n, @ForAll long seed) {
        float[] a = randn(new Random(seed), n + 3);
        float[] s = a.clone();
        Ops.softmaxRow(s, 3, n);
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, a[3 + i]);
        for (int i = 0; i < n; i++) sum += Math.exp(a[3 + i] - max);
        for (int i = 0; i < n; i++) assertEquals(Math.exp(a[3 + i] - max) / sum, s[3 + i], 1e-6);
        for (int i = 0; i < 3; i++) assertEquals(a[i], s[i], "values outside the row are untouched");
    }

    /** PyTorch Conv1d (no padding) as a direct loop over [in][k] weights, channel-major reference. */
    @Property(tries = 25)
    void conv1dMatchesDirectLoop(@ForAll @IntRange(min = 1, max = 6) int cin, @ForAll @IntRange(min = 1, max = 7) int cout,
                                 @ForAll @IntRange(min = 1, max = 5) int k, @ForAll @IntRange(min = 1, max = 4) int stride,
                                 @ForAll @IntRange(min = 0, max = 40) int extra, @ForAll long seed) {
        Random r = new Random(seed);
        int timeIn = k + extra;
        float[] x = randn(r, timeIn * cin), w = randn(r, cout * cin * k), bias = randn(r, cout);
        float[] y = Conv.conv1d(x, timeIn, cin, Conv.kernelTapMajor(w, cout, cin, k), bias, cout, k, stride);
        int timeOut = (timeIn - k) / stride + 1;
        assertEquals(timeOut * cout, y.length);
        for (int t = 0; t < timeOut; t++)
            for (int o = 0; o < cout; o++) {
                double s = bias[o];
                for (int c = 0; c < cin; c++)
                    for (int j = 0; j < k; j++) s += (double) w[(o * cin + c) * k + j] * x[(t * stride + j) * cin + c];
                assertEquals(s, y[t * cout + o], 1e-4 * (1 + Math.abs(s)));
            }
    }

    /** Grouped conv with zero padding k/2 both sides, last frame dropped for even k (wav2vec2's positional conv). */
    @Property(tries = 25)
    void groupedSameConvMatchesDirectLoop(@ForAll @IntRange(min = 1, max = 4) int groups, @ForAll @IntRange(min = 1, max = 3) int per,
                                          @ForAll @IntRange(min = 1, max = 8) int k, @ForAll @IntRange(min = 1, max = 20) int time, @ForAll long seed) {
        Random r = new Random(seed);
        int ch = groups * per;
        float[] x = randn(r, time * ch), w = randn(r, ch * per * k), bias = randn(r, ch);
        float[] y = Conv.groupedSameConv(x, time, ch, groups, Conv.kernelTapMajor(w, ch, per, k), bias, k);
        int pad = k / 2;
        for (int t = 0; t < time; t++)
            for (int o = 0; o < ch; o++) {
                int g = o / per;
                double s = bias[o];
                for (int c = 0; c < per; c++)
                    for (int j = 0; j < k; j++) {
                        int src = t - pad + j;
                        if (src >= 0 && src < time) s += (double) w[(o * per + c) * k + j] * x[src * ch + g * per + c];
                    }
                assertEquals(s, y[t * ch + o], 1e-4 * (1 + Math.abs(s)));
            }
    }

    @Test
    void expIsAccurateAndTheVectorFormIsBitIdenticalToTheScalarForm() {
        Random r = new Random(11);
        float[] x = new float[4099];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 170 - 86);
        x[0] = 0f;
        x[1] = -200f;   // clamps: underflows to (almost) zero instead of garbage
        for (int i = 2; i < x.length; i++) {
            double ref = Math.exp(x[i]);
            assertEquals(ref, Ops.exp(x[i]), 3e-7 * ref, "exp(" + x[i] + ")");
        }
        assertEquals(1f, Ops.exp(0f));
        assertTrue(Ops.exp(-200f) < 1e-37);
        // softmax through the vector path equals a scalar evaluation of the same formula, bit for bit
        float[] row = new float[37];
        for (int i = 0; i < row.length; i++) row[i] = (float) r.nextGaussian() * 3;
        float[] v = row.clone();
        Ops.softmaxRow(v, 0, v.length);
        float max = Float.NEGATIVE_INFINITY;
        for (float f : row) max = Math.max(max, f);
        for (int i = 0; i < row.length; i++) assertEquals(Ops.exp(row[i] - max), v[i] * sumOfExps(row, max), 1e-6f);
    }

    private static float sumOfExps(float[] row, float max) {
        double s = 0;
        for (float f : row) s += Ops.exp(f - max);
        return (float) s;
    }
}
