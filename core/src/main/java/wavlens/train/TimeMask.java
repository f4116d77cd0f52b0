package wavlens.train;

import java.util.Random;

/**
 * Time masks as HF's _compute_mask_indices draws them (the span masking of wav2vec 2.0 §3.1 and
 * of SpecAugment during fine-tuning): per utterance of T frames,
 * n = max(minMasks, ⌊p·T / L + ε⌋) span starts (ε uniform in [0, 1), one draw per call, so the
 * expected count is p·T/L), capped so the spans fit, drawn without replacement from
 * 0 … T − L; each start masks L frames. Spans may overlap, so fewer than p·T frames end up
 * masked — as in HF and fairseq.
 */
public final class TimeMask {
    private TimeMask() {}

    public static boolean[][] sample(int[] frames, float prob, int length, int minMasks, Random rng) {
        boolean[][] mask = new boolean[frames.length][];
        double epsilon = rng.nextDouble();
        double p = Double.parseDouble(Float.toString(prob));   // 0.65f as the decimal 0.65 a config holds, not 0.6499999762
        for (int b = 0; b < frames.length; b++) {
            int t = frames[b];
            mask[b] = new boolean[t];
            if (prob <= 0 || length < 1) continue;
            int n = Math.max((int) (p * t / length + epsilon), minMasks);
            if (n * length > t) n = t / length;
            int starts = t - (length - 1);
            if (starts < n) n = Math.max(starts, 0);
            // n distinct starts: a partial Fisher–Yates shuffle of 0 … starts − 1
            int[] pool = new int[Math.max(starts, 0)];
            for (int i = 0; i < pool.length; i++) pool[i] = i;
            for (int i = 0; i < n; i++) {
                int j = i + rng.nextInt(pool.length - i);
                int s = pool[j];
                pool[j] = pool[i];
                pool[i] = s;
                for (int k = s; k < Math.min(t, s + length); k++) mask[b][k] = true;
            }
        }
        return mask;
    }
}
