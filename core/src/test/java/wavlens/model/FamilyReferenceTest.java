package wavlens.model;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import wavlens.io.Npy;

/**
 * WavLM, data2vec-audio and wav2vec2-conformer against src/test/resources/families: small random
 * HF checkpoints with every expected output, written by tools/reference/families.py (a float64
 * PyTorch re-implementation of HF's semantics, not the Java code). Tolerance as for wav2vec2:
 * |actual − expected| ≤ 1e-4 + 1e-4·|expected|; predicted ids and transcriptions exact.
 */
class FamilyReferenceTest {
    static final Path ROOT = Path.of("src/test/resources/families");

    static Stream<Arguments> cases() throws Exception {
        List<Arguments> out = new ArrayList<>();
        try (var dirs = Files.list(ROOT)) {
            for (Path dir : dirs.sorted().toList()) {
                try (var inputs = Files.list(dir.resolve("expected"))) {
                    for (Path in : inputs.sorted().toList()) {
                        if (Files.isDirectory(in) && !in.getFileName().toString().equals("batch")) {
                            out.add(Arguments.of(dir.getFileName().toString(), in.getFileName().toString()));
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    static Stream<String> batchCases() throws Exception {
        try (var dirs = Files.list(ROOT)) {
            return dirs.filter(d -> Files.isDirectory(d.resolve("expected/batch"))).map(d -> d.getFileName().toString()).sorted().toList().stream();
        }
    }

    /** The largest |a − e| and the largest ratio to the tolerance, over one array. */
    record Error(double maxAbs, double worstRatio) {}

    static Error compare(Path expectedFile, float[] actual, String what) {
        float[] exp = Npy.read(expectedFile).asFloats();
        assertEquals(exp.length, actual.length, what + ": element count");
        double worst = 0, maxAbs = 0;
        int worstAt = 0;
        for (int i = 0; i < exp.length; i++) {
            double diff = Math.abs(actual[i] - exp[i]);
            double ratio = diff / (1e-4 + 1e-4 * Math.abs(exp[i]));
            maxAbs = Math.max(maxAbs, diff);
            if (!(ratio <= worst)) {
                worst = ratio;
                worstAt = i;
            }
        }
        assertTrue(worst <= 1.0, what + ": worst element " + worstAt + " is " + worst + "× the tolerance (expected "
                + exp[worstAt] + ", got " + actual[worstAt] + ")");
        return new Error(maxAbs, worst);
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("cases")
    void everyOutputMatches(String caseName, String input) throws Exception {
        Path dir = ROOT.resolve(caseName);
        Path exp = dir.resolve("expected").resolve(input);
        float[] values = Npy.read(dir.resolve("inputs").resolve(input + "_input_values.npy")).asFloats();
        double maxAbs = 0, worst = 0;
        try (Wav2Vec2 model = Wav2Vec2.load(dir)) {
            Wav2Vec2.Output out = model.forward(values, Wav2Vec2.Request.all(model.config()).withConvLayers());
            List<Error> errors = new ArrayList<>();
            errors.add(compare(exp.resolve("conv_features.npy"), out.convFeatures(), "conv_features"));
            errors.add(compare(exp.resolve("extract_features.npy"), out.extractFeatures(), "extract_features"));
            for (int l = 0; l <= model.config().numLayers(); l++) {
                errors.add(compare(exp.resolve(String.format("hidden_states_%02d.npy", l)), out.hiddenStates()[l], "hidden_states[" + l + "]"));
            }
            if (Files.exists(exp.resolve("logits.npy"))) {
                assertTrue(model.hasCtcHead());
                errors.add(compare(exp.resolve("logits.npy"), out.logits(), "logits"));
                int[] ids = Vocabulary.argmax(out.logits(), out.frames(), model.vocabSize());
                assertArrayEquals(Npy.read(exp.resolve("predicted_ids.npy")).ints(), ids, "predicted ids");
                Vocabulary vocab = Vocabulary.read(dir, model.config());
                assertEquals(Files.readString(exp.resolve("transcription.txt")), vocab.decode(ids), "transcription");
            } else {
                assertFalse(model.hasCtcHead());
                assertNull(out.logits());
            }
            for (Error e : errors) {
                maxAbs = Math.max(maxAbs, e.maxAbs());
                worst = Math.max(worst, e.worstRatio());
            }
            // the default path (chunked feature encoder, only the asked-for layers kept) gives the same numbers
            Wav2Vec2.Output plain = model.forward(values, Wav2Vec2.Request.lastOnly(model.config()));
            int last = model.config().numLayers();
            compare(exp.resolve(String.format("hidden_states_%02d.npy", last)), plain.lastHiddenState(), "last hidden state (default path)");
        }
        System.out.printf("fidelity %s / %s: max |a - e| = %.2e, worst %.3f of the tolerance%n", caseName, input, maxAbs, worst);
    }

    /** A padded batch: each row's valid frames equal the reference's masked run of that row. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("batchCases")
    void paddedBatchWithAttentionMask(String caseName) throws Exception {
        Path dir = ROOT.resolve(caseName);
        Npy.Array batch = Npy.read(dir.resolve("inputs/batch_input_values.npy"));
        int[] mask = Npy.read(dir.resolve("inputs/batch_attention_mask.npy")).ints();
        int rows = batch.shape()[0], n = batch.shape()[1];
        float[] all = batch.asFloats();
        try (Wav2Vec2 model = Wav2Vec2.load(dir)) {
            int h = model.config().hiddenSize();
            for (int b = 0; b < rows; b++) {
                float[] row = Arrays.copyOfRange(all, b * n, (b + 1) * n);
                int valid = 0;
                for (int i = 0; i < n; i++) valid += mask[b * n + i];
                Wav2Vec2.Output out = model.forward(row, valid, Wav2Vec2.Request.all(model.config()));
                int frames = model.config().framesFor(valid);
                Path exp = dir.resolve("expected/batch/u" + b);
                for (int l = 0; l <= model.config().numLayers(); l++) {
                    compare(exp.resolve(String.format("hidden_states_%02d.npy", l)), Arrays.copyOf(out.hiddenStates()[l], frames * h),
                            "u" + b + " hidden_states[" + l + "]");
                }
                if (out.logits() != null) {
                    compare(exp.resolve("logits.npy"), Arrays.copyOf(out.logits(), frames * model.vocabSize()), "u" + b + " logits");
                }
            }
        }
    }

    /** WavLM's buckets against values worked out by hand from the formula (n = 20, max distance 50: half 10, exact below 5). */
    @org.junit.jupiter.api.Test
    void relativePositionBuckets() {
        // |δ| < 5: the distance itself; δ > 0 adds 10
        assertEquals(0, Wav2Vec2.relativePositionBucket(0, 20, 50));
        assertEquals(4, Wav2Vec2.relativePositionBucket(-4, 20, 50));
        assertEquals(14, Wav2Vec2.relativePositionBucket(4, 20, 50));
        // |δ| = 5: 5 + ln(1)/ln(10)·5 = 5; |δ| = 10: 5 + ln 2 / ln 10 · 5 = 6.505 → 6; 49: 5 + ln 9.8/ln 10·5 = 9.96 → 9
        assertEquals(5, Wav2Vec2.relativePositionBucket(-5, 20, 50));
        assertEquals(16, Wav2Vec2.relativePositionBucket(10, 20, 50));
        assertEquals(9, Wav2Vec2.relativePositionBucket(-49, 20, 50));
        // at and past max distance: the last bucket of the half (5 + 5 = 10 → clamped to 9)
        assertEquals(19, Wav2Vec2.relativePositionBucket(50, 20, 50));
        assertEquals(19, Wav2Vec2.relativePositionBucket(4000, 20, 50));
    }
}
