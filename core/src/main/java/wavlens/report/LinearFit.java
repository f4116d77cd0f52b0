package wavlens.report;

/**
 * Ordinary least squares y = intercept + slope·x with the 95% confidence band of the fitted mean:
 * ŷ(x) ± t(0.975, n−2) · s · √(1/n + (x − x̄)² / Sxx), s² = Σ residual² / (n − 2)
 * (any regression text, e.g. Montgomery, Peck &amp; Vining, "Introduction to Linear Regression
 * Analysis", §2.4). Non-finite pairs are skipped.
 *
 * @param n          pairs used
 * @param r          Pearson correlation
 * @param residualSd s (NaN when n ≤ 2)
 * @param tCritical  t(0.975, n − 2) (NaN when n ≤ 2)
 */
public record LinearFit(int n, double slope, double intercept, double r, double xMean, double sxx,
                        double residualSd, double tCritical) {

    public static LinearFit of(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException(x.length + " x values but " + y.length + " y values");
        int n = 0;
        double sx = 0, sy = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
            n++;
            sx += x[i];
            sy += y[i];
        }
        if (n < 2) return new LinearFit(n, Double.NaN, Double.NaN, Double.NaN, n == 1 ? sx : Double.NaN, 0, Double.NaN, Double.NaN);
        double mx = sx / n, my = sy / n, sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
            double dx = x[i] - mx, dy = y[i] - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        double slope = sxx > 0 ? sxy / sxx : Double.NaN;
        double intercept = my - slope * mx;
        double r = sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Double.NaN;
        double sd = Double.NaN, t = Double.NaN;
        if (n > 2 && sxx > 0) {
            double sse = Math.max(0, syy - slope * sxy); // Σ residual² = Syy − b·Sxy
            sd = Math.sqrt(sse / (n - 2));
            t = StudentT.quantile(0.975, n - 2);
        }
        return new LinearFit(n, slope, intercept, r, mx, sxx, sd, t);
    }

    public double predict(double x) {
        return intercept + slope * x;
    }

    /** Half-width of the 95% confidence band of the fitted mean at x. */
    public double bandHalfWidth(double x) {
        double dx = x - xMean;
        return tCritical * residualSd * Math.sqrt(1.0 / n + dx * dx / sxx);
    }

    /** Half-width of the 95% confidence interval of the slope: t · s / √Sxx. */
    public double slopeHalfWidth() {
        return tCritical * residualSd / Math.sqrt(sxx);
    }
}
