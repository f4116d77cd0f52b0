package wavlens.analysis.predict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import wavlens.io.AtomicFiles;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * What predicts a letter's accuracy in the fine-tuned model? For every layer of the pretrained
 * model, the OLS fit
 *
 * <pre>  accuracy = b0 + b1·z(ln training_frequency) + b2·z(cluster measure at that layer) + e</pre>
 *
 * where z(v) = (v − mean) / sd over the letters (sample sd, divisor n − 1) and the cluster measure is
 * the per-letter purity (default) or entropy. Standardised predictors make b1 and b2 comparable: the
 * change in accuracy per one standard deviation of each.
 *
 * <p>Per layer it reports: the fit ({@link Ols}: coefficients, standard errors, R², adjusted R², AIC);
 * bootstrap percentile intervals (letters resampled with replacement, seeded; the standardisation is
 * kept at the full-sample means and sds so every resample's coefficients are on one scale; a resample
 * whose predictors are collinear — e.g. all one letter — is drawn again and counted in {@code redraws});
 * the LMG shares of R² ({@link Lmg}); Spearman and Kendall τ_b of accuracy against purity, entropy and
 * ln frequency ({@link RankCorrelation}).
 *
 * <p>Best layer: highest R². Every layer's model has the same rows and the same number of
 * coefficients, so this is also the lowest AIC (AIC = n·ln(RSS/n) + 2k falls as R² rises).
 *
 * <p>Percentile intervals use linear interpolation between order statistics (numpy's default
 * "linear" quantile): q-quantile of sorted v[0..B) = v[h] + (h − ⌊h⌋)(v[⌊h⌋+1] − v[⌊h⌋]), h = q(B − 1).
 */
public final class AccuracyRegression {
    private AccuracyRegression() {}

    public enum ClusterMeasure { PURITY, ENTROPY }

    public record Settings(ClusterMeasure measure, int bootstrapSamples, long seed, double confidence) {
        public static Settings defaults() {
            return new Settings(ClusterMeasure.PURITY, 2000, 1, 0.95);
        }
    }

    /** Rank correlations of accuracy with one variable. */
    public record Correlation(double spearman, double kendallTauB) {}

    /**
     * One layer's result. Coefficient arrays are intercept first, then the predictors in
     * {@code predictorNames} order; intervals are {low, high}.
     */
    public record LayerFit(int layer, List<String> predictorNames, double[] center, double[] scale, Ols ols,
                           double[][] coefficientInterval, double[] r2Interval, double[][] bootstrapCoefficients,
                           double[] bootstrapR2, int redraws, double[] lmg,
                           Correlation withPurity, Correlation withEntropy, Correlation withLogFrequency) {}

    public record Analysis(String accuracyMeasure, Settings settings, List<String> letters, List<LayerFit> layers, int bestLayer) {
        public LayerFit best() {
            return layers.get(bestLayer);
        }
    }

    public static Analysis analyze(LetterTable table, Settings settings) {
        int n = table.size();
        if (n < 4) throw new UserError("accuracy regression: needs at least 4 letters (3 coefficients + 1 residual degree of freedom), got " + n);
        double[] logFrequency = new double[n];
        for (int i = 0; i < n; i++) logFrequency[i] = Math.log(table.trainingFrequency()[i]);
        List<LayerFit> fits = new ArrayList<>();
        int best = 0;
        for (int layer = 0; layer < table.layers(); layer++) {
            double[] measure = settings.measure() == ClusterMeasure.PURITY ? table.purity()[layer] : table.entropy()[layer];
            LayerFit fit = fitLayer(layer, table, logFrequency, measure, settings);
            fits.add(fit);
            if (fit.ols().r2() > fits.get(best).ols().r2()) best = layer;
        }
        return new Analysis(table.accuracyMeasure(), settings, table.letters(), List.copyOf(fits), best);
    }

    static LayerFit fitLayer(int layer, LetterTable table, double[] logFrequency, double[] measure, Settings settings) {
        int n = table.size();
        double[] y = table.accuracy();
        double[] center = {mean(logFrequency), mean(measure)};
        double[] scale = {sampleSd(logFrequency), sampleSd(measure)};
        String measureName = settings.measure().name().toLowerCase(java.util.Locale.ROOT);
        if (scale[0] == 0) throw new UserError("accuracy regression: every letter has the same training frequency; ln frequency cannot be a predictor");
        if (scale[1] == 0) throw new UserError("accuracy regression: layer " + layer + ": every letter has the same " + measureName);
        double[][] x = new double[n][2];
        for (int i = 0; i < n; i++) {
            x[i][0] = (logFrequency[i] - center[0]) / scale[0];
            x[i][1] = (measure[i] - center[1]) / scale[1];
        }
        Ols ols = Ols.fit(x, y);

        // Bootstrap over letters; the seed is mixed with the layer so layers get different draws.
        int b = settings.bootstrapSamples();
        SplittableRandom random = new SplittableRandom(settings.seed() * 1_000_003L + layer);
        double[][] coefficients = new double[b][];
        double[] r2 = new double[b];
        double[][] xs = new double[n][];
        double[] ys = new double[n];
        int redraws = 0;
        for (int s = 0; s < b; s++) {
            Ols fit;
            while (true) {
                for (int i = 0; i < n; i++) {
                    int pick = random.nextInt(n);
                    xs[i] = x[pick];
                    ys[i] = y[pick];
                }
                fit = Ols.tryFit(xs, ys);
                if (fit != null && !Double.isNaN(fit.r2())) break;
                if (++redraws > 100 * b) throw new UserError("accuracy regression: layer " + layer + ": almost every bootstrap resample is degenerate");
            }
            coefficients[s] = fit.coefficients();
            r2[s] = fit.r2();
        }
        double low = (1 - settings.confidence()) / 2, high = 1 - low;
        double[][] interval = new double[3][];
        for (int j = 0; j < 3; j++) {
            double[] column = new double[b];
            for (int s = 0; s < b; s++) column[s] = coefficients[s][j];
            interval[j] = new double[]{quantile(column, low), quantile(column, high)};
        }
        double[] r2Interval = {quantile(r2, low), quantile(r2, high)};

        return new LayerFit(layer, List.of("log_frequency", measureName), center, scale, ols, interval, r2Interval,
                coefficients, r2, redraws, Lmg.shares(x, y),
                correlation(y, table.purity()[layer]), correlation(y, table.entropy()[layer]), correlation(y, logFrequency));
    }

    static Correlation correlation(double[] y, double[] v) {
        return new Correlation(RankCorrelation.spearman(y, v), RankCorrelation.kendallTauB(y, v));
    }

    /** Linear-interpolation quantile (see the class comment); does not modify v. */
    public static double quantile(double[] v, double q) {
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        double h = q * (sorted.length - 1);
        int lo = (int) Math.floor(h);
        if (lo >= sorted.length - 1) return sorted[sorted.length - 1];
        return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
    }

    public static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /** Standard deviation with n − 1 in the denominator. */
    public static double sampleSd(double[] v) {
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }

    // ---- output ----

    /** JSON-ready form of one layer (without the bootstrap samples, which only FIT.json carries). */
    public static Map<String, Object> layerMap(LayerFit f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer", f.layer());
        m.put("r2", f.ols().r2());
        m.put("r2_ci", f.r2Interval());
        m.put("adjusted_r2", f.ols().adjustedR2());
        m.put("aic", f.ols().aic());
        m.put("residual_variance", f.ols().residualVariance());
        List<String> names = new ArrayList<>();
        names.add("intercept");
        names.addAll(f.predictorNames());
        List<Map<String, Object>> coefficients = new ArrayList<>();
        for (int j = 0; j < names.size(); j++) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", names.get(j));
            c.put("estimate", f.ols().coefficients()[j]);
            c.put("standard_error", f.ols().standardErrors()[j]);
            c.put("ci", f.coefficientInterval()[j]);
            if (j > 0) c.put("lmg", f.lmg()[j - 1]);
            coefficients.add(c);
        }
        m.put("coefficients", coefficients);
        m.put("bootstrap_redraws", f.redraws());
        m.put("spearman_purity", f.withPurity().spearman());
        m.put("kendall_purity", f.withPurity().kendallTauB());
        m.put("spearman_entropy", f.withEntropy().spearman());
        m.put("kendall_entropy", f.withEntropy().kendallTauB());
        m.put("spearman_log_frequency", f.withLogFrequency().spearman());
        m.put("kendall_log_frequency", f.withLogFrequency().kendallTauB());
        return m;
    }

    public static void writeJson(Path file, Analysis a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy_measure", a.accuracyMeasure());
        m.put("cluster_measure", a.settings().measure().name().toLowerCase(java.util.Locale.ROOT));
        m.put("letters", a.letters());
        m.put("bootstrap_samples", a.settings().bootstrapSamples());
        m.put("seed", a.settings().seed());
        m.put("confidence", a.settings().confidence());
        m.put("best_layer", a.best().layer());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (LayerFit f : a.layers()) layers.add(layerMap(f));
        m.put("layers", layers);
        Json.write(file, m);
    }

    /** One row per layer; coefficient columns for intercept, log_frequency and the cluster measure. */
    public static void writeCsv(Path file, Analysis a) {
        StringBuilder sb = new StringBuilder();
        List<String> names = new ArrayList<>(List.of("intercept"));
        names.addAll(a.best().predictorNames());
        sb.append("layer,r2,r2_ci_low,r2_ci_high,adjusted_r2,aic");
        for (String name : names) sb.append(',').append(name).append(',').append(name).append("_se,").append(name).append("_ci_low,").append(name).append("_ci_high");
        for (int j = 1; j < names.size(); j++) sb.append(",lmg_").append(names.get(j));
        sb.append(",spearman_purity,kendall_purity,spearman_entropy,kendall_entropy,spearman_log_frequency,kendall_log_frequency\n");
        for (LayerFit f : a.layers()) {
            sb.append(f.layer());
            append(sb, f.ols().r2(), f.r2Interval()[0], f.r2Interval()[1], f.ols().adjustedR2(), f.ols().aic());
            for (int j = 0; j < names.size(); j++)
                append(sb, f.ols().coefficients()[j], f.ols().standardErrors()[j], f.coefficientInterval()[j][0], f.coefficientInterval()[j][1]);
            append(sb, f.lmg());
            append(sb, f.withPurity().spearman(), f.withPurity().kendallTauB(), f.withEntropy().spearman(), f.withEntropy().kendallTauB(),
                    f.withLogFrequency().spearman(), f.withLogFrequency().kendallTauB());
            sb.append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static void append(StringBuilder sb, double... values) {
        for (double v : values) sb.append(',').append(v);
    }
}
