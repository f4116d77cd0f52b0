package wavlens.corpus;

import java.util.ArrayList;
import java.util.List;

/**
 * CTC forced alignment: the single most probable CTC path (Viterbi) that spells a known token
 * sequence, over a model's per-frame log-probabilities.
 *
 * <p>The trellis is CTC's (Graves et al. 2006): the extended sequence blank, l₁, blank, l₂, …,
 * l_L, blank (2L + 1 states); a state is reached from itself, from the previous state, or from two
 * states back when that skips a blank between two different tokens. Paths start in state 0 or 1
 * and end in state 2L or 2L − 1. Max-product instead of CTC's sum-product gives the best path.
 *
 * <p>A token's span is the frames on which the path is in that token's state (its first emission
 * to its last repetition); blank frames between tokens belong to no token. Times follow
 * the frame geometry: token span [t₀, t₁] covers [t₀·hop, (t₁ + 1)·hop) samples.
 */
public final class CtcForcedAligner {
    private CtcForcedAligner() {}

    /** One aligned token: index into the token sequence, and its first and last frame (inclusive). */
    public record Span(int token, int firstFrame, int lastFrame) {}

    /**
     * @param logProbs frames × vocab log-probabilities (log-softmax of the CTC logits)
     * @param tokens   the token ids to align, in order (no blanks)
     * @return one span per token, in order; null when no path exists (too few frames:
     *         fewer than L + the number of adjacent repeated tokens)
     */
    public static List<Span> align(float[] logProbs, int frames, int vocab, int[] tokens, int blank) {
        int L = tokens.length;
        int S = 2 * L + 1;
        int repeats = 0;
        for (int i = 1; i < L; i++) if (tokens[i] == tokens[i - 1]) repeats++;
        if (frames < L + repeats) return null;
        double NEG = Double.NEGATIVE_INFINITY;
        double[] prev = new double[S], cur = new double[S];
        byte[] back = new byte[frames * S];   // 0 = stay, 1 = from s−1, 2 = from s−2
        java.util.Arrays.fill(prev, NEG);
        prev[0] = logProbs[blank];
        if (L > 0) prev[1] = logProbs[tokens[0]];
        for (int t = 1; t < frames; t++) {
            int off = t * vocab;
            for (int s = 0; s < S; s++) {
                int label = (s % 2 == 0) ? blank : tokens[s / 2];
                double best = prev[s];
                byte from = 0;
                if (s >= 1 && prev[s - 1] > best) {
                    best = prev[s - 1];
                    from = 1;
                }
                if (s >= 2 && s % 2 == 1 && tokens[s / 2] != tokens[s / 2 - 1] && prev[s - 2] > best) {
                    best = prev[s - 2];
                    from = 2;
                }
                cur[s] = best == NEG ? NEG : best + logProbs[off + label];
                back[t * S + s] = from;
            }
            double[] tmp = prev;
            prev = cur;
            cur = tmp;
        }
        int s = S - 1;
        if (L > 0 && prev[S - 2] > prev[S - 1]) s = S - 2;
        if (prev[s] == NEG) return null;
        int[] stateAt = new int[frames];
        for (int t = frames - 1; t >= 0; t--) {
            stateAt[t] = s;
            if (t > 0) s -= back[t * S + s];
        }
        List<Span> spans = new ArrayList<>();
        for (int t = 0; t < frames; t++) {
            int st = stateAt[t];
            if (st % 2 == 0) continue;
            int token = st / 2;
            if (!spans.isEmpty() && spans.get(spans.size() - 1).token() == token) {
                Span last = spans.remove(spans.size() - 1);
                spans.add(new Span(token, last.firstFrame(), t));
            } else {
                spans.add(new Span(token, t, t));
            }
        }
        return spans;
    }

    /** log-softmax of each frame's logits (in double, for the trellis). */
    public static float[] logSoftmax(float[] logits, int frames, int vocab) {
        float[] out = new float[logits.length];
        for (int t = 0; t < frames; t++) {
            int off = t * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
            double sum = 0;
            for (int v = 0; v < vocab; v++) sum += Math.exp(logits[off + v] - max);
            double lse = max + Math.log(sum);
            for (int v = 0; v < vocab; v++) out[off + v] = (float) (logits[off + v] - lse);
        }
        return out;
    }

    /**
     * Letters and words tiers from aligned spans: each letter spans its frames' samples
     * [first·hop, (last + 1)·hop); a word spans its first to its last letter; the time between is
     * silence (empty intervals), so both tiers cover [0, duration) contiguously.
     *
     * @param letters the letters, one per token, with word boundaries given by wordOfLetter
     */
    public static Alignment toAlignment(String source, List<Span> spans, List<String> letters, int[] wordOfLetter, List<String> words,
                                        int hopSamples, int sampleRate, double duration) {
        List<Interval> letterItems = new ArrayList<>();
        List<Interval> wordItems = new ArrayList<>();
        double cursor = 0, wordCursor = 0;
        int word = -1;
        double wordStart = 0, wordEnd = 0;
        for (Span sp : spans) {
            double start = Math.min(duration, (double) sp.firstFrame() * hopSamples / sampleRate);
            double end = Math.min(duration, (double) (sp.lastFrame() + 1) * hopSamples / sampleRate);
            if (start > cursor) letterItems.add(new Interval(cursor, start, ""));
            if (end > start) letterItems.add(new Interval(start, end, letters.get(sp.token())));
            cursor = Math.max(cursor, end);
            int w = wordOfLetter[sp.token()];
            if (w != word) {
                if (word >= 0) {
                    if (wordStart > wordCursor) wordItems.add(new Interval(wordCursor, wordStart, ""));
                    wordItems.add(new Interval(wordStart, wordEnd, words.get(word)));
                    wordCursor = wordEnd;
                }
                word = w;
                wordStart = start;
            }
            wordEnd = end;
        }
        if (word >= 0) {
            if (wordStart > wordCursor) wordItems.add(new Interval(wordCursor, wordStart, ""));
            wordItems.add(new Interval(wordStart, wordEnd, words.get(word)));
            wordCursor = wordEnd;
        }
        if (cursor < duration) letterItems.add(new Interval(cursor, duration, ""));
        if (wordCursor < duration) wordItems.add(new Interval(wordCursor, duration, ""));
        java.util.Map<String, Tier> tiers = new java.util.LinkedHashMap<>();
        tiers.put("words", new Tier("words", false, 0, duration, wordItems));
        tiers.put("letters", new Tier("letters", false, 0, duration, letterItems));
        return new Alignment(source, 0, duration, tiers);
    }
}
