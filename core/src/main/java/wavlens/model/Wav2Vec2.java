package wavlens.model;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import wavlens.checkpoint.TensorInfo;
import wavlens.checkpoint.Weights;
import wavlens.io.UserError;
import wavlens.tensor.Blas;
import wavlens.tensor.Conv;
import wavlens.tensor.Ops;

/**
 * wav2vec 2.0 (Baevski et al. 2020), HuBERT (Hsu et al. 2021), WavLM (Chen et al. 2022),
 * data2vec-audio (Baevski et al. 2022) and wav2vec2-conformer inference, with HuggingFace
 * transformers' semantics (modeling_wav2vec2.py, modeling_hubert.py, modeling_wavlm.py,
 * modeling_data2vec_audio.py, modeling_wav2vec2_conformer.py; eval mode):
 *
 * <pre>
 *   raw audio ─ feature encoder (7 strided convs, 20 ms frames) ─ LayerNorm ─ projection
 *             ─ + positional conv ─ transformer (post-LN or pre-LN "stable") ─ [CTC head]
 * </pre>
 *
 * The families differ only after the projection: WavLM adds a gated relative position bias to
 * every layer's attention scores; data2vec-audio's positional embedding is a stack of convs with
 * non-affine LayerNorms instead of one weight-normed conv; the conformer replaces the positional
 * conv and the transformer by Conformer blocks ({@link Conformer}).
 *
 * Big matrices (projections, attention, feed-forward, CTC head) stay in the memory-mapped weight
 * file and go straight to BLAS; conv kernels are reordered once into heap arrays.
 */
public final class Wav2Vec2 implements AutoCloseable {

    /** One conv layer of the feature encoder (§2.1 of the wav2vec 2.0 paper). */
    record ConvLayer(int in, int out, int kernel, int stride, float[] weightTapMajor, float[] bias, float[] normW, float[] normB) {}

    /** One transformer block (Vaswani et al. 2017) as wav2vec2 arranges it. */
    record Layer(MemorySegment wq, float[] bq, MemorySegment wk, float[] bk, MemorySegment wv, float[] bv,
                 MemorySegment wo, float[] bo, float[] ln1W, float[] ln1B,
                 MemorySegment wUp, float[] bUp, MemorySegment wDown, float[] bDown, float[] ln2W, float[] ln2B,
                 Gate gate) {}   // WavLM only, else null

    /**
     * WavLM's gate on the relative position bias (WavLM §2.2, HF's gru_rel_pos_*): per head, the
     * head's slice x_h of the attention block's input gives g = σ(a·x_h + α)·(σ(b·x_h + β)·c_h − 1) + 2,
     * where a, α (b, β) are the sums of the first (last) four rows of gru_rel_pos_linear
     * (HF sums the eight outputs in two groups of four) and c_h is gru_rel_pos_const.
     */
    record Gate(float[] a, float[] b, float alpha, float beta, float[] konst) {}

    /** data2vec-audio's positional convs: each conv → LayerNorm without weights → activation. */
    record PosConv(float[] weightTapMajor, float[] bias) {}

    private final Wav2Vec2Config cfg;
    private final Weights weights;
    private final Path dir;
    private final ConvLayer[] conv;
    private final float[] projLnW, projLnB;       // feature_projection.layer_norm (null for HuBERT without it)
    private final MemorySegment projW;
    private final float[] projB;
    private final float[] posW, posB;             // weight-normed positional conv, tap-major per group (wav2vec2, HuBERT, WavLM)
    private final PosConv[] posStack;             // data2vec-audio's positional convs, else null
    private final float[] relAttnEmbed;           // WavLM: rel_attn_embed [buckets × heads] of layer 0, else null
    private final Conformer conformer;            // wav2vec2-conformer's encoder, else null
    private final float[] encLnW, encLnB;
    private final Layer[] layers;
    private final MemorySegment lmW;              // CTC head, null without one
    private final float[] lmB;
    private final int vocabSize;
    final String prefix;                          // the base-model prefix ("wav2vec2.", "wavlm.", …) or "" as the checkpoint spells it

    private Wav2Vec2(Path dir, Wav2Vec2Config cfg, Weights weights) {
        this.dir = dir;
        this.cfg = cfg;
        this.weights = weights;
        this.prefix = detectPrefix(weights, cfg);
        Checker w = new Checker(weights, prefix);

        conv = new ConvLayer[cfg.convLayers()];
        int in = 1;
        for (int i = 0; i < conv.length; i++) {
            int out = cfg.convDim()[i], k = cfg.convKernel()[i];
            String p = "feature_extractor.conv_layers." + i + ".";
            float[] wt = Conv.kernelTapMajor(w.floats(p + "conv.weight", out, in, k), out, in, k);
            float[] b = cfg.convBias() ? w.floats(p + "conv.bias", out) : null;
            boolean hasNorm = !cfg.groupNormEncoder() || i == 0;
            float[] nw = hasNorm ? w.floats(p + "layer_norm.weight", out) : null;
            float[] nb = hasNorm ? w.floats(p + "layer_norm.bias", out) : null;
            conv[i] = new ConvLayer(in, out, k, cfg.convStride()[i], wt, b, nw, nb);
            in = out;
        }
        int c = cfg.convOutDim(), h = cfg.hiddenSize();
        projLnW = cfg.featProjLayerNorm() ? w.floats("feature_projection.layer_norm.weight", c) : null;
        projLnB = cfg.featProjLayerNorm() ? w.floats("feature_projection.layer_norm.bias", c) : null;
        projW = w.segment("feature_projection.projection.weight", h, c);
        projB = w.floats("feature_projection.projection.bias", h);

        int kPos = cfg.posConvKernel(), per = h / cfg.posConvGroups();
        if (cfg.isConformer()) {
            // HF builds pos_conv_embed for the conformer but its forward never calls it: not read
            posW = posB = encLnW = encLnB = relAttnEmbed = null;
            posStack = null;
            layers = new Layer[0];
            conformer = new Conformer(cfg, w);
        } else {
            conformer = null;
            if (cfg.isData2VecAudio()) {
                posW = posB = null;
                posStack = new PosConv[cfg.posConvLayers()];
                for (int j = 0; j < posStack.length; j++) {
                    String p = "encoder.pos_conv_embed.layers." + j + ".conv.";
                    posStack[j] = new PosConv(Conv.kernelTapMajor(w.floats(p + "weight", h, per, kPos), h, per, kPos), w.floats(p + "bias", h));
                }
            } else {
                posStack = null;
                posW = Conv.kernelTapMajor(positionalConvWeight(w, h, per, kPos), h, per, kPos);
                posB = w.floats("encoder.pos_conv_embed.conv.bias", h);
            }
            encLnW = w.floats("encoder.layer_norm.weight", h);
            encLnB = w.floats("encoder.layer_norm.bias", h);
            relAttnEmbed = cfg.isWavLm() ? w.floats("encoder.layers.0.attention.rel_attn_embed.weight", cfg.numBuckets(), cfg.numHeads()) : null;
            layers = transformerLayers(w);
        }
        if (weights.has("lm_head.weight")) {
            long[] shape = weights.info("lm_head.weight").shape();
            vocabSize = (int) shape[0];
            if (cfg.declaresCtcHead() && vocabSize != cfg.vocabSize()) {
                throw UserError.inFile(weights.info("lm_head.weight").file(), "tensor lm_head.weight has "
                        + vocabSize + " rows but config.json says vocab_size " + cfg.vocabSize());
            }
            lmW = new Checker(weights, "").segment("lm_head.weight", vocabSize, h);
            lmB = new Checker(weights, "").floats("lm_head.bias", vocabSize);
        } else {
            if (cfg.declaresCtcHead()) {
                throw UserError.inFile(dir, "config.json declares " + cfg.architectures() + " but the weights have no lm_head.weight");
            }
            vocabSize = 0;
            lmW = null;
            lmB = null;
        }
    }

    /** The transformer layers of wav2vec2, HuBERT, WavLM and data2vec-audio (same tensor names; WavLM adds its gate). */
    private Layer[] transformerLayers(Checker w) {
        int h = cfg.hiddenSize(), ff = cfg.intermediateSize(), d = cfg.headDim();
        Layer[] layers = new Layer[cfg.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "encoder.layers." + l + ".";
            Gate gate = null;
            if (cfg.isWavLm()) {
                float[] lw = w.floats(p + "attention.gru_rel_pos_linear.weight", 8, d);
                float[] lb = w.floats(p + "attention.gru_rel_pos_linear.bias", 8);
                float[] a = new float[d], b = new float[d];
                for (int r = 0; r < 4; r++) {
                    for (int i = 0; i < d; i++) {
                        a[i] += lw[r * d + i];
                        b[i] += lw[(r + 4) * d + i];
                    }
                }
                gate = new Gate(a, b, lb[0] + lb[1] + lb[2] + lb[3], lb[4] + lb[5] + lb[6] + lb[7],
                        w.floats(p + "attention.gru_rel_pos_const", 1, cfg.numHeads(), 1, 1));
            }
            layers[l] = new Layer(
                    w.segment(p + "attention.q_proj.weight", h, h), w.floats(p + "attention.q_proj.bias", h),
                    w.segment(p + "attention.k_proj.weight", h, h), w.floats(p + "attention.k_proj.bias", h),
                    w.segment(p + "attention.v_proj.weight", h, h), w.floats(p + "attention.v_proj.bias", h),
                    w.segment(p + "attention.out_proj.weight", h, h), w.floats(p + "attention.out_proj.bias", h),
                    w.floats(p + "layer_norm.weight", h), w.floats(p + "layer_norm.bias", h),
                    w.segment(p + "feed_forward.intermediate_dense.weight", ff, h), w.floats(p + "feed_forward.intermediate_dense.bias", ff),
                    w.segment(p + "feed_forward.output_dense.weight", h, ff), w.floats(p + "feed_forward.output_dense.bias", h),
                    w.floats(p + "final_layer_norm.weight", h), w.floats(p + "final_layer_norm.bias", h),
                    gate);
        }
        return layers;
    }

    /** Loads config.json and the weights of a HuggingFace model directory. */
    public static Wav2Vec2 load(Path dir) {
        if (!Files.isDirectory(dir)) throw UserError.inFile(dir, "not a directory (expected a HuggingFace model folder with config.json)");
        Path configFile = dir.resolve("config.json");
        if (!Files.exists(configFile)) throw UserError.inFile(dir, "no config.json in this folder");
        Wav2Vec2Config cfg = Wav2Vec2Config.read(configFile);
        Weights weights = Weights.open(dir);
        try {
            return new Wav2Vec2(dir, cfg, weights);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    public Wav2Vec2Config config() {
        return cfg;
    }

    public Path directory() {
        return dir;
    }

    public boolean hasCtcHead() {
        return lmW != null;
    }

    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public void close() {
        weights.close();
    }

    /** Number of multiply-adds ×2 for one forward pass over `samples` samples (for the bench's GFLOP/s). */
    public double flops(int samples) {
        double f = 0;
        int n = samples;
        for (ConvLayer l : conv) {
            n = Conv.outputLength(n, l.kernel, l.stride);
            f += 2.0 * n * l.out * l.in * l.kernel;
        }
        double t = n, h = cfg.hiddenSize(), c = cfg.convOutDim();
        f += 2 * t * c * h;                                            // projection
        if (conformer != null) {
            f += conformer.flops(n);
        } else {
            f += 2 * t * h * (h / cfg.posConvGroups()) * cfg.posConvKernel() * cfg.posConvLayers(); // positional conv(s)
            double perLayer = 2 * t * h * h * 4 + 2 * t * t * h * 2 + 2 * t * h * cfg.intermediateSize() * 2;
            f += perLayer * cfg.numLayers();
        }
        if (lmW != null) f += 2 * t * h * vocabSize;
        return f;
    }

    // =================================================================== forward pass

    /** What a forward pass returns; arrays are time-major [frames × features]. */
    public record Output(int frames,
                         float[][] convLayers,       // each conv layer's output (after its activation), when asked for
                         float[] convFeatures,       // last conv layer [frames × conv_dim[-1]]
                         float[] extractFeatures,    // LayerNorm(convFeatures) as HF returns it; null for HuBERT
                         float[][] hiddenStates,     // HF hidden_states[0..L]; entries not asked for are null
                         float[] logits) {           // CTC logits [frames × vocab], or null
        public float[] lastHiddenState() {
            return hiddenStates[hiddenStates.length - 1];
        }
    }

    /** Which outputs to keep (everything is computed; this bounds memory). */
    public record Request(boolean convLayers, boolean[] hiddenStates) {
        public static Request all(Wav2Vec2Config cfg) {
            boolean[] keep = new boolean[cfg.numLayers() + 1];
            Arrays.fill(keep, true);
            return new Request(false, keep);
        }

        /** Only the last hidden state (and the logits): what transcription needs. */
        public static Request lastOnly(Wav2Vec2Config cfg) {
            return new Request(false, new boolean[cfg.numLayers() + 1]);
        }

        public Request withConvLayers() {
            return new Request(true, hiddenStates);
        }
    }

    /** Forward pass over one normalised utterance (HF input_values), all of it valid. */
    public Output forward(float[] input) {
        return forward(input, input.length, Request.all(cfg));
    }

    public Output forward(float[] input, Request request) {
        return forward(input, input.length, request);
    }

    /**
     * Forward pass over one row of a padded batch: `input` is padded to its batch's length and
     * only the first `validSamples` are real. As in HF, the conv stack runs over the padded
     * signal; with validSamples < input.length the frames past the valid ones are zeroed before
     * the positional conv and hidden from attention (HF's attention mask). HF passes a mask only
     * for layer-norm models; group-norm models see the padding (pass validSamples = input.length).
     */
    public Output forward(float[] input, int validSamples, Request request) {
        if (input.length < cfg.receptiveFieldSamples()) {
            throw new UserError("input has " + input.length + " samples; the model needs at least "
                    + cfg.receptiveFieldSamples() + " (" + cfg.receptiveFieldSamples() / 16.0 + " ms at 16 kHz)");
        }
        float[][] convOut = request.convLayers() ? new float[conv.length][] : null;
        float[] features = request.convLayers() ? featureEncoderWhole(input, convOut) : featureEncoderChunked(input);
        int frames = cfg.framesFor(input.length);
        int valid = validSamples >= input.length ? frames : cfg.framesFor(validSamples);
        int c = cfg.convOutDim(), h = cfg.hiddenSize();

        // Feature projection: extract_features = LayerNorm(conv features); h = extract_features W^T + b
        float[] extract = features;
        if (projLnW != null) {
            extract = new float[frames * c];
            Ops.layerNorm(features, extract, frames, c, projLnW, projLnB, cfg.layerNormEps());
        }
        float[] x = linear(extract, frames, c, projW, projB, h);
        if (valid < frames) Arrays.fill(x, valid * h, frames * h, 0f);

        boolean[] keep = request.hiddenStates();
        if (conformer != null) {
            float[][] hidden = conformer.encode(x, frames, valid, keep);
            float[] last = hidden[hidden.length - 1];
            float[] logits = lmW == null ? null : linear(last, frames, h, lmW, lmB, vocabSize);
            return new Output(frames, convOut, features, extract, hidden, logits);
        }

        if (posStack == null) {
            // Positional convolution (relative positional embedding, §2.2): x + GELU(conv(x))
            float[] pos = Conv.groupedSameConv(x, frames, h, cfg.posConvGroups(), posW, posB, cfg.posConvKernel());
            Ops.gelu(pos, frames, h);
            Ops.addInPlace(x, pos, frames * h);
        } else {
            // data2vec-audio (§3, "5 convolutions"): x + (act ∘ LN ∘ conv)ⁿ(x), LayerNorms without weights
            float[] pos = x;
            float[] ones = new float[h], zeros = new float[h];
            Arrays.fill(ones, 1f);
            for (PosConv pc : posStack) {
                pos = Conv.groupedSameConv(pos, frames, h, cfg.posConvGroups(), pc.weightTapMajor(), pc.bias(), cfg.posConvKernel());
                Ops.layerNorm(pos, pos, frames, h, ones, zeros, 1e-5f);
                activation(pos, frames, h, cfg.featExtractActivation());
            }
            Ops.addInPlace(x, pos, frames * h);
        }

        float[][] hidden = new float[cfg.numLayers() + 1][];
        Scratch scratch = new Scratch(frames, valid);
        float eps = cfg.layerNormEps();
        if (!cfg.stableLayerNorm()) {
            // Post-LN encoder: the encoder LayerNorm sits before the first layer; hidden_states[0] is after it.
            Ops.layerNorm(x, x, frames, h, encLnW, encLnB, eps);
            if (keep[0]) hidden[0] = x.clone();
            for (int l = 0; l < layers.length; l++) {
                Layer L = layers[l];
                float[] a = attention(x, frames, valid, L, scratch);
                Ops.addInPlace(a, x, frames * h);
                Ops.layerNorm(a, a, frames, h, L.ln1W, L.ln1B, eps);
                float[] f = feedForward(a, frames, L, scratch);
                Ops.addInPlace(f, a, frames * h);
                Ops.layerNorm(f, f, frames, h, L.ln2W, L.ln2B, eps);
                x = f;
                if (keep[l + 1]) hidden[l + 1] = x;
            }
        } else {
            // Pre-LN ("stable") encoder: residual stream un-normalised; final encoder LayerNorm after the last layer.
            if (keep[0]) hidden[0] = x.clone();
            float[] normed = new float[frames * h];
            for (int l = 0; l < layers.length; l++) {
                Layer L = layers[l];
                Ops.layerNorm(x, normed, frames, h, L.ln1W, L.ln1B, eps);
                float[] a = attention(normed, frames, valid, L, scratch);
                Ops.addInPlace(a, x, frames * h);
                Ops.layerNorm(a, normed, frames, h, L.ln2W, L.ln2B, eps);
                float[] f = feedForward(normed, frames, L, scratch);
                Ops.addInPlace(f, a, frames * h);
                x = f;
                if (l < layers.length - 1 && keep[l + 1]) hidden[l + 1] = x;
            }
            Ops.layerNorm(x, x, frames, h, encLnW, encLnB, eps);
            hidden[layers.length] = x;
        }
        hidden[layers.length] = x;   // last_hidden_state is always kept (the CTC head reads it)

        float[] logits = lmW == null ? null : linear(x, frames, h, lmW, lmB, vocabSize);
        return new Output(frames, convOut, features, cfg.modelType().equals("hubert") ? null : extract, hidden, logits);
    }

    /** y = x Wᵀ + b for x [rows × in], W [out × in] (PyTorch nn.Linear). */
    static float[] linear(float[] x, int rows, int in, MemorySegment w, float[] b, int out) {
        return linear(x, rows, in, w, b, out, new float[rows * out]);
    }

    /** The same, into a given buffer y (rows × out). */
    private static float[] linear(float[] x, int rows, int in, MemorySegment w, float[] b, int out, float[] y) {
        Blas.sgemm(false, true, rows, out, in, 1f, Blas.seg(x, 0), in, w, in, 0f, Blas.seg(y, 0), out);
        if (b != null) Ops.addBias(y, rows, out, b);
        return y;
    }

    /**
     * Buffers one forward pass reuses in every layer (queries, keys, values, attention context
     * and output, scores, the feed-forward's inner activation), so a layer allocates only the
     * hidden state it hands on — little garbage, a small heap.
     */
    private final class Scratch {
        final float[] q, k, v, context, attnOut, scores, up;
        final float[] relBias, gate;    // WavLM: bias per head and relative position [heads × (2T − 1)]; gate [heads × T]
        final int block;

        Scratch(int frames, int valid) {
            int h = cfg.hiddenSize();
            q = new float[frames * h];
            k = new float[frames * h];
            v = new float[frames * h];
            context = new float[frames * h];
            attnOut = new float[frames * h];
            block = Math.min(QUERY_BLOCK, frames);
            scores = new float[block * Math.max(1, valid)];
            up = new float[frames * cfg.intermediateSize()];
            relBias = relAttnEmbed == null ? null : relativePositionBias(frames);
            gate = relAttnEmbed == null ? null : new float[cfg.numHeads() * frames];
        }
    }

    /**
     * WavLM's relative position bias, computed once (HF: in layer 0, passed on to the others):
     * for head h and relative position δ = key − query, rel_attn_embed[bucket(δ)][h], stored per
     * head for δ = −(T − 1) … T − 1 so that a query's row is one contiguous slice.
     */
    private float[] relativePositionBias(int frames) {
        int heads = cfg.numHeads(), span = 2 * frames - 1;
        float[] bias = new float[heads * span];
        for (int r = 0; r < span; r++) {
            int bucket = relativePositionBucket(r - (frames - 1), cfg.numBuckets(), cfg.maxBucketDistance());
            for (int head = 0; head < heads; head++) bias[head * span + r] = relAttnEmbed[bucket * heads + head];
        }
        return bias;
    }

    /**
     * The bucket of relative position δ (T5's bidirectional scheme as WavLM uses it): half the
     * buckets for δ > 0; within a half, |δ| < n/4 exactly, larger |δ| logarithmically up to
     * max_distance, beyond that the last bucket. Evaluated in float32 as HF does.
     */
    static int relativePositionBucket(int delta, int numBuckets, int maxDistance) {
        int half = numBuckets / 2;
        int bucket = delta > 0 ? half : 0;
        int a = Math.abs(delta);
        int maxExact = half / 2;
        if (a < maxExact) return bucket + a;
        float large = (float) Math.log((float) a / maxExact);
        large = large / (float) Math.log((double) maxDistance / maxExact);
        large = large * (half - maxExact);
        return bucket + Math.min((int) (maxExact + large), half - 1);
    }

    /**
     * WavLM's per-head gate of every frame from the attention block's input x (see {@link Gate}).
     * A plain loop: 2·T·H multiply-adds per layer, less than a parallel pass would cost on few cores.
     */
    private void wavLmGate(float[] x, int frames, Gate g, float[] gate) {
        int h = cfg.hiddenSize(), d = cfg.headDim(), heads = cfg.numHeads();
        for (int t = 0; t < frames; t++) {
            for (int head = 0; head < heads; head++) {
                int o = t * h + head * d;
                float u = g.alpha(), v = g.beta();
                for (int i = 0; i < d; i++) {
                    u += g.a()[i] * x[o + i];
                    v += g.b()[i] * x[o + i];
                }
                gate[head * frames + t] = Ops.sigmoid(u) * (Ops.sigmoid(v) * g.konst()[head] - 1f) + 2f;
            }
        }
    }

    /** Frames of queries handled at once: bounds the score matrix to QUERY_BLOCK × frames. */
    private static final int QUERY_BLOCK = 512;

    /**
     * Multi-head self-attention: softmax(q kᵀ / √d) v per head, heads side by side, then out_proj.
     * Keys at or past `valid` are masked (padding); HF adds finfo.min to their scores, which gives
     * them exactly zero weight, so they are simply left out.
     */
    private float[] attention(float[] x, int frames, int valid, Layer L, Scratch s) {
        int h = cfg.hiddenSize(), d = cfg.headDim();
        float[] q = linear(x, frames, h, L.wq, L.bq, h, s.q);
        float[] k = linear(x, frames, h, L.wk, L.bk, h, s.k);
        float[] v = linear(x, frames, h, L.wv, L.bv, h, s.v);
        float scale = (float) (1.0 / Math.sqrt(d));
        float[] context = s.context;
        int keys = Math.max(1, valid);
        int block = s.block;
        float[] scores = s.scores;
        if (L.gate() != null) wavLmGate(x, frames, L.gate(), s.gate);
        int span = 2 * frames - 1;
        for (int head = 0; head < cfg.numHeads(); head++) {
            int off = head * d;
            for (int q0 = 0; q0 < frames; q0 += block) {
                int rows = Math.min(block, frames - q0);
                Blas.sgemm(false, true, rows, keys, d, scale, q, q0 * h + off, h, k, off, h, 0f, scores, 0, keys);
                final int n = keys, first = q0, hd = head;
                if (L.gate() != null) {
                    // WavLM: + gate(h, t) · bias(h, s − t) on every score of query t, in the softmax's
                    // parallel pass (one more pass per head would cost more than its few additions)
                    Ops.forRows(rows, n, r -> {
                        int t = first + r;
                        Ops.axpy(s.gate[hd * frames + t], s.relBias, hd * span + frames - 1 - t, scores, r * n, n);
                        Ops.softmaxRow(scores, r * n, n);
                    });
                } else {
                    Ops.forRows(rows, n, r -> Ops.softmaxRow(scores, r * n, n));
                }
                Blas.sgemm(false, false, rows, d, keys, 1f, scores, 0, keys, v, off, h, 0f, context, q0 * h + off, h);
            }
        }
        return linear(context, frames, h, L.wo, L.bo, h, s.attnOut);
    }

    /** Position-wise feed-forward: output_dense(act(intermediate_dense(x))). */
    private float[] feedForward(float[] x, int frames, Layer L, Scratch s) {
        int h = cfg.hiddenSize(), ff = cfg.intermediateSize();
        float[] up = linear(x, frames, h, L.wUp, L.bUp, ff, s.up);
        activation(up, frames, ff, cfg.hiddenAct());
        return linear(up, frames, ff, L.wDown, L.bDown, h);
    }

    static void activation(float[] a, int rows, int cols, String act) {
        if (act.equals("relu")) Ops.forRows(rows, cols, r -> Ops.reluInPlace(a, r * cols, r * cols + cols));
        else if (act.equals("swish") || act.equals("silu")) Ops.silu(a, rows, cols);
        else Ops.gelu(a, rows, cols);
    }

    // =================================================================== feature encoder

    /** One conv layer with its norm and activation, over a time-major input of `time` frames. */
    private float[] convLayer(int i, float[] x, int time) {
        ConvLayer l = conv[i];
        float[] y = Conv.conv1d(x, time, l.in, l.weightTapMajor, l.bias, l.out, l.kernel, l.stride);
        int t = Conv.outputLength(time, l.kernel, l.stride);
        if (!cfg.groupNormEncoder()) Ops.layerNorm(y, y, t, l.out, l.normW, l.normB, 1e-5f);  // nn.LayerNorm default eps
        else if (i == 0) Ops.channelNormOverTime(y, t, l.out, l.normW, l.normB, 1e-5f);      // GroupNorm(C, C)
        activation(y, t, l.out, cfg.featExtractActivation());
        return y;
    }

    /** The whole conv stack at once, keeping every layer's output. */
    private float[] featureEncoderWhole(float[] input, float[][] keep) {
        float[] x = input;
        int time = input.length;
        for (int i = 0; i < conv.length; i++) {
            x = convLayer(i, x, time);
            time = Conv.outputLength(time, conv[i].kernel, conv[i].stride);
            if (keep != null) keep[i] = x;
        }
        return x;
    }

    /**
     * Output frames per chunk of the chunked feature encoder (≈ 2 s of audio): small enough that
     * the conv activations stay small, large enough that the overlap (one receptive field, 25 ms)
     * and the per-call overhead stay near 1 %.
     */
    private static final int CHUNK_FRAMES = 100;

    /**
     * The conv stack over long audio in chunks of output frames, so memory stays bounded: the
     * convs are unpadded, so output frames [f0, f1) depend only on samples
     * [f0·hop, (f1 − 1)·hop + rf) and a chunk gives exactly the frames of the whole pass. The
     * group norm of layer 0 needs channel statistics over the whole utterance: a first pass
     * gathers them, the second normalises with them.
     */
    private float[] featureEncoderChunked(float[] input) {
        int frames = cfg.framesFor(input.length);
        if (frames <= CHUNK_FRAMES) return featureEncoderWhole(input, null);
        int hop = cfg.hopSamples(), rf = cfg.receptiveFieldSamples(), c = cfg.convOutDim();
        ConvLayer first = conv[0];
        double[] sum = null, sumSq = null;
        long count = Conv.outputLength(input.length, first.kernel, first.stride);
        if (cfg.groupNormEncoder()) {
            sum = new double[first.out];
            sumSq = new double[first.out];
            int step = CHUNK_FRAMES * hop;   // layer-0 frames in [s/stride0 …) per chunk, non-overlapping
            int perChunk = step / first.stride;
            for (long f0 = 0; f0 < count; f0 += perChunk) {
                int n = (int) Math.min(perChunk, count - f0);
                int start = (int) (f0 * first.stride);
                int len = (n - 1) * first.stride + first.kernel;
                float[] y = Conv.conv1d(Arrays.copyOfRange(input, start, start + len), len, 1, first.weightTapMajor,
                        first.bias, first.out, first.kernel, first.stride);
                Ops.accumulateChannelMoments(y, n, first.out, sum, sumSq);
            }
        }
        float[] out = new float[frames * c];
        for (int f0 = 0; f0 < frames; f0 += CHUNK_FRAMES) {
            int n = Math.min(CHUNK_FRAMES, frames - f0);
            int start = f0 * hop;
            int len = (n - 1) * hop + rf;
            float[] x = Arrays.copyOfRange(input, start, start + len);
            int time = len;
            for (int i = 0; i < conv.length; i++) {
                ConvLayer l = conv[i];
                if (i == 0 && cfg.groupNormEncoder()) {
                    x = Conv.conv1d(x, time, l.in, l.weightTapMajor, l.bias, l.out, l.kernel, l.stride);
                    time = Conv.outputLength(time, l.kernel, l.stride);
                    Ops.applyChannelNorm(x, time, l.out, sum, sumSq, count, l.normW, l.normB, 1e-5f);
                    activation(x, time, l.out, cfg.featExtractActivation());
                } else {
                    x = convLayer(i, x, time);
                    time = Conv.outputLength(time, l.kernel, l.stride);
                }
            }
            System.arraycopy(x, 0, out, f0 * c, n * c);
        }
        return out;
    }

    // =================================================================== loading helpers

    /**
     * The positional conv weight from its weight-norm parts (Salimans & Kingma 2016), dim = 2:
     * W[:, :, k] = g[k] · v[:, :, k] / ‖v[:, :, k]‖ — one norm per kernel tap over all output and
     * input channels. Stored as weight_g/weight_v (older torch) or
     * parametrizations.weight.original0/original1 (newer); a plain weight is taken as it is.
     */
    private static float[] positionalConvWeight(Checker w, int h, int per, int k) {
        String p = "encoder.pos_conv_embed.conv.";
        String gName, vName;
        if (w.has(p + "weight_g")) {
            gName = p + "weight_g";
            vName = p + "weight_v";
        } else if (w.has(p + "parametrizations.weight.original0")) {
            gName = p + "parametrizations.weight.original0";
            vName = p + "parametrizations.weight.original1";
        } else if (w.has(p + "weight")) {
            return w.floats(p + "weight", h, per, k);
        } else {
            throw w.missing(p + "weight_g (or parametrizations.weight.original0)");
        }
        float[] g = w.floats(gName, 1, 1, k);
        float[] v = w.floats(vName, h, per, k);
        float[] weight = new float[v.length];
        for (int tap = 0; tap < k; tap++) {
            double norm = 0;
            for (int i = tap; i < v.length; i += k) norm += (double) v[i] * v[i];
            float scale = (float) (g[tap] / Math.sqrt(norm));
            for (int i = tap; i < v.length; i += k) weight[i] = v[i] * scale;
        }
        return weight;
    }

    /** The state-dict prefix the checkpoint uses for the base model: cfg.basePrefix() ("wav2vec2.", "hubert.", "wavlm.", "data2vec_audio.", "wav2vec2_conformer.") or "". */
    public static String detectPrefix(Weights weights, Wav2Vec2Config cfg) {
        for (String p : new String[] {cfg.basePrefix(), "", "wav2vec2.", "hubert."}) {
            if (weights.has(p + "feature_projection.projection.weight")) return p;
        }
        throw new UserError(weights.names().isEmpty() ? "the weights file holds no tensors"
                : "the weights have no feature_projection.projection.weight under any known prefix (" + cfg.basePrefix() + ", none); "
                + "is this a " + cfg.modelType() + " checkpoint?");
    }

    /** Looks tensors up under the checkpoint's prefix and checks their shapes against the config. */
    public static final class Checker {
        private final Weights weights;
        private final String prefix;

        public Checker(Weights weights, String prefix) {
            this.weights = weights;
            this.prefix = prefix;
        }

        public boolean has(String name) {
            return weights.has(prefix + name);
        }

        public UserError missing(String name) {
            Path file = weights.names().isEmpty() ? null : weights.info(weights.names().iterator().next()).file();
            return new UserError((file == null ? "" : file + ": ") + "missing tensor " + prefix + name
                    + " (config.json implies it)");
        }

        public TensorInfo check(String name, long... shape) {
            String full = prefix + name;
            if (!weights.has(full)) throw missing(name);
            TensorInfo info = weights.info(full);
            if (!Arrays.equals(info.shape(), shape)) {
                throw UserError.inFile(info.file(), "tensor " + full + " has shape " + Arrays.toString(info.shape())
                        + " but config.json implies " + Arrays.toString(shape));
            }
            return info;
        }

        public float[] floats(String name, long... shape) {
            check(name, shape);
            return weights.floats(prefix + name);
        }

        MemorySegment segment(String name, long... shape) {
            check(name, shape);
            return weights.f32(prefix + name);
        }
    }

    /** Every tensor name the forward pass reads (for reports and for training's parameter list). */
    public List<String> tensorNames() {
        List<String> names = new ArrayList<>();
        for (String n : weights.names()) names.add(n);
        return names;
    }
}
