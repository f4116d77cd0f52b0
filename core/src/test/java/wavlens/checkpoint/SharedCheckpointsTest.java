package wavlens.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import wavlens.io.Json;

/**
 * The five shared wav2vec2 test checkpoints (four safetensors, one pytorch_model.bin): every
 * tensor has the shape its config.json implies, and spot values agree with what numpy
 * (safetensors) and torch.load (the .bin) read from the same files (shared_spot_values.json,
 * written by make_fixtures.py).
 */
class SharedCheckpointsTest {
    static final Path SHARED = Path.of("../../shared/testdata/wav2vec2");
    static final Path FIXTURES = Path.of("src/test/resources/checkpoint");

    /**
     * The state-dict keys and shapes of the README's key table, built from config.json.
     * weightNormNew: "parametrizations.weight.original0/1" instead of "weight_g/weight_v".
     */
    static Map<String, long[]> expectedShapes(JsonNode config, boolean weightNormNew) {
        String arch = config.get("architectures").get(0).asText();
        String p = arch.equals("Wav2Vec2Model") ? "" : "wav2vec2.";
        long h = config.get("hidden_size").asLong(), inter = config.get("intermediate_size").asLong();
        long k = config.get("num_conv_pos_embeddings").asLong(), g = config.get("num_conv_pos_embedding_groups").asLong();
        boolean layerNorm = config.get("feat_extract_norm").asText().equals("layer");
        Map<String, long[]> s = new TreeMap<>();
        s.put(p + "masked_spec_embed", new long[] {h});
        long previous = 1;
        JsonNode dims = config.get("conv_dim");
        for (int i = 0; i < dims.size(); i++) {
            long c = dims.get(i).asLong();
            String conv = p + "feature_extractor.conv_layers." + i + ".";
            s.put(conv + "conv.weight", new long[] {c, previous, config.get("conv_kernel").get(i).asLong()});
            if (config.get("conv_bias").asBoolean()) s.put(conv + "conv.bias", new long[] {c});
            if (layerNorm || i == 0) {
                s.put(conv + "layer_norm.weight", new long[] {c});
                s.put(conv + "layer_norm.bias", new long[] {c});
            }
            previous = c;
        }
        s.put(p + "feature_projection.layer_norm.weight", new long[] {previous});
        s.put(p + "feature_projection.layer_norm.bias", new long[] {previous});
        s.put(p + "feature_projection.projection.weight", new long[] {h, previous});
        s.put(p + "feature_projection.projection.bias", new long[] {h});
        String pos = p + "encoder.pos_conv_embed.conv.";
        s.put(pos + (weightNormNew ? "parametrizations.weight.original0" : "weight_g"), new long[] {1, 1, k});
        s.put(pos + (weightNormNew ? "parametrizations.weight.original1" : "weight_v"), new long[] {h, h / g, k});
        s.put(pos + "bias", new long[] {h});
        s.put(p + "encoder.layer_norm.weight", new long[] {h});
        s.put(p + "encoder.layer_norm.bias", new long[] {h});
        for (int l = 0; l < config.get("num_hidden_layers").asInt(); l++) {
            String layer = p + "encoder.layers." + l + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                s.put(layer + "attention." + proj + ".weight", new long[] {h, h});
                s.put(layer + "attention." + proj + ".bias", new long[] {h});
            }
            for (String norm : new String[] {"layer_norm", "final_layer_norm"}) {
                s.put(layer + norm + ".weight", new long[] {h});
                s.put(layer + norm + ".bias", new long[] {h});
            }
            s.put(layer + "feed_forward.intermediate_dense.weight", new long[] {inter, h});
            s.put(layer + "feed_forward.intermediate_dense.bias", new long[] {inter});
            s.put(layer + "feed_forward.output_dense.weight", new long[] {h, inter});
            s.put(layer + "feed_forward.output_dense.bias", new long[] {h});
        }
        if (arch.equals("Wav2Vec2ForCTC")) {
            long v = config.get("vocab_size").asLong();
            s.put("lm_head.weight", new long[] {v, h});
            s.put("lm_head.bias", new long[] {v});
        }
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"base-group", "large-layer", "ctc-base", "ctc-large-fp16", "ctc-bin"})
    void everyTensorHasTheShapeTheConfigImplies(String name) {
        Path dir = SHARED.resolve(name);
        boolean newWeightNorm = name.equals("large-layer") || name.equals("ctc-large-fp16");
        Map<String, long[]> expected = expectedShapes(Json.read(dir.resolve("config.json")), newWeightNorm);
        DType stored = name.equals("ctc-large-fp16") ? DType.F16 : DType.F32;
        try (Weights w = Weights.open(dir)) {
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                assertTrue(w.has(e.getKey()), name + " lacks " + e.getKey());
                TensorInfo info = w.info(e.getKey());
                assertArrayEquals(e.getValue(), info.shape(), e.getKey());
                assertEquals(stored, info.dtype(), e.getKey());
                assertEquals(info.numel() * 4, w.f32(e.getKey()).byteSize(), e.getKey());
            }
            for (String key : w.names()) {
                // only the pre-training checkpoint has tensors outside the table: its quantizer and projections
                boolean pretrainingExtra = name.equals("base-group")
                        && (key.startsWith("quantizer.") || key.startsWith("project_q.") || key.startsWith("project_hid."));
                assertTrue(expected.containsKey(key) || pretrainingExtra, name + " has unexpected " + key);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base-group", "large-layer", "ctc-base", "ctc-large-fp16", "ctc-bin"})
    void valuesAgreeWithNumpyAndTorch(String name) {
        JsonNode spots = Json.read(FIXTURES.resolve("shared_spot_values.json")).get(name);
        try (Weights w = Weights.open(SHARED.resolve(name))) {
            assertEquals(spots.get("count").asInt(), w.names().size());
            for (Map.Entry<String, JsonNode> e : spots.get("tensors").properties()) {
                JsonNode ref = e.getValue();
                float[] values = w.floats(e.getKey());
                assertArrayEquals(longs(ref.get("shape")), w.info(e.getKey()).shape());
                for (int i = 0; i < 4; i++) {
                    assertEquals((float) ref.get("first").get(i).asDouble(), values[i], 0f, e.getKey() + "[" + i + "]");
                    assertEquals((float) ref.get("last").get(i).asDouble(), values[values.length - 4 + i], 0f, e.getKey());
                }
                double sum = 0;
                for (float v : values) sum += v;
                double refSum = ref.get("sum").asDouble();
                assertEquals(refSum, sum, 1e-9 * Math.abs(refSum) + 1e-9, e.getKey() + " sum");
            }
        }
    }

    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asLong();
        return out;
    }

    @Test
    void float32TensorsAreReadOnlySlicesOfTheMappedFile() {
        Weights w = Weights.open(SHARED.resolve("ctc-base"));
        MemorySegment lm = w.f32("lm_head.weight");
        assertTrue(lm.isMapped(), "F32 safetensors must not be copied");
        assertTrue(lm.isReadOnly());
        assertSame(lm, w.f32("lm_head.weight"));
        // the data section is packed in sorted-name order: lm_head.bias [32] comes first, then lm_head.weight
        MemorySegment bias = w.f32("lm_head.bias");
        assertEquals(bias.address() + 32 * 4, lm.address());
        float first = lm.get(ValueLayout.JAVA_FLOAT, 0);
        assertEquals(w.floats("lm_head.weight")[0], first);
        w.close();
        assertThrows(IllegalStateException.class, () -> lm.get(ValueLayout.JAVA_FLOAT, 0), "closing unmaps");
        assertThrows(IllegalStateException.class, () -> w.f32("lm_head.bias"));
    }

    @Test
    void float16TensorsAreConvertedOnceIntoOwnedMemory() {
        try (Weights w = Weights.open(SHARED.resolve("ctc-large-fp16"))) {
            MemorySegment lm = w.f32("lm_head.weight");
            assertFalse(lm.isMapped());
            assertTrue(lm.isReadOnly());
            assertEquals(34 * 64 * 4, lm.byteSize());
            assertSame(lm, w.f32("lm_head.weight"), "converted once, then cached");
        }
    }

    @Test
    void transientFloat16ConversionsLiveInTheCallersArenaAndAreNotCached() {
        try (Weights w = Weights.open(SHARED.resolve("ctc-large-fp16"))) {
            MemorySegment once;
            try (java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
                once = w.f32Transient("lm_head.weight", scratch);
                assertTrue(once.isReadOnly());
                assertArrayEquals(w.f32("lm_head.weight").toArray(ValueLayout.JAVA_FLOAT), once.toArray(ValueLayout.JAVA_FLOAT));
                assertNotSame(once, w.f32("lm_head.weight"));
            }
            assertThrows(IllegalStateException.class, () -> once.get(ValueLayout.JAVA_FLOAT, 0), "freed with the caller's arena");
            assertEquals(34 * 64, w.floats("lm_head.weight").length, "the weights stay usable");
        }
        try (Weights w = Weights.open(SHARED.resolve("ctc-base")); java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
            assertTrue(w.f32Transient("lm_head.weight", scratch).isMapped(), "float32 in a mapped file is handed out as the mapping");
        }
    }
}
