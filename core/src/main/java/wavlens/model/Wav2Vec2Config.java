package wavlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * The fields of a HuggingFace config.json that decide the forward pass, for the wav2vec2 family:
 * wav2vec2, hubert, wavlm, data2vec-audio and wav2vec2-conformer. Missing fields take HF's
 * defaults for that model_type (Wav2Vec2Config, HubertConfig, WavLMConfig, Data2VecAudioConfig,
 * Wav2Vec2ConformerConfig); training-only fields (dropout, SpecAugment, quantizer sizes) are read
 * where training needs them and otherwise ignored.
 */
public record Wav2Vec2Config(
        String modelType,              // "wav2vec2", "hubert", "wavlm", "data2vec-audio" or "wav2vec2-conformer"
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
        // the other families
        int posConvLayers,              // data2vec-audio: num_conv_pos_embeddings convs of posConvKernel (1 elsewhere)
        int numBuckets, int maxBucketDistance,   // WavLM's relative position bias
        String positionEmbeddings,      // conformer: "relative", "rotary" or "none" (HF's null)
        double rotaryBase, int depthwiseKernel,  // conformer: rotary_embedding_base, conv_depthwise_kernel_size
        Path source) {

    /** The model_type values wavlens reads. */
    public static final List<String> MODEL_TYPES = List.of("wav2vec2", "hubert", "wavlm", "data2vec-audio", "wav2vec2-conformer");

    public static Wav2Vec2Config read(Path configFile) {
        return parse(Json.read(configFile), configFile);
    }

    /** The config from a parsed config.json object; configFile names it in messages (may be a made-up path). */
    public static Wav2Vec2Config parse(JsonNode j, Path configFile) {
        String type = text(j, "model_type", null);
        if (type == null) throw UserError.inFile(configFile, "no \"model_type\" field; is this a HuggingFace config.json?");
        if (!MODEL_TYPES.contains(type)) {
            throw UserError.inFile(configFile, "model_type \"" + type + "\" is not supported (wavlens reads " + String.join(", ", MODEL_TYPES) + ")");
        }
        boolean data2vec = type.equals("data2vec-audio"), conformer = type.equals("wav2vec2-conformer");
        if (j.path("add_adapter").asBoolean(false)) {
            throw UserError.inFile(configFile, "add_adapter = true (an adapter stack after the encoder) is not supported");
        }
        if (j.path("conv_pos_batch_norm").asBoolean(false)) {
            throw UserError.inFile(configFile, "conv_pos_batch_norm = true is not supported");
        }
        List<String> arch = new ArrayList<>();
        j.path("architectures").forEach(a -> arch.add(a.asText()));
        for (String a : arch) {
            // heads other than CTC change what the model is for; their outputs are not what the commands read
            if (a.endsWith("ForXVector")) throw UserError.inFile(configFile, a + " (the tdnn x-vector speaker head) is not supported; wavlens reads base models and CTC heads");
            if (a.endsWith("ForSequenceClassification") || a.endsWith("ForAudioFrameClassification")) {
                throw UserError.inFile(configFile, a + " (a classification head) is not supported; wavlens reads base models and CTC heads");
            }
        }
        int[] dim = ints(j, "conv_dim", new int[] {512, 512, 512, 512, 512, 512, 512}, configFile);
        int[] kernel = ints(j, "conv_kernel", new int[] {10, 3, 3, 3, 3, 2, 2}, configFile);
        int[] stride = ints(j, "conv_stride", new int[] {5, 2, 2, 2, 2, 2, 2}, configFile);
        if (dim.length != kernel.length || dim.length != stride.length || dim.length == 0) {
            throw UserError.inFile(configFile, "conv_dim, conv_kernel and conv_stride must have the same non-zero length (found "
                    + dim.length + ", " + kernel.length + ", " + stride.length + ")");
        }
        // data2vec-audio has a LayerNorm in every conv layer and no feat_extract_norm field
        String norm = data2vec ? "layer" : text(j, "feat_extract_norm", "group");
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
        String hiddenAct = text(j, "hidden_act", conformer ? "swish" : "gelu");
        for (String act : new String[] {featAct, hiddenAct}) {
            if (!act.equals("gelu") && !act.equals("relu") && !act.equals("swish") && !act.equals("silu")) {
                throw UserError.inFile(configFile, "activation \"" + act + "\" is not supported (wavlens implements \"gelu\", \"relu\" and \"swish\"/\"silu\")");
            }
        }
        // data2vec-audio: num_conv_pos_embeddings counts the positional convs, conv_pos_kernel_size is their kernel
        int posLayers = data2vec ? j.path("num_conv_pos_embeddings").asInt(5) : 1;
        int posKernel = data2vec ? j.path("conv_pos_kernel_size").asInt(19) : j.path("num_conv_pos_embeddings").asInt(128);
        if (posLayers < 1 || posKernel < 1) throw UserError.inFile(configFile, "the positional convolution needs at least one layer and a kernel of at least 1");
        int buckets = j.path("num_buckets").asInt(320), maxDistance = j.path("max_bucket_distance").asInt(800);
        if (type.equals("wavlm") && (buckets < 4 || maxDistance <= buckets / 4)) {
            throw UserError.inFile(configFile, "num_buckets " + buckets + " / max_bucket_distance " + maxDistance
                    + " leave no logarithmic buckets (need num_buckets >= 4 and max_bucket_distance > num_buckets / 4)");
        }
        // conformer: absent means HF's default "relative"; an explicit null means no position embeddings at all
        JsonNode posType = j.get("position_embeddings_type");
        String positions = !conformer ? null : posType == null ? "relative" : posType.isNull() ? "none" : posType.asText();
        int depthwise = j.path("conv_depthwise_kernel_size").asInt(31);
        if (conformer) {
            if (!List.of("relative", "rotary", "none").contains(positions)) {
                throw UserError.inFile(configFile, "position_embeddings_type \"" + positions
                        + "\" is not supported (wavlens implements \"relative\", \"rotary\" and null)");
            }
            if (positions.equals("rotary") && (hidden / heads) % 2 != 0) {
                throw UserError.inFile(configFile, "rotary position embeddings need an even head size (hidden_size / num_attention_heads = " + hidden / heads + ")");
            }
            if (depthwise < 1 || depthwise % 2 == 0) {
                throw UserError.inFile(configFile, "conv_depthwise_kernel_size " + depthwise + " must be odd (HF pads it 'same')");
            }
        }
        return new Wav2Vec2Config(type, arch, dim, kernel, stride,
                j.path("conv_bias").asBoolean(false),
                norm.equals("group"),
                !data2vec && !conformer && j.path("do_stable_layer_norm").asBoolean(false),   // those two have one layout
                type.equals("hubert") ? j.path("feat_proj_layer_norm").asBoolean(true) : true,
                hidden, j.path("num_hidden_layers").asInt(12), heads, j.path("intermediate_size").asInt(3072),
                (float) j.path("layer_norm_eps").asDouble(1e-5),
                posKernel, groups,
                j.path("vocab_size").asInt(32), j.path("pad_token_id").asInt(0),
                featAct, hiddenAct,
                j.path("num_codevector_groups").asInt(2), j.path("num_codevectors_per_group").asInt(320),
                j.path("codevector_dim").asInt(256), j.path("proj_codevector_dim").asInt(256),
                j.path("num_negatives").asInt(100), (float) j.path("contrastive_logits_temperature").asDouble(0.1),
                (float) j.path("diversity_loss_weight").asDouble(0.1),
                (float) j.path("mask_time_prob").asDouble(0.05), j.path("mask_time_length").asInt(10),
                text(j, "ctc_loss_reduction", "sum"), j.path("ctc_zero_infinity").asBoolean(false),
                posLayers, buckets, maxDistance, positions,
                j.path("rotary_embedding_base").asDouble(10000), depthwise,
                configFile);
    }

    public boolean isWavLm() {
        return modelType.equals("wavlm");
    }

    public boolean isData2VecAudio() {
        return modelType.equals("data2vec-audio");
    }

    public boolean isConformer() {
        return modelType.equals("wav2vec2-conformer");
    }

    /** The state-dict prefix of the base model in …ForCTC / …ForPreTraining checkpoints (HF's base_model_prefix). */
    public String basePrefix() {
        return modelType.replace('-', '_') + ".";
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
