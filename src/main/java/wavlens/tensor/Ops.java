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

    // ------------------------------------------------------------------ activation functions

    /**
     * erf(x) by Abramowitz & Stegun 7.1.26 (max absolute error 1.5e-7, below float32 rounding of
     * the GELU output for |x| of interest): erf(x) = 1 − (a1 t + … + a5 t⁵) e^{−x²}, t = 1/(1 + p|x|).
     */
    public static float erf(float x) {
        float ax = Math.abs(x);
        float t = 1f / (1f + 0.3275911f * ax);
        float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        float y = 1f - poly * (float) Math.exp(-ax * ax);
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
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i < upper; i += S.length()) {
            FloatVector x = FloatVector.fromArray(S, a, i);
            FloatVector z = x.mul(0.70710678f);
            FloatVector az = z.abs();
            FloatVector t = one.div(az.fma(0.3275911f, 1f));
            FloatVector poly = t.fma(1.061405429f, -1.453152027f);
            poly = poly.mul(t).add(1.421413741f);
            poly = poly.mul(t).add(-0.284496736f);
            poly = poly.mul(t).add(0.254829592f);
            poly = poly.mul(t);
            FloatVector e = az.mul(az).neg().lanewise(VectorOperators.EXP);
            FloatVector erfAbs = one.sub(poly.mul(e));
            // erf is odd: restore the sign of z
            FloatVector erf = erfAbs.blend(erfAbs.neg(), z.compare(VectorOperators.LT, 0f));
            x.mul(0.5f).mul(erf.add(1f)).intoArray(a, i);
        }
        for (; i < to; i++) a[i] = gelu(a[i]);
    }

    /** GELU over a whole matrix, parallel by rows. */
    public static void gelu(float[] a, int rows, int cols) {
        forRows(rows, cols, r -> geluInPlace(a, r * cols, r * cols + cols));
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
        sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += x[off + i];
        float mean = (float) (sum / n);
        FloatVector m = FloatVector.broadcast(S, mean);
        acc = FloatVector.zero(S);
        double sq = 0;
        for (i = 0; i < upper; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, off + i).sub(m);
            acc = d.fma(d, acc);
        }
        sq = acc.reduceLanes(VectorOperators.ADD);
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
            FloatVector e = FloatVector.fromArray(S, a, off + i).sub(m).lanewise(VectorOperators.EXP);
            e.intoArray(a, off + i);
            acc = acc.add(e);
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(a[off + i] - max);
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
}
