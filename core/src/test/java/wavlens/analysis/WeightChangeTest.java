package wavlens.analysis;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.checkpoint.DType;
import wavlens.checkpoint.SafetensorsWriter;
import wavlens.checkpoint.Weights;

class WeightChangeTest {
    static final Path BASE = Path.of("../../shared/testdata/wav2vec2/base-group");

    /** Layer 2's tensors scaled by 1.5 and an added CTC head: change 0.5 in layer_2, 0 elsewhere. */
    @Test
    void scaledLayerShowsExactlyItsScale(@TempDir Path tmp) {
        Map<String, float[]> t = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (Weights w = Weights.open(BASE)) {
            for (String n : w.names()) {
                float[] v = w.floats(n);
                if (n.startsWith("wav2vec2.encoder.layers.1.")) for (int i = 0; i < v.length; i++) v[i] *= 1.5f;
                t.put(n, v);
                shapes.put(n, w.info(n).shape());
            }
        }
        t.put("lm_head.weight", new float[32 * 48]);
        shapes.put("lm_head.weight", new long[] {32, 48});
        SafetensorsWriter.write(tmp.resolve("model.safetensors"), t, shapes, DType.F32, Map.of());
        try (Weights a = Weights.open(BASE); Weights b = Weights.open(tmp)) {
            WeightChange.Result r = WeightChange.compare(a, b);
            for (WeightChange.Block blk : r.blocks()) {
                double want = blk.name().equals("layer_2") ? 0.5 : 0.0;
                assertEquals(want, blk.relativeChange(), 1e-7, blk.name());
            }
            assertEquals("cnn", r.blocks().get(0).name());
            assertTrue(r.onlyInFinetuned().contains("lm_head.weight"));
        }
    }
}
