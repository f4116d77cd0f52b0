package wavlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * The fields of a HuggingFace wav2vec2 / HuBERT config.json that decide the forward pass.
 * Missing fields take HF's defaults (Wav2Vec2Config / HubertConfig); training-only fields
 * (dropout, SpecAugment, quantizer sizes) are read where training needs them and otherwise ignored.
 */
public record Wav2Vec2Config(
        String modelType,              // "wav2vec2" or "hubert"
        List<String> architectures,
        int[] convDim, int[] convKernel, int[] convStride,
        boolean convBias,
        boolean groupNormEncoder,       // feat_extract_norm == "group" (else "layer")
        boolean stableLayerNorm,        // do_stable_layer_norm: pre-LN transformer
        boolean featProjLayerNorm,      // HuBERT's feat_proj_layer_norm (always true for wav2vec2)
        int hiddenSize, int numLayers, int numHeads, int intermediateSize,
        float layerNormEps,
        int posConvKernel, int posConvGroups,
        int vocabSize, int padTokenId,
        String featExtractActivation, String hiddenAct,
        // training fields (wav2vec2 pretraining and CTC fine-tuning)
        int numCodevectorGroups, int numCodevectorsPerGroup, int codevectorDim, int projCodevectorDim,
        int numNegatives, float contrastiveTemperature, float diversityLossWeight,
        float maskTimeProb, int maskTimeLength, String ctcLossReduction, boolean ctcZeroInfinity,
        Path source) {

    public static Wav2Vec2Config read(Path configFile) {
        return parse(Json.read(configFile), configFile);
    }

    /** The config from a parsed config.json object; configFile names it in messages (may be a made-up path). */
    public static Wav2Vec2Config parse(JsonNode j, Path configFile) {
        String type = text(j, "model_type", null);
        if (type == null) throw UserError.inFile(configFile, "no \"model_type\" field; is this a HuggingFace config.json?");
        if (!type.equals("wav2vec2") && !type.equals("hubert")) {
            throw UserError.inFile(configFile, "model_type \"" + type + "\" is not supported (wavlens reads \"wav2vec2\" and \"hubert\")");
        }
        if (j.path("add_adapter").asBoolean(false)) {
            throw UserError.inFile(configFile, "add_adapter = true (a wav2vec2 adapter stack) is not supported");
        }
        if (j.path("conv_pos_batch_norm").asBoolean(false)) {
            throw UserError.inFile(configFile, "conv_pos_batch_norm = true is not supported");
        }
        int[] dim = ints(j, "conv_dim", new int[] {512, 512, 512, 512, 512, 512, 512}, configFile);
        int[] kernel = ints(j, "conv_kernel", new int[] {10, 3, 3, 3, 3, 2, 2}, configFile);
        int[] stride = ints(j, "conv_stride", new int[] {5, 2, 2, 2, 2, 2, 2}, configFile);
        if (dim.length != kernel.length || dim.length != stride.length || dim.length == 0) {
            throw UserError.inFile(configFile, "conv_dim, conv_kernel and conv_stride must have the same non-zero length (found "
                    + dim.length + ", " + kernel.length + ", " + stride.length + ")");
        }
        String norm = text(j, "feat_extract_norm", "group");
        if (!norm.equals("group") && !norm.equals("layer")) {
            throw UserError.inFile(configFile, "feat_extract_norm \"" + norm + "\" is not supported (expected \"group\" or \"layer\")");
        }
        int hidden = j.path("hidden_size").asInt(768);
        int heads = j.path("num_attention_heads").asInt(12);
        int groups = j.path("num_conv_pos_embedding_groups").asInt(16);
        if (heads <= 0 || hidden % heads != 0) {
            throw UserError.inFile(configFile, "hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        if (groups <= 0 || hidden % groups != 0) {
            throw UserError.inFile(configFile, "hidden_size " + hidden + " is not divisible by num_conv_pos_embedding_groups " + groups);
        }
        String featAct = text(j, "feat_extract_activation", "gelu");
        String hiddenAct = text(j, "hidden_act", "gelu");
        for (String act : new String[] {featAct, hiddenAct}) {
            if (!act.equals("gelu") && !act.equals("relu")) {
                throw UserError.inFile(configFile, "activation \"" + act + "\" is not supported (wavlens implements \"gelu\" and \"relu\")");
            }
        }
        List<String> arch = new ArrayList<>();
        j.path("architectures").forEach(a -> arch.add(a.asText()));
        return new Wav2Vec2Config(type, arch, dim, kernel, stride,
                j.path("conv_bias").asBoolean(false),
                norm.equals("group"),
                j.path("do_stable_layer_norm").asBoolean(false),
                type.equals("hubert") ? j.path("feat_proj_layer_norm").asBoolean(true) : true,
                hidden, j.path("num_hidden_layers").asInt(12), heads, j.path("intermediate_size").asInt(3072),
                (float) j.path("layer_norm_eps").asDouble(1e-5),
                j.path("num_conv_pos_embeddings").asInt(128), groups,
                j.path("vocab_size").asInt(32), j.path("pad_token_id").asInt(0),
                featAct, hiddenAct,
                j.path("num_codevector_groups").asInt(2), j.path("num_codevectors_per_group").asInt(320),
                j.path("codevector_dim").asInt(256), j.path("proj_codevector_dim").asInt(256),
                j.path("num_negatives").asInt(100), (float) j.path("contrastive_logits_temperature").asDouble(0.1),
                (float) j.path("diversity_loss_weight").asDouble(0.1),
                (float) j.path("mask_time_prob").asDouble(0.05), j.path("mask_time_length").asInt(10),
                text(j, "ctc_loss_reduction", "sum"), j.path("ctc_zero_infinity").asBoolean(false),
                configFile);
    }

    /** True when the checkpoint carries a CTC head (…ForCTC architecture). */
    public boolean declaresCtcHead() {
        return architectures.stream().anyMatch(a -> a.endsWith("ForCTC"));
    }

    public int convLayers() {
        return convDim.length;
    }

    public int convOutDim() {
        return convDim[convDim.length - 1];
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Samples between consecutive output frames: the product of the conv strides (320 = 20 ms at 16 kHz for wav2vec2). */
    public int hopSamples() {
        int hop = 1;
        for (int s : convStride) hop *= s;
        return hop;
    }

    /** Samples one output frame sees: rf = k₀ + Σᵢ (kᵢ − 1) · ∏_{j<i} sⱼ (400 = 25 ms for wav2vec2). */
    public int receptiveFieldSamples() {
        int rf = convKernel[0];
        int jump = convStride[0];
        for (int i = 1; i < convKernel.length; i++) {
            rf += (convKernel[i] - 1) * jump;
            jump *= convStride[i];
        }
        return rf;
    }

    /** Frames for a given number of input samples: n ← floor((n − kᵢ)/sᵢ) + 1 through every conv layer. */
    public int framesFor(int samples) {
        int n = samples;
        for (int i = 0; i < convKernel.length; i++) n = n < convKernel[i] ? 0 : (n - convKernel[i]) / convStride[i] + 1;
        return n;
    }

    private static String text(JsonNode j, String key, String dflt) {
        JsonNode v = j.get(key);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    private static int[] ints(JsonNode j, String key, int[] dflt, Path file) {
        JsonNode v = j.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isArray()) throw UserError.inFile(file, "\"" + key + "\" must be a list of integers");
        int[] r = new int[v.size()];
        for (int i = 0; i < r.length; i++) r[i] = v.get(i).asInt();
        return r;
    }
}
