package wavlens.analysis;

import java.util.ArrayList;
import java.util.List;
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

    /** CKA of two float32 matrices x (n×px) and y (n×py), row-major. */
    public static Result linear(float[] x, int px, float[] y, int py, int n) {
        boolean useDouble = (long) n * Math.max(px, py) * Math.max(px, py) <= DOUBLE_LIMIT;
        return linear(new Layer(x, null, n, px, useDouble), new Layer(y, null, n, py, useDouble));
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
