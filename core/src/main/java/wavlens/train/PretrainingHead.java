package wavlens.train;

import java.util.Random;
import java.util.stream.IntStream;
import wavlens.model.Wav2Vec2Config;
import wavlens.tensor.Backward;
import wavlens.tensor.Blas;
import wavlens.tensor.Ops;

/**
 * Everything of Wav2Vec2ForPreTraining's loss past the encoder (Baevski et al. 2020, §3.1–3.2;
 * HF transformers semantics):
 * <pre>
 *   z   = extract W_pᵀ + b_p                       quantizer logits, G groups of V
 *   k   = argmax_v (z + n)                         n Gumbel noise; forward value one_hot(k),
 *   y   = softmax((z + n) / τ)                     gradient through y (straight-through, hard)
 *   q   = concat_g codevector[g, k_g]              q_p = q W_qᵀ + b_q        (project_q)
 *   c   = hidden W_hᵀ + b_h                         (project_hid)
 *   l_j = cos(c_t, q_p[cand_j]) / κ                 cand_0 = t, cand_1..K = sampled negatives
 *   contrastive = Σ_masked t  logsumexp_j l_j − l_0
 *   p̄   = mean over masked frames of softmax(z)     (no noise, no τ)
 *   diversity = (G·V − Σ_g exp(−Σ_v p̄ log(p̄ + 1e-7))) / (G·V) · M
 *   loss = contrastive + α · diversity
 * </pre>
 * over a packed batch (rows of utterance b at rowOffset[b] …). Negatives equal to the positive in
 * every component get −∞ logits, as in HF.
 */
public final class PretrainingHead {
    /**
     * Masks and negatives of a batch: negatives[b][t][k] is a frame of utterance b (only where mask[b][t]);
     * crossNegatives (null for none) holds, for the same frames, rows of the packed batch drawn from every
     * utterance's masked frames (fairseq's cross_sample_negatives).
     */
    public record Batch(int[] rowOffset, int[] frames, boolean[][] mask, int[][][] negatives, int[][][] crossNegatives, float[] gumbelNoise) {
        public Batch(int[] rowOffset, int[] frames, boolean[][] mask, int[][][] negatives, float[] gumbelNoise) {
            this(rowOffset, frames, mask, negatives, null, gumbelNoise);
        }
    }

    public record Result(double loss, double contrastive, double diversity, double perplexity, int[] codevectorIdx,
                         int maskedFrames, double accuracy) {}

    public record Grads(float[] dExtract, float[] dHidden) {}

    private final Params params;
    private final int g, v, d, p, c, h, withinNegatives;
    private int k;   // negatives per masked frame in the last forward: within-utterance + cross-utterance
    private final float kappa, diversityWeight;

    // the last forward pass
    private Batch batch;
    private int rows;
    private float[] extract, hidden, z, ySoft, q, qp, cp, qpNorm, cpNorm;
    private int[] idx, maskedRows, candidates;   // candidates[m][0..K]: rows of the positive and the negatives
    private float[] probs;                       // contrastive softmax over candidates [M × (K+1)]
    private double[] pbar;
    private float tau;
    private int masked;

    public PretrainingHead(Params params, Wav2Vec2Config cfg) {
        this.params = params;
        g = cfg.numCodevectorGroups();
        v = cfg.numCodevectorsPerGroup();
        d = cfg.codevectorDim();
        p = cfg.projCodevectorDim();
        c = cfg.convOutDim();
        h = cfg.hiddenSize();
        withinNegatives = cfg.numNegatives();
        kappa = cfg.contrastiveTemperature();
        diversityWeight = cfg.diversityLossWeight();
        if (d % g != 0) throw new IllegalArgumentException("codevector_dim " + d + " is not divisible by num_codevector_groups " + g);
        for (String name : new String[] {"quantizer.codevectors", "quantizer.weight_proj.weight", "quantizer.weight_proj.bias",
                "project_hid.weight", "project_hid.bias", "project_q.weight", "project_q.bias"}) {
            params.get(name);   // fails early when a tensor is missing
        }
    }

    /**
     * Adds the head's tensors for a model from scratch, as HF initialises them: codevectors
     * uniform[0, 1), weight_proj N(0, 1) with zero bias (Wav2Vec2GumbelVectorQuantizer), and
     * project_hid / project_q with nn.Linear's reset_parameters (uniform ±1/√fan_in).
     */
    public static void initialize(Params params, Wav2Vec2Config cfg, Random rng) {
        int g = cfg.numCodevectorGroups(), v = cfg.numCodevectorsPerGroup(), d = cfg.codevectorDim(), p = cfg.projCodevectorDim();
        int c = cfg.convOutDim(), h = cfg.hiddenSize();
        float[] cv = new float[g * v * (d / g)];
        for (int i = 0; i < cv.length; i++) cv[i] = rng.nextFloat();
        params.add("quantizer.codevectors", cv, 1, g * v, d / g).decay = false;
        float[] wp = new float[g * v * c];
        for (int i = 0; i < wp.length; i++) wp[i] = (float) rng.nextGaussian();
        params.add("quantizer.weight_proj.weight", wp, g * v, c);
        params.add("quantizer.weight_proj.bias", new float[g * v], g * v);
        params.add("project_hid.weight", uniform(rng, p * h, 1 / Math.sqrt(h)), p, h);
        params.add("project_hid.bias", uniform(rng, p, 1 / Math.sqrt(h)), p);
        params.add("project_q.weight", uniform(rng, p * d, 1 / Math.sqrt(d)), p, d);
        params.add("project_q.bias", uniform(rng, p, 1 / Math.sqrt(d)), p);
    }

    private static float[] uniform(Random rng, int n, double bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        return a;
    }

    private float[] val(String name) {
        return params.get(name).value;
    }

    private float[] grad(String name) {
        Params.Tensor t = params.get(name);
        return t.trainable ? t.grad : null;
    }

    // =================================================================== masks and negatives

    /**
     * HF's _sample_negative_indices: for every masked frame t of utterance b, K frames drawn
     * uniformly with replacement from the other masked frames of b (an index drawn from
     * 0 … M_b − 2 and moved up by one when it reaches t's own position, which keeps the draw
     * uniform). Utterances with fewer than two masked frames get no negatives (null rows).
     */
    /**
     * fairseq's cross_sample_negatives: for every masked frame, n rows of the packed batch (utterances
     * laid end to end in order) drawn uniformly with replacement from all masked frames of the batch
     * except the frame itself. Across utterances the distractors differ in voice and channel, which
     * gives the context network something predictable to learn while the codebook is still arbitrary.
     */
    public static int[][][] sampleCrossNegatives(int[] frames, boolean[][] mask, int n, Random rng) {
        int total = 0;
        for (int b = 0; b < frames.length; b++) for (int t = 0; t < frames[b]; t++) if (mask[b][t]) total++;
        int[] maskedRows = new int[total];
        int[][] position = new int[frames.length][];
        int offset = 0, m = 0;
        for (int b = 0; b < frames.length; b++) {
            position[b] = new int[frames[b]];
            for (int t = 0; t < frames[b]; t++) {
                if (mask[b][t]) { position[b][t] = m; maskedRows[m++] = offset + t; }
            }
            offset += frames[b];
        }
        int[][][] out = new int[frames.length][][];
        for (int b = 0; b < frames.length; b++) {
            out[b] = new int[frames[b]][];
            if (n == 0 || total < 2) continue;
            for (int t = 0; t < frames[b]; t++) {
                if (!mask[b][t]) continue;
                int self = position[b][t];
                int[] neg = new int[n];
                for (int j = 0; j < n; j++) {
                    int s = rng.nextInt(total - 1);
                    if (s >= self) s++;
                    neg[j] = maskedRows[s];
                }
                out[b][t] = neg;
            }
        }
        return out;
    }

    public static int[][][] sampleNegatives(int[] frames, boolean[][] mask, int numNegatives, Random rng) {
        int[][][] out = new int[frames.length][][];
        for (int b = 0; b < frames.length; b++) {
            out[b] = new int[frames[b]][];
            boolean[] mb = mask[b];
            int[] maskedFrames = IntStream.range(0, frames[b]).filter(t -> mb[t]).toArray();
            int m = maskedFrames.length;
            if (m < 2) continue;
            for (int i = 0; i < m; i++) {
                int[] neg = new int[numNegatives];
                for (int j = 0; j < numNegatives; j++) {
                    int s = rng.nextInt(m - 1);
                    if (s >= i) s++;
                    neg[j] = maskedFrames[s];
                }
                out[b][maskedFrames[i]] = neg;
            }
        }
        return out;
    }

    // =================================================================== forward

    /**
     * The losses of one batch; keeps what {@link #backward} needs. extract [rows × C] is
     * LayerNorm(conv features), hidden [rows × H] the encoder output of the masked input.
     * gumbelNoise null: drawn from rng as −log(−log U).
     */
    public Result forward(float[] extract, float[] hidden, Batch batch, float temperature, Random rng) {
        this.batch = batch;
        this.extract = extract;
        this.hidden = hidden;
        this.tau = temperature;
        rows = extract.length / c;
        int gv = g * v, dg = d / g;

        // which rows enter the loss: masked frames that have negatives
        int count = 0;
        for (int b = 0; b < batch.frames().length; b++) {
            for (int t = 0; t < batch.frames()[b]; t++) if (batch.mask()[b][t] && batch.negatives()[b][t] != null) count++;
        }
        masked = count;
        int[][][] cross = batch.crossNegatives();
        int crossWidth = 0;
        if (cross != null) {
            for (int[][] perUtterance : cross) for (int[] row : perUtterance) if (row != null) crossWidth = row.length;
            for (int b = 0, packed = 0; b < batch.frames().length; packed += batch.frames()[b++]) {
                if (batch.rowOffset()[b] != packed) throw new IllegalArgumentException("cross negatives need a packed batch (utterances end to end)");
            }
        }
        k = withinNegatives + crossWidth;
        maskedRows = new int[masked];
        candidates = new int[masked * (k + 1)];
        int m = 0;
        for (int b = 0; b < batch.frames().length; b++) {
            int off = batch.rowOffset()[b];
            for (int t = 0; t < batch.frames()[b]; t++) {
                if (!batch.mask()[b][t] || batch.negatives()[b][t] == null) continue;
                maskedRows[m] = off + t;
                candidates[m * (k + 1)] = off + t;
                int[] neg = batch.negatives()[b][t];
                if (neg.length != withinNegatives) throw new IllegalArgumentException("expected " + withinNegatives + " negatives per frame, got " + neg.length);
                for (int j = 0; j < withinNegatives; j++) candidates[m * (k + 1) + 1 + j] = off + neg[j];
                for (int j = 0; j < crossWidth; j++) candidates[m * (k + 1) + 1 + withinNegatives + j] = cross[b][t][j];
                m++;
            }
        }

        // quantizer: logits, hard Gumbel choice, codevectors
        z = new float[rows * gv];
        Blas.sgemm(false, true, rows, gv, c, 1f, extract, 0, c, val("quantizer.weight_proj.weight"), 0, c, 0f, z, 0, gv);
        Ops.addBias(z, rows, gv, val("quantizer.weight_proj.bias"));
        float[] noise = batch.gumbelNoise();
        if (noise == null) {
            noise = new float[rows * gv];
            for (int i = 0; i < noise.length; i++) {
                double u = rng.nextDouble();
                while (u == 0) u = rng.nextDouble();
                noise[i] = (float) -Math.log(-Math.log(u));
            }
        }
        ySoft = new float[rows * gv];
        idx = new int[rows * g];
        q = new float[rows * d];
        float[] cv = val("quantizer.codevectors");
        final float[] nz = noise;
        Ops.forRows(rows, gv, r -> {
            for (int gi = 0; gi < g; gi++) {
                int off = r * gv + gi * v;
                int best = 0;
                for (int j = 0; j < v; j++) {
                    ySoft[off + j] = (z[off + j] + nz[off + j]) / tau;
                    if (ySoft[off + j] > ySoft[off + best]) best = j;
                }
                Ops.softmaxRow(ySoft, off, v);
                idx[r * g + gi] = best;
                System.arraycopy(cv, (gi * v + best) * dg, q, r * d + gi * dg, dg);
            }
        });
        qp = new float[rows * p];
        Blas.sgemm(false, true, rows, p, d, 1f, q, 0, d, val("project_q.weight"), 0, d, 0f, qp, 0, p);
        Ops.addBias(qp, rows, p, val("project_q.bias"));
        cp = new float[rows * p];
        Blas.sgemm(false, true, rows, p, h, 1f, hidden, 0, h, val("project_hid.weight"), 0, h, 0f, cp, 0, p);
        Ops.addBias(cp, rows, p, val("project_hid.bias"));
        qpNorm = norms(qp, rows, p);
        cpNorm = norms(cp, rows, p);

        // contrastive logits, softmax over the candidates, cross-entropy with the positive as target
        probs = new float[masked * (k + 1)];
        double[] lossOf = new double[masked];
        boolean[] correct = new boolean[masked];
        IntStream.range(0, masked).parallel().forEach(i -> {
            int r = maskedRows[i];
            int base = i * (k + 1);
            double max = Double.NEGATIVE_INFINITY;
            double[] l = new double[k + 1];
            for (int j = 0; j <= k; j++) {
                int cand = candidates[base + j];
                if (j > 0 && sameVector(qp, cand, r, p)) {
                    l[j] = Double.NEGATIVE_INFINITY;   // a negative identical to the positive is no distractor
                } else {
                    l[j] = dot(cp, r * p, qp, cand * p, p) / (cpNorm[r] * qpNorm[cand]) / kappa;
                }
                max = Math.max(max, l[j]);
            }
            double sum = 0;
            for (int j = 0; j <= k; j++) sum += Math.exp(l[j] - max);
            double lse = max + Math.log(sum);
            lossOf[i] = lse - l[0];
            boolean best = true;
            for (int j = 1; j <= k; j++) if (l[j] > l[0]) best = false;
            correct[i] = best;
            for (int j = 0; j <= k; j++) probs[base + j] = (float) Math.exp(l[j] - lse);
        });
        double contrastive = 0;
        int hits = 0;
        for (int i = 0; i < masked; i++) {
            contrastive += lossOf[i];
            if (correct[i]) hits++;
        }

        // codebook perplexity over the masked frames, from the noiseless softmax of z
        pbar = new double[gv];
        float[] pz = new float[gv];
        for (int i = 0; i < masked; i++) {
            System.arraycopy(z, maskedRows[i] * gv, pz, 0, gv);
            for (int gi = 0; gi < g; gi++) Ops.softmaxRow(pz, gi * v, v);
            for (int j = 0; j < gv; j++) pbar[j] += pz[j];
        }
        double perplexity = 0;
        for (int gi = 0; gi < g; gi++) {
            double entropy = 0;
            for (int j = 0; j < v; j++) {
                double pb = pbar[gi * v + j] / Math.max(1, masked);
                pbar[gi * v + j] = pb;
                entropy -= pb * Math.log(pb + 1e-7);
            }
            perplexity += Math.exp(entropy);
        }
        double diversity = (gv - perplexity) / gv * masked;
        return new Result(contrastive + diversityWeight * diversity, contrastive, diversity, perplexity, idx.clone(), masked,
                masked == 0 ? 0 : hits / (double) masked);
    }

    private static boolean sameVector(float[] a, int r1, int r2, int n) {
        for (int i = 0; i < n; i++) if (a[r1 * n + i] != a[r2 * n + i]) return false;
        return true;
    }

    private static double dot(float[] a, int ao, float[] b, int bo, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    private static float[] norms(float[] x, int rows, int n) {
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) out[r] = (float) Math.sqrt(dot(x, r * n, x, r * n, n));
        return out;
    }

    // =================================================================== backward

    /**
     * Gradient of scale × (the last forward's loss): accumulates the head's tensor gradients and
     * returns d/d extract and d/d hidden.
     */
    public Grads backward(float scale) {
        int gv = g * v, dg = d / g;
        float[] dCp = new float[rows * p], dQp = new float[rows * p];

        // contrastive: dl_j = s_j − [j = 0]; l_j = cos(ĉ, q̂)/κ, d cos/dc = (q̂ − cos ĉ)/|c|, d cos/dq = (ĉ − cos q̂)/|q|
        float[] coef = new float[masked * (k + 1)];
        IntStream.range(0, masked).parallel().forEach(i -> {
            int r = maskedRows[i], base = i * (k + 1);
            for (int j = 0; j <= k; j++) coef[base + j] = scale * (probs[base + j] - (j == 0 ? 1f : 0f)) / kappa;
            // d c_r = Σ_j coef_j (q̂_j − cos_j ĉ) / |c|
            float cn = cpNorm[r];
            for (int j = 0; j <= k; j++) {
                float a = coef[base + j];
                if (a == 0) continue;
                int cand = candidates[base + j];
                float qn = qpNorm[cand];
                float cos = (float) (dot(cp, r * p, qp, cand * p, p) / (cn * qn));
                for (int e = 0; e < p; e++) {
                    dCp[r * p + e] += a * (qp[cand * p + e] / qn - cos * cp[r * p + e] / cn) / cn;
                }
            }
        });
        // d qp_cand += coef_j (ĉ − cos q̂_cand) / |q_cand| — candidates repeat across frames, so in a fixed order
        for (int i = 0; i < masked; i++) {
            int r = maskedRows[i], base = i * (k + 1);
            float cn = cpNorm[r];
            for (int j = 0; j <= k; j++) {
                float a = coef[base + j];
                if (a == 0) continue;
                int cand = candidates[base + j];
                float qn = qpNorm[cand];
                float cos = (float) (dot(cp, r * p, qp, cand * p, p) / (cn * qn));
                for (int e = 0; e < p; e++) dQp[cand * p + e] += a * (cp[r * p + e] / cn - cos * qp[cand * p + e] / qn) / qn;
            }
        }

        // project_hid and project_q
        float[] dHidden = new float[rows * h];
        Backward.linear(dCp, hidden, rows, h, val("project_hid.weight"), p, grad("project_hid.weight"), grad("project_hid.bias"), dHidden, false);
        float[] dq = new float[rows * d];
        Backward.linear(dQp, q, rows, d, val("project_q.weight"), p, grad("project_q.weight"), grad("project_q.bias"), dq, false);

        // codevectors: the forward value is one-hot, so only the chosen codevector of each group gets dq;
        // the straight-through gradient reaches z through y = softmax((z + n)/τ): dprobs_v = dq_g · codevector_v
        float[] cv = val("quantizer.codevectors");
        float[] dcv = grad("quantizer.codevectors");
        if (dcv != null) {
            for (int r = 0; r < rows; r++) {
                for (int gi = 0; gi < g; gi++) {
                    int src = r * d + gi * dg, dst = (gi * v + idx[r * g + gi]) * dg;
                    for (int e = 0; e < dg; e++) dcv[dst + e] += dq[src + e];
                }
            }
        }
        float[] dz = new float[rows * gv];
        Ops.forRows(rows, gv, r -> {
            for (int gi = 0; gi < g; gi++) {
                int off = r * gv + gi * v;
                for (int j = 0; j < v; j++) dz[off + j] = (float) dot(dq, r * d + gi * dg, cv, (gi * v + j) * dg, dg);
                Backward.softmaxRow(dz, off, ySoft, off, v);
                for (int j = 0; j < v; j++) dz[off + j] /= tau;
            }
        });

        // diversity: loss += α (G·V − Σ_g e^{H_g}) / (G·V) · M with H_g = −Σ_v p̄ log(p̄ + 1e-7), p̄ = mean softmax(z)
        if (masked > 0 && diversityWeight != 0) {
            double[] dPbar = new double[gv];
            for (int gi = 0; gi < g; gi++) {
                double entropy = 0;
                for (int j = 0; j < v; j++) entropy -= pbar[gi * v + j] * Math.log(pbar[gi * v + j] + 1e-7);
                double dPpl = -diversityWeight * masked / (double) gv * scale;     // d loss / d perplexity
                double dH = dPpl * Math.exp(entropy);
                for (int j = 0; j < v; j++) {
                    double pb = pbar[gi * v + j];
                    dPbar[gi * v + j] = -dH * (Math.log(pb + 1e-7) + pb / (pb + 1e-7)) / masked;
                }
            }
            float[] pz = new float[gv], dp = new float[gv];
            for (int i = 0; i < masked; i++) {
                int r = maskedRows[i];
                System.arraycopy(z, r * gv, pz, 0, gv);
                for (int gi = 0; gi < g; gi++) Ops.softmaxRow(pz, gi * v, v);
                for (int j = 0; j < gv; j++) dp[j] = (float) dPbar[j];
                for (int gi = 0; gi < g; gi++) Backward.softmaxRow(dp, gi * v, pz, gi * v, v);
                for (int j = 0; j < gv; j++) dz[r * gv + j] += dp[j];
            }
        }
        float[] dExtract = new float[rows * c];
        Backward.linear(dz, extract, rows, c, val("quantizer.weight_proj.weight"), gv, grad("quantizer.weight_proj.weight"),
                grad("quantizer.weight_proj.bias"), dExtract, false);
        return new Grads(dExtract, dHidden);
    }

    /** project_hid of the last forward pass, [rows × P] (HF projected_states). */
    public float[] projectedStates() {
        return cp;
    }

    /** project_q of the last forward pass, [rows × P] (HF projected_quantized_states). */
    public float[] projectedQuantizedStates() {
        return qp;
    }

    /** The quantizer logits of the last forward pass, [rows × G·V]. */
    public float[] quantizerLogits() {
        return z;
    }
}
