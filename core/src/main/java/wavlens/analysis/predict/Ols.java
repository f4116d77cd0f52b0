package wavlens.analysis.predict;

/**
 * Ordinary least squares with an intercept: y = b0 + Σ_j b_j·x_j + e.
 *
 * <p>Solved through the normal equations (XᵀX) b = Xᵀy with a Cholesky factorisation — fine for the
 * few, standardised predictors of a letter table. Reported: coefficients (intercept first), their
 * standard errors √(σ²·(XᵀX)⁻¹_jj) with σ² = RSS/(n − p − 1), R² = 1 − RSS/TSS, adjusted
 * R² = 1 − (1 − R²)(n − 1)/(n − p − 1), and AIC = n·ln(RSS/n) + 2(p + 1) (Gaussian log-likelihood
 * without its constant, p + 1 = number of coefficients; only differences between models on the same
 * rows mean anything).
 *
 * @param covariance σ²·(XᵀX)⁻¹, (p+1)×(p+1), intercept first
 */
public record Ols(double[] coefficients, double[] standardErrors, double[][] covariance, double r2, double adjustedR2,
                  double residualVariance, double rss, double aic, int n, int p) {

    /** Fits y on the columns of x (x[i] = predictor values of row i); throws if they are collinear. */
    public static Ols fit(double[][] x, double[] y) {
        Ols ols = tryFit(x, y);
        if (ols == null) throw new IllegalArgumentException("OLS: predictors are collinear (or fewer rows than coefficients)");
        return ols;
    }

    /** As {@link #fit}, but null when XᵀX is singular. */
    public static Ols tryFit(double[][] x, double[] y) {
        int n = y.length, p = n == 0 ? 0 : x[0].length, k = p + 1;
        if (n < k) return null;
        // Normal equations on the design matrix [1, x].
        double[][] xtx = new double[k][k];
        double[] xty = new double[k];
        double[] row = new double[k];
        for (int i = 0; i < n; i++) {
            row[0] = 1;
            System.arraycopy(x[i], 0, row, 1, p);
            for (int a = 0; a < k; a++) {
                xty[a] += row[a] * y[i];
                for (int b = 0; b < k; b++) xtx[a][b] += row[a] * row[b];
            }
        }
        double[][] inverse = invertSymmetricPositiveDefinite(xtx);
        if (inverse == null) return null;
        double[] beta = new double[k];
        for (int a = 0; a < k; a++) for (int b = 0; b < k; b++) beta[a] += inverse[a][b] * xty[b];

        double mean = 0;
        for (double v : y) mean += v / n;
        double rss = 0, tss = 0;
        for (int i = 0; i < n; i++) {
            double fitted = beta[0];
            for (int j = 0; j < p; j++) fitted += beta[j + 1] * x[i][j];
            rss += (y[i] - fitted) * (y[i] - fitted);
            tss += (y[i] - mean) * (y[i] - mean);
        }
        int df = n - k;
        double sigma2 = df > 0 ? rss / df : Double.NaN;
        double[][] covariance = new double[k][k];
        double[] se = new double[k];
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) covariance[a][b] = sigma2 * inverse[a][b];
            se[a] = Math.sqrt(covariance[a][a]);
        }
        double r2 = tss > 0 ? 1 - rss / tss : Double.NaN;
        double adjusted = df > 0 ? 1 - (1 - r2) * (n - 1) / df : Double.NaN;
        double aic = n * Math.log(rss / n) + 2 * k;
        return new Ols(beta, se, covariance, r2, adjusted, sigma2, rss, aic, n, p);
    }

    /** R² of y on the chosen columns of x (0 for no columns); NaN if they are collinear. */
    public static double rSquared(double[][] x, double[] y, int[] columns) {
        if (columns.length == 0) return 0;
        double[][] sub = new double[y.length][columns.length];
        for (int i = 0; i < y.length; i++) for (int j = 0; j < columns.length; j++) sub[i][j] = x[i][columns[j]];
        Ols ols = tryFit(sub, y);
        return ols == null ? Double.NaN : ols.r2();
    }

    /** Inverse through Cholesky A = LLᵀ; null when a pivot is not clearly positive (singular A). */
    static double[][] invertSymmetricPositiveDefinite(double[][] a) {
        int k = a.length;
        double[][] l = new double[k][k];
        double scale = 0;
        for (int i = 0; i < k; i++) scale = Math.max(scale, Math.abs(a[i][i]));
        for (int j = 0; j < k; j++) {
            double d = a[j][j];
            for (int m = 0; m < j; m++) d -= l[j][m] * l[j][m];
            if (!(d > 1e-12 * scale)) return null;
            l[j][j] = Math.sqrt(d);
            for (int i = j + 1; i < k; i++) {
                double s = a[i][j];
                for (int m = 0; m < j; m++) s -= l[i][m] * l[j][m];
                l[i][j] = s / l[j][j];
            }
        }
        // Solve L Lᵀ X = I column by column.
        double[][] inverse = new double[k][k];
        double[] z = new double[k];
        for (int col = 0; col < k; col++) {
            for (int i = 0; i < k; i++) {
                double s = i == col ? 1 : 0;
                for (int m = 0; m < i; m++) s -= l[i][m] * z[m];
                z[i] = s / l[i][i];
            }
            for (int i = k - 1; i >= 0; i--) {
                double s = z[i];
                for (int m = i + 1; m < k; m++) s -= l[m][i] * inverse[m][col];
                inverse[i][col] = s / l[i][i];
            }
        }
        return inverse;
    }

    /** Pearson correlation; NaN when a side is constant. */
    public static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }
}
