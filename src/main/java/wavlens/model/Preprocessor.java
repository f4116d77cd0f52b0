package wavlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * preprocessor_config.json (Wav2Vec2FeatureExtractor): the sampling rate the model expects and
 * whether each utterance is normalised to zero mean and unit variance.
 */
public record Preprocessor(int samplingRate, boolean doNormalize, boolean returnAttentionMask) {

    /** HF's defaults when a checkpoint has no preprocessor_config.json. */
    public static Preprocessor defaults(Wav2Vec2Config cfg) {
        boolean layer = !cfg.groupNormEncoder();
        return new Preprocessor(16000, true, layer);
    }

    public static Preprocessor read(Path modelDir, Wav2Vec2Config cfg) {
        Path f = modelDir.resolve("preprocessor_config.json");
        if (!Files.exists(f)) return defaults(cfg);
        JsonNode j = Json.read(f);
        int rate = j.path("sampling_rate").asInt(16000);
        if (rate <= 0) throw UserError.inFile(f, "sampling_rate must be positive, found " + rate);
        return new Preprocessor(rate, j.path("do_normalize").asBoolean(true),
                j.path("return_attention_mask").asBoolean(!cfg.groupNormEncoder()));
    }

    /**
     * HF normalisation: y = (x − mean(x)) / sqrt(var(x) + 1e-7), mean and biased variance over
     * the first `valid` samples; samples past `valid` (batch padding) are set to 0.
     */
    public static float[] normalize(float[] x, int valid) {
        double sum = 0;
        for (int i = 0; i < valid; i++) sum += x[i];
        double mean = valid == 0 ? 0 : sum / valid;
        double sq = 0;
        for (int i = 0; i < valid; i++) {
            double d = x[i] - mean;
            sq += d * d;
        }
        double var = valid == 0 ? 0 : sq / valid;
        float inv = (float) (1.0 / Math.sqrt(var + 1e-7));
        float m = (float) mean;
        float[] y = new float[x.length];
        for (int i = 0; i < valid; i++) y[i] = (x[i] - m) * inv;
        return y;
    }

    /** The model input for one utterance at the model's sampling rate. */
    public float[] inputValues(float[] samples) {
        return doNormalize ? normalize(samples, samples.length) : samples.clone();
    }
}
