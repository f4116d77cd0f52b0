package wavlens.model;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import wavlens.io.Npy;

/**
 * The port against ../shared/testdata/wav2vec2: tiny checkpoints with every expected output,
 * computed by an independent implementation of HF's semantics. Tolerance from its README:
 * |actual − expected| ≤ 1e-4 + 1e-4·|expected|; ids and transcriptions exact.
 */
class ReferenceVectorsTest {
    static final Path ROOT = Path.of("../../shared/testdata/wav2vec2");

    static Stream<Arguments> cases() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (String c : new String[] {"base-group", "large-layer", "ctc-base", "ctc-large-fp16", "ctc-bin"}) {
            for (String input : new String[] {"synthetic", "speech_fi"}) {
                if (Files.exists(ROOT.resolve(c).resolve("inputs").resolve(input + "_input_values.npy"))
                        && Files.isDirectory(ROOT.resolve(c).resolve("expected").resolve(input))) {
                    out.add(Arguments.of(c, input));
                }
            }
        }
        return out.stream();
    }

    static void assertClose(Path expectedFile, float[] actual, String what) {
        Npy.Array e = Npy.read(expectedFile);
        float[] exp = e.asFloats();
        assertEquals(exp.length, actual.length, what + ": element count");
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < exp.length; i++) {
            double tol = 1e-4 + 1e-4 * Math.abs(exp[i]);
            double ratio = Math.abs(actual[i] - exp[i]) / tol;
            if (!(ratio <= worst)) {
                worst = ratio;
                worstAt = i;
            }
        }
        assertTrue(worst <= 1.0, what + ": worst element " + worstAt + " is " + worst + "× the tolerance (expected "
                + exp[Math.max(0, worstAt)] + ", got " + actual[Math.max(0, worstAt)] + ")");
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("cases")
    void everyOutputMatches(String caseName, String input) throws Exception {
        Path dir = ROOT.resolve(caseName);
        Path exp = dir.resolve("expected").resolve(input);
        float[] values = Npy.read(dir.resolve("inputs").resolve(input + "_input_values.npy")).asFloats();
        try (Wav2Vec2 model = Wav2Vec2.load(dir)) {
            Wav2Vec2.Output out = model.forward(values, Wav2Vec2.Request.all(model.config()).withConvLayers());
            assertClose(exp.resolve("conv_features.npy"), out.convFeatures(), "conv_features");
            if (Files.exists(exp.resolve("extract_features.npy"))) {
                assertClose(exp.resolve("extract_features.npy"), out.extractFeatures(), "extract_features");
            }
            for (int l = 0; l <= model.config().numLayers(); l++) {
                assertClose(exp.resolve(String.format("hidden_states_%02d.npy", l)), out.hiddenStates()[l], "hidden_states[" + l + "]");
            }
            assertClose(exp.resolve("last_hidden_state.npy"), out.lastHiddenState(), "last_hidden_state");
            if (Files.exists(exp.resolve("logits.npy"))) {
                assertClose(exp.resolve("logits.npy"), out.logits(), "logits");
                int[] ids = Vocabulary.argmax(out.logits(), out.frames(), model.vocabSize());
                assertArrayEquals(Npy.read(exp.resolve("predicted_ids.npy")).ints(), ids, "predicted ids");
                Vocabulary vocab = Vocabulary.read(dir, model.config());
                assertEquals(Files.readString(exp.resolve("transcription.txt")), vocab.decode(ids), "transcription");
            }
            // the chunked feature encoder (used for long audio) gives the same frames as the whole pass
            Wav2Vec2.Output plain = model.forward(values);
            assertClose(exp.resolve("conv_features.npy"), plain.convFeatures(), "conv_features (default path)");
        }
    }

    /** large-layer's padded batch: valid frames of each row equal that utterance alone. */
    @Test
    void paddedBatchWithAttentionMask() throws Exception {
        Path dir = ROOT.resolve("large-layer");
        Npy.Array batch = Npy.read(dir.resolve("inputs/batch_input_values.npy"));
        Npy.Array mask = Npy.read(dir.resolve("inputs/batch_attention_mask.npy"));
        int[] frameMask = Npy.read(dir.resolve("expected/batch/frame_attention_mask.npy")).ints();
        int rows = batch.shape()[0], n = batch.shape()[1];
        float[] all = batch.asFloats();
        int[] m = mask.ints();
        try (Wav2Vec2 model = Wav2Vec2.load(dir)) {
            for (int b = 0; b < rows; b++) {
                float[] row = java.util.Arrays.copyOfRange(all, b * n, (b + 1) * n);
                int valid = 0;
                for (int i = 0; i < n; i++) valid += m[b * n + i];
                Wav2Vec2.Output out = model.forward(row, valid, Wav2Vec2.Request.all(model.config()));
                int validFrames = model.config().framesFor(valid);
                int maskFrames = 0;
                for (int t = 0; t < out.frames(); t++) maskFrames += frameMask[b * out.frames() + t];
                assertEquals(maskFrames, validFrames, "valid frame count");
                Path exp = dir.resolve("expected/batch/u" + b);
                int h = model.config().hiddenSize(), c = model.config().convOutDim();
                assertClose(exp.resolve("conv_features.npy"), java.util.Arrays.copyOf(out.convFeatures(), validFrames * c), "u" + b + " conv");
                for (int l = 0; l <= model.config().numLayers(); l++) {
                    assertClose(exp.resolve(String.format("hidden_states_%02d.npy", l)),
                            java.util.Arrays.copyOf(out.hiddenStates()[l], validFrames * h), "u" + b + " hidden_states[" + l + "]");
                }
            }
        }
    }
}
