package wavlens.analysis.predict;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * A fitted letter-accuracy relation, as stored in FIT.json — everything `wavlens rank` needs to
 * predict a new model's per-letter accuracy:
 *
 * <pre>
 * {
 *   "format": "wavlens-letter-accuracy-fit/1",
 *   "accuracy_measure": "f1",                      // what the response was
 *   "layer": 8,                                    // pretrained layer whose cluster statistics were used
 *   "predictors": ["log_frequency", "purity"],     // 2nd may be "entropy"
 *   "center": [-3.41, 0.37],                       // per predictor: z = (value − center) / scale
 *   "scale":  [0.92, 0.11],
 *   "coefficients": [0.83, 0.05, 0.04],            // intercept first, then per predictor
 *   "covariance": [[...], [...], [...]],           // 3×3, σ²(XᵀX)⁻¹ of the OLS fit
 *   "residual_variance": 0.0021,                   // σ² = RSS / (n − 3)
 *   "residual_df": 22,
 *   "r2": 0.61,
 *   "letters": ["a", "d", ...],                    // the letters it was fitted on
 *   "bootstrap_coefficients": [[b0, b1, b2], ...]  // optional: bootstrap refits, same standardisation
 * }
 * </pre>
 * log_frequency = ln(count / total letters) of the fine-tuning transcripts; purity / entropy are the
 * pretrained model's per-letter cluster statistics at that layer.
 */
public record AccuracyFit(String accuracyMeasure, int layer, List<String> predictors, double[] center, double[] scale,
                          double[] coefficients, double[][] covariance, double residualVariance, int residualDf,
                          double r2, List<String> letters, double[][] bootstrapCoefficients) {

    public static final String FORMAT = "wavlens-letter-accuracy-fit/1";

    /** The relation of one layer of an {@link AccuracyRegression.Analysis}. */
    public static AccuracyFit of(AccuracyRegression.Analysis analysis, AccuracyRegression.LayerFit f) {
        Ols o = f.ols();
        return new AccuracyFit(analysis.accuracyMeasure(), f.layer(), f.predictorNames(), f.center(), f.scale(), o.coefficients(),
                o.covariance(), o.residualVariance(), o.n() - o.p() - 1, o.r2(), analysis.letters(), f.bootstrapCoefficients());
    }

    /** Which cluster statistic the model files must provide: "purity" or "entropy". */
    public String clusterMeasure() {
        return predictors.get(1);
    }

    /** Predicted accuracy for ln-frequency and cluster measure, with coefficient vector beta. */
    public double predict(double[] beta, double logFrequency, double measure) {
        return beta[0] + beta[1] * (logFrequency - center[0]) / scale[0] + beta[2] * (measure - center[1]) / scale[1];
    }

    public void write(Path file) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("accuracy_measure", accuracyMeasure);
        m.put("layer", layer);
        m.put("predictors", predictors);
        m.put("center", center);
        m.put("scale", scale);
        m.put("coefficients", coefficients);
        m.put("covariance", covariance);
        m.put("residual_variance", residualVariance);
        m.put("residual_df", residualDf);
        m.put("r2", r2);
        m.put("letters", letters);
        if (bootstrapCoefficients != null) m.put("bootstrap_coefficients", bootstrapCoefficients);
        Json.write(file, m);
    }

    public static AccuracyFit read(Path file) {
        JsonNode root = Json.read(file);
        if (!FORMAT.equals(root.path("format").asText()))
            throw UserError.inFile(file, "not a letter-accuracy fit (\"format\" must be \"" + FORMAT + "\")");
        List<String> predictors = strings(file, root, "predictors");
        if (predictors.size() != 2 || !predictors.get(0).equals("log_frequency") || !List.of("purity", "entropy").contains(predictors.get(1)))
            throw UserError.inFile(file, "\"predictors\" must be [\"log_frequency\", \"purity\"] or [\"log_frequency\", \"entropy\"]");
        double[] center = numbers(file, root.get("center"), 2, "center");
        double[] scale = numbers(file, root.get("scale"), 2, "scale");
        if (!(scale[0] > 0 && scale[1] > 0)) throw UserError.inFile(file, "\"scale\" values must be > 0");
        double[] coefficients = numbers(file, root.get("coefficients"), 3, "coefficients");
        JsonNode cov = root.get("covariance");
        if (cov == null || !cov.isArray() || cov.size() != 3) throw UserError.inFile(file, "\"covariance\" must be a 3×3 array");
        double[][] covariance = new double[3][];
        for (int i = 0; i < 3; i++) covariance[i] = numbers(file, cov.get(i), 3, "covariance row " + i);
        JsonNode rv = root.get("residual_variance");
        if (rv == null || !rv.isNumber() || !(rv.asDouble() >= 0)) throw UserError.inFile(file, "\"residual_variance\" must be a number >= 0");
        double[][] boot = null;
        JsonNode b = root.get("bootstrap_coefficients");
        if (b != null && !b.isNull()) {
            if (!b.isArray() || b.isEmpty()) throw UserError.inFile(file, "\"bootstrap_coefficients\" must be a non-empty array of [b0, b1, b2]");
            boot = new double[b.size()][];
            for (int i = 0; i < b.size(); i++) boot[i] = numbers(file, b.get(i), 3, "bootstrap_coefficients[" + i + "]");
        }
        return new AccuracyFit(root.path("accuracy_measure").asText("accuracy"), root.path("layer").asInt(-1), predictors, center, scale,
                coefficients, covariance, rv.asDouble(), root.path("residual_df").asInt(0), root.path("r2").asDouble(Double.NaN),
                root.has("letters") ? strings(file, root, "letters") : List.of(), boot);
    }

    static double[] numbers(Path file, JsonNode node, int length, String what) {
        if (node == null || !node.isArray() || node.size() != length) throw UserError.inFile(file, "\"" + what + "\" must be an array of " + length + " numbers");
        double[] out = new double[length];
        for (int i = 0; i < length; i++) {
            if (!node.get(i).isNumber()) throw UserError.inFile(file, "\"" + what + "\" must be an array of " + length + " numbers");
            out[i] = node.get(i).asDouble();
        }
        return out;
    }

    static List<String> strings(Path file, JsonNode root, String key) {
        JsonNode node = root.get(key);
        if (node == null || !node.isArray()) throw UserError.inFile(file, "\"" + key + "\" must be an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode s : node) {
            if (!s.isTextual()) throw UserError.inFile(file, "\"" + key + "\" must be an array of strings");
            out.add(s.asText());
        }
        return List.copyOf(out);
    }
}
