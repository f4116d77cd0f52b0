package wavlens.tensor;

import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise and row-wise kernels on row-major float[] matrices (rows × cols), written with the
 * Vector API and spread over the cores by rows. The big matrix products are in {@link Blas}.
 */
public final class Ops {
    private Ops() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Work below this many floats runs on the calling thread: forking costs more than it saves. */
    private static final int PARALLEL_MIN = 1 << 15;

    /** Runs body(row) for every row, in parallel when the matrix is large enough. */
    public static void forRows(int rows, int cols, java.util.function.IntConsumer body) {
        if ((long) rows * cols < PARALLEL_MIN || rows < 2) {
            for (int r = 0; r < rows; r++) body.accept(r);
        } else {
            IntStream.range(0, rows).parallel().forEach(body);
        }
    }

    // ------------------------------------------------------------------ exp and sums, reproducibly
    //
    // The Vector API's EXP and reduceLanes(ADD) may give different low bits interpreted and
    // JIT-compiled (SVML, lane order). Features must not depend on warm-up (a resumed extraction
    // has to reproduce an uninterrupted one bit for bit), so exp is our own polynomial, the same in
    // vector and scalar code, and lane sums are added in a fixed order.

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;   // Cody–Waite split of ln 2
    private static final float EXP_MIN = -87.3f, EXP_MAX = 88.3f;

    /**
     * e^x: x = k ln2 + r with |r| ≤ ln2/2, e^r by Cephes' expf polynomial (relative error
     * below 2e-7), 2^k put into the exponent bits. Inputs are clamped to the float range.
     */
    public static float exp(float x) {
        x = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float k = (float) Math.rint(x * LOG2E);
        float r = x - k * LN2_HI - k * LN2_LO;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        float er = p * r * r + r + 1f;
        return er * Float.intBitsToFloat(((int) k + 127) << 23);
    }

    /** {@link #exp(float)} lane-wise, with the same operations in the same order. */
    static FloatVector exp(FloatVector x) {
        x = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector k = x.mul(LOG2E).lanewise(VectorOperators.ADD, 0f);
        k = roundToInt(k);
        FloatVector r = x.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
        FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
        p = p.mul(r).add(1.3981999507e-3f);
        p = p.mul(r).add(8.3334519073e-3f);
        p = p.mul(r).add(4.1665795894e-2f);
        p = p.mul(r).add(1.6666665459e-1f);
        p = p.mul(r).add(5.0000001201e-1f);
        FloatVector er = p.mul(r).mul(r).add(r).add(1f);
        var bits = k.convert(VectorOperators.F2I, 0).reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23);
        return er.mul(bits.reinterpretAsFloats());
    }

    /** Round half to even, as Math.rint, via the 1.5·2²³ trick (exact for |x| < 2²²). */
    private static FloatVector roundToInt(FloatVector x) {
        final float magic = 12582912f;   // 1.5 · 2^23
        return x.add(magic).sub(magic);
    }

    /** Sum of a vector's lanes in lane order (reduceLanes(ADD) leaves the order open). */
    public static float sumLanes(FloatVector v) {
        float[] lanes = v.toArray();
        float s = 0;
        for (float x : lanes) s += x;
        return s;
    }

    // ------------------------------------------------------------------ activation functions

    /**
     * erf(x) by Abramowitz & Stegun 7.1.26 (max absolute error 1.5e-7, below float32 rounding of
     * the GELU output for |x| of interest): erf(x) = 1 − (a1 t + … + a5 t⁵) e^{−x²}, t = 1/(1 + p|x|).
     */
    public static float erf(float x) {
        float ax = Math.abs(x);
        float t = 1f / (1f + 0.3275911f * ax);
        float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        float y = 1f - poly * exp(-ax * ax);
        return Math.copySign(y, x);
    }

    /** Exact (erf) GELU: 0.5 x (1 + erf(x / √2)) — HF's "gelu", not the tanh approximation. */
    public static float gelu(float x) {
        return 0.5f * x * (1f + erf(x * 0.70710678f));
    }

    /** In-place exact GELU over a[from, to), vectorised (same formula as {@link #erf}). */
    public static void geluInPlace(float[] a, int from, int to) {
        int i = from;
        int upper = from + S.loopBound(to - from);
        for (; i < upper; i += S.length()) {
            FloatVector x = FloatVector.fromArray(S, a, i);
            FloatVector z = x.mul(0.70710678f);
            x.mul(0.5f).mul(erf(z, exp(z.mul(z).neg())).add(1f)).intoArray(a, i);
        }
        for (; i < to; i++) a[i] = gelu(a[i]);
    }

    /**
     * {@link #erf(float)} lane-wise, given e^{−z²} (which the GELU gradient needs too):
     * erf(|z|) = 1 − (a1 t + … + a5 t⁵) e^{−z²}, t = 1/(1 + p|z|), odd in z.
     */
    static FloatVector erf(FloatVector z, FloatVector expNegZ2) {
        FloatVector az = z.abs();
        FloatVector t = FloatVector.broadcast(S, 1f).div(az.fma(0.3275911f, 1f));
        FloatVector poly = t.fma(1.061405429f, -1.453152027f);
        poly = poly.mul(t).add(1.421413741f);
        poly = poly.mul(t).add(-0.284496736f);
        poly = poly.mul(t).add(0.254829592f);
        poly = poly.mul(t);
        FloatVector erfAbs = poly.mul(expNegZ2).neg().add(1f);
        return erfAbs.blend(erfAbs.neg(), z.compare(VectorOperators.LT, 0f));
    }

    /** GELU over a whole matrix, parallel by rows. */
    public static void gelu(float[] a, int rows, int cols) {
        forRows(rows, cols, r -> geluInPlace(a, r * cols, r * cols + cols));
    }

    /** σ(x) = 1 / (1 + e^{−x}). */
    public static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    /** In-place SiLU / Swish (Ramachandran et al. 2017; HF's "swish" and "silu"): x · σ(x), vectorised. */
    public static void siluInPlace(float[] a, int from, int to) {
        int i = from;
        int upper = from + S.loopBound(to - from);
        for (; i < upper; i += S.length()) {
            FloatVector x = FloatVector.fromArray(S, a, i);
            x.div(exp(x.neg()).add(1f)).intoArray(a, i);
        }
        for (; i < to; i++) a[i] = a[i] * sigmoid(a[i]);
    }

    /** SiLU over a whole matrix, parallel by rows. */
    public static void silu(float[] a, int rows, int cols) {
        forRows(rows, cols, r -> siluInPlace(a, r * cols, r * cols + cols));
    }

    public static void reluInPlace(float[] a, int from, int to) {
        for (int i = from; i < to; i++) if (a[i] < 0) a[i] = 0;
    }

    // ------------------------------------------------------------------ normalisation

    /**
     * LayerNorm over each row of x (rows × cols), written to out (may be x):
     * y = (x − mean) / sqrt(biased var + eps) · w + b. Mean and variance in two passes with double
     * accumulation of the vector partial sums.
     */
    public static void layerNorm(float[] x, float[] out, int rows, int cols, float[] w, float[] b, float eps) {
        forRows(rows, cols, r -> layerNormRow(x, out, r * cols, cols, w, b, eps));
    }

    static void layerNormRow(float[] x, float[] out, int off, int n, float[] w, float[] b, float eps) {
        double sum = 0;
        int i = 0;
        int upper = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (; i < upper; i += S.length()) acc = acc.add(FloatVector.fromArray(S, x, off + i));
        sum = sumLanes(acc);
        for (; i < n; i++) sum += x[off + i];
        float mean = (float) (sum / n);
        FloatVector m = FloatVector.broadcast(S, mean);
        acc = FloatVector.zero(S);
        double sq = 0;
        for (i = 0; i < upper; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, off + i).sub(m);
            acc = d.fma(d, acc);
        }
        sq = sumLanes(acc);
        for (; i < n; i++) {
            float d = x[off + i] - mean;
            sq += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(sq / n + eps));
        for (i = 0; i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i).sub(m).mul(inv);
            v.fma(FloatVector.fromArray(S, w, i), FloatVector.fromArray(S, b, i)).intoArray(out, off + i);
        }
        for (; i < n; i++) out[off + i] = (x[off + i] - mean) * inv * w[i] + b[i];
    }

    /**
     * GroupNorm with one group per channel on a time-major matrix x (time × channels): each
     * channel is normalised by its own mean and biased variance over all time steps (what HF's
     * GroupNorm(num_groups = C, C) does to a [C, T] conv output).
     */
    public static void channelNormOverTime(float[] x, int time, int channels, float[] w, float[] b, float eps) {
        double[] sum = new double[channels];
        double[] sumSq = new double[channels];
        accumulateChannelMoments(x, time, channels, sum, sumSq);
        applyChannelNorm(x, time, channels, sum, sumSq, time, w, b, eps);
    }

    /** Adds each channel's sum and sum of squares over the time steps of x to sum / sumSq. */
    public static void accumulateChannelMoments(float[] x, int time, int channels, double[] sum, double[] sumSq) {
        for (int t = 0; t < time; t++) {
            int off = t * channels;
            for (int c = 0; c < channels; c++) {
                double v = x[off + c];
                sum[c] += v;
                sumSq[c] += v * v;
            }
        }
    }

    /** Normalises x with channel moments gathered over `count` time steps (possibly more than x holds). */
    public static void applyChannelNorm(float[] x, int time, int channels, double[] sum, double[] sumSq, long count,
                                        float[] w, float[] b, float eps) {
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            double mean = sum[c] / count;
            double var = Math.max(0, sumSq[c] / count - mean * mean);
            double inv = 1.0 / Math.sqrt(var + eps);
            scale[c] = (float) (inv * w[c]);
            shift[c] = (float) (b[c] - mean * inv * w[c]);
        }
        forRows(time, channels, t -> {
            int off = t * channels;
            int c = 0;
            int upper = S.loopBound(channels);
            for (; c < upper; c += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, off + c);
                v.fma(FloatVector.fromArray(S, scale, c), FloatVector.fromArray(S, shift, c)).intoArray(x, off + c);
            }
            for (; c < channels; c++) x[off + c] = x[off + c] * scale[c] + shift[c];
        });
    }

    // ------------------------------------------------------------------ row helpers

    /** x[r, :] += bias for every row. */
    public static void addBias(float[] x, int rows, int cols, float[] bias) {
        forRows(rows, cols, r -> {
            int off = r * cols;
            int c = 0;
            int upper = S.loopBound(cols);
            for (; c < upper; c += S.length())
                FloatVector.fromArray(S, x, off + c).add(FloatVector.fromArray(S, bias, c)).intoArray(x, off + c);
            for (; c < cols; c++) x[off + c] += bias[c];
        });
    }

    /** a[i] += b[i] for i in [0, n). */
    public static void addInPlace(float[] a, float[] b, int n) {
        forRows((n + 4095) / 4096, 4096, blk -> {
            int from = blk * 4096, to = Math.min(n, from + 4096);
            int i = from;
            int upper = from + S.loopBound(to - from);
            for (; i < upper; i += S.length())
                FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(a, i);
            for (; i < to; i++) a[i] += b[i];
        });
    }

    /**
     * Softmax of one row segment a[off, off + n), in place, numerically stable (max subtracted).
     */
    public static void softmaxRow(float[] a, int off, int n) {
        int upper = S.loopBound(n);
        int i = 0;
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; i < upper; i += S.length()) mx = mx.max(FloatVector.fromArray(S, a, off + i));
        float max = mx.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) max = Math.max(max, a[off + i]);
        FloatVector m = FloatVector.broadcast(S, max);
        FloatVector acc = FloatVector.zero(S);
        for (i = 0; i < upper; i += S.length()) {
            FloatVector e = exp(FloatVector.fromArray(S, a, off + i).sub(m));
            e.intoArray(a, off + i);
            acc = acc.add(e);
        }
        double sum = sumLanes(acc);
        for (; i < n; i++) {
            float e = exp(a[off + i] - max);
            a[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (i = 0; i < upper; i += S.length()) FloatVector.fromArray(S, a, off + i).mul(inv).intoArray(a, off + i);
        for (; i < n; i++) a[off + i] *= inv;
    }

    /** Index of the largest value in a[off, off + n); the lowest index wins ties (as torch.argmax). */
    public static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (a[off + i] > a[off + best]) best = i;
        return best;
    }

    /** acc[ao + i] += a[bo + i] · b[co + i] for i in [0, n), vectorised. */
    public static void fmaRow(float[] acc, int ao, float[] a, int bo, float[] b, int co, int n) {
        int i = 0;
        int upper = S.loopBound(n);
        for (; i < upper; i += S.length()) {
            FloatVector.fromArray(S, a, bo + i).fma(FloatVector.fromArray(S, b, co + i), FloatVector.fromArray(S, acc, ao + i))
                    .intoArray(acc, ao + i);
        }
        for (; i < n; i++) acc[ao + i] += a[bo + i] * b[co + i];
    }

    /** y[yo + i] += a · x[xo + i] for i in [0, n), vectorised. */
    public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int upper = S.loopBound(n);
        FloatVector va = FloatVector.broadcast(S, a);
        for (; i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).fma(va, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }
}
