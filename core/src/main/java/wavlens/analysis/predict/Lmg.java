package wavlens.analysis.predict;

/**
 * LMG decomposition of R² (Lindeman, Merenda & Gold 1980; Grömping 2006, "Relative importance for
 * linear regression in R: the package relaimpo", J. Stat. Softw. 17(1)): each predictor's share is
 * its R² increment averaged over all orderings of the predictors — the Shapley value of the game
 * "R² of a subset". Computed exactly from all 2^p subsets:
 *
 * <pre>  share_j = Σ_{S ⊆ P∖{j}} |S|!·(p − |S| − 1)! / p! · (R²(S ∪ {j}) − R²(S))</pre>
 *
 * The shares add up to the full model's R². Up to ~15 predictors is cheap (2^p small regressions).
 */
public final class Lmg {
    private Lmg() {}

    public static double[] shares(double[][] x, double[] y) {
        int p = x.length == 0 ? 0 : x[0].length;
        if (p > 20) throw new IllegalArgumentException("LMG over " + p + " predictors: 2^p subsets is too many");
        double[] r2 = new double[1 << p];
        for (int subset = 1; subset < r2.length; subset++) r2[subset] = Ols.rSquared(x, y, members(subset, p));
        double[] factorial = new double[p + 1];
        factorial[0] = 1;
        for (int i = 1; i <= p; i++) factorial[i] = factorial[i - 1] * i;
        double[] shares = new double[p];
        for (int j = 0; j < p; j++) {
            for (int subset = 0; subset < r2.length; subset++) {
                if ((subset & (1 << j)) != 0) continue;
                int size = Integer.bitCount(subset);
                double weight = factorial[size] * factorial[p - size - 1] / factorial[p];
                shares[j] += weight * (r2[subset | (1 << j)] - r2[subset]);
            }
        }
        return shares;
    }

    static int[] members(int subset, int p) {
        int[] out = new int[Integer.bitCount(subset)];
        for (int j = 0, k = 0; j < p; j++) if ((subset & (1 << j)) != 0) out[k++] = j;
        return out;
    }
}
