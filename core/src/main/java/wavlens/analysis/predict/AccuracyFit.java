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
 * predict a new model's per-letter accuracy, including how the cluster statistics were measured, so
 * that a candidate's are measured the same way:
 *
 * <pre>
 * {
 *   "format": "wavlens-letter-accuracy-fit/2",
 *   "source": "analyze",                           // or "experiment letter-frequency"
 *   "accuracy_measure": "f1",                      // what the response was
 *   "predictors": ["log_frequency", "purity"],     // 2nd may be "entropy" (normalised entropy over clusters)
 *   "center": [-3.41, 0.37],                       // per predictor: z = (value − center) / scale
 *   "scale":  [0.92, 0.11],
 *   "coefficients": [0.83, 0.05, 0.04],            // intercept first, then per predictor
 *   "covariance": [[...], [...], [...]],           // 3×3, σ²(XᵀX)⁻¹ of the OLS fit
 *   "residual_variance": 0.0021,                   // σ² = RSS / (n − 3)
 *   "residual_df": 22,
 *   "r2": 0.61,
 *   "letters": ["a", "d", ...],                    // the letters it was fitted on
 *   "bootstrap_coefficients": [[b0, b1, b2], ...], // optional: bootstrap refits, same standardisation
 *   "measurement": {                               // how purity/entropy were measured ({@link Measurement})
 *     "layer": "3",                                // "cnn" = extract_features, else the hidden_states index
 *     "inventory": ["&lt;sil&gt;", "h", "y", ...],       // the labels of the frames (store.json "labels")
 *     "k": 27, "spherical": true, "restarts": 3, "max_iter": 300, "tol": 1e-4, "seed": 1,
 *     "exclude_silence": false,                    // &lt;unk&gt; and &lt;blank&gt; frames are always left out
 *     "max_frames": 300, "extraction_seed": 1, "split": "all", "tier": "letters|phones|words"
 *   }
 * }
 * </pre>
 * log_frequency = ln(count / total letters) of the fine-tuning transcripts; purity / entropy are the
 * pretrained model's per-letter cluster statistics at that layer.
 */
public record AccuracyFit(String source, String accuracyMeasure, List<String> predictors, double[] center, double[] scale,
                          double[] coefficients, double[][] covariance, double residualVariance, int residualDf,
                          double r2, List<String> letters, double[][] bootstrapCoefficients, Measurement measurement) {

    public static final String FORMAT = "wavlens-letter-accuracy-fit/2";

    /**
     * How the per-letter cluster statistics were measured: frames of the corpus labelled from its
     * alignment ({@code tier}), about {@code maxFrames} per label chosen by the extraction seed, the
     * hidden state {@code layer}, &lt;unk&gt;/&lt;blank&gt; (and with excludeSilence &lt;sil&gt;) frames left out,
     * k-means with k clusters (spherical or Euclidean, best of restarts, seeded), then per label
     * purity and normalised entropy over the clusters.
     */
    public record Measurement(String layer, List<String> inventory, int k, boolean spherical, int restarts, int maxIter, double tol,
                              long seed, boolean excludeSilence, int maxFrames, long extractionSeed, String split, String tier) {

        /** hidden_states index, or -1 for "cnn" (extract_features). */
        public int layerIndex() {
            return layer.equals("cnn") ? -1 : Integer.parseInt(layer);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", layer);
            m.put("inventory", inventory);
            m.put("k", k);
            m.put("spherical", spherical);
            m.put("restarts", restarts);
            m.put("max_iter", maxIter);
            m.put("tol", tol);
            m.put("seed", seed);
            m.put("exclude_silence", excludeSilence);
            m.put("max_frames", maxFrames);
            m.put("extraction_seed", extractionSeed);
            m.put("split", split);
            m.put("tier", tier);
            return m;
        }

        static Measurement read(Path file, JsonNode m) {
            if (m == null || !m.isObject()) throw UserError.inFile(file, "needs a \"measurement\" object (how the cluster statistics were measured)");
            String layer = m.path("layer").asText("");
            if (!layer.equals("cnn") && !layer.matches("\\d+")) throw UserError.inFile(file, "\"measurement\".\"layer\" must be \"cnn\" or a hidden_states index");
            for (String key : List.of("k", "restarts", "max_iter", "max_frames", "seed", "extraction_seed"))
                if (!m.path(key).isIntegralNumber()) throw UserError.inFile(file, "\"measurement\".\"" + key + "\" must be an integer");
            if (m.path("k").asInt() < 1) throw UserError.inFile(file, "\"measurement\".\"k\" must be at least 1");
            return new Measurement(layer, strings(file, m, "inventory"), m.path("k").asInt(), m.path("spherical").asBoolean(true),
                    m.path("restarts").asInt(), m.path("max_iter").asInt(), m.path("tol").asDouble(1e-4), m.path("seed").asLong(),
                    m.path("exclude_silence").asBoolean(false), m.path("max_frames").asInt(), m.path("extraction_seed").asLong(),
                    m.path("split").asText("all"), m.path("tier").asText("letters|phones|words"));
        }
    }

    /** The relation of one layer of an {@link AccuracyRegression.Analysis}, measured as {@code measurement} says. */
    public static AccuracyFit of(String source, AccuracyRegression.Analysis analysis, AccuracyRegression.LayerFit f, Measurement measurement) {
        Ols o = f.ols();
        return new AccuracyFit(source, analysis.accuracyMeasure(), f.predictorNames(), f.center(), f.scale(), o.coefficients(),
                o.covariance(), o.residualVariance(), o.n() - o.p() - 1, o.r2(), analysis.letters(), f.bootstrapCoefficients(), measurement);
    }

    /** Which cluster statistic the model files must provide: "purity" or "entropy". */
    public String clusterMeasure() {
        return predictors.get(1);
    }

    public String layer() {
        return measurement.layer();
    }

    /** Predicted accuracy for ln-frequency and cluster measure, with coefficient vector beta. */
    public double predict(double[] beta, double logFrequency, double measure) {
        return beta[0] + beta[1] * (logFrequency - center[0]) / scale[0] + beta[2] * (measure - center[1]) / scale[1];
    }

    public void write(Path file) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("source", source);
        m.put("accuracy_measure", accuracyMeasure);
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
        m.put("measurement", measurement.toMap());
        Json.write(file, m);
    }

    public static AccuracyFit read(Path file) {
        JsonNode root = Json.read(file);
        String format = root.path("format").asText();
        if (format.equals("wavlens-letter-accuracy-fit/1"))
            throw UserError.inFile(file, "an older fit format (/1) that does not say how the cluster statistics were measured; "
                    + "rerun `wavlens analyze` (or the experiment) to write " + FORMAT);
        if (!FORMAT.equals(format))
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
        List<String> letters = strings(file, root, "letters");
        if (letters.isEmpty()) throw UserError.inFile(file, "\"letters\" (the letters the fit was made on) is empty");
        return new AccuracyFit(root.path("source").asText("unknown"), root.path("accuracy_measure").asText("accuracy"), predictors, center, scale,
                coefficients, covariance, rv.asDouble(), root.path("residual_df").asInt(0), root.path("r2").asDouble(Double.NaN),
                letters, boot, Measurement.read(file, root.get("measurement")));
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
