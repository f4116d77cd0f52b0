package wavlens.model;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wavlens.checkpoint.CheckpointAverage;
import wavlens.checkpoint.DType;
import wavlens.checkpoint.SafetensorsWriter;
import wavlens.checkpoint.TensorInfo;
import wavlens.checkpoint.Weights;
import wavlens.io.Json;
import wavlens.io.Npy;

/**
 * The new families' checkpoints as they come in other forms than the fixtures' single file: the
 * average of a checkpoint with itself, and a checkpoint split into two shards with a
 * model.safetensors.index.json. Both must still give tools/reference/families.py's outputs.
 */
class FamilyCheckpointTest {
    static final Path ROOT = FamilyReferenceTest.ROOT;

    /** Every hidden state and the logits of one input against the reference (FamilyReferenceTest's tolerance). */
    static void matchesReference(Path model, String caseName, String input) {
        Path exp = ROOT.resolve(caseName).resolve("expected").resolve(input);
        float[] values = Npy.read(ROOT.resolve(caseName).resolve("inputs").resolve(input + "_input_values.npy")).asFloats();
        try (Wav2Vec2 m = Wav2Vec2.load(model)) {
            Wav2Vec2.Output out = m.forward(values, Wav2Vec2.Request.all(m.config()));
            for (int l = 0; l <= m.config().numLayers(); l++) {
                FamilyReferenceTest.compare(exp.resolve(String.format("hidden_states_%02d.npy", l)), out.hiddenStates()[l], caseName + " hidden_states[" + l + "]");
            }
            if (Files.exists(exp.resolve("logits.npy"))) FamilyReferenceTest.compare(exp.resolve("logits.npy"), out.logits(), caseName + " logits");
        }
    }

    /** The conformer's BatchNorm counters (int64 num_batches_tracked, 1234 in every fixture) are kept, the float weights averaged. */
    @Test
    void averagingAConformerWithItselfGivesTheReference(@TempDir Path tmp) throws Exception {
        Path fixture = ROOT.resolve("conformer-rel-ctc");
        Path out = tmp.resolve("avg");
        CheckpointAverage.Result r = CheckpointAverage.average(List.of(fixture, fixture), out, null);
        assertEquals(0.0, r.distances()[0]);
        try (Weights w = Weights.open(out)) {
            int counters = 0;
            for (String name : w.names()) {
                if (!name.endsWith("num_batches_tracked")) continue;
                counters++;
                assertEquals(DType.I64, w.info(name).dtype(), name);
                assertArrayEquals(new float[] {1234}, w.floats(name), name);
            }
            assertTrue(counters > 0, "the fixture has BatchNorm counters");
            assertEquals(w.names().size() - counters, r.tensors());
        }
        matchesReference(out, "conformer-rel-ctc", "speech");
    }

    /** Each family's checkpoint written as two shards and an index, as HF's save_pretrained(max_shard_size=…) does. */
    @ParameterizedTest
    @ValueSource(strings = {"wavlm-base", "data2vec-audio-base", "conformer-rel-ctc"})
    void shardedCheckpointGivesTheReference(String caseName, @TempDir Path tmp) throws Exception {
        Path fixture = ROOT.resolve(caseName);
        Path model = Files.createDirectories(tmp.resolve(caseName));
        for (String side : List.of("config.json", "preprocessor_config.json", "vocab.json", "tokenizer_config.json")) {
            if (Files.exists(fixture.resolve(side))) Files.copy(fixture.resolve(side), model.resolve(side));
        }
        Map<String, String> weightMap = new TreeMap<>();
        try (Weights w = Weights.open(fixture)) {
            List<String> names = w.names().stream().sorted().toList();
            for (int shard = 0; shard < 2; shard++) {
                String file = String.format("model-%05d-of-00002.safetensors", shard + 1);
                Map<String, long[]> shapes = new LinkedHashMap<>();
                Map<String, long[]> int64 = new LinkedHashMap<>();
                // every other tensor to each shard, so each layer is split across both files
                for (int i = shard; i < names.size(); i += 2) {
                    TensorInfo info = w.info(names.get(i));
                    assertTrue(info.dtype() == DType.F32 || info.dtype() == DType.I64, caseName + " stores F32 (and I64 counters)");
                    shapes.put(info.name(), info.shape());
                    if (info.dtype() == DType.I64) {
                        float[] v = w.floats(info.name());
                        long[] l = new long[v.length];
                        for (int j = 0; j < v.length; j++) l[j] = (long) v[j];
                        int64.put(info.name(), l);
                    }
                    weightMap.put(info.name(), file);
                }
                SafetensorsWriter.write(model.resolve(file), shapes, DType.F32, Map.of(), w::floats, int64);
            }
        }
        Json.write(model.resolve(Weights.SAFETENSORS_INDEX), Map.of("metadata", Map.of("total_size", 0), "weight_map", weightMap));
        assertFalse(Files.exists(model.resolve(Weights.SAFETENSORS)));
        matchesReference(model, caseName, "synthetic");
    }
}
