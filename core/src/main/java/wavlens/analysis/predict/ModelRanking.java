package wavlens.analysis.predict;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import wavlens.analysis.accuracy.LetterFrequencies;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * Ranks pretrained models for a target data set with a fitted {@link AccuracyFit}: each model's
 * per-letter cluster statistics plus the target transcripts' letter distribution give a predicted
 * per-letter accuracy, and the target-frequency-weighted mean of those is the model's predicted
 * overall accuracy.
 *
 * <p>Model statistics: {@link LetterStats} (M.json, written by `wavlens letter-stats`, or computed by
 * `wavlens rank --candidate`), or any JSON with a "letters" object letter → {"purity": .., "entropy": ..}
 * for statistics computed elsewhere. Each letter of the fit that occurs in the target text must have
 * the fit's cluster measure. Target letters the fit was not made on are left out of the prediction
 * (and named: {@link Prediction#unseen}); the overall accuracy is then over the other letters.
 *
 * <p>Prediction for letter l with target relative frequency f_l (count / all letters of the target) and
 * cluster measure m_l: ŷ_l = b0 + b1·z(ln f_l) + b2·z(m_l) with the fit's standardisation;
 * overall = Σ_l w_l·ŷ_l with w_l = f_l / Σ f over the predicted letters (w sums to 1). Not clipped to [0, 1]: it is a linear model, and clipping would hide
 * extrapolation.
 *
 * <p>95% prediction intervals by simulation, one draw per stored bootstrap coefficient vector (or,
 * when the fit has none, 2,000 draws from N(b, covariance)): ŷ_l* = x_l·b* + e_l*, e_l* ~ N(0, σ²)
 * independent per letter (σ² = the fit's residual variance), overall* = Σ f_l·ŷ_l*; the interval is
 * the 2.5% and 97.5% linear-interpolation quantiles of the draws. The draws are seeded.
 */
public final class ModelRanking {
    private ModelRanking() {}

    /** One pretrained model's per-letter cluster statistics (letter → value of the fit's measure). */
    public record ModelStats(String name, Path file, Map<String, Double> measure) {
        /** M.json of {@link LetterStats} (checked against the fit's measurement), or a plain "letters" object made elsewhere. */
        public static ModelStats read(Path file, AccuracyFit fit) {
            JsonNode root = Json.read(file);
            if (root.has("format")) {
                LetterStats.Result r = LetterStats.read(file, true);
                LetterStats.checkMeasurement(file, r.measurement(), fit);
                return r.stats(fit.clusterMeasure(), file);
            }
            return read(file, fit.clusterMeasure());
        }

        public static ModelStats read(Path file, String measureName) {
            JsonNode root = Json.read(file);
            JsonNode letters = root.get("letters");
            if (letters == null || !letters.isObject() || letters.isEmpty())
                throw UserError.inFile(file, "needs a \"letters\" object: letter → {\"purity\": .., \"entropy\": ..}");
            Map<String, Double> values = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = letters.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue().get(measureName);
                if (v == null) continue;
                if (!v.isNumber()) throw UserError.inFile(file, "letter \"" + e.getKey() + "\": \"" + measureName + "\" must be a number");
                values.put(e.getKey(), v.asDouble());
            }
            String fileName = file.getFileName().toString().replaceFirst("\\.json$", "");
            return new ModelStats(root.path("model").asText(fileName), file, values);
        }
    }

    /** Per-letter and overall predictions for one model; intervals are {low, high}. */
    public record Prediction(String model, Path file, List<String> letters, double[] weights, double[] predicted,
                             double[][] letterInterval, double overall, double[] overallInterval, List<String> unseen, double unseenShare) {}

    public static final int COVARIANCE_DRAWS = 2000;

    public static Prediction predict(AccuracyFit fit, ModelStats model, LetterFrequencies target, long seed, double confidence) {
        List<String> letters = new ArrayList<>(), unseen = new ArrayList<>();
        double unseenShare = 0, seenShare = 0;
        for (String l : target.counts().keySet()) {
            if (fit.letters().contains(l)) {
                letters.add(l);
                seenShare += target.relative(l);
            } else {
                unseen.add(l);
                unseenShare += target.relative(l);
            }
        }
        if (letters.isEmpty()) throw new UserError("rank: none of the target's letters is among the fit's (" + String.join(" ", fit.letters()) + ")");
        List<String> missing = new ArrayList<>();
        for (String l : letters) if (!model.measure().containsKey(l)) missing.add(l);
        if (!missing.isEmpty())
            throw UserError.inFile(model.file(), "no " + fit.clusterMeasure() + " for letter(s) " + String.join(" ", missing) + " of the target text");

        int n = letters.size();
        double[] weights = new double[n], logFrequency = new double[n], measure = new double[n], predicted = new double[n];
        double overall = 0;
        for (int i = 0; i < n; i++) {
            logFrequency[i] = Math.log(target.relative(letters.get(i)));
            weights[i] = target.relative(letters.get(i)) / seenShare;
            measure[i] = model.measure().get(letters.get(i));
            predicted[i] = fit.predict(fit.coefficients(), logFrequency[i], measure[i]);
            overall += weights[i] * predicted[i];
        }

        double[][] draws = coefficientDraws(fit, seed);
        SplittableRandom noise = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double sigma = Math.sqrt(fit.residualVariance());
        double[][] letterDraws = new double[n][draws.length];
        double[] overallDraws = new double[draws.length];
        for (int s = 0; s < draws.length; s++) {
            for (int i = 0; i < n; i++) {
                double v = fit.predict(draws[s], logFrequency[i], measure[i]) + sigma * noise.nextGaussian();
                letterDraws[i][s] = v;
                overallDraws[s] += weights[i] * v;
            }
        }
        double low = (1 - confidence) / 2, high = 1 - low;
        double[][] letterInterval = new double[n][];
        for (int i = 0; i < n; i++)
            letterInterval[i] = new double[]{AccuracyRegression.quantile(letterDraws[i], low), AccuracyRegression.quantile(letterDraws[i], high)};
        double[] overallInterval = {AccuracyRegression.quantile(overallDraws, low), AccuracyRegression.quantile(overallDraws, high)};
        return new Prediction(model.name(), model.file(), List.copyOf(letters), weights, predicted, letterInterval, overall, overallInterval,
                List.copyOf(unseen), unseenShare);
    }

    /** A letter's share of the difference between two predictions of the same target: w_l·(ŷ_l − ŷ_l of the other). */
    public record Driver(String letter, double contribution) {}

    /** The letters whose predicted accuracies make up most of p.overall − other.overall, largest |share| first. */
    public static List<Driver> drivers(Prediction p, Prediction other, int count) {
        List<Driver> out = new ArrayList<>();
        for (int i = 0; i < p.letters().size(); i++) {
            int j = other.letters().indexOf(p.letters().get(i));
            if (j >= 0) out.add(new Driver(p.letters().get(i), p.weights()[i] * (p.predicted()[i] - other.predicted()[j])));
        }
        out.sort(Comparator.comparingDouble((Driver d) -> -Math.abs(d.contribution())).thenComparing(Driver::letter));
        return List.copyOf(out.subList(0, Math.min(count, out.size())));
    }

    /** The fit's bootstrap coefficient vectors, or draws b + L·u (LLᵀ = covariance, u ~ N(0, I)). */
    static double[][] coefficientDraws(AccuracyFit fit, long seed) {
        if (fit.bootstrapCoefficients() != null) return fit.bootstrapCoefficients();
        double[][] l = cholesky(fit.covariance());
        SplittableRandom random = new SplittableRandom(seed);
        double[][] draws = new double[COVARIANCE_DRAWS][3];
        double[] u = new double[3];
        for (double[] draw : draws) {
            for (int j = 0; j < 3; j++) u[j] = random.nextGaussian();
            for (int i = 0; i < 3; i++) {
                draw[i] = fit.coefficients()[i];
                for (int j = 0; j <= i; j++) draw[i] += l[i][j] * u[j];
            }
        }
        return draws;
    }

    /** Lower Cholesky factor of a covariance matrix (positive semi-definite: zero pivots give zero columns). */
    static double[][] cholesky(double[][] a) {
        int k = a.length;
        double[][] l = new double[k][k];
        for (int j = 0; j < k; j++) {
            double d = a[j][j];
            for (int m = 0; m < j; m++) d -= l[j][m] * l[j][m];
            l[j][j] = d > 0 ? Math.sqrt(d) : 0;
            for (int i = j + 1; i < k; i++) {
                double s = a[i][j];
                for (int m = 0; m < j; m++) s -= l[i][m] * l[j][m];
                l[i][j] = l[j][j] > 0 ? s / l[j][j] : 0;
            }
        }
        return l;
    }

    /** Predictions sorted best first (highest predicted overall accuracy; ties by model name). */
    public static List<Prediction> rank(List<Prediction> predictions) {
        List<Prediction> sorted = new ArrayList<>(predictions);
        sorted.sort(Comparator.comparingDouble((Prediction p) -> -p.overall()).thenComparing(Prediction::model));
        return sorted;
    }

    /** JSON-ready form of a ranking. */
    public static Map<String, Object> toMap(AccuracyFit fit, List<Prediction> ranked) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy_measure", fit.accuracyMeasure());
        m.put("fit_layer", fit.layer());
        m.put("cluster_measure", fit.clusterMeasure());
        List<Map<String, Object>> models = new ArrayList<>();
        for (int r = 0; r < ranked.size(); r++) {
            Prediction p = ranked.get(r);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("rank", r + 1);
            row.put("model", p.model());
            row.put("file", p.file().toString());
            row.put("predicted_accuracy", p.overall());
            row.put("interval", p.overallInterval());
            List<Map<String, Object>> letters = new ArrayList<>();
            for (int i = 0; i < p.letters().size(); i++) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("letter", p.letters().get(i));
                l.put("target_frequency", p.weights()[i]);
                l.put("predicted_accuracy", p.predicted()[i]);
                l.put("interval", p.letterInterval()[i]);
                letters.add(l);
            }
            row.put("letters", letters);
            models.add(row);
        }
        m.put("models", models);
        return m;
    }
}
