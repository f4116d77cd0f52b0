package wavlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import wavlens.audio.Normalizer;
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
     * The mean and scale with which {@link #inputValues} maps each sample x to
     * {@code (float) ((x - mean) * scale)}: the utterance's statistics, or 0 and 1 without normalisation.
     */
    public double[] meanAndScale(float[] samples) {
        return doNormalize && samples.length > 0 ? Normalizer.meanAndScale(samples, samples.length) : new double[] {0, 1};
    }

    /** The model input for one utterance at the model's sampling rate. */
    public float[] inputValues(float[] samples) {
        return doNormalize ? Normalizer.normalize(samples) : samples.clone();
    }
}
