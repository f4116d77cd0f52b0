package wavlens.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Every gradient in {@link Backward} against central finite differences of a double-precision
 * reference of the forward op (straightforward loops written here), on small random shapes.
 *
 * <p>For each op f the scalar loss is L = Σ r ∘ f(x, params) with a fixed random r, so the
 * upstream gradient handed to the backward kernel is r itself. Every element of every input and
 * every parameter is perturbed. The float32 forward kernel of {@link Ops} / {@link Conv} is also
 * checked against the same reference, so the finite differences are of the function the kernels
 * compute.
 *
 * <p>Tolerances. The finite differences are taken in double (step 1e-5·max(1, |x|)): truncation
 * error ~h²·f''' ≈ 1e-10 and rounding ~1e-16·|L|/h ≈ 1e-10, so they are exact for our purpose. The
 * analytic gradients are float32: each component is a short sum (≤ ~100 terms) of products
 * rounded with unit roundoff u = 6e-8, so its error is ≲ 100·u ≈ 6e-6 of the magnitude of its
 * terms. A component can be much smaller than its terms (LayerNorm's dx = (ĝ − mean ĝ − x̂·mean(ĝx̂))·rstd
 * cancels, softmax's p_i·(dp_i − Σ p_j dp_j) cancels when one p_j ≈ 1, and so do sums of
 * random-sign products), so the bound is relative to the largest component of the same gradient
 * tensor (or, for the normalisations and softmax, to the size of the terms if that is larger),
 * not to the component itself:
 * <pre>  |analytic − fd| ≤ 1e-3·|fd| + 1e-4·max(max|fd|, terms) + 1e-12</pre>
 * Worst seen over 40× the tries below: 0.21 of this bound (channelNorm dx, where x − mean is
 * formed in float), under 0.1 for every other kernel; any wrong index, factor, sign or missing
 * term gives errors of the order of the gradient itself, hundreds of times the bound. Run with
 * -Dwavlens.fd.verbose=true for the worst ratio of every check.
 */
class BackwardTest {
    static final double RTOL = 1e-3, ATOL_OF_MAX = 1e-4;

    /** Worst |analytic − fd| / tolerance per check name, over all tries. */
    static final Map<String, Double> WORST = new ConcurrentSkipListMap<>();

    @AfterContainer
    static void printWorst() {
        if (!Boolean.getBoolean("wavlens.fd.verbose")) return;
        WORST.forEach((k, v) -> System.out.printf("FD worst %-40s %.4f of the tolerance%n", k, v));
    }

    // =================================================================== helpers

    static float[] randn(Random r, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * std);
        return a;
    }

    static double[] d(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    /** A double-precision reference forward: outputs from the argument arrays. */
    interface Ref {
        double[] apply(double[][] args);
    }

    static double loss(Ref f, double[] r, double[][] args) {
        double[] y = f.apply(args);
        assertEquals(r.length, y.length, "r and f(x) lengths");
        double s = 0;
        for (int i = 0; i < y.length; i++) s += r[i] * y[i];
        return s;
    }

    /** dL/d args[k] by central differences of L = Σ r ∘ f(args), every element perturbed. */
    static double[] fd(Ref f, double[] r, double[][] args, int k) {
        double[] a = args[k];
        double[] g = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double x0 = a[i];
            double h = 1e-5 * Math.max(1, Math.abs(x0));
            a[i] = x0 + h;
            double lp = loss(f, r, args);
            a[i] = x0 - h;
            double lm = loss(f, r, args);
            a[i] = x0;
            g[i] = (lp - lm) / (2 * h);
        }
        return g;
    }

    /** Analytic (float) gradient minus what was in the array before (accumulating kernels). */
    static double[] minus(float[] after, float[] before) {
        double[] r = new double[after.length];
        for (int i = 0; i < r.length; i++) r[i] = (double) after[i] - before[i];
        return r;
    }

    static void assertGrad(String what, double[] analytic, double[] fd) {
        assertGrad(what, analytic, fd, 0);
    }

    /**
     * termScale: the size of the terms a component is computed from, when it can exceed the
     * gradient itself (normalisations: with 2 values per row x̂ = ±√(v/(v + ε)) and dx is ~ε/v of
     * its terms); the absolute floor is relative to the larger of it and max|fd|.
     */
    static void assertGrad(String what, double[] analytic, double[] fd, double termScale) {
        assertEquals(fd.length, analytic.length, what + ": length");
        double max = termScale;
        for (double v : fd) max = Math.max(max, Math.abs(v));
        double worst = 0;
        for (int i = 0; i < fd.length; i++) {
            double tol = RTOL * Math.abs(fd[i]) + ATOL_OF_MAX * max + 1e-12;
            double err = Math.abs(analytic[i] - fd[i]);
            assertTrue(err <= tol, () -> what + " element " + worstIndex(analytic, fd) + ": analytic " + Arrays.toString(analytic)
                    + "\n finite differences " + Arrays.toString(fd));
            worst = Math.max(worst, err / tol);
        }
        WORST.merge(what, worst, Math::max);
    }

    private static int worstIndex(double[] a, double[] b) {
        int w = 0;
        for (int i = 1; i < a.length; i++) if (Math.abs(a[i] - b[i]) > Math.abs(a[w] - b[w])) w = i;
        return w;
    }

    static void assertGrad(String what, float[] analytic, double[] fd) {
        assertGrad(what, d(analytic), fd);
    }

    /** The float kernel's forward output against the double reference (same function). */
    static void assertForward(String what, float[] y, double[] ref, double rel) {
        assertForward(what, y, ref, rel, 0);
    }

    static void assertForward(String what, float[] y, double[] ref, double rel, double abs) {
        assertEquals(ref.length, y.length, what + ": forward length");
        double max = 0;
        for (double v : ref) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < y.length; i++) {
            assertEquals(ref[i], y[i], rel * (1 + max) + abs, what + ": forward element " + i);
        }
    }

    /** erf in double to ~1e-15: Taylor series for |x| ≤ 3, the erfc continued fraction beyond. */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax <= 3) {
            double sum = 0, term = x;
            for (int n = 0; n < 100; n++) {
                sum += term / (2 * n + 1);
                term *= -x * x / (n + 1);
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        double cf = ax;   // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
        for (int n = 80; n >= 1; n--) cf = ax + n / 2.0 / cf;
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / cf;
        return Math.copySign(1 - erfc, x);
    }

    static double geluRef(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    // =================================================================== activations

    @Example
    void referenceErfIsAccurate() {
        double[][] known = {{0.5, 0.5204998778130465}, {1, 0.8427007929497149}, {2.5, 0.9995930479825550},
                {3.5, 0.9999992569016276}, {-4, -0.9999999845827421}};
        for (double[] k : known) assertEquals(k[1], erf(k[0]), 1e-14, "erf(" + k[0] + ")");
        assertEquals(erf(3 - 1e-12), erf(3 + 1e-12), 1e-13, "the two branches join");
    }

    @Property(tries = 30)
    void gelu(@ForAll @IntRange(min = 1, max = 5) int rows, @ForAll @IntRange(min = 1, max = 40) int cols, @ForAll long seed) {
        Random rng = new Random(seed);
        int n = rows * cols;
        float[] x = randn(rng, n, 2.5);
        if (n > 2) {
            x[0] = 0f;
            x[1] = 6.5f;   // tails: GELU' → 1 and → 0
            x[2] = -6.5f;
        }
        float[] r = randn(rng, n, 1);
        Ref f = a -> {
            double[] y = new double[a[0].length];
            for (int i = 0; i < y.length; i++) y[i] = geluRef(a[0][i]);
            return y;
        };
        double[][] args = {d(x)};
        float[] y = x.clone();
        Ops.gelu(y, rows, cols);
        assertForward("gelu", y, f.apply(args), 1e-6);
        float[] dy = r.clone();
        Backward.gelu(dy, x, rows, cols);
        assertGrad("gelu dx", dy, fd(f, d(r), args, 0));
        // the vectorised kernel and the scalar derivative agree up to float rounding (different operation order)
        for (int i = 0; i < n; i++) {
            float scalar = r[i] * Backward.geluDerivative(x[i]);
            assertEquals(scalar, dy[i], 3e-5f * Math.abs(scalar) + 1e-7f * Math.abs(r[i]), "gelu = dy · geluDerivative");
        }
    }

    @Property(tries = 30)
    void relu(@ForAll @IntRange(min = 1, max = 60) int n, @ForAll long seed) {
        Random rng = new Random(seed);
        float[] x = randn(rng, n, 1);
        // keep away from the kink (the FD step is ~1e-5), except exact zeros checked below
        for (int i = 0; i < n; i++) if (Math.abs(x[i]) < 1e-3) x[i] = 0.5f;
        float[] r = randn(rng, n, 1);
        Ref f = a -> {
            double[] y = new double[a[0].length];
            for (int i = 0; i < y.length; i++) y[i] = Math.max(0, a[0][i]);
            return y;
        };
        double[][] args = {d(x)};
        float[] y = x.clone();
        Ops.reluInPlace(y, 0, n);
        assertForward("relu", y, f.apply(args), 0);
        float[] dy = r.clone();
        Backward.relu(dy, x, n);
        assertGrad("relu dx", dy, fd(f, d(r), args, 0));
    }

    @Example
    void reluGradientAtZeroIsZeroAsInPyTorch() {
        float[] dy = {1f, 2f, 3f};
        Backward.relu(dy, new float[] {0f, -0f, 1e-30f}, 3);
        assertArrayEquals(new float[] {0f, 0f, 3f}, dy);
    }

    // =================================================================== normalisation

    /**
     * max |dy·w|·rstd over the normalised groups: the size of the terms of a normalisation's dx.
     * overTime false: LayerNorm over each of n rows of `count` columns (w per column);
     * true: each of n channels normalised over `count` time steps (w per channel).
     */
    static double normTermScale(float[] dy, float[] w, float[] x, int n, int count, boolean overTime, float eps) {
        double worst = 0;
        int step = overTime ? n : 1;
        for (int g = 0; g < n; g++) {
            int base = overTime ? g : g * count;
            double m = 0, v = 0, gmax = 0;
            for (int j = 0; j < count; j++) m += x[base + j * step];
            m /= count;
            for (int j = 0; j < count; j++) {
                int i = base + j * step;
                v += (x[i] - m) * (x[i] - m);
                gmax = Math.max(gmax, Math.abs((double) dy[i] * w[overTime ? g : j]));
            }
            worst = Math.max(worst, gmax / Math.sqrt(v / count + eps));
        }
        return worst;
    }

    /**
     * Keeps every normalised group (a row, or a channel over time) at a spread of at least ~0.3:
     * x − mean is formed in float, so a group whose values nearly coincide (two draws 1e-3 apart)
     * has an x̂ known only to u·|x|/spread, an ill-conditioning of the op itself, not a kernel error.
     */
    static void spreadGroups(float[] x, int n, int count, boolean overTime) {
        int step = overTime ? n : 1;
        for (int g = 0; g < n; g++) {
            int base = overTime ? g : g * count;
            double m = 0, v = 0;
            for (int j = 0; j < count; j++) m += x[base + j * step];
            m /= count;
            for (int j = 0; j < count; j++) v += (x[base + j * step] - m) * (x[base + j * step] - m);
            if (count > 1 && Math.sqrt(v / count) < 0.3) {
                for (int j = 0; j < count; j++) x[base + j * step] += 0.6f * j;
            }
        }
    }

    static Ref layerNormRef(int rows, int cols, double eps) {
        return a -> {
            double[] x = a[0], w = a[1], b = a[2];
            double[] y = new double[rows * cols];
            for (int r = 0; r < rows; r++) {
                double m = 0, v = 0;
                for (int c = 0; c < cols; c++) m += x[r * cols + c];
                m /= cols;
                for (int c = 0; c < cols; c++) v += (x[r * cols + c] - m) * (x[r * cols + c] - m);
                v /= cols;
                double s = 1 / Math.sqrt(v + eps);
                for (int c = 0; c < cols; c++) y[r * cols + c] = (x[r * cols + c] - m) * s * w[c] + b[c];
            }
            return y;
        };
    }

    /**
     * LayerNorm over rows. mode: 0 = dx written (prefilled with NaN, must be overwritten),
     * 1 = accumulated into a prefilled dx, 2 = dx aliasing dy. Parameter gradients are added to
     * prefilled arrays, or not asked for (null). A large eps (0.5) checks where eps enters.
     */
    @Property(tries = 60)
    void layerNorm(@ForAll @IntRange(min = 1, max = 5) int rows, @ForAll @IntRange(min = 1, max = 40) int cols,
                   @ForAll @IntRange(min = 0, max = 2) int mode, @ForAll boolean affineGrads, @ForAll boolean bigEps,
                   @ForAll long seed) {
        Random rng = new Random(seed);
        float eps = bigEps ? 0.5f : 1e-5f;
        int n = rows * cols;
        float[] x = randn(rng, n, 2), w = randn(rng, cols, 1), b = randn(rng, cols, 1), r = randn(rng, n, 1);
        for (int row = 0; row < rows; row++) {   // row offsets
            float o = (float) (rng.nextGaussian() * 3);
            for (int c = 0; c < cols; c++) x[row * cols + c] += o;
        }
        spreadGroups(x, rows, cols, false);
        Ref f = layerNormRef(rows, cols, eps);
        double[][] args = {d(x), d(w), d(b)};
        float[] y = new float[n];
        Ops.layerNorm(x, y, rows, cols, w, b, eps);
        assertForward("layerNorm", y, f.apply(args), 1e-5);

        float[] dy = r.clone();
        float[] dx0 = mode == 1 ? randn(rng, n, 1) : filled(n, Float.NaN);
        float[] dx = mode == 2 ? dy : dx0.clone();
        float[] dw0 = randn(rng, cols, 1), db0 = randn(rng, cols, 1);
        float[] dw = affineGrads ? dw0.clone() : null, db = affineGrads ? db0.clone() : null;
        Backward.layerNorm(dy, x, rows, cols, w, eps, dx, mode == 1, dw, db);
        double[] r64 = d(r);
        String tag = " [" + (mode == 0 ? "set" : mode == 1 ? "accumulate" : "alias dy") + "]";
        assertGrad("layerNorm dx" + tag, mode == 1 ? minus(dx, dx0) : d(dx), fd(f, r64, args, 0), normTermScale(r, w, x, rows, cols, false, eps));
        if (affineGrads) {
            assertGrad("layerNorm dw", minus(dw, dw0), fd(f, r64, args, 1));
            assertGrad("layerNorm db", minus(db, db0), fd(f, r64, args, 2));
        }
        if (mode != 2) assertArrayEquals(r, dy, "dy is not modified");
    }

    static Ref channelNormRef(int time, int ch, double eps) {
        return a -> {
            double[] x = a[0], w = a[1], b = a[2];
            double[] y = new double[time * ch];
            for (int c = 0; c < ch; c++) {
                double m = 0, v = 0;
                for (int t = 0; t < time; t++) m += x[t * ch + c];
                m /= time;
                for (int t = 0; t < time; t++) v += (x[t * ch + c] - m) * (x[t * ch + c] - m);
                v /= time;
                double s = 1 / Math.sqrt(v + eps);
                for (int t = 0; t < time; t++) y[t * ch + c] = (x[t * ch + c] - m) * s * w[c] + b[c];
            }
            return y;
        };
    }

    /** GroupNorm(C, C) over time; dx written (NaN-prefilled) or aliasing dy; dw/db accumulated or null. */
    @Property(tries = 50)
    void channelNormOverTime(@ForAll @IntRange(min = 1, max = 14) int time, @ForAll @IntRange(min = 1, max = 20) int ch,
                             @ForAll boolean alias, @ForAll boolean affineGrads, @ForAll long seed) {
        Random rng = new Random(seed);
        float eps = 1e-5f;
        int n = time * ch;
        float[] x = randn(rng, n, 2), w = randn(rng, ch, 1), b = randn(rng, ch, 1), r = randn(rng, n, 1);
        for (int i = 0; i < n; i++) x[i] += (i % ch) - ch / 2f;   // channel offsets
        spreadGroups(x, ch, time, true);
        Ref f = channelNormRef(time, ch, eps);
        double[][] args = {d(x), d(w), d(b)};
        float[] y = x.clone();
        Ops.channelNormOverTime(y, time, ch, w, b, eps);
        // the kernel applies y = x·scale + shift in float (scale = w·rstd, shift = b − mean·scale), which
        // cancels when a channel's |mean| ≫ its spread: allow a few ulps of |x·scale|
        double cancel = 0;
        for (int i = 0; i < n; i++) {
            int c = i % ch;
            double m = 0, v = 0;
            for (int t = 0; t < time; t++) m += x[t * ch + c];
            m /= time;
            for (int t = 0; t < time; t++) v += (x[t * ch + c] - m) * (x[t * ch + c] - m);
            cancel = Math.max(cancel, Math.abs(x[i] * w[c]) / Math.sqrt(v / time + eps));
        }
        assertForward("channelNorm", y, f.apply(args), 1e-5, 8 * 0x1p-24 * cancel);

        float[] dy = r.clone();
        float[] dx = alias ? dy : filled(n, Float.NaN);
        float[] dw0 = randn(rng, ch, 1), db0 = randn(rng, ch, 1);
        float[] dw = affineGrads ? dw0.clone() : null, db = affineGrads ? db0.clone() : null;
        Backward.channelNormOverTime(dy, x, time, ch, w, eps, dx, dw, db);
        double[] r64 = d(r);
        assertGrad("channelNorm dx" + (alias ? " [alias dy]" : " [set]"), d(dx), fd(f, r64, args, 0),
                normTermScale(r, w, x, ch, time, true, eps));
        if (affineGrads) {
            assertGrad("channelNorm dw", minus(dw, dw0), fd(f, r64, args, 1));
            assertGrad("channelNorm db", minus(db, db0), fd(f, r64, args, 2));
        }
    }

    // =================================================================== bias and linear

    @Property(tries = 30)
    void biasGrad(@ForAll @IntRange(min = 1, max = 6) int rows, @ForAll @IntRange(min = 1, max = 70) int cols, @ForAll long seed) {
        Random rng = new Random(seed);
        float[] x = randn(rng, rows * cols, 1), b = randn(rng, cols, 1), r = randn(rng, rows * cols, 1);
        Ref f = a -> {
            double[] y = a[0].clone();
            for (int i = 0; i < y.length; i++) y[i] += a[1][i % cols];
            return y;
        };
        double[][] args = {d(x), d(b)};
        float[] y = x.clone();
        Ops.addBias(y, rows, cols, b);
        assertForward("addBias", y, f.apply(args), 1e-7);
        float[] db0 = randn(rng, cols, 1), db = db0.clone();
        Backward.biasGrad(r, rows, cols, db);
        assertGrad("biasGrad db", minus(db, db0), fd(f, d(r), args, 1));
    }

    /**
     * nn.Linear y = x Wᵀ + b. dxMode: 0 = no dx, 1 = written (NaN-prefilled), 2 = accumulated.
     * dw/db are accumulated into prefilled arrays or left out (null).
     */
    @Property(tries = 50)
    void linear(@ForAll @IntRange(min = 1, max = 6) int rows, @ForAll @IntRange(min = 1, max = 20) int in,
                @ForAll @IntRange(min = 1, max = 20) int out, @ForAll @IntRange(min = 0, max = 2) int dxMode,
                @ForAll boolean withDw, @ForAll boolean withDb, @ForAll long seed) {
        Random rng = new Random(seed);
        float[] x = randn(rng, rows * in, 1), w = randn(rng, out * in, 1), b = randn(rng, out, 1), r = randn(rng, rows * out, 1);
        Ref f = a -> {
            double[] y = new double[rows * out];
            for (int t = 0; t < rows; t++)
                for (int o = 0; o < out; o++) {
                    double s = a[2][o];
                    for (int i = 0; i < in; i++) s += a[0][t * in + i] * a[1][o * in + i];
                    y[t * out + o] = s;
                }
            return y;
        };
        double[][] args = {d(x), d(w), d(b)};
        // the float forward as TrainableModel runs it: one sgemm and a bias
        float[] y = new float[rows * out];
        Blas.sgemm(false, true, rows, out, in, 1f, x, 0, in, w, 0, in, 0f, y, 0, out);
        Ops.addBias(y, rows, out, b);
        assertForward("linear", y, f.apply(args), 1e-5);

        float[] dw0 = randn(rng, out * in, 1), db0 = randn(rng, out, 1);
        float[] dx0 = dxMode == 2 ? randn(rng, rows * in, 1) : filled(rows * in, Float.NaN);
        float[] dw = withDw ? dw0.clone() : null, db = withDb ? db0.clone() : null, dx = dxMode == 0 ? null : dx0.clone();
        Backward.linear(r, x, rows, in, w, out, dw, db, dx, dxMode == 2);
        double[] r64 = d(r);
        if (dx != null) assertGrad("linear dx" + (dxMode == 2 ? " [accumulate]" : " [set]"), dxMode == 2 ? minus(dx, dx0) : d(dx), fd(f, r64, args, 0));
        if (withDw) assertGrad("linear dw", minus(dw, dw0), fd(f, r64, args, 1));
        if (withDb) assertGrad("linear db", minus(db, db0), fd(f, r64, args, 2));
    }

    // =================================================================== convolutions

    /** PyTorch Conv1d, no padding, weight [cout][cin][k], input time-major (timeIn × cin). */
    static Ref conv1dRef(int timeIn, int cin, int cout, int k, int stride) {
        int timeOut = Conv.outputLength(timeIn, k, stride);
        return a -> {
            double[] x = a[0], w = a[1], b = a[2];
            double[] y = new double[timeOut * cout];
            for (int t = 0; t < timeOut; t++)
                for (int o = 0; o < cout; o++) {
                    double s = b[o];
                    for (int c = 0; c < cin; c++)
                        for (int j = 0; j < k; j++) s += w[(o * cin + c) * k + j] * x[(t * stride + j) * cin + c];
                    y[t * cout + o] = s;
                }
            return y;
        };
    }

    /** Tap-major [out][k][in] back to PyTorch's [out][in][k]. */
    static double[] channelMajor(double[] wT, int out, int in, int k) {
        double[] r = new double[wT.length];
        for (int o = 0; o < out; o++)
            for (int c = 0; c < in; c++)
                for (int t = 0; t < k; t++) r[(o * in + c) * k + t] = wT[(o * k + t) * in + c];
        return r;
    }

    /**
     * Valid strided Conv1d: dx accumulated into a prefilled array, dw (tap-major) and db into
     * prefilled arrays. `extra` input frames beyond the last full window get no gradient.
     */
    static void checkConv1d(int cin, int cout, int k, int stride, int timeIn, long seed) {
        Random rng = new Random(seed);
        int timeOut = Conv.outputLength(timeIn, k, stride);
        float[] x = randn(rng, timeIn * cin, 1), w = randn(rng, cout * cin * k, 1), b = randn(rng, cout, 1);
        float[] r = randn(rng, timeOut * cout, 1);
        float[] wT = Conv.kernelTapMajor(w, cout, cin, k);
        Ref f = conv1dRef(timeIn, cin, cout, k, stride);
        double[][] args = {d(x), d(w), d(b)};
        assertForward("conv1d", Conv.conv1d(x, timeIn, cin, wT, b, cout, k, stride), f.apply(args), 1e-5);

        float[] dx0 = randn(rng, timeIn * cin, 1), dw0 = randn(rng, w.length, 1), db0 = randn(rng, cout, 1);
        float[] dx = dx0.clone(), dwT = dw0.clone(), db = db0.clone();
        Backward.conv1d(r, x, timeIn, cin, wT, cout, k, stride, dwT, db, dx);
        double[] r64 = d(r);
        String tag = cin == 1 ? " [cin 1]" : k > stride ? " [k > stride]" : k == stride ? " [k = stride]" : " [k < stride]";
        assertGrad("conv1d dx" + tag, minus(dx, dx0), fd(f, r64, args, 0));
        assertGrad("conv1d dw" + tag, channelMajor(minus(dwT, dw0), cout, cin, k), fd(f, r64, args, 1));
        assertGrad("conv1d db" + tag, minus(db, db0), fd(f, r64, args, 2));

        // each gradient alone (the others null) gives the same numbers
        float[] dxOnly = dx0.clone(), dwOnly = dw0.clone(), dbOnly = db0.clone();
        Backward.conv1d(r, x, timeIn, cin, wT, cout, k, stride, null, null, dxOnly);
        Backward.conv1d(r, x, timeIn, cin, wT, cout, k, stride, dwOnly, null, null);
        Backward.conv1d(r, x, timeIn, cin, wT, cout, k, stride, null, dbOnly, null);
        assertArrayEquals(dx, dxOnly);
        assertArrayEquals(dwT, dwOnly);
        assertArrayEquals(db, dbOnly);
    }

    @Property(tries = 60)
    void conv1d(@ForAll @IntRange(min = 1, max = 5) int cin, @ForAll @IntRange(min = 1, max = 6) int cout,
                @ForAll @IntRange(min = 1, max = 6) int k, @ForAll @IntRange(min = 1, max = 4) int stride,
                @ForAll @IntRange(min = 0, max = 14) int extra, @ForAll long seed) {
        checkConv1d(cin, cout, k, stride, k + extra, seed);
    }

    /** The shapes wav2vec2 uses, each for sure (odd lengths: leftover frames after the last window). */
    @Example
    void conv1dNamedCases() {
        checkConv1d(1, 4, 10, 5, 10, 1);        // raw samples, one output frame
        checkConv1d(1, 5, 10, 5, 53, 2);        // raw samples, 3 leftover samples
        checkConv1d(1, 3, 3, 1, 11, 3);         // one channel, stride 1
        checkConv1d(4, 3, 3, 2, 16, 4);         // kernel > stride, one leftover frame
        checkConv1d(5, 6, 2, 2, 13, 5);         // kernel == stride (the im2col-free forward path), one leftover
        checkConv1d(3, 2, 2, 2, 2, 6);          // kernel == stride, one output frame
        checkConv1d(3, 4, 4, 1, 9, 7);          // stride 1
        checkConv1d(2, 3, 2, 3, 11, 8);         // kernel < stride: frames skipped entirely
        checkConv1d(7, 1, 1, 1, 5, 9);          // 1×1 conv
    }

    @Example
    void conv1dWithNoOutputFrameLeavesEverythingAlone() {
        float[] x = {1, 2, 3, 4}, w = {1, 1, 1}, dx = {5, 6, 7, 8}, dw = {9, 9, 9}, db = {3};
        Backward.conv1d(new float[0], x, 2, 2, w, 1, 3, 1, dw, db, dx);   // 2 frames < kernel 3
        assertArrayEquals(new float[] {5, 6, 7, 8}, dx);
        assertArrayEquals(new float[] {9, 9, 9}, dw);
        assertArrayEquals(new float[] {3}, db);
    }

    /** Grouped "same" conv over a packed batch, weight [ch][per][k], zero padding k/2 per utterance, last frame dropped for even k. */
    static Ref groupedSameConvRef(int[] frames, int ch, int groups, int k) {
        int per = ch / groups, pad = k / 2;
        int rows = Arrays.stream(frames).sum();
        return a -> {
            double[] x = a[0], w = a[1], b = a[2];
            double[] y = new double[rows * ch];
            int off = 0;
            for (int time : frames) {
                for (int t = 0; t < time; t++)
                    for (int o = 0; o < ch; o++) {
                        int g = o / per;
                        double s = b[o];
                        for (int c = 0; c < per; c++)
                            for (int j = 0; j < k; j++) {
                                int src = t - pad + j;
                                if (src >= 0 && src < time) s += w[(o * per + c) * k + j] * x[(off + src) * ch + g * per + c];
                            }
                        y[(off + t) * ch + o] = s;
                    }
                off += time;
            }
            return y;
        };
    }

    static void checkGroupedSameConv(int[] frames, int groups, int per, int k, long seed) {
        Random rng = new Random(seed);
        int ch = groups * per;
        int[] rowOffset = new int[frames.length];
        for (int i = 1; i < frames.length; i++) rowOffset[i] = rowOffset[i - 1] + frames[i - 1];
        int rows = rowOffset[frames.length - 1] + frames[frames.length - 1];
        float[] x = randn(rng, rows * ch, 1), w = randn(rng, ch * per * k, 1), b = randn(rng, ch, 1), r = randn(rng, rows * ch, 1);
        float[] wT = Conv.kernelTapMajor(w, ch, per, k);
        Ref f = groupedSameConvRef(frames, ch, groups, k);
        double[][] args = {d(x), d(w), d(b)};
        assertForward("groupedSameConv", Conv.groupedSameConv(x, rowOffset, frames, ch, groups, wT, b, k), f.apply(args), 1e-5);

        float[] dx0 = randn(rng, rows * ch, 1), dw0 = randn(rng, w.length, 1), db0 = randn(rng, ch, 1);
        float[] dx = dx0.clone(), dwT = dw0.clone(), db = db0.clone();
        Backward.groupedSameConv(r, x, rowOffset, frames, ch, groups, wT, k, dwT, db, dx);
        double[] r64 = d(r);
        String tag = k % 2 == 0 ? " [even k]" : " [odd k]";
        assertGrad("groupedSameConv dx" + tag, minus(dx, dx0), fd(f, r64, args, 0));
        assertGrad("groupedSameConv dw" + tag, channelMajor(minus(dwT, dw0), ch, per, k), fd(f, r64, args, 1));
        assertGrad("groupedSameConv db" + tag, minus(db, db0), fd(f, r64, args, 2));

        float[] dxOnly = dx0.clone(), dwOnly = dw0.clone();
        Backward.groupedSameConv(r, x, rowOffset, frames, ch, groups, wT, k, null, null, dxOnly);
        Backward.groupedSameConv(r, x, rowOffset, frames, ch, groups, wT, k, dwOnly, null, null);
        assertArrayEquals(dx, dxOnly);
        assertArrayEquals(dwT, dwOnly);
    }

    /** A packed batch of 2–3 utterances; the first is shorter than the kernel (when k > 1). */
    @Property(tries = 50)
    void groupedSameConv(@ForAll @IntRange(min = 1, max = 4) int groups, @ForAll @IntRange(min = 1, max = 3) int per,
                         @ForAll @IntRange(min = 1, max = 8) int k, @ForAll @IntRange(min = 2, max = 3) int utterances,
                         @ForAll long seed) {
        Random rng = new Random(seed ^ 0x5DEECE66DL);
        int[] frames = new int[utterances];
        for (int i = 0; i < utterances; i++) frames[i] = 1 + rng.nextInt(12);
        frames[0] = 1 + rng.nextInt(Math.max(1, k - 1));
        checkGroupedSameConv(frames, groups, per, k, seed);
    }

    @Example
    void groupedSameConvNamedCases() {
        checkGroupedSameConv(new int[] {3, 9}, 2, 2, 4, 1);          // even kernel, one utterance shorter than it
        checkGroupedSameConv(new int[] {7, 2, 5}, 4, 2, 5, 2);       // odd kernel, several groups, a 2-frame utterance
        checkGroupedSameConv(new int[] {1, 6}, 2, 3, 6, 3);          // a single frame: only the centre tap sees data
        checkGroupedSameConv(new int[] {8, 8}, 1, 4, 2, 4);          // one group, smallest even kernel
        checkGroupedSameConv(new int[] {4, 11, 3}, 3, 1, 7, 5);      // depthwise (one channel per group)
    }

    // =================================================================== softmax

    @Property(tries = 40)
    void softmaxRow(@ForAll @IntRange(min = 1, max = 40) int n, @ForAll @IntRange(min = 0, max = 3) int pOff,
                    @ForAll @IntRange(min = 0, max = 3) int dOff, @ForAll long seed) {
        Random rng = new Random(seed);
        float[] s = randn(rng, n, 2), r = randn(rng, n, 1);
        Ref f = a -> {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double v : a[0]) max = Math.max(max, v);
            double[] y = new double[a[0].length];
            for (int i = 0; i < y.length; i++) sum += y[i] = Math.exp(a[0][i] - max);
            for (int i = 0; i < y.length; i++) y[i] /= sum;
            return y;
        };
        double[][] args = {d(s)};
        float[] p = new float[pOff + n + 2];
        Arrays.fill(p, 7f);
        System.arraycopy(s, 0, p, pOff, n);
        Ops.softmaxRow(p, pOff, n);
        assertForward("softmax", Arrays.copyOfRange(p, pOff, pOff + n), f.apply(args), 1e-6);
        float[] dp = new float[dOff + n + 2];
        Arrays.fill(dp, -3f);
        System.arraycopy(r, 0, dp, dOff, n);
        Backward.softmaxRow(dp, dOff, p, pOff, n);
        // ds_i = p_i·dp_i − p_i·Σ_j p_j dp_j cancels when one p_j ≈ 1 (ds ~ the small p's, rounding ~ u·|dp|):
        // floor relative to the size of these terms
        double[] pRef = f.apply(args);
        double dot = 0, terms = 0;
        for (int i = 0; i < n; i++) dot += pRef[i] * r[i];
        for (int i = 0; i < n; i++) terms = Math.max(terms, pRef[i] * (Math.abs(r[i]) + Math.abs(dot)));
        assertGrad("softmaxRow ds", d(Arrays.copyOfRange(dp, dOff, dOff + n)), fd(f, d(r), args, 0), terms);
        for (int i = 0; i < dOff; i++) assertEquals(-3f, dp[i], "before the row");
        for (int i = dOff + n; i < dp.length; i++) assertEquals(-3f, dp[i], "after the row");
    }
}
