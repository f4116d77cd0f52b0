package wavlens.model;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.checkpoint.DType;
import wavlens.checkpoint.SafetensorsWriter;
import wavlens.checkpoint.Weights;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;

/** Loading variants and mismatches: each problem is one UserError naming the file and the tensor. */
class ModelLoadingTest {
    static final Path BASE = Path.of("../../shared/testdata/wav2vec2/base-group");

    /** Copies base-group's tensors with renamed keys (and optionally a tensor dropped or reshaped). */
    static void rewrite(Path target, String fromPrefix, String toPrefix, String drop, ObjectNode config) throws Exception {
        Files.createDirectories(target);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (Weights w = Weights.open(BASE)) {
            for (String name : w.names()) {
                if (name.equals(drop)) continue;
                String renamed = name.startsWith(fromPrefix) ? toPrefix + name.substring(fromPrefix.length()) : name;
                tensors.put(renamed, w.floats(name));
                shapes.put(renamed, w.info(name).shape());
            }
        }
        SafetensorsWriter.write(target.resolve("model.safetensors"), tensors, shapes, DType.F32, Map.of("format", "pt"));
        Json.write(target.resolve("config.json"), config);
    }

    static ObjectNode baseConfig() {
        return (ObjectNode) Json.read(BASE.resolve("config.json"));
    }

    /**
     * HuBERT's encoder is wav2vec2's (modeling_hubert.py): with feat_proj_layer_norm = true the
     * same weights under the hubert. prefix must give base-group's reference hidden states.
     */
    @Test
    void hubertCheckpointComputesTheSameEncoder(@TempDir Path tmp) throws Exception {
        ObjectNode cfg = baseConfig();
        cfg.put("model_type", "hubert");
        cfg.putArray("architectures").add("HubertModel");
        cfg.put("feat_proj_layer_norm", true);
        rewrite(tmp, "wav2vec2.", "hubert.", null, cfg);
        float[] input = Npy.read(BASE.resolve("inputs/synthetic_input_values.npy")).asFloats();
        try (Wav2Vec2 m = Wav2Vec2.load(tmp)) {
            Wav2Vec2.Output out = m.forward(input);
            assertNull(out.extractFeatures(), "HubertModel returns no extract_features");
            for (int l = 0; l <= 3; l++) {
                ReferenceVectorsTest.assertClose(BASE.resolve(String.format("expected/synthetic/hidden_states_%02d.npy", l)),
                        out.hiddenStates()[l], "hubert hidden_states[" + l + "]");
            }
        }
    }

    @Test
    void bareModelKeysWithoutPrefixLoad(@TempDir Path tmp) throws Exception {
        rewrite(tmp, "wav2vec2.", "", null, baseConfig());
        float[] input = Npy.read(BASE.resolve("inputs/synthetic_input_values.npy")).asFloats();
        try (Wav2Vec2 m = Wav2Vec2.load(tmp)) {
            ReferenceVectorsTest.assertClose(BASE.resolve("expected/synthetic/last_hidden_state.npy"),
                    m.forward(input).lastHiddenState(), "last_hidden_state");
        }
    }

    @Test
    void missingTensorIsNamed(@TempDir Path tmp) throws Exception {
        rewrite(tmp, "", "", "wav2vec2.encoder.layers.1.attention.k_proj.weight", baseConfig());
        UserError e = assertThrows(UserError.class, () -> Wav2Vec2.load(tmp));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("wav2vec2.encoder.layers.1.attention.k_proj.weight"), e.getMessage());
    }

    @Test
    void configThatDisagreesWithTheWeightsIsNamed(@TempDir Path tmp) throws Exception {
        ObjectNode cfg = baseConfig();
        cfg.put("intermediate_size", 128);
        rewrite(tmp, "", "", null, cfg);
        UserError e = assertThrows(UserError.class, () -> Wav2Vec2.load(tmp));
        assertTrue(e.getMessage().contains("intermediate_dense.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("[96, 48]") && e.getMessage().contains("[128, 48]"), e.getMessage());
    }

    @Test
    void unknownModelTypeIsRefusedByName(@TempDir Path tmp) throws Exception {
        ObjectNode cfg = baseConfig();
        cfg.put("model_type", "whisper");   // (wav2vec2-conformer, once the example here, is read since issue 26)
        rewrite(tmp, "", "", null, cfg);
        UserError e = assertThrows(UserError.class, () -> Wav2Vec2.load(tmp));
        assertTrue(e.getMessage().contains("\"whisper\" is not supported") && e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void frameGeometryComesFromTheConvStack() {
        Wav2Vec2Config cfg = Wav2Vec2Config.read(BASE.resolve("config.json"));
        assertEquals(320, cfg.hopSamples());
        assertEquals(400, cfg.receptiveFieldSamples());
        assertEquals(64, cfg.framesFor(20800));   // README: 20800 samples -> 64 frames
        assertEquals(98, cfg.framesFor(31508));
        assertEquals(0, cfg.framesFor(399));
        assertEquals(1, cfg.framesFor(400));
    }

    /** Long audio goes through the chunked encoder; it must equal the whole pass frame by frame. */
    @Test
    void chunkedFeatureEncoderEqualsWholePass() {
        float[] input = Npy.read(BASE.resolve("inputs/synthetic_input_values.npy")).asFloats();
        float[] longInput = new float[input.length * 5 + 123];
        for (int i = 0; i < longInput.length; i++) longInput[i] = input[(i * 7) % input.length] * (1 + (i % 13) / 26f);
        try (Wav2Vec2 m = Wav2Vec2.load(BASE)) {
            float[] chunked = m.forward(longInput).convFeatures();
            float[] whole = m.forward(longInput, Wav2Vec2.Request.all(m.config()).withConvLayers()).convFeatures();
            assertEquals(whole.length, chunked.length);
            for (int i = 0; i < whole.length; i++) assertEquals(whole[i], chunked[i], 1e-5 * (1 + Math.abs(whole[i])));
        }
    }

    /** A 75 s utterance (3,749 frames) runs through the chunked encoder and query-blocked attention. */
    @Test
    void minuteLongAudioRuns() {
        float[] input = Npy.read(BASE.resolve("inputs/synthetic_input_values.npy")).asFloats();
        float[] longInput = new float[16000 * 75];
        for (int i = 0; i < longInput.length; i++) longInput[i] = input[i % input.length];
        try (Wav2Vec2 m = Wav2Vec2.load(BASE)) {
            Wav2Vec2.Output out = m.forward(longInput);
            assertEquals(m.config().framesFor(longInput.length), out.frames());
            assertEquals(3749, out.frames());
            for (float v : out.lastHiddenState()) assertTrue(Float.isFinite(v));
        }
    }

    /**
     * The same input gives the same bits on every run, before and after the JIT has compiled the
     * kernels (a resumed extraction must reproduce an uninterrupted one exactly).
     */
    @Test
    void forwardIsBitReproducibleAcrossWarmUp() {
        float[] input = Npy.read(BASE.resolve("inputs/synthetic_input_values.npy")).asFloats();
        try (Wav2Vec2 m = Wav2Vec2.load(BASE)) {
            float[] first = m.forward(input).lastHiddenState();
            for (int run = 0; run < 40; run++) {
                float[] again = m.forward(input).lastHiddenState();
                for (int i = 0; i < first.length; i++) {
                    assertEquals(Float.floatToIntBits(first[i]), Float.floatToIntBits(again[i]), "run " + run + " element " + i);
                }
            }
        }
    }
}
