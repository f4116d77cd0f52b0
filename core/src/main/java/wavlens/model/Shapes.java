package wavlens.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import wavlens.io.Json;

/**
 * The published wav2vec2 shapes, as HF config.json objects, and random weights for them: the
 * engine benchmark and pretraining from scratch need a model without downloading one.
 */
public final class Shapes {
    private Shapes() {}

    /**
     * config.json for a named shape: "base" = facebook/wav2vec2-base (group norm, post-LN,
     * 95 M parameters), "large" = facebook/wav2vec2-large-lv60 / XLS-R 300M (layer norm, pre-LN,
     * conv bias, 317 M), "small" and "tiny" = laptop-sized versions of base for pretraining here.
     */
    public static ObjectNode config(String shape) {
        return switch (shape) {
            case "base" -> config(512, 768, 12, 12, 3072, 128, 16, false);
            case "large" -> config(512, 1024, 24, 16, 4096, 128, 16, true);
            case "small" -> config(256, 384, 6, 6, 1536, 128, 16, false);
            case "tiny" -> config(256, 256, 4, 4, 1024, 128, 16, false);
            default -> throw new wavlens.io.UserError("unknown shape \"" + shape + "\" (expected tiny, small, base or large)");
        };
    }

    private static ObjectNode config(int conv, int hidden, int layers, int heads, int ff, int posK, int posG, boolean large) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "wav2vec2");
        c.putArray("architectures").add("Wav2Vec2ForPreTraining");
        ArrayNode dim = c.putArray("conv_dim"), kernel = c.putArray("conv_kernel"), stride = c.putArray("conv_stride");
        int[] k = {10, 3, 3, 3, 3, 2, 2}, s = {5, 2, 2, 2, 2, 2, 2};
        for (int i = 0; i < 7; i++) {
            dim.add(conv);
            kernel.add(k[i]);
            stride.add(s[i]);
        }
        c.put("num_feat_extract_layers", 7);
        c.put("conv_bias", large);
        c.put("feat_extract_norm", large ? "layer" : "group");
        c.put("feat_extract_activation", "gelu");
        c.put("do_stable_layer_norm", large);
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("intermediate_size", ff);
        c.put("hidden_act", "gelu");
        c.put("layer_norm_eps", 1e-5);
        c.put("num_conv_pos_embeddings", posK);
        c.put("num_conv_pos_embedding_groups", posG);
        c.put("vocab_size", 32);
        c.put("pad_token_id", 0);
        c.put("num_codevector_groups", 2);
        c.put("num_codevectors_per_group", 320);
        c.put("codevector_dim", large ? 768 : 256);
        c.put("proj_codevector_dim", large ? 768 : 256);
        c.put("num_negatives", 100);
        c.put("contrastive_logits_temperature", 0.1);
        c.put("diversity_loss_weight", 0.1);
        c.put("mask_time_prob", 0.65);
        c.put("mask_time_length", 10);
        return c;
    }

    /** How one tensor is initialised (HF's scales; see {@link #randomTensor}). */
    private record Init(long[] shape, String kind, double std) {}

    /**
     * The encoder's tensors (no CTC head, no quantizer) with their initialisation, in HF's names:
     * linear weights normal(0, 0.02); conv weights Kaiming-normal, std √(2 / fan_in); norms weight
     * 1, bias 0; positional conv v normal(0, √(4 / (K·H))) (fairseq) with g = ‖v‖ per tap, so the
     * weight norm starts as the identity.
     */
    private static Map<String, Init> encoderInit(Wav2Vec2Config cfg) {
        Map<String, Init> w = new LinkedHashMap<>();
        int in = 1;
        for (int i = 0; i < cfg.convLayers(); i++) {
            int out = cfg.convDim()[i], k = cfg.convKernel()[i];
            String p = "wav2vec2.feature_extractor.conv_layers." + i + ".";
            w.put(p + "conv.weight", new Init(new long[] {out, in, k}, "normal", Math.sqrt(2.0 / (in * k))));
            if (cfg.convBias()) w.put(p + "conv.bias", new Init(new long[] {out}, "zeros", 0));
            if (!cfg.groupNormEncoder() || i == 0) {
                w.put(p + "layer_norm.weight", new Init(new long[] {out}, "ones", 0));
                w.put(p + "layer_norm.bias", new Init(new long[] {out}, "zeros", 0));
            }
            in = out;
        }
        int c = cfg.convOutDim(), h = cfg.hiddenSize(), ff = cfg.intermediateSize();
        int k = cfg.posConvKernel(), per = h / cfg.posConvGroups();
        w.put("wav2vec2.feature_projection.layer_norm.weight", new Init(new long[] {c}, "ones", 0));
        w.put("wav2vec2.feature_projection.layer_norm.bias", new Init(new long[] {c}, "zeros", 0));
        w.put("wav2vec2.feature_projection.projection.weight", new Init(new long[] {h, c}, "normal", 0.02));
        w.put("wav2vec2.feature_projection.projection.bias", new Init(new long[] {h}, "zeros", 0));
        w.put("wav2vec2.encoder.pos_conv_embed.conv.weight_g", new Init(new long[] {1, 1, k}, "weight_g", 0));
        w.put("wav2vec2.encoder.pos_conv_embed.conv.weight_v", new Init(new long[] {h, per, k}, "normal", Math.sqrt(4.0 / (k * h))));
        w.put("wav2vec2.encoder.pos_conv_embed.conv.bias", new Init(new long[] {h}, "zeros", 0));
        w.put("wav2vec2.encoder.layer_norm.weight", new Init(new long[] {h}, "ones", 0));
        w.put("wav2vec2.encoder.layer_norm.bias", new Init(new long[] {h}, "zeros", 0));
        w.put("wav2vec2.masked_spec_embed", new Init(new long[] {h}, "uniform", 0));
        for (int l = 0; l < cfg.numLayers(); l++) {
            String p = "wav2vec2.encoder.layers." + l + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                w.put(p + "attention." + proj + ".weight", new Init(new long[] {h, h}, "normal", 0.02));
                w.put(p + "attention." + proj + ".bias", new Init(new long[] {h}, "zeros", 0));
            }
            w.put(p + "layer_norm.weight", new Init(new long[] {h}, "ones", 0));
            w.put(p + "layer_norm.bias", new Init(new long[] {h}, "zeros", 0));
            w.put(p + "feed_forward.intermediate_dense.weight", new Init(new long[] {ff, h}, "normal", 0.02));
            w.put(p + "feed_forward.intermediate_dense.bias", new Init(new long[] {ff}, "zeros", 0));
            w.put(p + "feed_forward.output_dense.weight", new Init(new long[] {h, ff}, "normal", 0.02));
            w.put(p + "feed_forward.output_dense.bias", new Init(new long[] {h}, "zeros", 0));
            w.put(p + "final_layer_norm.weight", new Init(new long[] {h}, "ones", 0));
            w.put(p + "final_layer_norm.bias", new Init(new long[] {h}, "zeros", 0));
        }
        return w;
    }

    /** Names and shapes of the randomly initialised encoder tensors. */
    public static Map<String, long[]> randomShapes(Wav2Vec2Config cfg) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        encoderInit(cfg).forEach((name, init) -> shapes.put(name, init.shape()));
        return shapes;
    }

    /**
     * One tensor of a random initialisation. Each tensor has its own stream, seeded by the seed
     * and its name, so tensors can be made one at a time in any order (a checkpoint larger than
     * the heap is written tensor by tensor).
     */
    public static float[] randomTensor(Wav2Vec2Config cfg, String name, long seed) {
        Init init = encoderInit(cfg).get(name);
        if (init == null) throw new IllegalArgumentException("no random initialisation for " + name);
        long n = 1;
        for (long d : init.shape()) n *= d;
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
        return switch (init.kind()) {
            case "normal" -> normal(rnd, (int) n, init.std());
            case "uniform" -> uniform(rnd, (int) n);
            case "ones" -> ones((int) n);
            case "zeros" -> new float[(int) n];
            case "weight_g" -> {
                String vName = name.replace("weight_g", "weight_v");
                float[] v = randomTensor(cfg, vName, seed);
                int k = (int) n;
                float[] g = new float[k];
                for (int tap = 0; tap < k; tap++) {
                    double sq = 0;
                    for (int i = tap; i < v.length; i += k) sq += (double) v[i] * v[i];
                    g[tap] = (float) Math.sqrt(sq);
                }
                yield g;
            }
            default -> throw new IllegalStateException(init.kind());
        };
    }

    static float[] normal(SplittableRandom rnd, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            // Box–Muller: two uniforms give one standard normal (the other is dropped for simplicity)
            double u1 = 1.0 - rnd.nextDouble(), u2 = rnd.nextDouble();
            a[i] = (float) (std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return a;
    }

    private static float[] uniform(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextDouble();
        return a;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }
}
