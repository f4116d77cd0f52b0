package wavlens.model;

import java.lang.foreign.MemorySegment;
import wavlens.tensor.Blas;
import wavlens.tensor.Conv;
import wavlens.tensor.Ops;

/**
 * The encoder of wav2vec2-conformer (HF Wav2Vec2ConformerEncoder, eval mode): Conformer blocks
 * (Gulati et al. 2020, §2) over the projected conv features,
 *
 * <pre>
 *   x ← x + ½ FFN₁(LN x)                      half-step feed-forward (macaron, §2.3)
 *   x ← x + MHSA(LN x)                        relative (Transformer-XL) or rotary positions
 *   x ← x + ConvModule(x)                     LN → pointwise → GLU → depthwise → BatchNorm → Swish → pointwise
 *   x ← LN(x + ½ FFN₂(LN x))
 * </pre>
 *
 * and a final encoder LayerNorm. The checkpoint's weight-normed positional convolution is built
 * by HF but never used in its forward pass, so it is not read here either. hidden_states[0] is the
 * projection output, hidden_states[l] the output of layer l − 1, hidden_states[L] the last layer's
 * output after the encoder LayerNorm (as in HF).
 */
final class Conformer {

    record FeedForward(float[] lnW, float[] lnB, MemorySegment wUp, float[] bUp, MemorySegment wDown, float[] bDown) {}

    record Block(FeedForward ffn1, FeedForward ffn2,
                 float[] attnLnW, float[] attnLnB,
                 MemorySegment wq, float[] bq, MemorySegment wk, float[] bk, MemorySegment wv, float[] bv,
                 MemorySegment wo, float[] bo,
                 MemorySegment wPos, float[] biasU, float[] biasV,           // relative positions only
                 float[] convLnW, float[] convLnB, MemorySegment pointwise1, float[] depthwise,
                 float[] bnScale, float[] bnShift, MemorySegment pointwise2,
                 float[] finalLnW, float[] finalLnB) {}

    private static final float LN_EPS = 1e-5f;         // nn.LayerNorm / BatchNorm1d defaults inside the blocks
    private static final int QUERY_BLOCK = 256;

    private final Wav2Vec2Config cfg;
    private final Block[] blocks;
    private final float[] encLnW, encLnB;
    private final float[] invFreq;                      // rotary: one frequency per pair of head channels

    Conformer(Wav2Vec2Config cfg, Wav2Vec2.Checker w) {
        this.cfg = cfg;
        int h = cfg.hiddenSize(), ff = cfg.intermediateSize(), heads = cfg.numHeads(), d = cfg.headDim();
        int k = cfg.depthwiseKernel();
        boolean relative = cfg.positionEmbeddings().equals("relative");
        blocks = new Block[cfg.numLayers()];
        for (int l = 0; l < blocks.length; l++) {
            String p = "encoder.layers." + l + ".";
            String a = p + "self_attn.", c = p + "conv_module.";
            // BatchNorm in eval mode is a per-channel affine map: (x − mean) / √(var + eps) · γ + β
            float[] mean = w.floats(c + "batch_norm.running_mean", h), var = w.floats(c + "batch_norm.running_var", h);
            float[] gamma = w.floats(c + "batch_norm.weight", h), beta = w.floats(c + "batch_norm.bias", h);
            float[] scale = new float[h], shift = new float[h];
            for (int i = 0; i < h; i++) {
                scale[i] = (float) (gamma[i] / Math.sqrt(var[i] + LN_EPS));
                shift[i] = beta[i] - mean[i] * scale[i];
            }
            blocks[l] = new Block(feedForward(w, p + "ffn1", h, ff), feedForward(w, p + "ffn2", h, ff),
                    w.floats(p + "self_attn_layer_norm.weight", h), w.floats(p + "self_attn_layer_norm.bias", h),
                    w.segment(a + "linear_q.weight", h, h), w.floats(a + "linear_q.bias", h),
                    w.segment(a + "linear_k.weight", h, h), w.floats(a + "linear_k.bias", h),
                    w.segment(a + "linear_v.weight", h, h), w.floats(a + "linear_v.bias", h),
                    w.segment(a + "linear_out.weight", h, h), w.floats(a + "linear_out.bias", h),
                    relative ? w.segment(a + "linear_pos.weight", h, h) : null,
                    relative ? w.floats(a + "pos_bias_u", heads, d) : null,
                    relative ? w.floats(a + "pos_bias_v", heads, d) : null,
                    w.floats(c + "layer_norm.weight", h), w.floats(c + "layer_norm.bias", h),
                    w.segment(c + "pointwise_conv1.weight", 2L * h, h, 1),
                    w.floats(c + "depthwise_conv.weight", h, 1, k),
                    scale, shift,
                    w.segment(c + "pointwise_conv2.weight", h, h, 1),
                    w.floats(p + "final_layer_norm.weight", h), w.floats(p + "final_layer_norm.bias", h));
        }
        encLnW = w.floats("encoder.layer_norm.weight", h);
        encLnB = w.floats("encoder.layer_norm.bias", h);
        if (!cfg.positionEmbeddings().equals("rotary")) {
            invFreq = null;
        } else if (w.has("encoder.embed_positions.inv_freq")) {
            invFreq = w.floats("encoder.embed_positions.inv_freq", d / 2);   // HF loads the stored buffer
        } else {
            // RoFormer §3.2: θ_i = base^(−2i/d), computed as HF's constructor does when the buffer is absent
            invFreq = new float[d / 2];
            for (int i = 0; i < d / 2; i++) invFreq[i] = (float) (1.0 / Math.pow(cfg.rotaryBase(), (2.0 * i) / d));
        }
    }

    private static FeedForward feedForward(Wav2Vec2.Checker w, String p, int h, int ff) {
        return new FeedForward(w.floats(p + "_layer_norm.weight", h), w.floats(p + "_layer_norm.bias", h),
                w.segment(p + ".intermediate_dense.weight", ff, h), w.floats(p + ".intermediate_dense.bias", ff),
                w.segment(p + ".output_dense.weight", h, ff), w.floats(p + ".output_dense.bias", h));
    }

    /** hidden_states[0..L] for the projected features x [frames × H]; frames at or past `valid` are padding. */
    float[][] encode(float[] x, int frames, int valid, boolean[] keep) {
        int h = cfg.hiddenSize();
        float[][] hidden = new float[blocks.length + 1][];
        float[] pe = cfg.positionEmbeddings().equals("relative") ? relativeSinusoids(frames, h) : null;
        float[][] rotary = invFreq == null ? null : rotaryTables(frames);
        float[] normed = new float[frames * h];
        for (int l = 0; l < blocks.length; l++) {
            if (keep[l]) hidden[l] = x.clone();
            Block b = blocks[l];
            halfStepFeedForward(x, frames, b.ffn1, normed);
            Ops.layerNorm(x, normed, frames, h, b.attnLnW, b.attnLnB, LN_EPS);
            float[] a = attention(normed, frames, valid, b, pe, rotary);
            Ops.addInPlace(x, a, frames * h);
            Ops.addInPlace(x, convolutionModule(x, frames, b, normed), frames * h);
            halfStepFeedForward(x, frames, b.ffn2, normed);
            Ops.layerNorm(x, x, frames, h, b.finalLnW, b.finalLnB, LN_EPS);
        }
        Ops.layerNorm(x, x, frames, h, encLnW, encLnB, cfg.layerNormEps());
        hidden[blocks.length] = x;
        return hidden;
    }

    /** x ← x + ½ · FFN(LN x), in place. */
    private void halfStepFeedForward(float[] x, int frames, FeedForward f, float[] normed) {
        int h = cfg.hiddenSize(), ff = cfg.intermediateSize();
        Ops.layerNorm(x, normed, frames, h, f.lnW, f.lnB, LN_EPS);
        float[] up = Wav2Vec2.linear(normed, frames, h, f.wUp, f.bUp, ff);
        Wav2Vec2.activation(up, frames, ff, cfg.hiddenAct());
        float[] down = Wav2Vec2.linear(up, frames, ff, f.wDown, f.bDown, h);
        for (int i = 0; i < down.length; i++) x[i] += 0.5f * down[i];
    }

    /**
     * Transformer-XL sinusoids for the relative positions T − 1, …, 0, …, −(T − 1) (row r is
     * position T − 1 − r): [sin(p·ω₀), cos(p·ω₀), sin(p·ω₁), …] with ω_i = 10000^(−2i/H), in float32
     * as HF computes them (ω = exp(2i · −ln(10⁴)/H), angle p·ω rounded to float).
     */
    static float[] relativeSinusoids(int frames, int h) {
        int rows = 2 * frames - 1;
        float[] pe = new float[rows * h];
        float step = (float) (-(Math.log(10000.0) / h));
        for (int i = 0; i < h; i += 2) {
            float omega = (float) Math.exp((float) i * step);
            for (int r = 0; r < rows; r++) {
                float angle = (float) (frames - 1 - r) * omega;
                pe[r * h + i] = (float) Math.sin(angle);
                if (i + 1 < h) pe[r * h + i + 1] = (float) Math.cos(angle);
            }
        }
        return pe;
    }

    /** cos and sin of t·θ_i for every frame t and frequency i ([frames × d/2] each), angle rounded to float as HF. */
    private float[][] rotaryTables(int frames) {
        int half = invFreq.length;
        float[] cos = new float[frames * half], sin = new float[frames * half];
        for (int t = 0; t < frames; t++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) t * invFreq[i];
                cos[t * half + i] = (float) Math.cos(angle);
                sin[t * half + i] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }

    /**
     * Rotary embedding of the attention input (applied before the q/k projections, as HF does):
     * per head, channel i and i + d/2 form a pair rotated by t·θ_i —
     * y_i = x_i cos − x_{i+d/2} sin, y_{i+d/2} = x_{i+d/2} cos + x_i sin.
     */
    private float[] rotate(float[] x, int frames, float[][] table) {
        int h = cfg.hiddenSize(), d = cfg.headDim(), half = d / 2, heads = cfg.numHeads();
        float[] y = new float[x.length];
        float[] cos = table[0], sin = table[1];
        Ops.forRows(frames, h, t -> {
            for (int head = 0; head < heads; head++) {
                int o = t * h + head * d;
                for (int i = 0; i < half; i++) {
                    float c = cos[t * half + i], s = sin[t * half + i];
                    float a = x[o + i], b = x[o + i + half];
                    y[o + i] = a * c - b * s;
                    y[o + i + half] = b * c + a * s;
                }
            }
        });
        return y;
    }

    /**
     * Self-attention. Relative (Transformer-XL §3.3): score(i, j) = ((q_i + u)·k_j + (q_i + v)·R_{i−j}) / √d
     * with R = linear_pos(sinusoids); the (q + v)·R product is taken against all 2T − 1 positions
     * and row i read from column T − 1 − i + j (HF's shift trick). Rotary: plain scaled dot
     * product of the rotated q and k; without position embeddings (null in config.json), of q and k.
     * Keys at or past `valid` get no weight.
     */
    private float[] attention(float[] x, int frames, int valid, Block b, float[] pe, float[][] rotary) {
        int h = cfg.hiddenSize(), d = cfg.headDim();
        float[] qkIn = rotary == null ? x : rotate(x, frames, rotary);
        float[] q = Wav2Vec2.linear(qkIn, frames, h, b.wq, b.bq, h);
        float[] k = Wav2Vec2.linear(qkIn, frames, h, b.wk, b.bk, h);
        float[] v = Wav2Vec2.linear(x, frames, h, b.wv, b.bv, h);
        float scale = (float) (1.0 / Math.sqrt(d));
        int keys = Math.max(1, valid);
        int block = Math.min(QUERY_BLOCK, frames);
        float[] scores = new float[block * keys];
        float[] context = new float[frames * h];
        float[] qu = q, qv = null, pos = null, bd = null;
        int positions = 2 * frames - 1;
        if (pe != null) {
            pos = Wav2Vec2.linear(pe, positions, h, b.wPos, null, h);
            qu = q.clone();
            Ops.addBias(qu, frames, h, b.biasU);       // u, v are [heads × d] = one H-vector in the head-major column order
            qv = q.clone();
            Ops.addBias(qv, frames, h, b.biasV);
            bd = new float[block * positions];
        }
        for (int head = 0; head < cfg.numHeads(); head++) {
            int off = head * d;
            for (int q0 = 0; q0 < frames; q0 += block) {
                int rows = Math.min(block, frames - q0);
                Blas.sgemm(false, true, rows, keys, d, scale, qu, q0 * h + off, h, k, off, h, 0f, scores, 0, keys);
                final int n = keys;
                if (pe != null) {
                    Blas.sgemm(false, true, rows, positions, d, scale, qv, q0 * h + off, h, pos, off, h, 0f, bd, 0, positions);
                    final int first = q0;
                    final float[] shifted = bd;
                    Ops.forRows(rows, n, r -> {
                        // column T − 1 − i of row i is key 0 of query i = first + r; added in the softmax's pass
                        Ops.axpy(1f, shifted, r * positions + frames - 1 - (first + r), scores, r * n, n);
                        Ops.softmaxRow(scores, r * n, n);
                    });
                } else {
                    Ops.forRows(rows, n, r -> Ops.softmaxRow(scores, r * n, n));
                }
                Blas.sgemm(false, false, rows, d, keys, 1f, scores, 0, keys, v, off, h, 0f, context, q0 * h + off, h);
            }
        }
        return Wav2Vec2.linear(context, frames, h, b.wo, b.bo, h);
    }

    /** Conformer §2.2: pointwise conv (2H) → GLU → depthwise conv → BatchNorm → Swish → pointwise conv, on LN(x). */
    private float[] convolutionModule(float[] x, int frames, Block b, float[] normed) {
        int h = cfg.hiddenSize();
        Ops.layerNorm(x, normed, frames, h, b.convLnW, b.convLnB, LN_EPS);
        float[] z = Wav2Vec2.linear(normed, frames, h, b.pointwise1, null, 2 * h);
        float[] glu = new float[frames * h];        // GLU over channels: first half · σ(second half)
        Ops.forRows(frames, 2 * h, t -> {
            for (int c = 0; c < h; c++) glu[t * h + c] = z[t * 2 * h + c] * Ops.sigmoid(z[t * 2 * h + h + c]);
        });
        float[] y = Conv.depthwiseSameConv(glu, frames, h, b.depthwise, cfg.depthwiseKernel());
        Ops.forRows(frames, h, t -> {
            for (int c = 0; c < h; c++) y[t * h + c] = y[t * h + c] * b.bnScale[c] + b.bnShift[c];
        });
        Wav2Vec2.activation(y, frames, h, cfg.hiddenAct());
        return Wav2Vec2.linear(y, frames, h, b.pointwise2, null, h);
    }

    /** Multiply-adds × 2 of the encoder over `frames` frames (for the bench's GFLOP/s). */
    double flops(int frames) {
        double t = frames, h = cfg.hiddenSize(), ff = cfg.intermediateSize();
        double perLayer = 2 * (2 * t * h * ff * 2)                       // two feed-forward modules
                + 2 * t * h * h * 4 + 2 * t * t * h * 2                   // q, k, v, out; scores and context
                + 2 * t * h * 2 * h + 2 * t * h * cfg.depthwiseKernel() + 2 * t * h * h;   // conv module
        if (cfg.positionEmbeddings().equals("relative")) perLayer += 2 * (2 * t - 1) * h * h + 2 * t * (2 * t - 1) * h;   // linear_pos and (q + v)·R
        return perLayer * blocks.length;
    }
}
