package wavlens.train;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Connectionist temporal classification loss (Graves et al. 2006) with HF {@code Wav2Vec2ForCTC}
 * semantics ({@code torch.nn.functional.ctc_loss} on {@code log_softmax(logits)}), and its exact
 * gradient w.r.t. the raw logits.
 *
 * <p>Per utterance, with T frames, vocab V, targets l₁ … l_L and y_t(k) = softmax(z_t)(k):
 * <pre>
 *   extended sequence  e = blank, l₁, blank, l₂, …, l_L, blank          (S = 2L + 1 states)
 *   forward   α_0(0) = y_0(blank),  α_0(1) = y_0(l₁)
 *             α_t(s) = y_t(e_s) · [α_{t−1}(s) + α_{t−1}(s−1) + skip(s) α_{t−1}(s−2)]
 *             skip(s) = 1 iff e_s ≠ blank and e_s ≠ e_{s−2}
 *   backward  β_{T−1}(S−1) = β_{T−1}(S−2) = 1
 *             β_t(s) = y_{t+1}(e_s) β_{t+1}(s) + y_{t+1}(e_{s+1}) β_{t+1}(s+1)
 *                      + skip(s+2) y_{t+1}(e_{s+2}) β_{t+1}(s+2)
 *   P = α_{T−1}(S−1) + α_{T−1}(S−2) = Σ_s α_t(s) β_t(s)   for every t
 *   nll = −log P
 *   ∂nll/∂z_t(k) = y_t(k) − (1/P) Σ_{s: e_s = k} α_t(s) β_t(s)
 * </pre>
 * (β here excludes the emission at t, so α_t(s)β_t(s)/P is the posterior of being in state s at
 * t.) Everything runs in log space in double: log_softmax per row, log α, log β, log P.
 *
 * <p>An utterance is infeasible when T &lt; L + (number of adjacent equal label pairs): every
 * alignment needs a blank between two equal labels. Its nll is +∞ (gradient rows NaN, as
 * torch's ∞ − ∞), or 0 with a zero gradient under zero_infinity.
 *
 * <p>Reduction: SUM: loss = Σ_b nll_b. MEAN: loss = (1/B) Σ_b nll_b / max(L_b, 1), zeroed
 * utterances still counted in B. The gradient of utterance b is scaled by 1 (SUM) or
 * 1 / (B · max(L_b, 1)) (MEAN).
 */
public final class CtcLoss {
    private CtcLoss() {}

    /** HF ctc_loss_reduction "sum" / "mean". */
    public enum Reduction {
        SUM, MEAN;

        /** "sum" or "mean" (HF config values), anything else is refused. */
        public static Reduction parse(String s) {
            if ("sum".equals(s)) return SUM;
            if ("mean".equals(s)) return MEAN;
            throw new IllegalArgumentException("ctc_loss_reduction must be \"sum\" or \"mean\", not " + (s == null ? "null" : "\"" + s + "\""));
        }
    }

    /** loss: the reduced batch loss; nll[b]: per-utterance negative log-likelihood after zero_infinity (+inf if infeasible and !zeroInfinity); feasible[b]. */
    public record Result(double loss, double[] nll, boolean[] feasible) {}

    private static final double NEG = Double.NEGATIVE_INFINITY;

    /** Frames the shortest alignment needs: L + the number of adjacent equal label pairs. */
    public static int minFrames(int[] target) {
        int repeats = 0;
        for (int i = 1; i < target.length; i++) if (target[i] == target[i - 1]) repeats++;
        return target.length + repeats;
    }

    /**
     * HF label rows to targets: row b of labels (batch × width, padded with −100) keeps its
     * entries ≥ 0 in order (HF: target_lengths = (labels ≥ 0).sum(−1), labels.masked_select(labels ≥ 0)).
     */
    public static int[][] targetsFromLabels(long[] labels, int batch, int width) {
        if ((long) batch * width != labels.length) {
            throw new IllegalArgumentException("labels: " + labels.length + " values, not " + batch + " × " + width);
        }
        int[][] targets = new int[batch][];
        for (int b = 0; b < batch; b++) {
            int n = 0;
            for (int j = 0; j < width; j++) if (labels[b * width + j] >= 0) n++;
            int[] t = new int[n];
            n = 0;
            for (int j = 0; j < width; j++) if (labels[b * width + j] >= 0) t[n++] = (int) labels[b * width + j];
            targets[b] = t;
        }
        return targets;
    }

    /**
     * Batch CTC over packed logits: utterance b's frames are rows rowOffset[b] .. rowOffset[b] + frames[b] - 1
     * of `logits` (row-major, `vocab` columns, float32, raw logits before log_softmax).
     * targets[b]: label ids (never the blank). blank: the blank id (config.pad_token_id, not always 0).
     * If dLogits != null, writes d loss / d logits into it at the same rows (rows of other utterances untouched;
     * rows of an utterance are overwritten, not accumulated), including the log_softmax Jacobian.
     * Infeasible utterance (frames < targets + number of adjacent equal label pairs): nll = +inf, or 0 with zero gradient when zeroInfinity.
     * MEAN: loss = (1/B) Σ_b nll_b / max(len(targets[b]), 1) (zeroed utterances still count in B). SUM: Σ_b nll_b.
     */
    public static Result compute(float[] logits, int vocab, int[] rowOffset, int[] frames, int[][] targets,
                                 int blank, Reduction reduction, boolean zeroInfinity, float[] dLogits) {
        int B = targets.length;
        check(logits, vocab, rowOffset, frames, targets, blank, dLogits);
        double[] nll = new double[B];
        boolean[] feasible = new boolean[B];
        IntStream.range(0, B).parallel().forEach(b -> {
            // d loss / d nll_b
            double scale = reduction == Reduction.SUM ? 1.0 : 1.0 / ((double) B * Math.max(targets[b].length, 1));
            feasible[b] = frames[b] >= minFrames(targets[b]);
            if (!feasible[b]) {
                nll[b] = zeroInfinity ? 0 : Double.POSITIVE_INFINITY;
                if (dLogits != null) {
                    Arrays.fill(dLogits, rowOffset[b] * vocab, (rowOffset[b] + frames[b]) * vocab, zeroInfinity ? 0f : Float.NaN);
                }
                return;
            }
            nll[b] = utterance(logits, rowOffset[b] * vocab, frames[b], vocab, targets[b], blank, scale, dLogits);
        });
        // reduce in batch order (deterministic)
        double loss = 0;
        for (int b = 0; b < B; b++) {
            loss += reduction == Reduction.SUM ? nll[b] : nll[b] / Math.max(targets[b].length, 1);
        }
        if (reduction == Reduction.MEAN) loss /= B;
        return new Result(loss, nll, feasible);
    }

    /**
     * One feasible utterance whose rows start at logits[off]: returns nll = −log P, and writes
     * scale · ∂nll/∂z into dLogits (if not null) at the same positions.
     */
    static double utterance(float[] logits, int off, int T, int V, int[] target, int blank, double scale, float[] dLogits) {
        int L = target.length;
        if (T == 0) {
            // the empty alignment (only possible with L = 0): P = 1
            return 0;
        }
        int S = 2 * L + 1;
        int[] ext = new int[S];   // e_s: blank at even s, l_{(s+1)/2} at odd s
        for (int s = 0; s < S; s++) ext[s] = (s % 2 == 0) ? blank : target[s / 2];
        boolean[] skip = new boolean[S];   // skip(s): α_{t−1}(s−2) may feed α_t(s)
        for (int s = 2; s < S; s++) skip[s] = ext[s] != blank && ext[s] != ext[s - 2];

        // log y_t(k) = z_t(k) − max − log Σ_j exp(z_t(j) − max)
        double[] lp = new double[T * V];
        for (int t = 0; t < T; t++) {
            int r = off + t * V;
            double max = NEG;
            for (int k = 0; k < V; k++) max = Math.max(max, logits[r + k]);
            double sum = 0;
            for (int k = 0; k < V; k++) sum += Math.exp(logits[r + k] - max);
            double lse = max + Math.log(sum);
            for (int k = 0; k < V; k++) lp[t * V + k] = logits[r + k] - lse;
        }

        // forward: log α_t(s) = log y_t(e_s) + logsumexp(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) if skip)
        double[] alpha = new double[T * S];
        Arrays.fill(alpha, NEG);
        alpha[0] = lp[blank];
        if (S > 1) alpha[1] = lp[ext[1]];
        for (int t = 1; t < T; t++) {
            int a = t * S, p = (t - 1) * S;
            for (int s = 0; s < S; s++) {
                double v = alpha[p + s];
                if (s >= 1) v = logAdd(v, alpha[p + s - 1]);
                if (skip[s]) v = logAdd(v, alpha[p + s - 2]);
                alpha[a + s] = v == NEG ? NEG : v + lp[t * V + ext[s]];
            }
        }
        int last = (T - 1) * S;
        double logP = alpha[last + S - 1];
        if (S > 1) logP = logAdd(logP, alpha[last + S - 2]);
        if (dLogits == null) return -logP;

        // backward (β excludes frame t's emission): log β_t(s) = logsumexp over successors s' ∈ {s, s+1, s+2 if skip(s+2)}
        // of log y_{t+1}(e_{s'}) + log β_{t+1}(s')
        double[] beta = new double[T * S];
        Arrays.fill(beta, NEG);
        beta[last + S - 1] = 0;
        if (S > 1) beta[last + S - 2] = 0;
        for (int t = T - 2; t >= 0; t--) {
            int c = t * S, n = (t + 1) * S, y = (t + 1) * V;
            for (int s = 0; s < S; s++) {
                double v = beta[n + s] + lp[y + ext[s]];
                if (s + 1 < S) v = logAdd(v, beta[n + s + 1] + lp[y + ext[s + 1]]);
                if (s + 2 < S && skip[s + 2]) v = logAdd(v, beta[n + s + 2] + lp[y + ext[s + 2]]);
                beta[c + s] = v;
            }
        }

        // ∂nll/∂z_t(k) = y_t(k) − Σ_{s: e_s = k} exp(log α_t(s) + log β_t(s) − log P)
        double[] occ = new double[V];
        for (int t = 0; t < T; t++) {
            Arrays.fill(occ, 0);
            for (int s = 0; s < S; s++) {
                double v = alpha[t * S + s] + beta[t * S + s];
                if (v != NEG) occ[ext[s]] += Math.exp(v - logP);
            }
            int r = off + t * V;
            for (int k = 0; k < V; k++) dLogits[r + k] = (float) (scale * (Math.exp(lp[t * V + k]) - occ[k]));
        }
        return -logP;
    }

    /** log(e^a + e^b), exact for −∞ operands. */
    static double logAdd(double a, double b) {
        if (a == NEG) return b;
        if (b == NEG) return a;
        return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
    }

    private static void check(float[] logits, int vocab, int[] rowOffset, int[] frames, int[][] targets, int blank, float[] dLogits) {
        int B = targets.length;
        if (rowOffset.length != B || frames.length != B) {
            throw new IllegalArgumentException(B + " targets but " + rowOffset.length + " row offsets and " + frames.length + " frame counts");
        }
        if (vocab <= 0 || logits.length % vocab != 0) throw new IllegalArgumentException("logits: " + logits.length + " values is not rows × " + vocab);
        if (blank < 0 || blank >= vocab) throw new IllegalArgumentException("blank " + blank + " outside the vocabulary [0, " + vocab + ")");
        if (dLogits != null && dLogits.length != logits.length) {
            throw new IllegalArgumentException("dLogits has " + dLogits.length + " values, logits " + logits.length);
        }
        int rows = logits.length / vocab;
        for (int b = 0; b < B; b++) {
            if (frames[b] < 0 || rowOffset[b] < 0 || (long) rowOffset[b] + frames[b] > rows) {
                throw new IllegalArgumentException("utterance " + b + ": rows " + rowOffset[b] + " + " + frames[b] + " outside the " + rows + " logit rows");
            }
            for (int l : targets[b]) {
                if (l < 0 || l >= vocab || l == blank) {
                    throw new IllegalArgumentException("utterance " + b + ": label " + l + " is " + (l == blank ? "the blank" : "outside the vocabulary [0, " + vocab + ")"));
                }
            }
        }
    }
}
