package wavlens.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * Gradients of the kernels in {@link Ops} and {@link Conv}, for training. Every function takes the
 * upstream gradient dY and the forward pass's saved inputs, writes or accumulates dX, and adds
 * (+=) into parameter gradients, so gradients of shared parameters sum over uses.
 *
 * <p>Conventions as in the forward kernels: row-major, time-major (time × channels) matrices.
 */
public final class Backward {
    private Backward() {}

    private static final double INV_SQRT_2PI = 0.3989422804014327;

    // ------------------------------------------------------------------ activations

    /** d GELU(x)/dx = Φ(x) + x φ(x), the exact (erf) form. */
    public static float geluDerivative(float x) {
        float cdf = 0.5f * (1f + Ops.erf(x * 0.70710678f));
        float pdf = (float) (INV_SQRT_2PI) * Ops.exp(-0.5f * x * x);
        return cdf + x * pdf;
    }

    /** dY ← dY · GELU'(x) in place, for x the activation's input (same length). */
    public static void gelu(float[] dy, float[] x, int rows, int cols) {
        Ops.forRows(rows, cols, r -> geluRange(dy, x, r * cols, r * cols + cols));
    }

    /**
     * Vectorised GELU' over [from, to): with z = x/√2, erf(|z|) as in {@link Ops#geluInPlace} and
     * e^{−z²} = e^{−x²/2}, so Φ(x) = ½(1 + erf z) and φ(x) = e^{−z²}/√(2π) share one exp.
     */
    static void geluRange(float[] dy, float[] x, int from, int to) {
        int i = from;
        int upper = from + Ops.S.loopBound(to - from);
        for (; i < upper; i += Ops.S.length()) {
            FloatVector xv = FloatVector.fromArray(Ops.S, x, i);
            FloatVector z = xv.mul(0.70710678f);
            FloatVector e = Ops.exp(z.mul(z).neg());
            FloatVector cdf = Ops.erf(z, e).add(1f).mul(0.5f);
            FloatVector d = xv.mul(e).mul((float) INV_SQRT_2PI).add(cdf);
            FloatVector.fromArray(Ops.S, dy, i).mul(d).intoArray(dy, i);
        }
        for (; i < to; i++) dy[i] *= geluDerivative(x[i]);
    }

    /** dY ← dY · [x &gt; 0] in place (ReLU). */
    public static void relu(float[] dy, float[] x, int n) {
        for (int i = 0; i < n; i++) if (x[i] <= 0) dy[i] = 0;
    }

    // ------------------------------------------------------------------ normalisation

    /**
     * LayerNorm over rows: y = x̂ w + b, x̂ = (x − μ) / √(σ² + ε). With ĝ = dy·w:
     * dx = (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂)) / √(σ² + ε); dw += Σ_rows dy x̂; db += Σ_rows dy.
     * x is the forward input; dx may alias dy (it is written row by row after the row is read).
     * dw/db may be null (no affine gradient wanted). With accumulate, dx is added to instead of set.
     */
    public static void layerNorm(float[] dy, float[] x, int rows, int cols, float[] w, float eps,
                                 float[] dx, boolean accumulate, float[] dw, float[] db) {
        float[] mean = new float[rows], rstd = new float[rows];
        Ops.forRows(rows, cols, r -> {
            int off = r * cols;
            double s = 0;
            for (int c = 0; c < cols; c++) s += x[off + c];
            double m = s / cols;
            double v = 0;
            for (int c = 0; c < cols; c++) {
                double d = x[off + c] - m;
                v += d * d;
            }
            mean[r] = (float) m;
            rstd[r] = (float) (1.0 / Math.sqrt(v / cols + eps));
        });
        if (dw != null) {
            // parameter gradients: column sums, one pass over the rows (sequential, fixed order)
            for (int r = 0; r < rows; r++) {
                int off = r * cols;
                float m = mean[r], s = rstd[r];
                for (int c = 0; c < cols; c++) {
                    float xh = (x[off + c] - m) * s;
                    dw[c] += dy[off + c] * xh;
                    db[c] += dy[off + c];
                }
            }
        }
        Ops.forRows(rows, cols, r -> {
            int off = r * cols;
            float m = mean[r], s = rstd[r];
            double sumG = 0, sumGx = 0;
            for (int c = 0; c < cols; c++) {
                float g = dy[off + c] * w[c];
                sumG += g;
                sumGx += g * (x[off + c] - m) * s;
            }
            float meanG = (float) (sumG / cols), meanGx = (float) (sumGx / cols);
            for (int c = 0; c < cols; c++) {
                float g = dy[off + c] * w[c];
                float xh = (x[off + c] - m) * s;
                float v = (g - meanG - xh * meanGx) * s;
                if (accumulate) dx[off + c] += v;
                else dx[off + c] = v;
            }
        });
    }

    /**
     * GroupNorm with one group per channel over time (wav2vec2's first conv layer): the LayerNorm
     * formula along the time axis of each channel. dx is written (not accumulated); may alias dy.
     */
    public static void channelNormOverTime(float[] dy, float[] x, int time, int channels, float[] w, float eps,
                                           float[] dx, float[] dw, float[] db) {
        // mean and biased variance per channel, the variance from centred values (two passes)
        double[] sum = new double[channels];
        columnSums(time, channels, (r0, r1, acc) -> {
            for (int t = r0; t < r1; t++) addRow(acc, x, t * channels, channels);
        }, sum);
        float[] mean = new float[channels], rstd = new float[channels];
        for (int c = 0; c < channels; c++) mean[c] = (float) (sum[c] / time);
        double[] centredSq = new double[channels];
        columnSums(time, channels, (r0, r1, acc) -> {
            for (int t = r0; t < r1; t++) {
                int off = t * channels, c = 0;
                for (int upper = Ops.S.loopBound(channels); c < upper; c += Ops.S.length()) {
                    FloatVector d = FloatVector.fromArray(Ops.S, x, off + c).sub(FloatVector.fromArray(Ops.S, mean, c));
                    d.fma(d, FloatVector.fromArray(Ops.S, acc, c)).intoArray(acc, c);
                }
                for (; c < channels; c++) {
                    float d = x[off + c] - mean[c];
                    acc[c] += d * d;
                }
            }
        }, centredSq);
        for (int c = 0; c < channels; c++) rstd[c] = (float) (1.0 / Math.sqrt(centredSq[c] / time + eps));
        // Σ_t dy and Σ_t dy·x̂ per channel
        double[] sumDy = new double[channels], sumDyXh = new double[channels];
        columnSums(time, channels, (r0, r1, acc) -> {
            for (int t = r0; t < r1; t++) addRow(acc, dy, t * channels, channels);
        }, sumDy);
        columnSums(time, channels, (r0, r1, acc) -> {
            for (int t = r0; t < r1; t++) {
                int off = t * channels, c = 0;
                for (int upper = Ops.S.loopBound(channels); c < upper; c += Ops.S.length()) {
                    FloatVector xh = FloatVector.fromArray(Ops.S, x, off + c).sub(FloatVector.fromArray(Ops.S, mean, c))
                            .mul(FloatVector.fromArray(Ops.S, rstd, c));
                    FloatVector.fromArray(Ops.S, dy, off + c).fma(xh, FloatVector.fromArray(Ops.S, acc, c)).intoArray(acc, c);
                }
                for (; c < channels; c++) acc[c] += dy[off + c] * ((x[off + c] - mean[c]) * rstd[c]);
            }
        }, sumDyXh);
        float[] meanG = new float[channels], meanGx = new float[channels];
        for (int c = 0; c < channels; c++) {
            if (dw != null) {
                dw[c] += (float) sumDyXh[c];
                db[c] += (float) sumDy[c];
            }
            meanG[c] = (float) (sumDy[c] * w[c] / time);
            meanGx[c] = (float) (sumDyXh[c] * w[c] / time);
        }
        // dx = (dy·w − mean(dy·w) − x̂ · mean(dy·w·x̂)) · rstd = a·dy + b·x + c0 per channel
        float[] a = new float[channels], bx = new float[channels], c0 = new float[channels];
        for (int c = 0; c < channels; c++) {
            a[c] = w[c] * rstd[c];
            bx[c] = -meanGx[c] * rstd[c] * rstd[c];
            c0[c] = (-meanG[c] + meanGx[c] * mean[c] * rstd[c]) * rstd[c];
        }
        Ops.forRows(time, channels, t -> {
            int off = t * channels, c = 0;
            for (int upper = Ops.S.loopBound(channels); c < upper; c += Ops.S.length()) {
                FloatVector v = FloatVector.fromArray(Ops.S, dy, off + c).mul(FloatVector.fromArray(Ops.S, a, c))
                        .add(FloatVector.fromArray(Ops.S, x, off + c).fma(FloatVector.fromArray(Ops.S, bx, c), FloatVector.fromArray(Ops.S, c0, c)));
                v.intoArray(dx, off + c);
            }
            for (; c < channels; c++) dx[off + c] = dy[off + c] * a[c] + x[off + c] * bx[c] + c0[c];
        });
    }

    private static void addRow(float[] acc, float[] x, int off, int n) {
        int c = 0;
        for (int upper = Ops.S.loopBound(n); c < upper; c += Ops.S.length()) {
            FloatVector.fromArray(Ops.S, acc, c).add(FloatVector.fromArray(Ops.S, x, off + c)).intoArray(acc, c);
        }
        for (; c < n; c++) acc[c] += x[off + c];
    }

    /** Adds rows [r0, r1) into the float accumulator acc (one entry per column). */
    interface RowBlock {
        void add(int r0, int r1, float[] acc);
    }

    /**
     * Column sums over all rows into total (double): rows go in blocks of 64 whose float partial
     * sums are added to a double per column, blocks spread over the cores in a fixed partition
     * and merged in order, so the result does not depend on scheduling.
     */
    static void columnSums(int rows, int cols, RowBlock block, double[] total) {
        final int rowsPerFlush = 64;
        int parts = Math.max(1, Math.min(16, (int) ((long) rows * cols / 65536)));
        double[][] partial = new double[parts][cols];
        java.util.stream.IntStream.range(0, parts).parallel().forEach(part -> {
            float[] acc = new float[cols];
            double[] out = partial[part];
            int from = (int) ((long) rows * part / parts), to = (int) ((long) rows * (part + 1) / parts);
            for (int r = from; r < to; r += rowsPerFlush) {
                java.util.Arrays.fill(acc, 0f);
                block.add(r, Math.min(to, r + rowsPerFlush), acc);
                for (int c = 0; c < cols; c++) out[c] += acc[c];
            }
        });
        for (double[] p : partial) for (int c = 0; c < cols; c++) total[c] += p[c];
    }

    // ------------------------------------------------------------------ linear layers and sums

    /** db[c] += Σ_rows dy[r, c] (the gradient of a bias added to every row). */
    public static void biasGrad(float[] dy, int rows, int cols, float[] db) {
        int upper = Ops.S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            int c = 0;
            for (; c < upper; c += Ops.S.length()) {
                FloatVector.fromArray(Ops.S, db, c).add(FloatVector.fromArray(Ops.S, dy, off + c)).intoArray(db, c);
            }
            for (; c < cols; c++) db[c] += dy[off + c];
        }
    }

    /**
     * y = x Wᵀ + b (PyTorch nn.Linear, x [rows × in], W [out × in]):
     * dW += dyᵀ x, db += Σ_rows dy, and dx = dy W (added to dx when accumulate, else written;
     * dx may be null when the input needs no gradient).
     */
    public static void linear(float[] dy, float[] x, int rows, int in, float[] w, int out,
                              float[] dw, float[] db, float[] dx, boolean accumulate) {
        if (dw != null) Blas.sgemm(true, false, out, in, rows, 1f, dy, 0, out, x, 0, in, 1f, dw, 0, in);
        if (db != null) biasGrad(dy, rows, out, db);
        if (dx != null) Blas.sgemm(false, false, rows, in, out, 1f, dy, 0, out, w, 0, in, accumulate ? 1f : 0f, dx, 0, in);
    }

    // ------------------------------------------------------------------ convolutions

    /**
     * Valid Conv1d (see {@link Conv#conv1d}): y[t, o] = Σ_tap Σ_c x[t·s + tap, c] W[o, tap, c] + b[o].
     * With the tap-major kernel [cout][k][cin]:
     * dW_tap += dyᵀ X_tap and dX_tap += dy W_tap, where X_tap is the input read from row `tap`
     * with a row stride of s·cin. dw (tap-major, same layout as w), db and dx may each be null;
     * dx (timeIn × cin) is accumulated into. One input channel (raw samples) goes through im2col rows.
     */
    public static void conv1d(float[] dy, float[] x, int timeIn, int cin, float[] w, int cout, int kernel, int stride,
                              float[] dw, float[] db, float[] dx) {
        int timeOut = Conv.outputLength(timeIn, kernel, stride);
        if (timeOut == 0) return;
        if (db != null) biasGrad(dy, timeOut, cout, db);
        int row = kernel * cin;
        if (cin == 1) {
            float[] cols = new float[timeOut * row];
            Ops.forRows(timeOut, row, t -> System.arraycopy(x, t * stride, cols, t * row, row));
            if (dw != null) Blas.sgemm(true, false, cout, row, timeOut, 1f, dy, 0, cout, cols, 0, row, 1f, dw, 0, row);
            if (dx != null) {
                Blas.sgemm(false, false, timeOut, row, cout, 1f, dy, 0, cout, w, 0, row, 0f, cols, 0, row);
                for (int t = 0; t < timeOut; t++) {
                    int base = t * stride, src = t * row;
                    for (int j = 0; j < row; j++) dx[base + j] += cols[src + j];
                }
            }
            return;
        }
        if (dw != null) {
            if (kernel == stride) {
                // the input rows already are the im2col rows
                Blas.sgemm(true, false, cout, row, timeOut, 1f, dy, 0, cout, x, 0, row, 1f, dw, 0, row);
            } else {
                // one product over im2col rows (k·cin wide) beats k narrow per-tap products
                float[] cols = new float[timeOut * row];
                Ops.forRows(timeOut, row, t -> System.arraycopy(x, t * stride * cin, cols, t * row, row));
                Blas.sgemm(true, false, cout, row, timeOut, 1f, dy, 0, cout, cols, 0, row, 1f, dw, 0, row);
            }
        }
        for (int tap = 0; tap < kernel; tap++) {
            if (dx != null) {
                // rows t·s + tap of dx for a fixed tap never overlap, so one product per tap can accumulate in place
                Blas.sgemm(false, false, timeOut, cin, cout, 1f, dy, 0, cout, w, tap * cin, row, 1f, dx, tap * cin, stride * cin);
            }
        }
    }

    /**
     * Grouped "same" Conv1d of {@link Conv#groupedSameConv(float[], int[], int[], int, int, float[], float[], int)}
     * over a packed batch, kernel tap-major per group [channels][k][per]: per group g,
     * y_g = cols_g W_gᵀ with cols_g the zero-padded im2col rows, so dW_g += dy_gᵀ cols_g and
     * dcols_g = dy_g W_g is scattered back (added) into dx. dw, db, dx may be null.
     */
    public static void groupedSameConv(float[] dy, float[] x, int[] rowOffset, int[] frames, int channels, int groups,
                                       float[] w, int kernel, float[] dw, float[] db, float[] dx) {
        int rows = rowOffset[rowOffset.length - 1] + frames[frames.length - 1];
        int per = channels / groups;
        int pad = kernel / 2;
        int row = kernel * per;
        if (db != null) biasGrad(dy, rows, channels, db);
        float[] cols = new float[rows * row];
        for (int g = 0; g < groups; g++) {
            final int g0 = g * per;
            if (dw != null) {
                Conv.im2colSame(x, rowOffset, frames, channels, g0, per, kernel, cols);
                Blas.sgemm(true, false, per, row, rows, 1f, dy, g0, channels, cols, 0, row, 1f, dw, g0 * row, row);
            }
            if (dx != null) {
                Blas.sgemm(false, false, rows, row, per, 1f, dy, g0, channels, w, g0 * row, row, 0f, cols, 0, row);
                java.util.stream.IntStream.range(0, rowOffset.length).parallel().forEach(b -> {
                    int off = rowOffset[b], time = frames[b];
                    for (int t = 0; t < time; t++) {
                        int base = (off + t) * row;
                        for (int k = 0; k < kernel; k++) {
                            int dst = t - pad + k;
                            if (dst < 0 || dst >= time) continue;
                            int o = (off + dst) * channels + g0, s = base + k * per;
                            for (int c = 0; c < per; c++) dx[o + c] += cols[s + c];
                        }
                    }
                });
            }
        }
    }

    // ------------------------------------------------------------------ softmax

    /**
     * Softmax backward for one row, p = softmax(s) given p (at pOff): ds = p ∘ (dp − Σ_j dp_j p_j),
     * in place into dp (at dOff).
     */
    public static void softmaxRow(float[] dp, int dOff, float[] p, int pOff, int n) {
        double dot = 0;
        for (int j = 0; j < n; j++) dot += dp[dOff + j] * p[pOff + j];
        float d = (float) dot;
        for (int j = 0; j < n; j++) dp[dOff + j] = p[pOff + j] * (dp[dOff + j] - d);
    }
}
