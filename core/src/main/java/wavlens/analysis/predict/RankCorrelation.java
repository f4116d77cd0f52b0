package wavlens.analysis.predict;

/**
 * Rank correlations with ties handled the usual way.
 * <ul>
 *   <li>Spearman's ρ = Pearson correlation of the mid-ranks (tied values share the mean of the ranks
 *       they occupy) — equal to scipy.stats.spearmanr.</li>
 *   <li>Kendall's τ_b = (C − D) / √((n0 − n1)(n0 − n2)), n0 = n(n−1)/2, n1 / n2 = pairs tied in x / y,
 *       C / D = concordant / discordant pairs — equal to scipy.stats.kendalltau (variant "b").</li>
 * </ul>
 * NaN when a side is constant (the correlation is undefined). O(n²) pairs: meant for letter tables.
 */
public final class RankCorrelation {
    private RankCorrelation() {}

    public static double spearman(double[] x, double[] y) {
        check(x, y);
        return Ols.pearson(midRanks(x), midRanks(y));
    }

    public static double kendallTauB(double[] x, double[] y) {
        check(x, y);
        int n = x.length;
        long concordant = 0, discordant = 0, tiedX = 0, tiedY = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double dx = Math.signum(x[i] - x[j]), dy = Math.signum(y[i] - y[j]);
                if (dx == 0) tiedX++;
                if (dy == 0) tiedY++;
                if (dx * dy > 0) concordant++;
                else if (dx * dy < 0) discordant++;
            }
        }
        long pairs = (long) n * (n - 1) / 2;
        double denominator = Math.sqrt((double) (pairs - tiedX) * (pairs - tiedY));
        return denominator == 0 ? Double.NaN : (concordant - discordant) / denominator;
    }

    /** Ranks 1..n, ties get the mean of the ranks they span. */
    public static double[] midRanks(double[] v) {
        int n = v.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        double[] ranks = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]]) j++;
            double mid = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = mid;
            i = j + 1;
        }
        return ranks;
    }

    private static void check(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("x and y differ in length");
    }
}
