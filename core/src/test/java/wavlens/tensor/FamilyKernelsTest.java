package wavlens.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The kernels the other families added (SiLU, depthwise conv, axpy) against direct double-precision loops, odd shapes. */
class FamilyKernelsTest {

    @Property(tries = 40)
    void siluMatchesItsFormula(@ForAll @IntRange(min = 1, max = 300) int n, @ForAll long seed) {
        float[] a = OpsTest.randn(new Random(seed), n);
        float[] v = a.clone();
        Ops.siluInPlace(v, 0, n);
        for (int i = 0; i < n; i++) {
            double x = a[i], ref = x / (1 + Math.exp(-x));
            assertEquals(ref, v[i], 1e-6 * (1 + Math.abs(ref)));
        }
    }

    @Property(tries = 40)
    void depthwiseSameConvMatchesTheDefinition(@ForAll @IntRange(min = 1, max = 40) int time, @ForAll @IntRange(min = 1, max = 37) int channels,
                                              @ForAll @IntRange(min = 0, max = 7) int halfKernel, @ForAll long seed) {
        int k = 2 * halfKernel + 1, pad = halfKernel;
        Random r = new Random(seed);
        float[] x = OpsTest.randn(r, time * channels), w = OpsTest.randn(r, channels * k);
        float[] y = Conv.depthwiseSameConv(x, time, channels, w, k);
        for (int t = 0; t < time; t++) {
            for (int c = 0; c < channels; c++) {
                double ref = 0;   // PyTorch Conv1d(groups = channels, padding = (k − 1)/2): out[c][t] = Σ_j w[c][0][j] x[c][t + j − pad]
                for (int j = 0; j < k; j++) {
                    int s = t + j - pad;
                    if (s >= 0 && s < time) ref += (double) w[c * k + j] * x[s * channels + c];
                }
                assertEquals(ref, y[t * channels + c], 1e-5 * (1 + Math.abs(ref)));
            }
        }
    }

    @Property(tries = 40)
    void axpyAddsAScaledSlice(@ForAll @IntRange(min = 0, max = 70) int n, @ForAll @IntRange(min = 0, max = 9) int xo,
                              @ForAll @IntRange(min = 0, max = 9) int yo, @ForAll long seed) {
        Random r = new Random(seed);
        float[] x = OpsTest.randn(r, n + xo), y = OpsTest.randn(r, n + yo + 3);
        float a = (float) r.nextGaussian();
        float[] out = y.clone();
        Ops.axpy(a, x, xo, out, yo, n);
        for (int i = 0; i < y.length; i++) {
            double ref = i >= yo && i < yo + n ? y[i] + (double) a * x[xo + i - yo] : y[i];
            assertEquals(ref, out[i], 1e-6 * (1 + Math.abs(ref)));
        }
    }
}
