package wavlens.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wavlens.checkpoint.Weights;

/**
 * How far fine-tuning moved each part of the network: for every block, the relative change
 * ‖W_ft − W_pt‖_F / ‖W_pt‖_F over all its tensors together (the Frobenius norms of the
 * concatenated parameters). Blocks: the feature encoder (CNN), feature projection, positional
 * convolution, each transformer layer, the encoder LayerNorm. Tensors only one checkpoint has
 * (the new CTC head, the pretraining quantizer) are listed, not compared.
 */
public final class WeightChange {
    private WeightChange() {}

    public record Block(String name, double relativeChange, double pretrainedNorm, long parameters) {}

    public record Result(List<Block> blocks, List<String> onlyInPretrained, List<String> onlyInFinetuned) {}

    /** The block a state-dict key belongs to (the base-model prefix — "wav2vec2.", "hubert.", "wavlm.", … — ignored). */
    static String block(String key) {
        String k = key.replaceFirst("^(wav2vec2_conformer|wav2vec2|hubert|wavlm|data2vec_audio)\\.", "");
        if (k.startsWith("feature_extractor.")) return "cnn";
        if (k.startsWith("feature_projection.")) return "projection";
        if (k.startsWith("encoder.pos_conv_embed.")) return "positional_conv";
        if (k.startsWith("encoder.layers.")) return "layer_" + (Integer.parseInt(k.split("\\.")[2]) + 1);
        if (k.startsWith("encoder.layer_norm.")) return "encoder_layer_norm";
        if (k.equals("masked_spec_embed")) return "masked_spec_embed";
        return null;
    }

    /**
     * Compares two checkpoints of the same shape. Keys are matched after removing the base-model
     * prefix, so a bare Wav2Vec2Model compares with a Wav2Vec2ForCTC.
     */
    public static Result compare(Weights pretrained, Weights finetuned) {
        Map<String, String> ptKeys = byBareName(pretrained), ftKeys = byBareName(finetuned);
        Map<String, double[]> sums = new LinkedHashMap<>();   // block → {‖Δ‖², ‖W‖², count}
        List<String> onlyPt = new ArrayList<>(), onlyFt = new ArrayList<>();
        for (var e : ptKeys.entrySet()) {
            String ftKey = ftKeys.get(e.getKey());
            String blk = block(e.getValue());
            if (ftKey == null) {
                onlyPt.add(e.getValue());
                continue;
            }
            if (blk == null) continue;
            float[] a = pretrained.floats(e.getValue()), b = finetuned.floats(ftKey);
            if (a.length != b.length) {
                throw new wavlens.io.UserError("tensor " + e.getKey() + " has " + a.length + " values in the pretrained and " + b.length
                        + " in the fine-tuned checkpoint: not the same architecture");
            }
            double[] s = sums.computeIfAbsent(blk, x -> new double[3]);
            for (int i = 0; i < a.length; i++) {
                double d = (double) b[i] - a[i];
                s[0] += d * d;
                s[1] += (double) a[i] * a[i];
            }
            s[2] += a.length;
        }
        for (var e : ftKeys.entrySet()) if (!ptKeys.containsKey(e.getKey())) onlyFt.add(e.getValue());
        List<Block> blocks = new ArrayList<>();
        sums.forEach((name, s) -> blocks.add(new Block(name, s[1] == 0 ? (s[0] == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(s[0] / s[1]),
                Math.sqrt(s[1]), (long) s[2])));
        blocks.sort(java.util.Comparator.comparingInt(WeightChange::order));
        return new Result(blocks, onlyPt, onlyFt);
    }

    private static int order(Block b) {
        return switch (b.name()) {
            case "cnn" -> 0;
            case "projection" -> 1;
            case "positional_conv" -> 2;
            case "masked_spec_embed" -> 3;
            case "encoder_layer_norm" -> 10_000;
            default -> 10 + Integer.parseInt(b.name().substring("layer_".length()));
        };
    }

    private static Map<String, String> byBareName(Weights w) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : w.names()) m.put(n.replaceFirst("^(wav2vec2_conformer|wav2vec2|hubert|wavlm|data2vec_audio)\\.", ""), n);
        return m;
    }
}
