package wavlens.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import wavlens.checkpoint.Weights;
import wavlens.io.UserError;
import wavlens.model.Wav2Vec2;
import wavlens.model.Wav2Vec2Config;
import wavlens.tensor.Backward;
import wavlens.tensor.Blas;
import wavlens.tensor.Conv;
import wavlens.tensor.Ops;

/**
 * wav2vec 2.0 for training: the forward pass of {@link Wav2Vec2} (HF transformers semantics) over
 * a batch, keeping what the backward pass needs, and the backward pass itself — written out layer
 * by layer as in llm.c, no autograd.
 *
 * <p>A batch is <i>packed</i>: utterance b's frames are rows rowOffset[b] … rowOffset[b] + frames[b] − 1
 * of every [rows × features] matrix, with no padding rows. Each utterance runs through the conv
 * stack at its own length, attends only to its own frames and is zero-padded on its own by the
 * positional convolution — what HF computes for the valid frames of a padded batch with an
 * attention mask (layer-norm models), without the padding's work. (For group-norm models HF
 * passes no mask, so padding there changes the numbers; wavlens simply never pads.)
 *
 * <p>Tensors live in {@link Params} under their HF state-dict names, with the base model under
 * "wav2vec2." whatever prefix the loaded checkpoint used.
 */
public final class TrainableModel {
    public static final String BASE = "wav2vec2.";

    public final Wav2Vec2Config cfg;
    public final Params params;
    private final String posG, posV;   // the weight-norm tensor names as the checkpoint spelled them

    TrainableModel(Wav2Vec2Config cfg, Params params, String posG, String posV) {
        this.cfg = cfg;
        this.params = params;
        this.posG = posG;
        this.posV = posV;
    }

    // =================================================================== tensor names

    static String conv(int i, String what) {
        return BASE + "feature_extractor.conv_layers." + i + "." + what;
    }

    static String layer(int l, String what) {
        return BASE + "encoder.layers." + l + "." + what;
    }

    private float[] v(String name) {
        return params.get(name).value;
    }

    /** The gradient array of a tensor, or null when it is frozen (its gradient is not wanted). */
    private float[] g(String name) {
        Params.Tensor t = params.get(name);
        return t.trainable ? t.grad : null;
    }

    private boolean hasNorm(int i) {
        return !cfg.groupNormEncoder() || i == 0;
    }

    public boolean hasCtcHead() {
        return params.has("lm_head.weight");
    }

    public int vocabSize() {
        return hasCtcHead() ? params.get("lm_head.weight").shape[0] : 0;
    }

    // =================================================================== loading and initialising

    /**
     * Loads a HuggingFace checkpoint folder (any layout {@link Weights#open} reads) into heap
     * tensors, checking every shape against config.json. Tensors of the pretraining head
     * (quantizer, project_hid, project_q) and the CTC head are taken when present.
     */
    public static TrainableModel load(Path dir) {
        if (!Files.isDirectory(dir)) throw UserError.inFile(dir, "not a directory (expected a HuggingFace model folder with config.json)");
        Path configFile = dir.resolve("config.json");
        if (!Files.exists(configFile)) throw UserError.inFile(dir, "no config.json in this folder");
        Wav2Vec2Config cfg = Wav2Vec2Config.read(configFile);
        if (!cfg.modelType().equals("wav2vec2")) {
            // wavlens.train writes out wav2vec2's backward pass; the other families run in every other command
            throw UserError.inFile(configFile, "finetune and pretrain support model_type \"wav2vec2\"; \"" + cfg.modelType() + "\" is not supported");
        }
        try (Weights weights = Weights.open(dir)) {
            String prefix = Wav2Vec2.detectPrefix(weights, cfg);
            Wav2Vec2.Checker w = new Wav2Vec2.Checker(weights, prefix);
            Wav2Vec2.Checker top = new Wav2Vec2.Checker(weights, "");
            Params p = new Params();
            int c = cfg.convOutDim(), h = cfg.hiddenSize(), ff = cfg.intermediateSize(), k = cfg.posConvKernel();
            int in = 1;
            for (int i = 0; i < cfg.convLayers(); i++) {
                int out = cfg.convDim()[i], kernel = cfg.convKernel()[i];
                String s = "feature_extractor.conv_layers." + i + ".";
                p.add(BASE + s + "conv.weight", w.floats(s + "conv.weight", out, in, kernel), out, in, kernel);
                if (cfg.convBias()) p.add(BASE + s + "conv.bias", w.floats(s + "conv.bias", out), out);
                if (!cfg.groupNormEncoder() || i == 0) {
                    p.add(BASE + s + "layer_norm.weight", w.floats(s + "layer_norm.weight", out), out).decay = false;
                    p.add(BASE + s + "layer_norm.bias", w.floats(s + "layer_norm.bias", out), out);
                }
                in = out;
            }
            p.add(BASE + "feature_projection.layer_norm.weight", w.floats("feature_projection.layer_norm.weight", c), c);
            p.add(BASE + "feature_projection.layer_norm.bias", w.floats("feature_projection.layer_norm.bias", c), c);
            p.add(BASE + "feature_projection.projection.weight", w.floats("feature_projection.projection.weight", h, c), h, c);
            p.add(BASE + "feature_projection.projection.bias", w.floats("feature_projection.projection.bias", h), h);
            String pc = "encoder.pos_conv_embed.conv.";
            String gName, vName;
            if (w.has(pc + "weight_g")) {
                gName = pc + "weight_g";
                vName = pc + "weight_v";
            } else if (w.has(pc + "parametrizations.weight.original0")) {
                gName = pc + "parametrizations.weight.original0";
                vName = pc + "parametrizations.weight.original1";
            } else {
                throw w.missing(pc + "weight_g (or parametrizations.weight.original0)");
            }
            p.add(BASE + gName, w.floats(gName, 1, 1, k), 1, 1, k).decay = false;
            p.add(BASE + vName, w.floats(vName, h, h / cfg.posConvGroups(), k), h, h / cfg.posConvGroups(), k);
            p.add(BASE + pc + "bias", w.floats(pc + "bias", h), h);
            p.add(BASE + "encoder.layer_norm.weight", w.floats("encoder.layer_norm.weight", h), h);
            p.add(BASE + "encoder.layer_norm.bias", w.floats("encoder.layer_norm.bias", h), h);
            for (int l = 0; l < cfg.numLayers(); l++) {
                String s = "encoder.layers." + l + ".";
                for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                    p.add(BASE + s + "attention." + proj + ".weight", w.floats(s + "attention." + proj + ".weight", h, h), h, h);
                    p.add(BASE + s + "attention." + proj + ".bias", w.floats(s + "attention." + proj + ".bias", h), h);
                }
                p.add(BASE + s + "layer_norm.weight", w.floats(s + "layer_norm.weight", h), h);
                p.add(BASE + s + "layer_norm.bias", w.floats(s + "layer_norm.bias", h), h);
                p.add(BASE + s + "feed_forward.intermediate_dense.weight", w.floats(s + "feed_forward.intermediate_dense.weight", ff, h), ff, h);
                p.add(BASE + s + "feed_forward.intermediate_dense.bias", w.floats(s + "feed_forward.intermediate_dense.bias", ff), ff);
                p.add(BASE + s + "feed_forward.output_dense.weight", w.floats(s + "feed_forward.output_dense.weight", h, ff), h, ff);
                p.add(BASE + s + "feed_forward.output_dense.bias", w.floats(s + "feed_forward.output_dense.bias", h), h);
                p.add(BASE + s + "final_layer_norm.weight", w.floats(s + "final_layer_norm.weight", h), h);
                p.add(BASE + s + "final_layer_norm.bias", w.floats(s + "final_layer_norm.bias", h), h);
            }
            if (w.has("masked_spec_embed")) p.add(BASE + "masked_spec_embed", w.floats("masked_spec_embed", h), h);
            if (weights.has("lm_head.weight")) {
                int vocab = (int) weights.info("lm_head.weight").shape()[0];
                p.add("lm_head.weight", top.floats("lm_head.weight", vocab, h), vocab, h);
                p.add("lm_head.bias", top.floats("lm_head.bias", vocab), vocab);
            }
            int gv = cfg.numCodevectorGroups() * cfg.numCodevectorsPerGroup();
            if (weights.has("quantizer.codevectors")) {
                int d = cfg.codevectorDim(), pj = cfg.projCodevectorDim();
                p.add("quantizer.codevectors", top.floats("quantizer.codevectors", 1, gv, d / cfg.numCodevectorGroups()),
                        1, gv, d / cfg.numCodevectorGroups()).decay = false;
                p.add("quantizer.weight_proj.weight", top.floats("quantizer.weight_proj.weight", gv, c), gv, c);
                p.add("quantizer.weight_proj.bias", top.floats("quantizer.weight_proj.bias", gv), gv);
                p.add("project_hid.weight", top.floats("project_hid.weight", pj, h), pj, h);
                p.add("project_hid.bias", top.floats("project_hid.bias", pj), pj);
                p.add("project_q.weight", top.floats("project_q.weight", pj, d), pj, d);
                p.add("project_q.bias", top.floats("project_q.bias", pj), pj);
            }
            for (Params.Tensor t : p.all()) if (t.name.contains("layer_norm") || t.name.endsWith("masked_spec_embed")) t.decay = false;
            return new TrainableModel(cfg, p, BASE + gName, BASE + vName);
        }
    }

    /**
     * A randomly initialised model of the given shape, as HF's Wav2Vec2PreTrainedModel._init_weights
     * draws it: feature-encoder convs Kaiming-normal (fan-in), the projection uniform(±1/√in),
     * the positional conv N(0, 2/√(K·H)) with weight-norm gains equal to the initial norms,
     * other linear layers N(0, initializer_range = 0.02) with zero biases, norms at 1 and 0,
     * masked_spec_embed uniform[0, 1).
     */
    public static TrainableModel initialize(Wav2Vec2Config cfg, Random rng) {
        Params p = new Params();
        int c = cfg.convOutDim(), h = cfg.hiddenSize(), ff = cfg.intermediateSize(), k = cfg.posConvKernel();
        int in = 1;
        for (int i = 0; i < cfg.convLayers(); i++) {
            int out = cfg.convDim()[i], kernel = cfg.convKernel()[i];
            p.add(conv(i, "conv.weight"), normal(rng, out * in * kernel, Math.sqrt(2.0 / (in * kernel))), out, in, kernel);
            if (cfg.convBias()) p.add(conv(i, "conv.bias"), uniform(rng, out, 1.0 / Math.sqrt(in * kernel)), out);
            if (!cfg.groupNormEncoder() || i == 0) {
                p.add(conv(i, "layer_norm.weight"), filled(out, 1f), out);
                p.add(conv(i, "layer_norm.bias"), new float[out], out);
            }
            in = out;
        }
        p.add(BASE + "feature_projection.layer_norm.weight", filled(c, 1f), c);
        p.add(BASE + "feature_projection.layer_norm.bias", new float[c], c);
        p.add(BASE + "feature_projection.projection.weight", uniform(rng, h * c, 1.0 / Math.sqrt(c)), h, c);
        p.add(BASE + "feature_projection.projection.bias", uniform(rng, h, 1.0 / Math.sqrt(c)), h);
        int per = h / cfg.posConvGroups();
        float[] vPos = normal(rng, h * per * k, 2.0 / Math.sqrt(k * h));
        float[] gPos = new float[k];
        for (int tap = 0; tap < k; tap++) {
            double s = 0;
            for (int i = tap; i < vPos.length; i += k) s += (double) vPos[i] * vPos[i];
            gPos[tap] = (float) Math.sqrt(s);
        }
        String pc = BASE + "encoder.pos_conv_embed.conv.";
        p.add(pc + "weight_g", gPos, 1, 1, k);
        p.add(pc + "weight_v", vPos, h, per, k);
        p.add(pc + "bias", new float[h], h);
        p.add(BASE + "encoder.layer_norm.weight", filled(h, 1f), h);
        p.add(BASE + "encoder.layer_norm.bias", new float[h], h);
        double std = 0.02;
        for (int l = 0; l < cfg.numLayers(); l++) {
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                p.add(layer(l, "attention." + proj + ".weight"), normal(rng, h * h, std), h, h);
                p.add(layer(l, "attention." + proj + ".bias"), new float[h], h);
            }
            p.add(layer(l, "layer_norm.weight"), filled(h, 1f), h);
            p.add(layer(l, "layer_norm.bias"), new float[h], h);
            p.add(layer(l, "feed_forward.intermediate_dense.weight"), normal(rng, ff * h, std), ff, h);
            p.add(layer(l, "feed_forward.intermediate_dense.bias"), new float[ff], ff);
            p.add(layer(l, "feed_forward.output_dense.weight"), normal(rng, h * ff, std), h, ff);
            p.add(layer(l, "feed_forward.output_dense.bias"), new float[h], h);
            p.add(layer(l, "final_layer_norm.weight"), filled(h, 1f), h);
            p.add(layer(l, "final_layer_norm.bias"), new float[h], h);
        }
        float[] mse = new float[h];
        for (int i = 0; i < h; i++) mse[i] = rng.nextFloat();
        p.add(BASE + "masked_spec_embed", mse, h);
        for (Params.Tensor t : p.all()) {
            if (t.name.contains("layer_norm") || t.name.endsWith("masked_spec_embed") || t.name.endsWith("weight_g")) t.decay = false;
        }
        return new TrainableModel(cfg, p, pc + "weight_g", pc + "weight_v");
    }

    /** Adds a CTC head (lm_head) of `vocab` outputs, N(0, 0.02) weights and zero bias, replacing any present one. */
    public TrainableModel withNewCtcHead(int vocab, Random rng) {
        Params p = new Params();
        for (Params.Tensor t : params.all()) {
            if (t.name.startsWith("lm_head.")) continue;
            Params.Tensor n = p.add(t.name, t.value, t.shape);
            n.decay = t.decay;
            n.trainable = t.trainable;
        }
        int h = cfg.hiddenSize();
        p.add("lm_head.weight", normal(rng, vocab * h, 0.02), vocab, h);
        p.add("lm_head.bias", new float[vocab], vocab);
        return new TrainableModel(cfg, p, posG, posV);
    }

    /** Drops the tensors whose names start with one of the prefixes (e.g. the pretraining head before fine-tuning). */
    public TrainableModel without(String... prefixes) {
        Params p = new Params();
        outer:
        for (Params.Tensor t : params.all()) {
            for (String pre : prefixes) if (t.name.startsWith(pre)) continue outer;
            Params.Tensor n = p.add(t.name, t.value, t.shape);
            n.decay = t.decay;
            n.trainable = t.trainable;
        }
        return new TrainableModel(cfg, p, posG, posV);
    }

    /** The same tensors under a different config (e.g. vocab_size or dropout changed for fine-tuning). */
    public TrainableModel withConfig(Wav2Vec2Config newCfg) {
        return new TrainableModel(newCfg, params, posG, posV);
    }

    /** Freezes (or unfreezes) the feature encoder (the conv stack; not the feature projection), as HF's freeze_feature_encoder. */
    public void freezeFeatureEncoder(boolean frozen) {
        params.setTrainable(BASE + "feature_extractor.", !frozen);
    }

    public boolean featureEncoderFrozen() {
        return !params.get(conv(0, "conv.weight")).trainable;
    }

    private static float[] normal(Random rng, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextGaussian() * std);
        return a;
    }

    private static float[] uniform(Random rng, int n, double bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        return a;
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        Arrays.fill(a, value);
        return a;
    }

    // =================================================================== the batch and its activations

    /**
     * Which dropouts to apply (0 = off), with HF's config names: hidden_dropout (after attention,
     * after the feed-forward, on the transformer input), attention_dropout (on the softmax weights),
     * activation_dropout (inside the feed-forward), feat_proj_dropout (after the feature projection),
     * final_dropout (before the CTC head). {@link #NONE} gives exact, deterministic passes.
     */
    public record Dropout(float hidden, float attention, float activation, float featureProjection, float fin, Random rng) {
        public static final Dropout NONE = new Dropout(0, 0, 0, 0, 0, null);

        /** The rates of a config.json (training fields), drawing from rng. */
        public static Dropout of(com.fasterxml.jackson.databind.JsonNode config, Random rng) {
            return new Dropout((float) config.path("hidden_dropout").asDouble(0.1), (float) config.path("attention_dropout").asDouble(0.1),
                    (float) config.path("activation_dropout").asDouble(0.1), (float) config.path("feat_proj_dropout").asDouble(0.0),
                    (float) config.path("final_dropout").asDouble(0.1), rng);
        }
    }

    /**
     * Inverted dropout in place: each element is kept with probability 1 − rate and scaled by
     * 1 / (1 − rate). Returns the keep mask (1 = kept) for the backward pass, or null when rate is 0.
     */
    static byte[] dropout(float[] x, float rate, Random rng) {
        if (rate <= 0) return null;
        byte[] keep = new byte[x.length];
        float scale = 1f / (1f - rate);
        for (int i = 0; i < x.length; i++) {
            if (rng.nextFloat() >= rate) {
                keep[i] = 1;
                x[i] *= scale;
            } else {
                x[i] = 0;
            }
        }
        return keep;
    }

    /** The backward of {@link #dropout}: dy ← dy · keep / (1 − rate), in place. */
    static void dropoutBackward(float[] dy, byte[] keep, float rate) {
        if (keep == null) return;
        float scale = 1f / (1f - rate);
        for (int i = 0; i < dy.length; i++) dy[i] = keep[i] != 0 ? dy[i] * scale : 0f;
    }

    /** One transformer layer's saved activations (all [rows × H] unless noted). */
    static final class LayerActs {
        float[] in;                      // the layer's input (residual stream)
        float[] attnIn;                  // what attention reads: post-LN = in, pre-LN = LayerNorm₁(in)
        float[] q, k, v;                 // projections; q already scaled by 1/√d
        float[][] probs;                 // [b] softmax weights, heads × frames_b × frames_b
        float[] context;                 // heads side by side, before out_proj
        float[] r1;                      // in + attention output (post-LN: before LayerNorm₁)
        float[] ffIn;                    // feed-forward input: post-LN LayerNorm₁(r1), pre-LN LayerNorm₂(r1)
        float[] up;                      // intermediate_dense output [rows × I], before the activation
        float[] act;                     // after the activation (and dropout) [rows × I]
        float[] r2;                      // ffIn + ff (post-LN, before LayerNorm₂) or r1 + ff (pre-LN, = out)
        float[] out;
        byte[] dropAttnOut, dropFfOut, dropAct;   // dropout keep masks (null when off)
        byte[][] dropProbs;              // [b] keep masks of the softmax weights
    }

    /** A forward pass over a packed batch, with what backward needs. */
    public final class Pass {
        public final int utterances, rows;
        public final int[] samples, frames, rowOffset;
        final float[][] audio;
        final float[][][] convPre;       // [b][i] conv output before its norm
        final float[][][] convOut;       // [b][i] after norm and activation (input of layer i + 1)
        public final float[] features;   // last conv layer, packed [rows × C]
        public final float[] extract;    // LayerNorm(features): HF extract_features, the quantizer's input
        final boolean[] masked;          // rows replaced by masked_spec_embed
        boolean[][] channelMasked;       // [b][H] channels set to 0 in all of utterance b's rows, or null
        byte[] dropProj, dropInput, dropFinal;   // dropout keep masks: projection, transformer input, before the CTC head
        float[] headIn;                  // the CTC head's input: last_hidden_state after final dropout
        float[] encIn;                   // transformer input before the positional conv [rows × H]
        float[] posPre;                  // positional conv before its GELU
        float[] encSum;                  // encIn + GELU(posPre)
        final LayerActs[] layers;
        float[] finalIn;                 // pre-LN: input of the final encoder LayerNorm
        public float[] hidden0;          // HF hidden_states[0]
        public float[] last;             // last_hidden_state [rows × H]
        public float[] logits;           // CTC head [rows × vocab], or null
        final boolean keepConv;
        final Dropout dropout;

        Pass(float[][] audio, boolean keepConv, Dropout dropout) {
            this.audio = audio;
            this.utterances = audio.length;
            this.keepConv = keepConv;
            this.dropout = dropout;
            samples = new int[utterances];
            frames = new int[utterances];
            rowOffset = new int[utterances];
            int r = 0;
            for (int b = 0; b < utterances; b++) {
                samples[b] = audio[b].length;
                frames[b] = cfg.framesFor(samples[b]);
                if (frames[b] < 1) {
                    throw new UserError("utterance " + b + " of the batch has " + samples[b] + " samples; the model needs at least "
                            + cfg.receptiveFieldSamples());
                }
                rowOffset[b] = r;
                r += frames[b];
            }
            rows = r;
            convPre = new float[utterances][][];
            convOut = new float[utterances][][];
            features = new float[rows * cfg.convOutDim()];
            extract = new float[rows * cfg.convOutDim()];
            masked = new boolean[rows];
            layers = new LayerActs[cfg.numLayers()];
        }

        /** Frame t of utterance b as a packed row. */
        public int row(int b, int t) {
            return rowOffset[b] + t;
        }
    }

    // =================================================================== forward

    /**
     * Forward pass. audio[b]: utterance b's normalised samples (HF input_values). mask: rows to
     * replace by masked_spec_embed (SpecAugment time masking / the pretraining mask), or null.
     * The conv activations are kept only when the feature encoder trains or keepConv asks for
     * them (for d loss / d input).
     */
    public Pass forward(float[][] audio, boolean[] mask, boolean keepConv, Dropout dropout) {
        return forward(audio, null, mask, keepConv, dropout);
    }

    /**
     * The same, with the conv features of some utterances already known: featureCache[b], when
     * not null, is utterance b's last conv layer output [frames × C] and its conv stack is skipped
     * (only while the feature encoder is frozen: its output then never changes).
     */
    public Pass forward(float[][] audio, float[][] featureCache, boolean[] mask, boolean keepConv, Dropout dropout) {
        return forward(audio, featureCache, mask, null, keepConv, dropout);
    }

    /**
     * As above, and channelMask[b] (H entries, or null) names transformer-input channels set to 0
     * in every frame of utterance b after the time mask: HF's mask_feature_prob, the channel
     * masking wav2vec 2.0 fine-tunes with (its modified SpecAugment: masks over time and channels).
     */
    public Pass forward(float[][] audio, float[][] featureCache, boolean[] mask, boolean[][] channelMask, boolean keepConv, Dropout dropout) {
        boolean needConv = keepConv || !featureEncoderFrozen();
        if (featureCache != null && needConv) throw new IllegalStateException("conv features can be cached only while the feature encoder is frozen");
        Pass p = new Pass(audio, needConv, dropout);
        int c = cfg.convOutDim(), h = cfg.hiddenSize();
        float[][] convT = convWeightsTapMajor();
        for (int b = 0; b < p.utterances; b++) {
            if (featureCache != null && featureCache[b] != null) {
                System.arraycopy(featureCache[b], 0, p.features, p.rowOffset[b] * c, p.frames[b] * c);
                continue;
            }
            float[] x = audio[b];
            int time = x.length;
            if (needConv) {
                p.convPre[b] = new float[cfg.convLayers()][];
                p.convOut[b] = new float[cfg.convLayers()][];
            }
            for (int i = 0; i < cfg.convLayers(); i++) {
                int in = i == 0 ? 1 : cfg.convDim()[i - 1], out = cfg.convDim()[i], k = cfg.convKernel()[i], s = cfg.convStride()[i];
                float[] bias = cfg.convBias() ? v(conv(i, "conv.bias")) : null;
                float[] y = Conv.conv1d(x, time, in, convT[i], bias, out, k, s);
                time = Conv.outputLength(time, k, s);
                float[] a = needConv ? y.clone() : y;
                normAndActivate(i, a, time);
                if (needConv) {
                    p.convPre[b][i] = y;
                    p.convOut[b][i] = a;
                }
                x = a;
            }
            System.arraycopy(x, 0, p.features, p.rowOffset[b] * c, p.frames[b] * c);
        }

        // Feature projection (§2 of the paper: z → the transformer's width)
        Ops.layerNorm(p.features, p.extract, p.rows, c, v(BASE + "feature_projection.layer_norm.weight"),
                v(BASE + "feature_projection.layer_norm.bias"), cfg.layerNormEps());
        float[] x = linear(p.extract, p.rows, c, BASE + "feature_projection.projection", h);
        p.dropProj = dropout(x, dropout.featureProjection(), dropout.rng());
        if (mask != null) {
            float[] embed = v(BASE + "masked_spec_embed");
            for (int r = 0; r < p.rows; r++) {
                if (!mask[r]) continue;
                p.masked[r] = true;
                System.arraycopy(embed, 0, x, r * h, h);
            }
        }
        if (channelMask != null) {
            p.channelMasked = channelMask;
            for (int b = 0; b < p.utterances; b++) {
                if (channelMask[b] == null) continue;
                for (int r = p.rowOffset[b]; r < p.rowOffset[b] + p.frames[b]; r++) {
                    for (int j = 0; j < h; j++) if (channelMask[b][j]) x[r * h + j] = 0f;
                }
            }
        }
        p.encIn = x;

        // Positional convolution: x + GELU(conv(x))
        p.posPre = Conv.groupedSameConv(x, p.rowOffset, p.frames, h, cfg.posConvGroups(), positionalWeightTapMajor(),
                v(BASE + "encoder.pos_conv_embed.conv.bias"), cfg.posConvKernel());
        float[] pos = p.posPre.clone();
        Ops.gelu(pos, p.rows, h);
        p.encSum = x.clone();
        Ops.addInPlace(p.encSum, pos, p.rows * h);

        float eps = cfg.layerNormEps();
        float[] lnW = v(BASE + "encoder.layer_norm.weight"), lnB = v(BASE + "encoder.layer_norm.bias");
        if (!cfg.stableLayerNorm()) {
            x = new float[p.rows * h];
            Ops.layerNorm(p.encSum, x, p.rows, h, lnW, lnB, eps);
            p.hidden0 = x;
            if (dropout.hidden() > 0) {
                x = x.clone();
                p.dropInput = dropout(x, dropout.hidden(), dropout.rng());
            }
            for (int l = 0; l < cfg.numLayers(); l++) {
                LayerActs a = new LayerActs();
                p.layers[l] = a;
                a.in = x;
                a.attnIn = x;
                float[] att = attention(p, l, a);
                a.dropAttnOut = dropout(att, dropout.hidden(), dropout.rng());
                a.r1 = add(att, x);
                a.ffIn = new float[p.rows * h];
                Ops.layerNorm(a.r1, a.ffIn, p.rows, h, v(layer(l, "layer_norm.weight")), v(layer(l, "layer_norm.bias")), eps);
                float[] f = feedForward(p, l, a);
                a.r2 = add(f, a.ffIn);
                a.out = new float[p.rows * h];
                Ops.layerNorm(a.r2, a.out, p.rows, h, v(layer(l, "final_layer_norm.weight")), v(layer(l, "final_layer_norm.bias")), eps);
                x = a.out;
            }
            p.last = x;
        } else {
            x = p.encSum;
            p.hidden0 = x;
            if (dropout.hidden() > 0) {
                x = x.clone();
                p.dropInput = dropout(x, dropout.hidden(), dropout.rng());
            }
            for (int l = 0; l < cfg.numLayers(); l++) {
                LayerActs a = new LayerActs();
                p.layers[l] = a;
                a.in = x;
                a.attnIn = new float[p.rows * h];
                Ops.layerNorm(x, a.attnIn, p.rows, h, v(layer(l, "layer_norm.weight")), v(layer(l, "layer_norm.bias")), eps);
                float[] att = attention(p, l, a);
                a.dropAttnOut = dropout(att, dropout.hidden(), dropout.rng());
                a.r1 = add(att, x);
                a.ffIn = new float[p.rows * h];
                Ops.layerNorm(a.r1, a.ffIn, p.rows, h, v(layer(l, "final_layer_norm.weight")), v(layer(l, "final_layer_norm.bias")), eps);
                float[] f = feedForward(p, l, a);
                a.r2 = add(f, a.r1);
                a.out = a.r2;
                x = a.out;
            }
            p.finalIn = x;
            p.last = new float[p.rows * h];
            Ops.layerNorm(x, p.last, p.rows, h, lnW, lnB, eps);
        }
        if (hasCtcHead()) {
            p.headIn = p.last;
            if (dropout.fin() > 0) {
                p.headIn = p.last.clone();
                p.dropFinal = dropout(p.headIn, dropout.fin(), dropout.rng());
            }
            p.logits = linear(p.headIn, p.rows, h, "lm_head", vocabSize());
        }
        return p;
    }

    private static float[] add(float[] a, float[] b) {
        float[] r = a.clone();
        Ops.addInPlace(r, b, r.length);
        return r;
    }

    /** y = x Wᵀ + b for the nn.Linear named `name` (name.weight [out × in], name.bias [out]). */
    private float[] linear(float[] x, int rows, int in, String name, int out) {
        float[] y = new float[rows * out];
        Blas.sgemm(false, true, rows, out, in, 1f, x, 0, in, v(name + ".weight"), 0, in, 0f, y, 0, out);
        Ops.addBias(y, rows, out, v(name + ".bias"));
        return y;
    }

    /** Conv layer i's norm (if any) and activation, in place on its output y (time × channels). */
    private void normAndActivate(int i, float[] y, int time) {
        int out = cfg.convDim()[i];
        if (hasNorm(i)) {
            float[] w = v(conv(i, "layer_norm.weight")), b = v(conv(i, "layer_norm.bias"));
            if (cfg.groupNormEncoder()) Ops.channelNormOverTime(y, time, out, w, b, 1e-5f);
            else Ops.layerNorm(y, y, time, out, w, b, 1e-5f);   // nn.LayerNorm's default eps
        }
        activate(y, time, out);
    }

    private void activate(float[] y, int rows, int cols) {
        if (cfg.featExtractActivation().equals("relu")) Ops.reluInPlace(y, 0, rows * cols);
        else Ops.gelu(y, rows, cols);
    }

    /** Multi-head self-attention within each utterance; keeps q, k, v, the softmax weights and the context. */
    private float[] attention(Pass p, int l, LayerActs a) {
        int h = cfg.hiddenSize(), d = cfg.headDim(), heads = cfg.numHeads();
        float[] x = a.attnIn;
        a.q = linear(x, p.rows, h, layer(l, "attention.q_proj"), h);
        a.k = linear(x, p.rows, h, layer(l, "attention.k_proj"), h);
        a.v = linear(x, p.rows, h, layer(l, "attention.v_proj"), h);
        float scale = (float) (1.0 / Math.sqrt(d));
        for (int i = 0; i < a.q.length; i++) a.q[i] *= scale;   // HF scales after the bias
        a.context = new float[p.rows * h];
        a.probs = new float[p.utterances][];
        float rate = p.dropout.attention();
        if (rate > 0) a.dropProbs = new byte[p.utterances][];
        for (int b = 0; b < p.utterances; b++) {
            int t = p.frames[b], o = p.rowOffset[b] * h;
            float[] probs = new float[heads * t * t];
            a.probs[b] = probs;
            for (int head = 0; head < heads; head++) {
                int po = head * t * t;
                Blas.sgemm(false, true, t, t, d, 1f, a.q, o + head * d, h, a.k, o + head * d, h, 0f, probs, po, t);
                Ops.forRows(t, t, r -> Ops.softmaxRow(probs, po + r * t, t));
            }
            // probs keeps the softmax weights for the backward pass; the product uses them after dropout
            float[] used = probs;
            if (rate > 0) {
                used = probs.clone();
                a.dropProbs[b] = dropout(used, rate, p.dropout.rng());
            }
            for (int head = 0; head < heads; head++) {
                int po = head * t * t, off = head * d;
                Blas.sgemm(false, false, t, d, t, 1f, used, po, t, a.v, o + off, h, 0f, a.context, o + off, h);
            }
        }
        return linear(a.context, p.rows, h, layer(l, "attention.out_proj"), h);
    }

    private float[] feedForward(Pass p, int l, LayerActs a) {
        int h = cfg.hiddenSize(), ff = cfg.intermediateSize();
        a.up = linear(a.ffIn, p.rows, h, layer(l, "feed_forward.intermediate_dense"), ff);
        a.act = a.up.clone();
        activate(a.act, p.rows, ff);
        a.dropAct = dropout(a.act, p.dropout.activation(), p.dropout.rng());
        float[] y = linear(a.act, p.rows, ff, layer(l, "feed_forward.output_dense"), h);
        a.dropFfOut = dropout(y, p.dropout.hidden(), p.dropout.rng());
        return y;
    }

    /** The conv kernels reordered to [out][k][in] (the layout {@link Conv#conv1d} reads). */
    private float[][] convWeightsTapMajor() {
        float[][] r = new float[cfg.convLayers()][];
        int in = 1;
        for (int i = 0; i < r.length; i++) {
            r[i] = Conv.kernelTapMajor(v(conv(i, "conv.weight")), cfg.convDim()[i], in, cfg.convKernel()[i]);
            in = cfg.convDim()[i];
        }
        return r;
    }

    /** Weight norm over dim 2 (one norm per tap): W[:, :, k] = g[k] v[:, :, k] / ‖v[:, :, k]‖, reordered tap-major. */
    private float[] positionalWeightTapMajor() {
        int h = cfg.hiddenSize(), per = h / cfg.posConvGroups(), k = cfg.posConvKernel();
        float[] gv = v(posG), vv = v(posV);
        float[] w = new float[vv.length];
        for (int tap = 0; tap < k; tap++) {
            double norm = 0;
            for (int i = tap; i < vv.length; i += k) norm += (double) vv[i] * vv[i];
            float s = (float) (gv[tap] / Math.sqrt(norm));
            for (int i = tap; i < vv.length; i += k) w[i] = vv[i] * s;
        }
        return Conv.kernelTapMajor(w, h, per, k);
    }

    // =================================================================== backward

    /**
     * Backward pass: given d loss / d last_hidden_state (or d loss / d logits through the CTC
     * head) and optionally d loss / d extract_features (the pretraining quantizer reads them),
     * accumulates every trainable tensor's gradient. Returns d loss / d input_values per
     * utterance when wantInput (the forward must have kept the conv activations), else null.
     */
    public float[][] backward(Pass p, float[] dLogits, float[] dLast, float[] dExtract, boolean wantInput) {
        return backward(p, dLogits, dLast, dExtract, null, 1f, wantInput);
    }

    /**
     * The same, with a gradient arriving directly at the conv features (the pretraining feature
     * penalty) and the feature encoder's gradient scaled by featureGradScale (fairseq's
     * feature_grad_mult; 1 = the plain gradient, as HF).
     */
    public float[][] backward(Pass p, float[] dLogits, float[] dLast, float[] dExtract, float[] dFeaturesExtra, float featureGradScale,
                              boolean wantInput) {
        int h = cfg.hiddenSize(), c = cfg.convOutDim();
        float eps = cfg.layerNormEps();
        float[] dx = dLast == null ? new float[p.rows * h] : dLast.clone();
        if (dLogits != null) {
            float[] dHead = new float[p.rows * h];
            Backward.linear(dLogits, p.headIn, p.rows, h, v("lm_head.weight"), vocabSize(), g("lm_head.weight"), g("lm_head.bias"), dHead, false);
            dropoutBackward(dHead, p.dropFinal, p.dropout.fin());
            Ops.addInPlace(dx, dHead, dx.length);
        }
        float[] lnW = v(BASE + "encoder.layer_norm.weight");
        float[] dEncSum;
        if (!cfg.stableLayerNorm()) {
            for (int l = cfg.numLayers() - 1; l >= 0; l--) dx = layerBackward(p, l, dx);
            dropoutBackward(dx, p.dropInput, p.dropout.hidden());
            dEncSum = new float[p.rows * h];
            Backward.layerNorm(dx, p.encSum, p.rows, h, lnW, eps, dEncSum, false,
                    g(BASE + "encoder.layer_norm.weight"), g(BASE + "encoder.layer_norm.bias"));
        } else {
            float[] d = new float[p.rows * h];
            Backward.layerNorm(dx, p.finalIn, p.rows, h, lnW, eps, d, false,
                    g(BASE + "encoder.layer_norm.weight"), g(BASE + "encoder.layer_norm.bias"));
            dx = d;
            for (int l = cfg.numLayers() - 1; l >= 0; l--) dx = layerBackward(p, l, dx);
            dropoutBackward(dx, p.dropInput, p.dropout.hidden());
            dEncSum = dx;
        }

        // encSum = encIn + GELU(posPre), posPre = conv(encIn)
        float[] dEncIn = dEncSum.clone();
        float[] dPos = dEncSum.clone();
        Backward.gelu(dPos, p.posPre, p.rows, h);
        positionalConvBackward(p, dPos, dEncIn);

        // masked channels were set to 0: no gradient flows through them (also not to masked_spec_embed)
        if (p.channelMasked != null) {
            for (int b = 0; b < p.utterances; b++) {
                if (p.channelMasked[b] == null) continue;
                for (int r = p.rowOffset[b]; r < p.rowOffset[b] + p.frames[b]; r++) {
                    for (int j = 0; j < h; j++) if (p.channelMasked[b][j]) dEncIn[r * h + j] = 0f;
                }
            }
        }
        // masked rows were replaced: their gradient goes to masked_spec_embed, none to the projection
        Params.Tensor mse = params.has(BASE + "masked_spec_embed") ? params.get(BASE + "masked_spec_embed") : null;
        for (int r = 0; r < p.rows; r++) {
            if (!p.masked[r]) continue;
            if (mse != null && mse.trainable) for (int j = 0; j < h; j++) mse.grad[j] += dEncIn[r * h + j];
            Arrays.fill(dEncIn, r * h, (r + 1) * h, 0f);
        }
        dropoutBackward(dEncIn, p.dropProj, p.dropout.featureProjection());
        float[] dExt = dExtract == null ? new float[p.rows * c] : dExtract.clone();
        Backward.linear(dEncIn, p.extract, p.rows, c, v(BASE + "feature_projection.projection.weight"), h,
                g(BASE + "feature_projection.projection.weight"), g(BASE + "feature_projection.projection.bias"), dExt, true);
        boolean convTrains = !featureEncoderFrozen();
        if (!convTrains && !wantInput) {
            // the projection LayerNorm's own parameters still train
            Backward.layerNorm(dExt, p.features, p.rows, c, v(BASE + "feature_projection.layer_norm.weight"), eps,
                    new float[p.rows * c], false, g(BASE + "feature_projection.layer_norm.weight"), g(BASE + "feature_projection.layer_norm.bias"));
            return null;
        }
        float[] dFeatures = dFeaturesExtra == null ? new float[p.rows * c] : dFeaturesExtra.clone();
        Backward.layerNorm(dExt, p.features, p.rows, c, v(BASE + "feature_projection.layer_norm.weight"), eps,
                dFeatures, true, g(BASE + "feature_projection.layer_norm.weight"), g(BASE + "feature_projection.layer_norm.bias"));
        if (featureGradScale != 1f) for (int i = 0; i < dFeatures.length; i++) dFeatures[i] *= featureGradScale;
        if (!p.keepConv) throw new IllegalStateException("the forward pass did not keep the conv activations");
        return convBackward(p, dFeatures, wantInput);
    }

    /** One transformer layer backward: dOut → d(layer input); accumulates the layer's tensor gradients. */
    private float[] layerBackward(Pass p, int l, float[] dOut) {
        LayerActs a = p.layers[l];
        int h = cfg.hiddenSize(), ff = cfg.intermediateSize(), n = p.rows;
        float eps = cfg.layerNormEps();
        String ln1 = layer(l, "layer_norm"), ln2 = layer(l, "final_layer_norm");
        String up = layer(l, "feed_forward.intermediate_dense"), down = layer(l, "feed_forward.output_dense");
        if (!cfg.stableLayerNorm()) {
            // out = LN₂(r2), r2 = ffIn + FF(ffIn), ffIn = LN₁(r1), r1 = in + Attn(in)
            float[] dR2 = new float[n * h];
            Backward.layerNorm(dOut, a.r2, n, h, v(ln2 + ".weight"), eps, dR2, false, g(ln2 + ".weight"), g(ln2 + ".bias"));
            float[] dFfIn = dR2.clone();
            feedForwardBackward(p, a, l, dR2, dFfIn);
            float[] dR1 = new float[n * h];
            Backward.layerNorm(dFfIn, a.r1, n, h, v(ln1 + ".weight"), eps, dR1, false, g(ln1 + ".weight"), g(ln1 + ".bias"));
            float[] dIn = dR1.clone();
            attentionBackward(p, l, a, dR1, dIn);
            return dIn;
        } else {
            // out = r1 + FF(LN₂(r1)), r1 = in + Attn(LN₁(in))
            float[] dR1 = dOut.clone();
            float[] dFfIn = new float[n * h];
            feedForwardBackward(p, a, l, dOut, dFfIn);
            Backward.layerNorm(dFfIn, a.r1, n, h, v(ln2 + ".weight"), eps, dR1, true, g(ln2 + ".weight"), g(ln2 + ".bias"));
            float[] dAttnIn = new float[n * h];
            attentionBackward(p, l, a, dR1, dAttnIn);
            float[] dIn = dR1.clone();
            Backward.layerNorm(dAttnIn, a.in, n, h, v(ln1 + ".weight"), eps, dIn, true, g(ln1 + ".weight"), g(ln1 + ".bias"));
            return dIn;
        }
    }

    /** FF backward: dFfOut → adds d(ffIn) into dFfIn. */
    private void feedForwardBackward(Pass p, LayerActs a, int l, float[] dFfOut, float[] dFfIn) {
        int h = cfg.hiddenSize(), ff = cfg.intermediateSize();
        int n = a.ffIn.length / h;
        String up = layer(l, "feed_forward.intermediate_dense"), down = layer(l, "feed_forward.output_dense");
        float[] dAct = new float[n * ff];
        if (a.dropFfOut != null) {
            dFfOut = dFfOut.clone();
            dropoutBackward(dFfOut, a.dropFfOut, p.dropout.hidden());
        }
        Backward.linear(dFfOut, a.act, n, ff, v(down + ".weight"), h, g(down + ".weight"), g(down + ".bias"), dAct, false);
        dropoutBackward(dAct, a.dropAct, p.dropout.activation());
        if (cfg.hiddenAct().equals("relu")) Backward.relu(dAct, a.up, dAct.length);
        else Backward.gelu(dAct, a.up, n, ff);
        Backward.linear(dAct, a.ffIn, n, h, v(up + ".weight"), ff, g(up + ".weight"), g(up + ".bias"), dFfIn, true);
    }

    /** Attention backward: dAttnOut → adds d(attnIn) into dAttnIn. */
    private void attentionBackward(Pass p, int l, LayerActs a, float[] dAttnOut, float[] dAttnIn) {
        int h = cfg.hiddenSize(), d = cfg.headDim(), heads = cfg.numHeads(), n = p.rows;
        String qn = layer(l, "attention.q_proj"), kn = layer(l, "attention.k_proj"), vn = layer(l, "attention.v_proj"), on = layer(l, "attention.out_proj");
        float[] dContext = new float[n * h];
        if (a.dropAttnOut != null) {
            dAttnOut = dAttnOut.clone();
            dropoutBackward(dAttnOut, a.dropAttnOut, p.dropout.hidden());
        }
        Backward.linear(dAttnOut, a.context, n, h, v(on + ".weight"), h, g(on + ".weight"), g(on + ".bias"), dContext, false);
        float rate = p.dropout.attention();
        float[] dq = new float[n * h], dk = new float[n * h], dv = new float[n * h];
        for (int b = 0; b < p.utterances; b++) {
            int t = p.frames[b], o = p.rowOffset[b] * h;
            float[] probs = a.probs[b];
            byte[] keep = a.dropProbs == null ? null : a.dropProbs[b];
            float[] dP = new float[t * t];
            float[] used = keep == null ? null : new float[t * t];
            for (int head = 0; head < heads; head++) {
                int po = head * t * t, off = head * d;
                float[] pv = probs;
                int pvo = po;
                if (keep != null) {   // the dropped-out weights the forward product used
                    float scale = 1f / (1f - rate);
                    for (int i = 0; i < t * t; i++) used[i] = keep[po + i] != 0 ? probs[po + i] * scale : 0f;
                    pv = used;
                    pvo = 0;
                }
                // context = P v:  dP = dContext vᵀ,  dv = Pᵀ dContext
                Blas.sgemm(false, true, t, t, d, 1f, dContext, o + off, h, a.v, o + off, h, 0f, dP, 0, t);
                Blas.sgemm(true, false, t, d, t, 1f, pv, pvo, t, dContext, o + off, h, 0f, dv, o + off, h);
                if (keep != null) {
                    float scale = 1f / (1f - rate);
                    for (int i = 0; i < t * t; i++) dP[i] = keep[po + i] != 0 ? dP[i] * scale : 0f;
                }
                // P = softmax(S): dS = P ∘ (dP − rowsum(dP ∘ P))
                Ops.forRows(t, t, r -> Backward.softmaxRow(dP, r * t, probs, po + r * t, t));
                // S = q kᵀ (q scaled):  dq = dS k,  dk = dSᵀ q
                Blas.sgemm(false, false, t, d, t, 1f, dP, 0, t, a.k, o + off, h, 0f, dq, o + off, h);
                Blas.sgemm(true, false, t, d, t, 1f, dP, 0, t, a.q, o + off, h, 0f, dk, o + off, h);
            }
        }
        float scale = (float) (1.0 / Math.sqrt(d));
        for (int i = 0; i < dq.length; i++) dq[i] *= scale;   // q = (x W_qᵀ + b_q) · scale
        Backward.linear(dq, a.attnIn, n, h, v(qn + ".weight"), h, g(qn + ".weight"), g(qn + ".bias"), dAttnIn, true);
        Backward.linear(dk, a.attnIn, n, h, v(kn + ".weight"), h, g(kn + ".weight"), g(kn + ".bias"), dAttnIn, true);
        Backward.linear(dv, a.attnIn, n, h, v(vn + ".weight"), h, g(vn + ".weight"), g(vn + ".bias"), dAttnIn, true);
    }

    /**
     * Positional conv backward: dPosPre (already through the GELU) → adds d(encIn) into dEncIn;
     * the kernel gradient goes back through the weight norm to g and v:
     * dg_k = ⟨dW_k, v_k⟩ / ‖v_k‖, dv_k = (g_k / ‖v_k‖) (dW_k − (⟨dW_k, v_k⟩ / ‖v_k‖²) v_k).
     */
    private void positionalConvBackward(Pass p, float[] dPosPre, float[] dEncIn) {
        int h = cfg.hiddenSize(), per = h / cfg.posConvGroups(), k = cfg.posConvKernel();
        float[] wT = positionalWeightTapMajor();
        Params.Tensor gT = params.get(posG), vT = params.get(posV);
        boolean trains = gT.trainable || vT.trainable;
        float[] dwT = trains ? new float[wT.length] : null;
        Backward.groupedSameConv(dPosPre, p.encIn, p.rowOffset, p.frames, h, cfg.posConvGroups(), wT, k, dwT,
                g(BASE + "encoder.pos_conv_embed.conv.bias"), dEncIn);
        if (!trains) return;
        // tap-major [out][k][per] back to PyTorch's [out][per][k]
        float[] dw = new float[dwT.length];
        for (int o = 0; o < h; o++)
            for (int tap = 0; tap < k; tap++)
                for (int c = 0; c < per; c++) dw[(o * per + c) * k + tap] = dwT[(o * k + tap) * per + c];
        float[] gv = gT.value, vv = vT.value;
        for (int tap = 0; tap < k; tap++) {
            double norm2 = 0, dot = 0;
            for (int i = tap; i < vv.length; i += k) {
                norm2 += (double) vv[i] * vv[i];
                dot += (double) dw[i] * vv[i];
            }
            double norm = Math.sqrt(norm2);
            if (gT.trainable) gT.grad[tap] += (float) (dot / norm);
            if (vT.trainable) {
                double s = gv[tap] / norm, proj = dot / norm2;
                for (int i = tap; i < vv.length; i += k) vT.grad[i] += (float) (s * (dw[i] - proj * vv[i]));
            }
        }
    }

    /** Conv stack backward per utterance; returns d input_values when wantInput. */
    private float[][] convBackward(Pass p, float[] dFeatures, boolean wantInput) {
        int c = cfg.convOutDim();
        float[][] convT = convWeightsTapMajor();
        boolean trains = !featureEncoderFrozen();
        float[][] dwT = new float[cfg.convLayers()][];
        if (trains) for (int i = 0; i < dwT.length; i++) dwT[i] = new float[convT[i].length];
        float[][] dInput = wantInput ? new float[p.utterances][] : null;
        for (int b = 0; b < p.utterances; b++) {
            float[] dA = Arrays.copyOfRange(dFeatures, p.rowOffset[b] * c, (p.rowOffset[b] + p.frames[b]) * c);
            int[] times = new int[cfg.convLayers() + 1];
            times[0] = p.samples[b];
            for (int i = 0; i < cfg.convLayers(); i++) times[i + 1] = Conv.outputLength(times[i], cfg.convKernel()[i], cfg.convStride()[i]);
            for (int i = cfg.convLayers() - 1; i >= 0; i--) {
                int in = i == 0 ? 1 : cfg.convDim()[i - 1], out = cfg.convDim()[i], k = cfg.convKernel()[i], s = cfg.convStride()[i];
                int time = times[i + 1];
                float[] pre = p.convPre[b][i];
                // the activation's input: the normalised pre-activation, recomputed from the saved conv output
                float[] normed = pre.clone();
                float[] dPre;
                if (hasNorm(i)) {
                    float[] w = v(conv(i, "layer_norm.weight")), bb = v(conv(i, "layer_norm.bias"));
                    if (cfg.groupNormEncoder()) Ops.channelNormOverTime(normed, time, out, w, bb, 1e-5f);
                    else Ops.layerNorm(normed, normed, time, out, w, bb, 1e-5f);
                    activationBackward(dA, normed, time, out);
                    dPre = new float[dA.length];
                    if (cfg.groupNormEncoder()) Backward.channelNormOverTime(dA, pre, time, out, w, 1e-5f, dPre,
                            g(conv(i, "layer_norm.weight")), g(conv(i, "layer_norm.bias")));
                    else Backward.layerNorm(dA, pre, time, out, w, 1e-5f, dPre, false,
                            g(conv(i, "layer_norm.weight")), g(conv(i, "layer_norm.bias")));
                } else {
                    activationBackward(dA, normed, time, out);
                    dPre = dA;
                }
                float[] x = i == 0 ? p.audio[b] : p.convOut[b][i - 1];
                boolean needDx = i > 0 || wantInput;
                float[] dX = needDx ? new float[times[i] * in] : null;
                Backward.conv1d(dPre, x, times[i], in, convT[i], out, k, s, trains ? dwT[i] : null,
                        trains && cfg.convBias() ? g(conv(i, "conv.bias")) : null, dX);
                dA = dX;
            }
            if (wantInput) dInput[b] = dA;
        }
        if (trains) {
            int in = 1;
            for (int i = 0; i < cfg.convLayers(); i++) {
                int out = cfg.convDim()[i], k = cfg.convKernel()[i];
                float[] grad = params.get(conv(i, "conv.weight")).grad;
                for (int o = 0; o < out; o++)
                    for (int tap = 0; tap < k; tap++)
                        for (int ci = 0; ci < in; ci++) grad[(o * in + ci) * k + tap] += dwT[i][(o * k + tap) * in + ci];
                in = out;
            }
        }
        return dInput;
    }

    private void activationBackward(float[] dy, float[] x, int rows, int cols) {
        if (cfg.featExtractActivation().equals("relu")) Backward.relu(dy, x, rows * cols);
        else Backward.gelu(dy, x, rows, cols);
    }
}
