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

    /** The families `bench engine --family` knows, as HF model_type values by their short names. */
    public static final Map<String, String> FAMILIES = Map.of("wav2vec2", "wav2vec2", "hubert", "hubert", "wavlm", "wavlm",
            "data2vec-audio", "data2vec-audio", "conformer", "wav2vec2-conformer");

    /**
     * config.json of another family at a wav2vec2 shape (same conv stack, width, depth, heads):
     * HuBERT as it is; WavLM with HF's 320 buckets up to distance 800; data2vec-audio with its
     * five positional convs of kernel 19 (and layer norm in every conv layer); the conformer with
     * relative positions, depthwise kernel 31 and Swish, as facebook/wav2vec2-conformer-rel-pos-large.
     */
    public static ObjectNode config(String shape, String family) {
        ObjectNode c = config(shape);
        switch (family) {
            case "wav2vec2" -> { }
            case "hubert" -> {
                c.put("model_type", "hubert");
                c.putArray("architectures").add("HubertModel");
                c.put("feat_proj_layer_norm", true);
            }
            case "wavlm" -> {
                c.put("model_type", "wavlm");
                c.putArray("architectures").add("WavLMModel");
                c.put("num_buckets", 320);
                c.put("max_bucket_distance", 800);
            }
            case "data2vec-audio" -> {
                c.put("model_type", "data2vec-audio");
                c.putArray("architectures").add("Data2VecAudioModel");
                c.remove("feat_extract_norm");
                c.put("num_conv_pos_embeddings", 5);
                c.put("conv_pos_kernel_size", 19);
            }
            case "conformer" -> {
                c.put("model_type", "wav2vec2-conformer");
                c.putArray("architectures").add("Wav2Vec2ConformerModel");
                c.put("position_embeddings_type", "relative");
                c.put("conv_depthwise_kernel_size", 31);
                c.put("hidden_act", "swish");
                c.put("max_source_positions", 5000);
            }
            default -> throw new wavlens.io.UserError("unknown family \"" + family + "\" (expected one of wav2vec2, hubert, wavlm, data2vec-audio, conformer)");
        }
        return c;
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
        String P = cfg.basePrefix();
        int in = 1;
        for (int i = 0; i < cfg.convLayers(); i++) {
            int out = cfg.convDim()[i], k = cfg.convKernel()[i];
            String p = P + "feature_extractor.conv_layers." + i + ".";
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
        w.put(P + "feature_projection.layer_norm.weight", new Init(new long[] {c}, "ones", 0));
        w.put(P + "feature_projection.layer_norm.bias", new Init(new long[] {c}, "zeros", 0));
        w.put(P + "feature_projection.projection.weight", new Init(new long[] {h, c}, "normal", 0.02));
        w.put(P + "feature_projection.projection.bias", new Init(new long[] {h}, "zeros", 0));
        if (cfg.isData2VecAudio()) {
            for (int j = 0; j < cfg.posConvLayers(); j++) {
                String p = P + "encoder.pos_conv_embed.layers." + j + ".conv.";
                w.put(p + "weight", new Init(new long[] {h, per, k}, "normal", Math.sqrt(2.0 / (k * per))));
                w.put(p + "bias", new Init(new long[] {h}, "zeros", 0));
            }
        } else {
            w.put(P + "encoder.pos_conv_embed.conv.weight_g", new Init(new long[] {1, 1, k}, "weight_g", 0));
            w.put(P + "encoder.pos_conv_embed.conv.weight_v", new Init(new long[] {h, per, k}, "normal", Math.sqrt(4.0 / (k * h))));
            w.put(P + "encoder.pos_conv_embed.conv.bias", new Init(new long[] {h}, "zeros", 0));
        }
        w.put(P + "encoder.layer_norm.weight", new Init(new long[] {h}, "ones", 0));
        w.put(P + "encoder.layer_norm.bias", new Init(new long[] {h}, "zeros", 0));
        w.put(P + "masked_spec_embed", new Init(new long[] {h}, "uniform", 0));
        for (int l = 0; l < cfg.numLayers(); l++) {
            String p = P + "encoder.layers." + l + ".";
            if (cfg.isConformer()) {
                conformerLayerInit(w, cfg, p);
                continue;
            }
            if (cfg.isWavLm()) {
                w.put(p + "attention.gru_rel_pos_const", new Init(new long[] {1, cfg.numHeads(), 1, 1}, "ones", 0));
                w.put(p + "attention.gru_rel_pos_linear.weight", new Init(new long[] {8, cfg.headDim()}, "normal", 0.02));
                w.put(p + "attention.gru_rel_pos_linear.bias", new Init(new long[] {8}, "zeros", 0));
                if (l == 0) w.put(p + "attention.rel_attn_embed.weight", new Init(new long[] {cfg.numBuckets(), cfg.numHeads()}, "normal", 0.02));
            }
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

    /** One Conformer block's tensors (HF names), initialised as the transformer's: linear normal(0, 0.02), norms 1 / 0. */
    private static void conformerLayerInit(Map<String, Init> w, Wav2Vec2Config cfg, String p) {
        int h = cfg.hiddenSize(), ff = cfg.intermediateSize();
        for (String f : new String[] {"ffn1", "ffn2"}) {
            w.put(p + f + "_layer_norm.weight", new Init(new long[] {h}, "ones", 0));
            w.put(p + f + "_layer_norm.bias", new Init(new long[] {h}, "zeros", 0));
            w.put(p + f + ".intermediate_dense.weight", new Init(new long[] {ff, h}, "normal", 0.02));
            w.put(p + f + ".intermediate_dense.bias", new Init(new long[] {ff}, "zeros", 0));
            w.put(p + f + ".output_dense.weight", new Init(new long[] {h, ff}, "normal", 0.02));
            w.put(p + f + ".output_dense.bias", new Init(new long[] {h}, "zeros", 0));
        }
        for (String n : new String[] {"self_attn_layer_norm", "final_layer_norm", "conv_module.layer_norm", "conv_module.batch_norm"}) {
            w.put(p + n + ".weight", new Init(new long[] {h}, "ones", 0));
            w.put(p + n + ".bias", new Init(new long[] {h}, "zeros", 0));
        }
        for (String proj : new String[] {"linear_q", "linear_k", "linear_v", "linear_out"}) {
            w.put(p + "self_attn." + proj + ".weight", new Init(new long[] {h, h}, "normal", 0.02));
            w.put(p + "self_attn." + proj + ".bias", new Init(new long[] {h}, "zeros", 0));
        }
        if (cfg.positionEmbeddings().equals("relative")) {
            w.put(p + "self_attn.linear_pos.weight", new Init(new long[] {h, h}, "normal", 0.02));
            w.put(p + "self_attn.pos_bias_u", new Init(new long[] {cfg.numHeads(), cfg.headDim()}, "normal", 0.02));
            w.put(p + "self_attn.pos_bias_v", new Init(new long[] {cfg.numHeads(), cfg.headDim()}, "normal", 0.02));
        }
        w.put(p + "conv_module.pointwise_conv1.weight", new Init(new long[] {2L * h, h, 1}, "normal", 0.02));
        w.put(p + "conv_module.depthwise_conv.weight", new Init(new long[] {h, 1, cfg.depthwiseKernel()}, "normal", Math.sqrt(2.0 / cfg.depthwiseKernel())));
        w.put(p + "conv_module.batch_norm.running_mean", new Init(new long[] {h}, "zeros", 0));
        w.put(p + "conv_module.batch_norm.running_var", new Init(new long[] {h}, "ones", 0));
        w.put(p + "conv_module.pointwise_conv2.weight", new Init(new long[] {h, h, 1}, "normal", 0.02));
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
