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

    /**
     * Random weights for the encoder of a config (no CTC head, no quantizer): normal(0, std) with
     * HF's initialisation scales (linear std 0.02; convs Kaiming-normal, std √(2 / fan_in);
     * norms weight 1, bias 0; pos-conv weight norm g = ‖v‖ per tap so the norm starts as identity).
     */
    public static Map<String, float[]> randomWeights(Wav2Vec2Config cfg, long seed, Map<String, long[]> shapes) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        int in = 1;
        for (int i = 0; i < cfg.convLayers(); i++) {
            int out = cfg.convDim()[i], k = cfg.convKernel()[i];
            String p = "wav2vec2.feature_extractor.conv_layers." + i + ".";
            put(w, shapes, p + "conv.weight", normal(rnd, out * in * k, Math.sqrt(2.0 / (in * k))), out, in, k);
            if (cfg.convBias()) put(w, shapes, p + "conv.bias", new float[out], out);
            if (!cfg.groupNormEncoder() || i == 0) {
                put(w, shapes, p + "layer_norm.weight", ones(out), out);
                put(w, shapes, p + "layer_norm.bias", new float[out], out);
            }
            in = out;
        }
        int c = cfg.convOutDim(), h = cfg.hiddenSize(), ff = cfg.intermediateSize();
        put(w, shapes, "wav2vec2.feature_projection.layer_norm.weight", ones(c), c);
        put(w, shapes, "wav2vec2.feature_projection.layer_norm.bias", new float[c], c);
        put(w, shapes, "wav2vec2.feature_projection.projection.weight", normal(rnd, h * c, 0.02), h, c);
        put(w, shapes, "wav2vec2.feature_projection.projection.bias", new float[h], h);
        int k = cfg.posConvKernel(), per = h / cfg.posConvGroups();
        float[] v = normal(rnd, h * per * k, Math.sqrt(4.0 / (k * h)));   // fairseq: std = sqrt(4 / (K · C))
        float[] g = new float[k];
        for (int tap = 0; tap < k; tap++) {
            double n = 0;
            for (int i = tap; i < v.length; i += k) n += (double) v[i] * v[i];
            g[tap] = (float) Math.sqrt(n);
        }
        put(w, shapes, "wav2vec2.encoder.pos_conv_embed.conv.weight_g", g, 1, 1, k);
        put(w, shapes, "wav2vec2.encoder.pos_conv_embed.conv.weight_v", v, h, per, k);
        put(w, shapes, "wav2vec2.encoder.pos_conv_embed.conv.bias", new float[h], h);
        put(w, shapes, "wav2vec2.encoder.layer_norm.weight", ones(h), h);
        put(w, shapes, "wav2vec2.encoder.layer_norm.bias", new float[h], h);
        put(w, shapes, "wav2vec2.masked_spec_embed", uniform(rnd, h), h);
        for (int l = 0; l < cfg.numLayers(); l++) {
            String p = "wav2vec2.encoder.layers." + l + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                put(w, shapes, p + "attention." + proj + ".weight", normal(rnd, h * h, 0.02), h, h);
                put(w, shapes, p + "attention." + proj + ".bias", new float[h], h);
            }
            put(w, shapes, p + "layer_norm.weight", ones(h), h);
            put(w, shapes, p + "layer_norm.bias", new float[h], h);
            put(w, shapes, p + "feed_forward.intermediate_dense.weight", normal(rnd, ff * h, 0.02), ff, h);
            put(w, shapes, p + "feed_forward.intermediate_dense.bias", new float[ff], ff);
            put(w, shapes, p + "feed_forward.output_dense.weight", normal(rnd, h * ff, 0.02), h, ff);
            put(w, shapes, p + "feed_forward.output_dense.bias", new float[h], h);
            put(w, shapes, p + "final_layer_norm.weight", ones(h), h);
            put(w, shapes, p + "final_layer_norm.bias", new float[h], h);
        }
        return w;
    }

    private static void put(Map<String, float[]> w, Map<String, long[]> shapes, String name, float[] v, long... shape) {
        w.put(name, v);
        shapes.put(name, shape);
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
