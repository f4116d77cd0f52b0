package wavlens.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import wavlens.checkpoint.DType;
import wavlens.checkpoint.SafetensorsWriter;
import wavlens.checkpoint.Weights;
import wavlens.io.UserError;

/**
 * AdamW (Loshchilov &amp; Hutter 2019) as torch.optim.AdamW computes it, per element:
 * <pre>
 *   θ ← θ − lr·λ·θ                       (decoupled weight decay, only on tensors marked decay)
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
 *   θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 * </pre>
 * Frozen tensors are skipped. The moments can be saved and loaded so an interrupted run resumes
 * exactly.
 */
public final class AdamW {
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        /** fairseq's wav2vec 2.0 recipes: β = (0.9, 0.98), ε = 1e-6 (pretraining) / 1e-8 (fine-tuning). */
        public static Settings wav2vec2(double eps, double weightDecay) {
            return new Settings(0.9, 0.98, eps, weightDecay);
        }
    }

    private final Params params;
    private final Settings s;
    private final Map<String, float[]> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    private long step;

    public AdamW(Params params, Settings settings) {
        this.params = params;
        this.s = settings;
        for (Params.Tensor t : params.all()) {
            m.put(t.name, new float[t.size()]);
            v.put(t.name, new float[t.size()]);
        }
    }

    public long steps() {
        return step;
    }

    /** One update of every trainable tensor with the current gradients and learning rate lr. */
    public void step(double lr) {
        step++;
        double c1 = 1 - Math.pow(s.beta1, step), c2 = 1 - Math.pow(s.beta2, step);
        float b1 = (float) s.beta1, b2 = (float) s.beta2;
        float stepSize = (float) (lr / c1);
        float invSqrtC2 = (float) (1 / Math.sqrt(c2));
        float eps = (float) s.eps;
        for (Params.Tensor t : params.all()) {
            if (!t.trainable) continue;
            float[] mt = m.get(t.name), vt = v.get(t.name), w = t.value, g = t.grad;
            float decay = t.decay ? (float) (1 - lr * s.weightDecay) : 1f;
            int n = t.size();
            int chunk = 1 << 14;
            IntStream.range(0, (n + chunk - 1) / chunk).parallel().forEach(blk -> {
                for (int i = blk * chunk, end = Math.min(n, i + chunk); i < end; i++) {
                    float gi = g[i];
                    mt[i] = b1 * mt[i] + (1 - b1) * gi;
                    vt[i] = b2 * vt[i] + (1 - b2) * gi * gi;
                    w[i] = w[i] * decay - stepSize * mt[i] / ((float) Math.sqrt(vt[i]) * invSqrtC2 + eps);
                }
            });
        }
    }

    /** Multiplies every trainable gradient by min(1, maxNorm / ‖g‖); returns ‖g‖ before clipping. */
    public static double clipGradNorm(Params params, double maxNorm) {
        double norm = params.gradNorm();
        if (maxNorm > 0 && norm > maxNorm) {
            float f = (float) (maxNorm / (norm + 1e-6));
            for (Params.Tensor t : params.all()) {
                if (!t.trainable) continue;
                float[] g = t.grad;
                for (int i = 0; i < g.length; i++) g[i] *= f;
            }
        }
        return norm;
    }

    /** Writes the moments (m/NAME, v/NAME) as one float32 safetensors file with the step count in its metadata. */
    public void save(Path file) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Params.Tensor t : params.all()) {
            shapes.put("m/" + t.name, new long[] {t.size()});
            shapes.put("v/" + t.name, new long[] {t.size()});
        }
        SafetensorsWriter.write(file, shapes, DType.F32, Map.of("step", Long.toString(step)),
                name -> (name.startsWith("m/") ? m : v).get(name.substring(2)));
    }

    /** Reads moments written by {@link #save}; they must belong to the same tensors. */
    public void load(Path file, long stepCount) {
        try (Weights w = Weights.open(file)) {
            for (Params.Tensor t : params.all()) {
                for (String kind : new String[] {"m/", "v/"}) {
                    String name = kind + t.name;
                    if (!w.has(name)) throw UserError.inFile(file, "optimizer state has no " + name + " (written for another model?)");
                    float[] values = w.floats(name);
                    if (values.length != t.size()) throw UserError.inFile(file, name + " has " + values.length + " values, the model " + t.size());
                    System.arraycopy(values, 0, (kind.equals("m/") ? m : v).get(t.name), 0, values.length);
                }
            }
        }
        step = stepCount;
    }
}
