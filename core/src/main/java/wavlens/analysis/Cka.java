package wavlens.analysis;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import wavlens.io.UserError;
import wavlens.tensor.Blas;

/**
 * Linear centred kernel alignment between two representations of the same n examples
 * (Kornblith, Norouzi, Lee &amp; Hinton 2019, "Similarity of Neural Network Representations
 * Revisited", ICML), in feature space so no n×n matrix is ever formed:
 *
 * <pre>
 *   CKA(X,Y) = ‖XcᵀYc‖²_F / (‖XcᵀXc‖_F · ‖YcᵀYc‖_F)          Xc, Yc = column-centred X, Y
 * </pre>
 *
 * and the debiased variant, which replaces HSIC by the unbiased estimator of Song et al. 2012
 * (JMLR 13); for centred features n(n−3)·HSIC₁ reduces to
 *
 * <pre>
 *   h(X,Y) = ‖XcᵀYc‖²_F − n/(n−2) · Σ_t ‖xc_t‖²‖yc_t‖² + ‖Xc‖²_F ‖Yc‖²_F / ((n−1)(n−2))
 *   CKA_debiased = h(X,Y) / sqrt(h(X,X) h(Y,Y))              (needs n ≥ 4; may be negative)
 * </pre>
 *
 * <p>Matrices are row-major n×p (rows = examples, e.g. frames). The products XcᵀYc are summed over
 * blocks of rows. Precision: small problems run in double (dgemm on exact float→double copies);
 * big ones (n·max(p_x,p_y)² above {@link #DOUBLE_LIMIT}) centre each row block in float32 and multiply
 * with sgemm, adding each block's p_x×p_y product into double accumulators — the per-block float
 * sums over {@value #BLOCK_ROWS} rows leave a relative error of order 1e-6, like numpy on float32.
 */
public final class Cka {
    private Cka() {}

    /** Rows per block: enough for an efficient GEMM, small enough that float sums stay accurate. */
    static final int BLOCK_ROWS = 2048;
    /** Above n·max(p_x,p_y)² = 2^30 multiply-adds the float32 path is used (dgemm would be ~2× slower). */
    static final long DOUBLE_LIMIT = 1L << 30;

    /**
     * @param cka         linear CKA
     * @param ckaDebiased debiased linear CKA; NaN when n &lt; 4 or h(X,X) ≤ 0 or h(Y,Y) ≤ 0
     * @param hsicXY      ‖XcᵀYc‖²_F
     * @param normXtX     ‖XcᵀXc‖_F
     * @param normYtY     ‖YcᵀYc‖_F
     * @param hXY         h(X,Y) = n(n−3)·HSIC₁(K,L); hXX, hYY likewise
     */
    public record Result(double cka, double ckaDebiased, double hsicXY, double normXtX, double normYtY,
                         double hXY, double hXX, double hYY) {}

    /** True when an n×px vs n×py problem is small enough for the exact double path (n·max(p)² ≤ {@link #DOUBLE_LIMIT}). */
    public static boolean exactInDouble(int n, int px, int py) {
        return (long) n * Math.max(px, py) * Math.max(px, py) <= DOUBLE_LIMIT;
    }

    /** CKA of two float32 matrices x (n×px) and y (n×py), row-major. */
    public static Result linear(float[] x, int px, float[] y, int py, int n) {
        boolean useDouble = exactInDouble(n, px, py);
        return linear(new Layer(x, null, n, px, useDouble), new Layer(y, null, n, py, useDouble));
    }

    /** Rows per block of the streamed float32 path ({@link #linearStreamed}). */
    static final int STREAM_ROWS = 4096;

    /**
     * CKA of two float32 matrices given as memory (x: n×px, y: n×py, row-major, little-endian —
     * e.g. memory-mapped .npy data), in one pass over row blocks and without copying either matrix.
     *
     * <p>The column means are not known before the pass, so each block is shifted by a provisional
     * centre s (the first block's column means) instead: with Xs = X − 1sᵀ and δ = mean(Xs),
     * XcᵀYc = XsᵀYs − n·δxδyᵀ exactly, and ‖xc_t‖² = ‖xs_t‖² − 2 xs_t·δx + ‖δx‖², whose products
     * summed over t need only Σ‖xs_t‖²‖ys_t‖², Σ‖xs_t‖² ys_t and the like, all gathered in the same
     * pass. δ is small (the first block's error of the mean), so nothing cancels badly in float32.
     * Each block [Xs Ys] (rows × (px+py)) goes to one SSYRK, whose upper triangle holds XsᵀXs,
     * XsᵀYs and YsᵀYs at once; block products are added into double accumulators.
     */
    public static Result linearStreamed(MemorySegment x, int px, MemorySegment y, int py, int n) {
        if (n < 2) throw new UserError("CKA needs at least 2 rows, got " + n);
        if (px < 1 || py < 1 || x.byteSize() < 4L * n * px || y.byteSize() < 4L * n * py) {
            throw new UserError("expected an n×px and an n×py float32 matrix with n = " + n);
        }
        int w = px + py, block = Math.min(STREAM_ROWS, n);
        float[] shift = new float[w];
        double[] firstMeans = new double[w];
        for (int t = 0; t < block; t++) {
            addRow(x, (long) t * px, px, firstMeans, 0);
            addRow(y, (long) t * py, py, firstMeans, px);
        }
        for (int f = 0; f < w; f++) shift[f] = Double.isFinite(firstMeans[f]) ? (float) (firstMeans[f] / block) : 0f;

        float[] xs = new float[block * w], blockGram = new float[w * w];
        float[] rowNorms = new float[block * 2], weighted = new float[w * 2];
        double[] rx = new double[block], ry = new double[block];
        double[][] partSums = new double[STREAM_PARTS][w];
        double[] gram = new double[w * w], columnSums = new double[w], weightedSums = new double[w * 2];
        double sumRx = 0, sumRy = 0, sumRxRy = 0, sumRx2 = 0, sumRy2 = 0;
        for (int r0 = 0; r0 < n; r0 += block) {
            int rows = Math.min(block, n - r0), start = r0;
            // Shift the block into [Xs Ys] and take its row norms, in fixed slices on all cores.
            IntStream.range(0, STREAM_PARTS).parallel().forEach(part -> {
                double[] sums = partSums[part];
                for (int t = rows * part / STREAM_PARTS; t < rows * (part + 1) / STREAM_PARTS; t++) {
                    rx[t] = shiftRow(x, (long) (start + t) * px, px, shift, 0, xs, t * w, sums);
                    ry[t] = shiftRow(y, (long) (start + t) * py, py, shift, px, xs, t * w + px, sums);
                    rowNorms[2 * t] = (float) rx[t];
                    rowNorms[2 * t + 1] = (float) ry[t];
                }
            });
            for (int t = 0; t < rows; t++) {
                if (!Double.isFinite(rx[t])) throw badRow(x, start + t, px, "A");
                if (!Double.isFinite(ry[t])) throw badRow(y, start + t, py, "B");
                sumRx += rx[t];
                sumRy += ry[t];
                sumRxRy += rx[t] * ry[t];
                sumRx2 += rx[t] * rx[t];
                sumRy2 += ry[t] * ry[t];
            }
            Blas.ssyrkUpperTransposed(w, rows, 1f, xs, 0, w, 0f, blockGram, 0, w);
            for (int i = 0; i < w; i++) addUpperRow(blockGram, gram, i, w);
            // Σ_t ‖xs_t‖²·[xs_t ys_t] and Σ_t ‖ys_t‖²·[xs_t ys_t]: [Xs Ys]ᵀ·[rx ry], a thin GEMM.
            Blas.sgemm(true, false, w, 2, rows, 1f, xs, 0, w, rowNorms, 0, 2, 0f, weighted, 0, 2);
            for (int e = 0; e < 2 * w; e++) weightedSums[e] += weighted[e];
        }
        for (double[] sums : partSums) for (int f = 0; f < w; f++) columnSums[f] += sums[f];

        double[] delta = new double[w];
        for (int f = 0; f < w; f++) delta[f] = columnSums[f] / n;
        // Centred products: G_c = G_s − n·δδᵀ, over the upper triangle (XᵀX and YᵀY diagonal blocks, XᵀY off it).
        double gxx = 0, gyy = 0, gxy = 0, traceX = 0, traceY = 0, dGxxD = 0, dGyyD = 0, dGxyD = 0;
        for (int i = 0; i < w; i++) {
            for (int j = i; j < w; j++) {
                double raw = gram[i * w + j], c = raw - n * delta[i] * delta[j];
                boolean iX = i < px, jX = j < px;
                double twice = i == j ? 1 : 2;
                if (iX && jX) {
                    gxx += twice * c * c;
                    dGxxD += twice * delta[i] * raw * delta[j];
                    if (i == j) traceX += c;
                } else if (!iX && !jX) {
                    gyy += twice * c * c;
                    dGyyD += twice * delta[i] * raw * delta[j];
                    if (i == j) traceY += c;
                } else {
                    gxy += c * c;
                    dGxyD += delta[i] * raw * delta[j];
                }
            }
        }
        double dx2 = 0, dy2 = 0, vRxX = 0, vRxY = 0, vRyX = 0, vRyY = 0;
        for (int f = 0; f < px; f++) {
            dx2 += delta[f] * delta[f];
            vRxX += weightedSums[2 * f] * delta[f];
            vRyX += weightedSums[2 * f + 1] * delta[f];
        }
        for (int f = px; f < w; f++) {
            dy2 += delta[f] * delta[f];
            vRxY += weightedSums[2 * f] * delta[f];
            vRyY += weightedSums[2 * f + 1] * delta[f];
        }
        // Σ_t ‖xc_t‖²‖yc_t‖² with ‖xc_t‖² = a_t − 2b_t, a_t = ‖xs_t‖² + ‖δx‖², b_t = xs_t·δx (likewise y).
        double aa = sumRxRy + dy2 * sumRx + dx2 * sumRy + n * dx2 * dy2;
        double ab = vRxY + n * dx2 * dy2, ba = vRyX + n * dx2 * dy2;
        double rowXY = aa - 2 * ab - 2 * ba + 4 * dGxyD;
        double rowXX = sumRx2 + 2 * dx2 * sumRx + n * dx2 * dx2 - 4 * (vRxX + n * dx2 * dx2) + 4 * dGxxD;
        double rowYY = sumRy2 + 2 * dy2 * sumRy + n * dy2 * dy2 - 4 * (vRyY + n * dy2 * dy2) + 4 * dGyyD;

        double normXtX = Math.sqrt(gxx), normYtY = Math.sqrt(gyy);
        double cka = gxy / (normXtX * normYtY);
        double hXY = Double.NaN, hXX = Double.NaN, hYY = Double.NaN, debiased = Double.NaN;
        if (n >= 4) {
            hXY = h(gxy, rowXY, traceX, traceY, n);
            hXX = h(gxx, rowXX, traceX, traceX, n);
            hYY = h(gyy, rowYY, traceY, traceY, n);
            if (hXX > 0 && hYY > 0) debiased = hXY / Math.sqrt(hXX * hYY);
        }
        return new Result(cka, debiased, gxy, normXtX, normYtY, hXY, hXX, hYY);
    }

    /** Fixed slices of a block for the parallel shift (a constant, so results never depend on the core count). */
    static final int STREAM_PARTS = 4;
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** out[o..o+p) = row − shift[s..s+p); column sums (of the shifted values) into sums[s..]; returns ‖shifted row‖² (double). */
    private static double shiftRow(MemorySegment m, long index, int p, float[] shift, int s, float[] out, int o, double[] sums) {
        FloatVector acc = FloatVector.zero(F);
        long byteOffset = 4 * index;
        int f = 0;
        for (int upper = F.loopBound(p); f < upper; f += F.length()) {
            FloatVector v = FloatVector.fromMemorySegment(F, m, byteOffset + 4L * f, ByteOrder.LITTLE_ENDIAN).sub(FloatVector.fromArray(F, shift, s + f));
            v.intoArray(out, o + f);
            acc = v.fma(v, acc);
        }
        double norm = wavlens.tensor.Ops.sumLanes(acc);
        for (; f < p; f++) {
            float v = m.getAtIndex(LE_FLOAT, index + f) - shift[s + f];
            out[o + f] = v;
            norm += (double) v * v;
        }
        for (int g = 0; g < p; g++) sums[s + g] += out[o + g];
        return norm;
    }

    // The streamed pass runs once per process, so its loops live in small methods called per row:
    // the JIT compiles those within the first rows (a loop inside the one long call would wait for
    // on-stack replacement, and until then the Vector API runs its slow fallback).

    /** sums[s..s+p) += row (a row of float32 from the segment), in double. */
    private static void addRow(MemorySegment m, long index, int p, double[] sums, int s) {
        for (int f = 0; f < p; f++) sums[s + f] += m.getAtIndex(LE_FLOAT, index + f);
    }

    /** Row i of the upper triangle of a w×w float block product added into the double accumulator. */
    private static void addUpperRow(float[] block, double[] sum, int i, int w) {
        int base = i * w;
        for (int j = i; j < w; j++) sum[base + j] += block[base + j];
    }

    private static UserError badRow(MemorySegment m, int row, int p, String side) {
        for (int f = 0; f < p; f++) {
            float v = m.getAtIndex(LE_FLOAT, (long) row * p + f);
            if (!Float.isFinite(v)) return new UserError("row " + row + ", column " + f + " of " + side + " is " + v + " (CKA needs finite values)");
        }
        return new UserError("row " + row + " of " + side + " overflows float32 once centred (CKA needs finite values)");
    }

    /** CKA of two float64 matrices (always computed in double). */
    public static Result linear(double[] x, int px, double[] y, int py, int n) {
        return linear(new Layer(null, x, n, px, true), new Layer(null, y, n, py, true));
    }

    static Result linear(Layer a, Layer b) {
        if (a.n != b.n) throw new UserError("the two representations have different numbers of rows (" + a.n + " vs " + b.n + ")");
        a.prepare();
        b.prepare();
        return combine(a, b, crossSquaredNorm(a, b));
    }

    /**
     * CKA for every pair (layer i of A, layer j of B): result[i][j]. Each layer is a row-major n×p
     * float32 matrix (p = length / n, may differ per layer). Each layer's column means, row norms
     * and Gram norm ‖XcᵀXc‖_F are computed once and reused for all its pairs.
     */
    public static Result[][] matrix(List<float[]> layersA, List<float[]> layersB, int n) {
        List<Layer> as = layers(layersA, n, "A"), bs = layers(layersB, n, "B");
        Result[][] out = new Result[as.size()][bs.size()];
        for (int i = 0; i < as.size(); i++) {
            for (int j = 0; j < bs.size(); j++) {
                Layer a = as.get(i), b = bs.get(j);
                // Identical arrays (comparing a model with itself): XcᵀXc is already known.
                double cross = a.data == b.data ? a.gramSquaredNorm : crossSquaredNorm(a, b);
                out[i][j] = combine(a, b, cross);
            }
        }
        return out;
    }

    private static List<Layer> layers(List<float[]> matrices, int n, String side) {
        int widest = 0;
        for (float[] m : matrices) widest = Math.max(widest, m.length / Math.max(n, 1));
        boolean useDouble = (long) n * widest * widest <= DOUBLE_LIMIT;
        List<Layer> out = new ArrayList<>();
        for (int l = 0; l < matrices.size(); l++) {
            float[] m = matrices.get(l);
            if (n <= 0 || m.length % n != 0) {
                throw new UserError("layer " + l + " of " + side + " has " + m.length + " values, not a multiple of n = " + n);
            }
            Layer layer = new Layer(m, null, n, m.length / n, useDouble);
            layer.prepare();
            out.add(layer);
        }
        return out;
    }

    private static Result combine(Layer a, Layer b, double hsicXY) {
        int n = a.n;
        double normXtX = Math.sqrt(a.gramSquaredNorm), normYtY = Math.sqrt(b.gramSquaredNorm);
        double cka = hsicXY / (normXtX * normYtY);
        double hXY = Double.NaN, hXX = Double.NaN, hYY = Double.NaN, debiased = Double.NaN;
        if (n >= 4) {
            double rowProducts = 0;
            for (int t = 0; t < n; t++) rowProducts += a.rowSquaredNorms[t] * b.rowSquaredNorms[t];
            hXY = h(hsicXY, rowProducts, a.squaredNorm, b.squaredNorm, n);
            hXX = a.hSelf;
            hYY = b.hSelf;
            if (hXX > 0 && hYY > 0) debiased = hXY / Math.sqrt(hXX * hYY);
        }
        return new Result(cka, debiased, hsicXY, normXtX, normYtY, hXY, hXX, hYY);
    }

    /** h = ‖XcᵀYc‖² − n/(n−2)·Σ_t ‖xc_t‖²‖yc_t‖² + ‖Xc‖²‖Yc‖²/((n−1)(n−2)). */
    private static double h(double crossSquaredNorm, double rowProducts, double xSquaredNorm, double ySquaredNorm, int n) {
        return crossSquaredNorm - (double) n / (n - 2) * rowProducts + xSquaredNorm * ySquaredNorm / ((double) (n - 1) * (n - 2));
    }

    /** ‖XcᵀYc‖²_F, summing XcᵀYc over row blocks. */
    static double crossSquaredNorm(Layer a, Layer b) {
        int n = a.n, pa = a.p, pb = b.p;
        double[] product = new double[pa * pb];
        boolean useDouble = a.useDouble || b.useDouble;
        int block = Math.min(BLOCK_ROWS, n);
        if (useDouble) {
            double[] xa = new double[block * pa], xb = a == b ? xa : new double[block * pb];
            for (int r0 = 0; r0 < n; r0 += block) {
                int rows = Math.min(block, n - r0);
                a.centredRows(r0, rows, xa);
                if (a != b) b.centredRows(r0, rows, xb);
                Blas.dgemm(true, false, pa, pb, rows, 1.0, xa, 0, pa, xb, 0, pb, 1.0, product, 0, pb);
            }
        } else {
            float[] xa = new float[block * pa], xb = a == b ? xa : new float[block * pb];
            float[] blockProduct = new float[pa * pb];
            for (int r0 = 0; r0 < n; r0 += block) {
                int rows = Math.min(block, n - r0);
                a.centredRows(r0, rows, xa);
                if (a != b) b.centredRows(r0, rows, xb);
                Blas.sgemm(true, false, pa, pb, rows, 1f, xa, 0, pa, xb, 0, pb, 0f, blockProduct, 0, pb);
                for (int e = 0; e < product.length; e++) product[e] += blockProduct[e];
            }
        }
        double sum = 0;
        for (double v : product) sum += v * v;
        return sum;
    }

    /** One representation: its data (float or double), column means and the per-layer statistics. */
    static final class Layer {
        final float[] data;
        final double[] doubles;
        final int n, p;
        final boolean useDouble;
        double[] means;
        float[] meansF;
        double[] rowSquaredNorms; // ‖xc_t‖²
        double squaredNorm;       // ‖Xc‖²_F
        double gramSquaredNorm;   // ‖XcᵀXc‖²_F
        double hSelf;             // h(X,X)

        Layer(float[] data, double[] doubles, int n, int p, boolean useDouble) {
            long length = data != null ? data.length : doubles.length;
            if (n < 2) throw new UserError("CKA needs at least 2 rows, got " + n);
            if (p < 1 || length != (long) n * p) throw new UserError("a " + n + "×" + p + " matrix needs " + (long) n * p + " values, got " + length);
            this.data = data;
            this.doubles = doubles;
            this.n = n;
            this.p = p;
            this.useDouble = useDouble;
        }

        double value(long index) {
            return data != null ? data[(int) index] : doubles[(int) index];
        }

        /** Column means, then one pass over row blocks for the row norms and the Gram matrix. */
        void prepare() {
            if (means != null) return;
            means = new double[p];
            for (int t = 0; t < n; t++) {
                int base = t * p;
                if (data != null) for (int f = 0; f < p; f++) means[f] += data[base + f];
                else for (int f = 0; f < p; f++) means[f] += doubles[base + f];
            }
            // A NaN or ±Inf anywhere makes its column sum non-finite (finite floats cannot overflow a double sum).
            for (int f = 0; f < p; f++) if (!Double.isFinite(means[f])) throw badValue(f);
            for (int f = 0; f < p; f++) means[f] /= n;

            rowSquaredNorms = new double[n];
            double[] gram = new double[p * p];
            int block = Math.min(BLOCK_ROWS, n);
            if (useDouble) {
                double[] xc = new double[block * p];
                for (int r0 = 0; r0 < n; r0 += block) {
                    int rows = Math.min(block, n - r0);
                    centredRows(r0, rows, xc);
                    for (int t = 0; t < rows; t++) {
                        double s = 0;
                        for (int f = 0; f < p; f++) s += xc[t * p + f] * xc[t * p + f];
                        rowSquaredNorms[r0 + t] = s;
                    }
                    Blas.dgemm(true, false, p, p, rows, 1.0, xc, 0, p, xc, 0, p, 1.0, gram, 0, p);
                }
            } else {
                // Float32: SSYRK fills the upper triangle of each block's XcᵀXc (half a GEMM's work).
                float[] xc = new float[block * p], blockGram = new float[p * p];
                for (int r0 = 0; r0 < n; r0 += block) {
                    int rows = Math.min(block, n - r0);
                    centredRows(r0, rows, xc);
                    for (int t = 0; t < rows; t++) {
                        double s = 0;
                        for (int f = 0; f < p; f++) s += (double) xc[t * p + f] * xc[t * p + f];
                        rowSquaredNorms[r0 + t] = s;
                    }
                    Blas.ssyrkUpperTransposed(p, rows, 1f, xc, 0, p, 0f, blockGram, 0, p);
                    for (int i = 0; i < p; i++) for (int j = i; j < p; j++) gram[i * p + j] += blockGram[i * p + j];
                }
            }
            // ‖G‖²_F from the upper triangle: diagonal once, off-diagonal twice (G is symmetric).
            gramSquaredNorm = 0;
            for (int i = 0; i < p; i++) {
                gramSquaredNorm += gram[i * p + i] * gram[i * p + i];
                for (int j = i + 1; j < p; j++) gramSquaredNorm += 2 * gram[i * p + j] * gram[i * p + j];
            }
            squaredNorm = 0;
            for (double r : rowSquaredNorms) squaredNorm += r;
            if (n >= 4) {
                double rowProducts = 0;
                for (double r : rowSquaredNorms) rowProducts += r * r;
                hSelf = h(gramSquaredNorm, rowProducts, squaredNorm, squaredNorm, n);
            }
        }

        private UserError badValue(int column) {
            for (int t = 0; t < n; t++) {
                double v = value((long) t * p + column);
                if (!Double.isFinite(v)) return new UserError("row " + t + ", column " + column + " is " + v + " (CKA needs finite values)");
            }
            return new UserError("column " + column + " is not finite");
        }

        void centredRows(int r0, int rows, double[] out) {
            for (int t = 0; t < rows; t++) {
                long base = (long) (r0 + t) * p;
                for (int f = 0; f < p; f++) out[t * p + f] = value(base + f) - means[f];
            }
        }

        void centredRows(int r0, int rows, float[] out) {
            if (meansF == null) {
                meansF = new float[p];
                for (int f = 0; f < p; f++) meansF[f] = (float) means[f];
            }
            for (int t = 0; t < rows; t++) {
                int base = (r0 + t) * p;
                for (int f = 0; f < p; f++) out[t * p + f] = data[base + f] - meansF[f];
            }
        }
    }
}
