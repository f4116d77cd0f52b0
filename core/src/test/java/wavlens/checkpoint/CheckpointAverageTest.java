package wavlens.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.Json;
import wavlens.io.UserError;

class CheckpointAverageTest {
    /** A model folder with the given tensors (shape [n] unless given) and, optionally, config.json and vocab.json. */
    static Path model(Path dir, Map<String, float[]> tensors, Map<String, long[]> shapes, DType dtype, String config, String vocab) throws IOException {
        Files.createDirectories(dir);
        Map<String, long[]> allShapes = new LinkedHashMap<>();
        for (var e : tensors.entrySet()) allShapes.put(e.getKey(), shapes.getOrDefault(e.getKey(), new long[] {e.getValue().length}));
        SafetensorsWriter.write(dir.resolve(Weights.SAFETENSORS), tensors, allShapes, dtype, Map.of());
        if (config != null) Files.writeString(dir.resolve("config.json"), config);
        if (vocab != null) Files.writeString(dir.resolve("vocab.json"), vocab);
        return dir;
    }

    static final String CONFIG = "{\"model_type\": \"wav2vec2\", \"num_attention_heads\": 4, \"hidden_dropout\": 0.1}";
    static final String VOCAB = "{\"<pad>\": 0, \"a\": 1, \"b\": 2}";

    @Test
    void meanAndDistancesAsComputedByHand(@TempDir Path tmp) throws IOException {
        Path a = model(tmp.resolve("a"), Map.of("w", new float[] {1, 2, 3, 4}, "b", new float[] {0.5f}), Map.of("w", new long[] {2, 2}), DType.F32, CONFIG, VOCAB);
        Path b = model(tmp.resolve("b"), Map.of("w", new float[] {3, 2, -3, 8}, "b", new float[] {1.5f}), Map.of("w", new long[] {2, 2}), DType.F32,
                CONFIG.replace("0.1", "0.0"), VOCAB);   // another dropout rate: a training setting, not the architecture
        Path c = model(tmp.resolve("c"), Map.of("w", new float[] {2, 5, 0, 0}, "b", new float[] {-2f}), Map.of("w", new long[] {2, 2}), DType.F32, CONFIG, VOCAB);
        Path out = tmp.resolve("avg");
        CheckpointAverage.Result r = CheckpointAverage.average(List.of(a, b, c), out, null);

        try (Weights w = Weights.open(out)) {
            assertArrayEquals(new float[] {2, 3, 0, 4}, w.floats("w"));
            assertArrayEquals(new long[] {2, 2}, w.info("w").shape());
            assertArrayEquals(new float[] {0}, w.floats("b"));
            assertEquals(DType.F32, w.info("w").dtype());
        }
        assertEquals(2, r.tensors());
        assertEquals(5, r.parameters());
        // ‖a − mean‖² = 1 + 1 + 9 + 0 + 0.25, ‖b − mean‖² = 1 + 1 + 9 + 16 + 2.25, ‖c − mean‖² = 0 + 4 + 0 + 16 + 4, ‖mean‖² = 4 + 9 + 0 + 16 + 0
        assertEquals(Math.sqrt(11.25 / 29), r.distances()[0], 1e-12);
        assertEquals(Math.sqrt(29.25 / 29), r.distances()[1], 1e-12);
        assertEquals(Math.sqrt(24.0 / 29), r.distances()[2], 1e-12);
        assertEquals(CONFIG, Files.readString(out.resolve("config.json")), "config.json from the first model");
        assertEquals(VOCAB, Files.readString(out.resolve("vocab.json")));
        assertEquals(3, Json.read(out.resolve("averaged.json")).get("models").size());
        try (var files = Files.list(out)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void float16InputsGiveFloat16UnlessAskedOtherwise(@TempDir Path tmp) throws IOException {
        // 1 and 1 + 2^-10 are neighbours in float16; their mean 1 + 2^-11 is not a float16 and rounds to even (1)
        Path a = model(tmp.resolve("a"), Map.of("w", new float[] {1f, 3f}), Map.of(), DType.F16, CONFIG, VOCAB);
        Path b = model(tmp.resolve("b"), Map.of("w", new float[] {1f + 0x1p-10f, 5f}), Map.of(), DType.F16, CONFIG, VOCAB);
        CheckpointAverage.average(List.of(a, b), tmp.resolve("half"), null);
        CheckpointAverage.average(List.of(a, b), tmp.resolve("single"), DType.F32);
        try (Weights half = Weights.open(tmp.resolve("half")); Weights single = Weights.open(tmp.resolve("single"))) {
            assertEquals(DType.F16, half.info("w").dtype());
            assertArrayEquals(new float[] {1f, 4f}, half.floats("w"));
            assertEquals(DType.F32, single.info("w").dtype());
            assertArrayEquals(new float[] {1f + 0x1p-11f, 4f}, single.floats("w"));
        }
        // one float32 input is enough for float32 output
        Path c = model(tmp.resolve("c"), Map.of("w", new float[] {1f, 4f}), Map.of(), DType.F32, CONFIG, VOCAB);
        assertEquals(DType.F32, CheckpointAverage.average(List.of(a, c), tmp.resolve("mixed"), null).dtype());
    }

    @Test
    void modelsThatDoNotFitTogetherAreRefusedNamingTheFile(@TempDir Path tmp) throws IOException {
        Path a = model(tmp.resolve("a"), Map.of("w", new float[] {1, 2}, "b", new float[] {0}), Map.of(), DType.F32, CONFIG, VOCAB);
        Path shape = model(tmp.resolve("shape"), Map.of("w", new float[] {1, 2, 3}, "b", new float[] {0}), Map.of(), DType.F32, CONFIG, VOCAB);
        Path missing = model(tmp.resolve("missing"), Map.of("w", new float[] {1, 2}), Map.of(), DType.F32, CONFIG, VOCAB);
        Path extra = model(tmp.resolve("extra"), Map.of("w", new float[] {1, 2}, "b", new float[] {0}, "x", new float[] {1}), Map.of(), DType.F32, CONFIG, VOCAB);
        Path heads = model(tmp.resolve("heads"), Map.of("w", new float[] {1, 2}, "b", new float[] {0}), Map.of(), DType.F32, CONFIG.replace("4", "2"), VOCAB);
        Path letters = model(tmp.resolve("letters"), Map.of("w", new float[] {1, 2}, "b", new float[] {0}), Map.of(), DType.F32, CONFIG,
                "{\"<pad>\": 0, \"b\": 1, \"a\": 2}");
        Path noVocab = model(tmp.resolve("novocab"), Map.of("w", new float[] {1, 2}, "b", new float[] {0}), Map.of(), DType.F32, CONFIG, null);
        Path out = tmp.resolve("out");
        assertRefused(() -> CheckpointAverage.average(List.of(a, shape), out, null), "shape", "tensor w is [3] but [2]");
        assertRefused(() -> CheckpointAverage.average(List.of(a, missing), out, null), "missing", "has no tensor b");
        assertRefused(() -> CheckpointAverage.average(List.of(a, extra), out, null), "extra", "tensor x");
        assertRefused(() -> CheckpointAverage.average(List.of(a, heads), out, null), "heads", "num_attention_heads is 2 but 4");
        assertRefused(() -> CheckpointAverage.average(List.of(a, letters), out, null), "letters", "would mix letters");
        assertRefused(() -> CheckpointAverage.average(List.of(a, noVocab), out, null), "novocab", "no vocab.json");
        assertRefused(() -> CheckpointAverage.average(List.of(a, shape), a, null), "a", "is one of the models");
        assertRefused(() -> CheckpointAverage.average(List.of(a), out, null), "", "at least two");
        assertFalse(Files.exists(out), "nothing written for a refused average");
    }

    private static void assertRefused(Runnable r, String fileName, String problem) {
        UserError e = assertThrows(UserError.class, r::run);
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        if (!fileName.isEmpty()) assertTrue(e.getMessage().contains(fileName), e.getMessage());
    }

    /** The mean lies between the smallest and largest input, and does not depend on the models' order (to an ulp). */
    @Property(tries = 40)
    void meanIsBoundedAndOrderFree(@ForAll @Size(min = 2, max = 5) List<@Size(value = 3) List<@FloatRange(min = -100, max = 100) Float>> values,
                                   @ForAll @IntRange(min = 0, max = 1000) int shuffleSeed) throws IOException {
        Path tmp = Files.createTempDirectory("average");
        try {
            List<Path> models = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                float[] w = new float[3];
                for (int j = 0; j < 3; j++) w[j] = values.get(i).get(j);
                models.add(model(tmp.resolve("m" + i), Map.of("w", w), Map.of(), DType.F32, CONFIG, VOCAB));
            }
            List<Path> shuffled = new ArrayList<>(models);
            Collections.shuffle(shuffled, new java.util.Random(shuffleSeed));
            CheckpointAverage.average(models, tmp.resolve("avg"), null);
            CheckpointAverage.average(shuffled, tmp.resolve("avg2"), null);
            try (Weights w = Weights.open(tmp.resolve("avg")); Weights w2 = Weights.open(tmp.resolve("avg2"))) {
                float[] mean = w.floats("w");
                float[] mean2 = w2.floats("w");
                // the double sums may differ in their last bits by order, which rounding to float hides or turns into one ulp
                for (int j = 0; j < 3; j++) assertEquals(mean[j], mean2[j], Math.ulp(mean[j]));
                for (int j = 0; j < 3; j++) {
                    float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
                    for (List<Float> v : values) {
                        lo = Math.min(lo, v.get(j));
                        hi = Math.max(hi, v.get(j));
                    }
                    assertTrue(mean[j] >= lo && mean[j] <= hi, mean[j] + " outside [" + lo + ", " + hi + "]");
                }
            }
        } finally {
            try (var walk = Files.walk(tmp)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }
}
