package wavlens.projection;

import wavlens.tensor.Blas;

/**
 * Principal component analysis by eigendecomposition of the sample covariance.
 *
 * <p>Steps: column means; C = Xcᵀ·Xc / (n − 1) accumulated in double with DGEMM over blocks of
 * rows (so a float32 feature matrix is never copied whole into double); eigenpairs of C by
 * {@link SymmetricEigen}; components sorted by variance; scores = Xc·Vᵀ.
 *
 * <p>Sign rule (scikit-learn 1.2's svd_flip with u-based decision): each component is flipped so
 * that its score with the largest absolute value (first such row on ties) is positive.
 */
public final class Pca {
    private Pca() {}

    /**
     * @param mean                   column means (d)
     * @param explainedVariance      eigenvalues of the covariance with divisor n − 1, descending (k)
     * @param explainedVarianceRatio explainedVariance / total variance (the trace of the covariance)
     * @param components             principal axes as unit rows, k×d row-major
     * @param scores                 (X − mean)·componentsᵀ, n×k row-major
     */
    public record Result(int n, int d, int k, double[] mean, double[] explainedVariance,
                         double[] explainedVarianceRatio, double totalVariance, double[] components, double[] scores) {}

    private static final int BLOCK_ROWS = 2048;

    /** PCA of the n×d row-major float32 matrix x, keeping k components (1 ≤ k ≤ d). */
    public static Result fit(float[] x, int n, int d, int k) {
        return fit(x, null, n, d, k);
    }

    /** PCA of the n×d row-major float64 matrix x, keeping k components (1 ≤ k ≤ d). */
    public static Result fit(double[] x, int n, int d, int k) {
        return fit(null, x, n, d, k);
    }

    /** Exactly one of xf / xd is non-null. */
    private static Result fit(float[] xf, double[] xd, int n, int d, int k) {
        if (n < 2) throw new IllegalArgumentException("PCA needs at least 2 rows, got " + n);
        if (k < 1 || k > d) throw new IllegalArgumentException("components must be in 1.." + d + ", got " + k);

        double[] mean = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) mean[j] += value(xf, xd, i * (long) d + j);
        for (int j = 0; j < d; j++) mean[j] /= n;

        // Covariance: C += Bᵀ·B for each centred block B of rows, then / (n − 1).
        double[] cov = new double[d * d];
        double[] block = new double[Math.min(n, BLOCK_ROWS) * d];
        for (int r0 = 0; r0 < n; r0 += BLOCK_ROWS) {
            int rows = Math.min(BLOCK_ROWS, n - r0);
            centredBlock(xf, xd, d, mean, r0, rows, block);
            Blas.dgemm(true, false, d, d, rows, 1.0, block, 0, d, block, 0, d, 1.0, cov, 0, d);
        }
        double totalVariance = 0;
        for (int i = 0; i < d * d; i++) cov[i] /= (n - 1);
        // Symmetrise exactly (DGEMM may round the two triangles differently).
        for (int i = 0; i < d; i++)
            for (int j = i + 1; j < d; j++) {
                double s = 0.5 * (cov[i * d + j] + cov[j * d + i]);
                cov[i * d + j] = s;
                cov[j * d + i] = s;
            }
        for (int i = 0; i < d; i++) totalVariance += cov[i * d + i];

        SymmetricEigen.Decomposition eig = SymmetricEigen.decompose(cov, d);
        double[] variance = new double[k], ratio = new double[k], components = new double[k * d];
        for (int c = 0; c < k; c++) {
            variance[c] = Math.max(0, eig.values()[c]); // round-off can leave −1e−17 for a null direction
            ratio[c] = totalVariance > 0 ? variance[c] / totalVariance : 0;
        }
        System.arraycopy(eig.vectors(), 0, components, 0, k * d);

        // Scores = Xc · componentsᵀ, block by block.
        double[] scores = new double[n * k];
        for (int r0 = 0; r0 < n; r0 += BLOCK_ROWS) {
            int rows = Math.min(BLOCK_ROWS, n - r0);
            centredBlock(xf, xd, d, mean, r0, rows, block);
            Blas.dgemm(false, true, rows, k, d, 1.0, block, 0, d, components, 0, d, 0.0, scores, r0 * k, k);
        }

        for (int c = 0; c < k; c++) {
            int argMax = 0;
            for (int i = 1; i < n; i++)
                if (Math.abs(scores[i * k + c]) > Math.abs(scores[argMax * k + c])) argMax = i;
            if (scores[argMax * k + c] < 0) {
                for (int j = 0; j < d; j++) components[c * d + j] = -components[c * d + j];
                for (int i = 0; i < n; i++) scores[i * k + c] = -scores[i * k + c];
            }
        }
        return new Result(n, d, k, mean, variance, ratio, totalVariance, components, scores);
    }

    private static double value(float[] xf, double[] xd, long index) {
        return xf != null ? xf[(int) index] : xd[(int) index];
    }

    private static void centredBlock(float[] xf, double[] xd, int d, double[] mean, int r0, int rows, double[] block) {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < d; j++) block[i * d + j] = value(xf, xd, (long) (r0 + i) * d + j) - mean[j];
    }
}
