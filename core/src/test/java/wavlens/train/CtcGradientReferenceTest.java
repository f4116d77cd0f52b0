package wavlens.train;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.model.Wav2Vec2Config;

/**
 * The whole model's CTC loss and every gradient against ../shared/testdata/wav2vec2 (float64
 * references from autograd over an independent re-implementation of HF's semantics). Tolerances
 * from its README: losses relative 1e-5; per tensor max|actual − expected| ≤ 1e-3·max|expected| + 1e-5.
 */
class CtcGradientReferenceTest {
    static final Path ROOT = Path.of("../../shared/testdata/wav2vec2");

    static Stream<Arguments> runs() {
        return Stream.of(Arguments.of("ctc-base", "synthetic"), Arguments.of("ctc-base", "speech_fi"),
                Arguments.of("ctc-bin", "synthetic"), Arguments.of("ctc-bin", "train_batch"));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("runs")
    void lossAndEveryGradientMatch(String caseName, String run) throws Exception {
        Path dir = ROOT.resolve(caseName);
        JsonNode manifest = Json.read(dir.resolve("expected/training_manifest.json")).path("runs").path(run);
        JsonNode lossJson = Json.read(dir.resolve("expected").resolve(run).resolve("loss.json"));
        Wav2Vec2Config cfg = Wav2Vec2Config.read(dir.resolve("training_config.json"));
        TrainableModel model = TrainableModel.load(dir).withConfig(cfg);
        boolean frozen = manifest.path("frozen_feature_encoder").asBoolean(false);
        model.freezeFeatureEncoder(frozen);

        // inputs: one utterance [N] or a padded batch [B, N] with an attention mask
        Npy.Array values = Npy.read(dir.resolve(manifest.path("input_values").path("file").asText()));
        int batch = values.shape().length == 1 ? 1 : values.shape()[0];
        int width = values.shape()[values.shape().length - 1];
        float[] flat = values.asFloats();
        int[] valid = new int[batch];
        java.util.Arrays.fill(valid, width);
        JsonNode maskNode = manifest.path("attention_mask");
        if (!maskNode.isNull() && !maskNode.isMissingNode()) {
            int[] m = Npy.read(dir.resolve(maskNode.path("file").asText())).ints();
            for (int b = 0; b < batch; b++) {
                valid[b] = 0;
                for (int i = 0; i < width; i++) valid[b] += m[b * width + i];
            }
        }
        float[][] audio = new float[batch][];
        for (int b = 0; b < batch; b++) audio[b] = java.util.Arrays.copyOfRange(flat, b * width, b * width + valid[b]);
        Npy.Array labels = Npy.read(dir.resolve(manifest.path("labels").path("file").asText()));
        int[][] targets = CtcLoss.targetsFromLabels(labels.asLongs(), labels.shape()[0], labels.shape()[1]);

        boolean wantInput = !frozen;
        TrainableModel.Pass pass = model.forward(audio, null, wantInput, TrainableModel.Dropout.NONE);
        for (int b = 0; b < batch; b++) assertEquals(lossJson.path("input_lengths").path(b).asInt(), pass.frames[b], "input length " + b);
        int vocab = model.vocabSize();
        float[] dLogits = new float[pass.rows * vocab];
        CtcLoss.Result loss = CtcLoss.compute(pass.logits, vocab, pass.rowOffset, pass.frames, targets, cfg.padTokenId(),
                CtcLoss.Reduction.parse(cfg.ctcLossReduction()), cfg.ctcZeroInfinity(), dLogits);
        assertEquals(lossJson.path("loss").asDouble(), loss.loss(), 1e-5 * Math.abs(lossJson.path("loss").asDouble()), "loss");

        model.params.zeroGrad();
        float[][] dInput = model.backward(pass, dLogits, null, null, wantInput);

        Path gradDir = dir.resolve("expected").resolve(run).resolve("grad");
        int checked = 0;
        double worst = 0;
        String worstName = "";
        for (Params.Tensor t : model.params.all()) {
            Path file = gradDir.resolve(t.name + ".npy");
            if (!Files.exists(file)) {
                assertTrue(!t.trainable || t.name.endsWith("masked_spec_embed"), "no reference gradient for trainable " + t.name);
                continue;
            }
            assertTrue(t.trainable, t.name + " has a reference gradient but is frozen");
            double ratio = ratioToTolerance(Npy.read(file).asFloats(), t.grad);
            assertTrue(ratio <= 1, t.name + ": " + ratio + "× the tolerance");
            if (ratio > worst) {
                worst = ratio;
                worstName = t.name;
            }
            checked++;
        }
        assertTrue(checked > 20, "checked " + checked + " tensors");
        if (wantInput) {
            float[] expected = Npy.read(dir.resolve("expected").resolve(run).resolve("grad_input/input_values.npy")).asFloats();
            float[] actual = new float[batch * width];   // zero at the padded samples, as the reference
            for (int b = 0; b < batch; b++) System.arraycopy(dInput[b], 0, actual, b * width, valid[b]);
            double ratio = ratioToTolerance(expected, actual);
            assertTrue(ratio <= 1, "d loss / d input_values: " + ratio + "× the tolerance");
        }
        System.out.printf("%s/%s: %d gradients, worst %.3f of the tolerance (%s)%n", caseName, run, checked, worst, worstName);
    }

    /** max|a − e| / (1e-3·max|e| + 1e-5). */
    static double ratioToTolerance(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "element count");
        double maxE = 0, maxD = 0;
        for (int i = 0; i < expected.length; i++) {
            maxE = Math.max(maxE, Math.abs(expected[i]));
            maxD = Math.max(maxD, Math.abs(expected[i] - actual[i]));
        }
        return maxD / (1e-3 * maxE + 1e-5);
    }
}
