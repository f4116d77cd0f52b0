package wavlens.train;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.model.Wav2Vec2Config;

/**
 * Wav2Vec2ForPreTraining's loss (contrastive + diversity, Gumbel quantizer) and every gradient,
 * for the whole model, against ../shared/testdata/wav2vec2/base-group (float64 autograd
 * references). Masks, negatives and Gumbel noise are the references' inputs. Tolerances from its
 * README: losses relative 1e-5, codevector choices exact, projected states 1e-4 + 1e-4·|e|,
 * gradients per tensor max|a − e| ≤ 1e-3·max|e| + 1e-5.
 */
class PretrainingGradientReferenceTest {
    static final Path DIR = Path.of("../../shared/testdata/wav2vec2/base-group");

    @ParameterizedTest
    @ValueSource(strings = {"synthetic", "pretrain_batch"})
    void lossesAndEveryGradientMatch(String run) throws Exception {
        JsonNode manifest = Json.read(DIR.resolve("expected/training_manifest.json")).path("runs").path(run);
        JsonNode lossJson = Json.read(DIR.resolve("expected").resolve(run).resolve("loss.json"));
        Wav2Vec2Config cfg = Wav2Vec2Config.read(DIR.resolve("training_config.json"));
        TrainableModel model = TrainableModel.load(DIR).withConfig(cfg);
        PretrainingHead head = new PretrainingHead(model.params, cfg);

        Npy.Array values = Npy.read(DIR.resolve(manifest.path("input_values").path("file").asText()));
        int batch = values.shape().length == 1 ? 1 : values.shape()[0];
        int width = values.shape()[values.shape().length - 1];
        float[][] audio = new float[batch][];
        for (int b = 0; b < batch; b++) audio[b] = java.util.Arrays.copyOfRange(values.asFloats(), b * width, (b + 1) * width);
        int frames = cfg.framesFor(width);
        assertEquals(manifest.path("num_frames").asInt(), frames);

        boolean[] maskFlat = Npy.read(DIR.resolve(manifest.path("mask_time_indices").path("file").asText())).bools();
        boolean[][] mask = new boolean[batch][frames];
        for (int b = 0; b < batch; b++) System.arraycopy(maskFlat, b * frames, mask[b], 0, frames);
        int[] negFlat = Npy.read(DIR.resolve(manifest.path("sampled_negative_indices").path("file").asText())).ints();
        int kNeg = cfg.numNegatives();
        int[][][] negatives = new int[batch][frames][];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < frames; t++) {
                if (!mask[b][t]) continue;
                negatives[b][t] = new int[kNeg];
                for (int j = 0; j < kNeg; j++) {
                    int flat = negFlat[(b * frames + t) * kNeg + j];
                    assertEquals(b, flat / frames, "negatives stay in their utterance");
                    negatives[b][t][j] = flat % frames;
                }
            }
        }
        float[] noise = Npy.read(DIR.resolve(manifest.path("gumbel_noise").path("file").asText())).asFloats();

        TrainableModel.Pass pass = model.forward(audio, FineTuning.packed(mask), true, TrainableModel.Dropout.NONE);
        PretrainingHead.Result r = head.forward(pass.extract, pass.last, new PretrainingHead.Batch(pass.rowOffset, pass.frames, mask, negatives, noise),
                (float) manifest.path("gumbel_temperature").asDouble(), null);
        Path exp = DIR.resolve("expected").resolve(run);
        assertArrayEquals(Npy.read(exp.resolve("pretrain/codevector_idx.npy")).ints(), r.codevectorIdx(), "codevector choices");
        assertClose(exp.resolve("pretrain/quantizer_logits.npy"), head.quantizerLogits(), "quantizer logits");
        assertClose(exp.resolve("pretrain/projected_quantized_states.npy"), head.projectedQuantizedStates(), "projected quantized states");
        assertClose(exp.resolve("pretrain/projected_states.npy"), head.projectedStates(), "projected states");
        assertEquals(lossJson.path("num_masked_frames").asInt(), r.maskedFrames());
        assertRelative(lossJson.path("loss").asDouble(), r.loss(), "loss");
        assertRelative(lossJson.path("contrastive_loss").asDouble(), r.contrastive(), "contrastive loss");
        assertRelative(lossJson.path("diversity_loss").asDouble(), r.diversity(), "diversity loss");
        assertRelative(lossJson.path("codevector_perplexity").asDouble(), r.perplexity(), "perplexity");

        model.params.zeroGrad();
        PretrainingHead.Grads g = head.backward(1f);
        float[][] dInput = model.backward(pass, null, g.dHidden(), g.dExtract(), true);

        int checked = 0;
        double worst = 0;
        String worstName = "";
        for (Params.Tensor t : model.params.all()) {
            Path file = exp.resolve("grad").resolve(t.name + ".npy");
            assertTrue(Files.exists(file), "no reference gradient for " + t.name);
            double ratio = CtcGradientReferenceTest.ratioToTolerance(Npy.read(file).asFloats(), t.grad);
            assertTrue(ratio <= 1, t.name + ": " + ratio + "× the tolerance");
            if (ratio > worst) {
                worst = ratio;
                worstName = t.name;
            }
            checked++;
        }
        float[] expected = Npy.read(exp.resolve("grad_input/input_values.npy")).asFloats();
        float[] actual = new float[batch * width];
        for (int b = 0; b < batch; b++) System.arraycopy(dInput[b], 0, actual, b * width, width);
        double inputRatio = CtcGradientReferenceTest.ratioToTolerance(expected, actual);
        assertTrue(inputRatio <= 1, "d loss / d input_values: " + inputRatio + "× the tolerance");
        System.out.printf("base-group/%s: loss %.7f, %d gradients, worst %.3f of the tolerance (%s), input %.3f%n", run, r.loss(), checked,
                worst, worstName, inputRatio);
    }

    static void assertRelative(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-5 * Math.abs(expected), what);
    }

    static void assertClose(Path expectedFile, float[] actual, String what) {
        float[] e = Npy.read(expectedFile).asFloats();
        assertEquals(e.length, actual.length, what + ": element count");
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(actual[i] - e[i]) <= 1e-4 + 1e-4 * Math.abs(e[i]), what + "[" + i + "]: expected " + e[i] + ", got " + actual[i]);
        }
    }
}
