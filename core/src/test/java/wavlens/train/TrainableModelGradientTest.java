package wavlens.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import wavlens.model.Wav2Vec2Config;
import wavlens.tensor.Conv;

/**
 * The whole trainable model's backward pass against finite differences of its own float32
 * forward pass, on tiny random models: feature encoder (conv stack with its group or layer
 * norms, with and without conv bias), feature projection, time mask (masked_spec_embed),
 * positional conv with weight norm (even and odd kernel), post-LN and pre-LN ("stable") transformer
 * layers, CTC head, over a packed batch of two utterances of different lengths.
 *
 * <p>The loss is L = Σ r ∘ logits + Σ r₂ ∘ extract_features + Σ r₃ ∘ last_hidden_state, so
 * backward gets dLogits = r, dExtract = r₂ and dLast = r₃: both paths into the feature encoder and
 * the direct last-hidden-state gradient are exercised. For every tensor the element with the
 * largest |gradient| and 3 random ones are checked, and 5 input samples of each utterance
 * (wantInput); the samples no output depends on must have a gradient of exactly 0, and the two
 * tensors whose true gradient is structurally 0 (k_proj.bias, and the first conv's bias under
 * group norm) must have a vanishing one.
 *
 * <p>Tolerance. L is evaluated by the float32 model, so a central difference
 * (L(x + h) − L(x − h)) / 2h has a truncation error ~h²·L‴/6 and a rounding error ~u·S/h, where
 * u = 2^-24 and S = Σ|terms of L| (100–250 here: perturbing x re-rounds every output it reaches,
 * not only the perturbed path). No single step suits every element, so each derivative is
 * estimated with h = 0.04, 0.02, 0.01, 0.005, 0.0025 (× max(1, |x|); the step actually taken in
 * float is used) and by Richardson extrapolation of consecutive pairs ((4 D(h/2) − D(h)) / 3,
 * error O(h⁴)), and the estimate that agrees best is kept. Each estimate gets the tolerance
 * <pre>  |analytic − fd| ≤ 5e-3·|fd| + 5e-4·max|grad of the tensor| + 2·u·S/h</pre>
 * i.e. 0.5 % (float32 analytic gradients through two transformer layers and three normalisations
 * are good to ~1e-4 relative), an absolute floor for elements whose gradient is tiny next to the
 * tensor's largest, and twice the rounding bound of that very step (measured: the rounding error
 * of these differences stays below 1·u·S/h, so the small steps get no free pass). The worst
 * element observed is at ~0.04 of this tolerance, while a gradient wrong by 3 % already fails most
 * elements. (A single float32 step would need ~2e-2; several steps plus Richardson make the
 * estimate about two orders of magnitude better, which is why the bound can be this tight.)
 *
 * <p>The model is made well-conditioned first ({@link #condition}): HF's N(0, 0.02) init leaves
 * attention uniform and its gradients at the noise level, so linear weights are redrawn at
 * 1/√fan_in, norms and biases randomised; all activations are GELU (no kinks for FD to cross).
 */
class TrainableModelGradientTest {
    static final double RTOL = 5e-3, ATOL_OF_MAX = 5e-4, NOISE = 2;
    static final double U = 0x1p-24;
    static final double[] STEPS = {0.04, 0.02, 0.01, 0.005, 0.0025};
    static final int VOCAB = 6;
    /** -Dwavlens.fd.verbose=true prints every checked element and the worst ratio per model. */
    static final boolean VERBOSE = Boolean.getBoolean("wavlens.fd.verbose");

    @TempDir
    Path tmp;

    Wav2Vec2Config config(boolean group, boolean convBias, int posKernel) throws Exception {
        String json = """
                {"model_type": "wav2vec2", "architectures": ["Wav2Vec2ForCTC"],
                 "conv_dim": [8, 8, 8], "conv_kernel": [10, 3, 2], "conv_stride": [5, 2, 2], "conv_bias": %s,
                 "feat_extract_norm": "%s", "do_stable_layer_norm": %s,
                 "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 24,
                 "num_conv_pos_embeddings": %d, "num_conv_pos_embedding_groups": 2,
                 "feat_extract_activation": "gelu", "hidden_act": "gelu", "layer_norm_eps": 1e-5,
                 "vocab_size": %d, "pad_token_id": 0}
                """.formatted(convBias, group ? "group" : "layer", !group, posKernel, VOCAB);
        Path f = tmp.resolve("config.json");
        Files.writeString(f, json);
        Wav2Vec2Config cfg = Wav2Vec2Config.read(f);
        assertEquals(group, cfg.groupNormEncoder());
        assertEquals(!group, cfg.stableLayerNorm());
        return cfg;
    }

    /**
     * Redraws the tensors so every path carries an O(1) gradient: linear weights N(0, 1/fan_in)
     * (attention no longer uniform), LayerNorm weights 1 + N(0, 0.25²), all biases N(0, 0.2²),
     * weight-norm gains scaled by U[0.7, 1.3). Conv kernels (Kaiming), weight_v and
     * masked_spec_embed keep their initialisation.
     */
    static void condition(TrainableModel m, Random rng) {
        for (Params.Tensor t : m.params.all()) {
            float[] v = t.value;
            if (t.name.endsWith("layer_norm.weight")) {
                for (int i = 0; i < v.length; i++) v[i] = (float) (1 + 0.25 * rng.nextGaussian());
            } else if (t.name.endsWith(".bias")) {
                for (int i = 0; i < v.length; i++) v[i] = (float) (0.2 * rng.nextGaussian());
            } else if (t.name.endsWith("weight_g")) {
                for (int i = 0; i < v.length; i++) v[i] *= (float) (0.7 + 0.6 * rng.nextDouble());
            } else if (t.shape.length == 2) {
                double std = 1 / Math.sqrt(t.shape[1]);
                for (int i = 0; i < v.length; i++) v[i] = (float) (std * rng.nextGaussian());
            }
        }
    }

    static float[] randn(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    /** L = Σ r ∘ logits + Σ r₂ ∘ extract + Σ r₃ ∘ last_hidden_state by the float model, summed in double; [0] = L, [1] = S = Σ|terms|. */
    static double[] loss(TrainableModel m, float[][] audio, boolean[] mask, float[] r, float[] r2, float[] r3) {
        return loss(m, audio, mask, r, r2, r3, TrainableModel.Dropout.NONE);
    }

    static double[] loss(TrainableModel m, float[][] audio, boolean[] mask, float[] r, float[] r2, float[] r3, TrainableModel.Dropout dropout) {
        return loss(m, audio, mask, null, r, r2, r3, dropout);
    }

    static double[] loss(TrainableModel m, float[][] audio, boolean[] mask, boolean[][] channelMask, float[] r, float[] r2, float[] r3,
                         TrainableModel.Dropout dropout) {
        TrainableModel.Pass p = m.forward(audio, null, mask, channelMask, false, dropout);
        double l = 0, s = 0;
        for (int i = 0; i < r3.length; i++) {
            l += (double) r3[i] * p.last[i];
            s += Math.abs((double) r3[i] * p.last[i]);
        }
        for (int i = 0; i < r.length; i++) {
            l += (double) r[i] * p.logits[i];
            s += Math.abs((double) r[i] * p.logits[i]);
        }
        for (int i = 0; i < r2.length; i++) {
            l += (double) r2[i] * p.extract[i];
            s += Math.abs((double) r2[i] * p.extract[i]);
        }
        return new double[] {l, s};
    }

    /** Finite-difference estimates of dL/dx for the float x[i]: central differences and Richardson pairs, with their steps. */
    static List<double[]> estimates(float[] x, int i, DoubleSupplier lossFn) {
        float x0 = x[i];
        double scale = Math.max(1, Math.abs(x0));
        double[] central = new double[STEPS.length];
        double[] steps = new double[STEPS.length];
        for (int s = 0; s < STEPS.length; s++) {
            float xp = (float) (x0 + STEPS[s] * scale), xm = (float) (x0 - STEPS[s] * scale);
            x[i] = xp;
            double lp = lossFn.getAsDouble();
            x[i] = xm;
            double lm = lossFn.getAsDouble();
            x[i] = x0;
            central[s] = (lp - lm) / ((double) xp - xm);   // the step actually taken in float
            steps[s] = ((double) xp - xm) / 2;
        }
        List<double[]> out = new ArrayList<>();
        for (int s = 0; s < STEPS.length; s++) out.add(new double[] {central[s], steps[s]});
        for (int s = 0; s + 1 < STEPS.length; s++) {
            out.add(new double[] {(4 * central[s + 1] - central[s]) / 3, steps[s + 1]});
        }
        return out;
    }

    record Worst(String where, double ratio) {}

    @ParameterizedTest(name = "{0}-norm encoder, conv bias {1}, positional kernel {2}")
    @CsvSource({"group, false, 4", "group, true, 5", "layer, true, 4", "layer, false, 5"})
    void everyGradientMatchesFiniteDifferences(String norm, boolean convBias, int posKernel) throws Exception {
        boolean group = norm.equals("group");
        Wav2Vec2Config cfg = config(group, convBias, posKernel);
        Random rng = new Random(1234 + posKernel * 7 + (convBias ? 1 : 0) + (group ? 100 : 0));
        TrainableModel m = TrainableModel.initialize(cfg, rng).withNewCtcHead(VOCAB, rng);
        condition(m, rng);
        assertTrue(m.params.has(TrainableModel.BASE + "masked_spec_embed"));

        // 97 samples → 4 frames (shorter than the positional kernel), 217 → 10 frames; both end with
        // samples beyond the last window (their gradient must be exactly 0; with group norm, samples
        // that only feed layer 0's statistics do count)
        float[][] audio = {randn(rng, 97), randn(rng, 217)};
        int[] frames = {cfg.framesFor(97), cfg.framesFor(217)};
        assertArrayEquals(new int[] {4, 10}, frames);
        int rows = frames[0] + frames[1];
        boolean[] mask = new boolean[rows];
        mask[1] = true;                       // utterance 0, frame 1
        mask[frames[0] + 3] = mask[frames[0] + 4] = true;   // utterance 1, frames 3–4
        float[] r = randn(rng, rows * VOCAB), r2 = randn(rng, rows * cfg.convOutDim()), r3 = randn(rng, rows * cfg.hiddenSize());
        for (int i = 0; i < r3.length; i++) r3[i] *= 0.5f;

        m.params.zeroGrad();
        TrainableModel.Pass pass = m.forward(audio, mask, true, TrainableModel.Dropout.NONE);
        float[][] dInput = m.backward(pass, r, r3, r2, true);
        double[] l0 = loss(m, audio, mask, r, r2, r3);
        double s = l0[1];
        DoubleSupplier lossFn = () -> loss(m, audio, mask, r, r2, r3)[0];

        Worst worst = new Worst("", 0);
        int checked = 0;
        double largest = 0;
        for (Params.Tensor t : m.params.all()) for (float g : t.grad) largest = Math.max(largest, Math.abs(g));
        for (Params.Tensor t : m.params.all()) {
            assertTrue(t.trainable);
            double maxGrad = 0;
            int argmax = 0;
            for (int i = 0; i < t.size(); i++) {
                if (Math.abs(t.grad[i]) > maxGrad) {
                    maxGrad = Math.abs(t.grad[i]);
                    argmax = i;
                }
            }
            if (t.name.endsWith("attention.k_proj.bias") || (group && t.name.endsWith("conv_layers.0.conv.bias"))) {
                // k_proj.bias adds q·b_k to every score of a query's row, which softmax ignores; the
                // first conv's bias is a per-channel constant that its GroupNorm over time removes
                assertTrue(maxGrad <= 1e-6 * largest, t.name + ": gradient " + maxGrad + " should vanish");
            } else {
                assertTrue(maxGrad > 1e-3 * largest, t.name + ": gradient too small to test (" + maxGrad + ")");
            }
            for (int i : sample(t.size(), argmax, rng)) {
                worst = check(t.name + "[" + i + "]", t.grad[i], maxGrad, estimates(t.value, i, lossFn), s, worst);
                checked++;
            }
        }
        for (int b = 0; b < audio.length; b++) {
            int used = usedSamples(cfg, frames[b], audio[b].length);
            assertTrue(used < audio[b].length, "some samples are beyond the last window");
            double maxGrad = 0;
            int argmax = 0;
            for (int i = 0; i < audio[b].length; i++) {
                if (i >= used) assertEquals(0f, dInput[b][i], "sample " + i + " of utterance " + b + " is beyond the last window");
                if (Math.abs(dInput[b][i]) > maxGrad) {
                    maxGrad = Math.abs(dInput[b][i]);
                    argmax = i;
                }
            }
            int[] picked = IntStream.concat(Arrays.stream(sample(used, argmax, rng)),
                    IntStream.of(used - 1)).distinct().toArray();   // and the last sample that counts
            for (int i : picked) {
                worst = check("input " + b + "[" + i + "]", dInput[b][i], maxGrad, estimates(audio[b], i, lossFn), s, worst);
                checked++;
            }
        }
        if (VERBOSE) System.out.printf("%s, bias %s, K %d: %d gradient elements checked, worst %.3f of the tolerance at %s (S = %.1f)%n",
                norm, convBias, posKernel, checked, worst.ratio(), worst.where(), s);

        frozenFeatureEncoderGivesTheSameOtherGradients(m, audio, mask, r, r2, r3, dInput);
    }

    /**
     * Dropout everywhere (hidden, attention, activation, projection, before the head): with the
     * same seed every forward pass draws the same keep masks, so the loss is a smooth function of
     * the tensors and the backward pass (which reuses the masks) must match its finite differences.
     * Channel masks (HF mask_feature_prob) are on too, over a time-masked row as well: the channels
     * they zero pass no gradient, also not to masked_spec_embed.
     */
    @ParameterizedTest(name = "{0}-norm encoder with dropout")
    @CsvSource({"group", "layer"})
    void dropoutAndChannelMaskGradientsMatchFiniteDifferencesWithTheSameMasks(String norm) throws Exception {
        boolean group = norm.equals("group");
        Wav2Vec2Config cfg = config(group, true, 4);
        Random rng = new Random(77 + (group ? 1 : 0));
        TrainableModel m = TrainableModel.initialize(cfg, rng).withNewCtcHead(VOCAB, rng);
        condition(m, rng);
        float[][] audio = {randn(rng, 217), randn(rng, 297)};
        int rows = cfg.framesFor(217) + cfg.framesFor(297);
        boolean[] mask = new boolean[rows];
        mask[2] = true;
        float[] r = randn(rng, rows * VOCAB), r2 = randn(rng, rows * cfg.convOutDim()), r3 = randn(rng, rows * cfg.hiddenSize());
        boolean[][] channels = new boolean[2][cfg.hiddenSize()];
        channels[0][1] = channels[0][2] = channels[0][5] = true;
        channels[1][0] = true;
        java.util.function.Supplier<TrainableModel.Dropout> dropout = () -> new TrainableModel.Dropout(0.2f, 0.2f, 0.2f, 0.2f, 0.2f, new Random(5));

        m.params.zeroGrad();
        TrainableModel.Pass pass = m.forward(audio, null, mask, channels, true, dropout.get());
        float[][] dInput = m.backward(pass, r, r3, r2, true);
        double s = loss(m, audio, mask, channels, r, r2, r3, dropout.get())[1];
        DoubleSupplier lossFn = () -> loss(m, audio, mask, channels, r, r2, r3, dropout.get())[0];
        assertEquals(loss(m, audio, mask, channels, r, r2, r3, dropout.get())[0], loss(m, audio, mask, channels, r, r2, r3, dropout.get())[0],
                "the same seed draws the same masks");
        for (int t = 0; t < pass.frames[0]; t++) assertEquals(0f, pass.encIn[t * cfg.hiddenSize() + 5], "a masked channel is 0 in every frame");
        assertEquals(0f, m.params.get(TrainableModel.BASE + "masked_spec_embed").grad[1], "masked_spec_embed gets no gradient through a masked channel");
        assertNotEquals(0f, m.params.get(TrainableModel.BASE + "masked_spec_embed").grad[3], "but through the others");
        assertNotEquals(loss(m, audio, mask, channels, r, r2, r3, dropout.get())[0], loss(m, audio, mask, r, r2, r3)[0], "dropout changes the loss");

        Worst worst = new Worst("", 0);
        for (Params.Tensor t : m.params.all()) {
            double maxGrad = 0;
            int argmax = 0;
            for (int i = 0; i < t.size(); i++) {
                if (Math.abs(t.grad[i]) > maxGrad) {
                    maxGrad = Math.abs(t.grad[i]);
                    argmax = i;
                }
            }
            if (maxGrad == 0) continue;
            for (int i : sample(t.size(), argmax, rng)) worst = check(t.name + "[" + i + "]", t.grad[i], maxGrad, estimates(t.value, i, lossFn), s, worst);
        }
        double maxIn = 0;
        for (float g : dInput[1]) maxIn = Math.max(maxIn, Math.abs(g));
        worst = check("input 1[100]", dInput[1][100], maxIn, estimates(audio[1], 100, lossFn), s, worst);
        if (VERBOSE) System.out.printf("%s with dropout: worst %.3f of the tolerance at %s%n", norm, worst.ratio(), worst.where());
    }

    /** The largest-|grad| element and 3 other random ones (all when there are at most 4). */
    static int[] sample(int n, int argmax, Random rng) {
        if (n <= 4) return IntStream.range(0, n).toArray();
        LinkedHashSet<Integer> s = new LinkedHashSet<>();
        s.add(argmax);
        while (s.size() < 4) s.add(rng.nextInt(n));
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Samples the output depends on: n ← (n − 1)·s + k from the top conv layer down, except that
     * with group norm every output frame of layer 0 counts (the norm's statistics are over all of
     * them, also frames no later window reads).
     */
    static int usedSamples(Wav2Vec2Config cfg, int frames, int samples) {
        int n = frames;
        for (int i = cfg.convLayers() - 1; i >= 1; i--) n = (n - 1) * cfg.convStride()[i] + cfg.convKernel()[i];
        if (cfg.groupNormEncoder()) n = Conv.outputLength(samples, cfg.convKernel()[0], cfg.convStride()[0]);
        return (n - 1) * cfg.convStride()[0] + cfg.convKernel()[0];
    }

    static Worst check(String where, float analytic, double maxGrad, List<double[]> estimates, double s, Worst worst) {
        double bestRatio = Double.POSITIVE_INFINITY;
        double bestFd = Double.NaN;
        for (double[] e : estimates) {
            double fd = e[0], h = e[1];
            double tol = RTOL * Math.abs(fd) + ATOL_OF_MAX * maxGrad + NOISE * U * s / h;
            double ratio = Math.abs(analytic - fd) / tol;
            if (ratio < bestRatio) {
                bestRatio = ratio;
                bestFd = fd;
            }
        }
        if (VERBOSE) {
            System.out.printf("  %-70s analytic %12.5e  fd %12.5e  ratio %.3f%n", where, analytic, bestFd, bestRatio);
        }
        assertTrue(bestRatio <= 1, where + ": analytic " + analytic + ", finite differences " + bestFd
                + " (best of " + estimates.size() + " estimates; " + bestRatio + " of the tolerance)");
        return bestRatio > worst.ratio() ? new Worst(where, bestRatio) : worst;
    }

    /**
     * freezeFeatureEncoder(true): the conv stack's gradients stay exactly 0, every other
     * gradient and d input are bit-identical to the unfrozen pass, with or without d input.
     */
    static void frozenFeatureEncoderGivesTheSameOtherGradients(TrainableModel m, float[][] audio, boolean[] mask,
                                                               float[] r, float[] r2, float[] r3, float[][] dInput) {
        Map<String, float[]> unfrozen = new LinkedHashMap<>();
        m.params.zeroGrad();
        float[][] dIn = m.backward(m.forward(audio, mask, true, TrainableModel.Dropout.NONE), r, r3, r2, true);
        for (int b = 0; b < audio.length; b++) assertArrayEquals(dInput[b], dIn[b], "backward is deterministic");
        for (Params.Tensor t : m.params.all()) unfrozen.put(t.name, t.grad.clone());

        m.freezeFeatureEncoder(true);
        try {
            for (boolean wantInput : new boolean[] {true, false}) {
                m.params.zeroGrad();
                TrainableModel.Pass p = m.forward(audio, mask, wantInput, TrainableModel.Dropout.NONE);
                float[][] d = m.backward(p, r, r3, r2, wantInput);
                if (wantInput) {
                    for (int b = 0; b < audio.length; b++) assertArrayEquals(dIn[b], d[b], "frozen: d input of utterance " + b);
                } else {
                    assertNull(d);
                }
                int frozen = 0;
                for (Params.Tensor t : m.params.all()) {
                    if (t.name.startsWith(TrainableModel.BASE + "feature_extractor.")) {
                        assertFalse(t.trainable, t.name);
                        assertArrayEquals(new float[t.size()], t.grad, "frozen " + t.name + " has a gradient");
                        frozen++;
                    } else {
                        assertArrayEquals(unfrozen.get(t.name), t.grad, "frozen encoder changed the gradient of " + t.name + " (wantInput " + wantInput + ")");
                    }
                }
                assertEquals(m.cfg.convLayers() * (m.cfg.convBias() ? 2 : 1) + (m.cfg.groupNormEncoder() ? 2 : 2 * m.cfg.convLayers()), frozen);
            }
        } finally {
            m.freezeFeatureEncoder(false);
        }
    }
}
