package wavlens.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * Where wav2vec2 frames sit in the waveform. The feature encoder is a stack of 1-D convolutions
 * without padding; a layer with kernel k and stride s turns n inputs into floor((n - k) / s) + 1
 * outputs. Frame t of the last layer therefore starts at sample t·hop, hop = product of the
 * strides, and sees rf samples, rf = 1 + Σ_i (k_i - 1)·(s_0·…·s_{i-1}) — for wav2vec2's kernels
 * [10,3,3,3,3,2,2] and strides [5,2,2,2,2,2,2] that is hop 320 (20 ms at 16 kHz) and rf 400
 * (25 ms), computed here from the lists rather than assumed.
 *
 * <p>Time of a frame: a sample i covers [i/sr, (i+1)/sr) (TextGrid time 0 is the start of the
 * first sample), so frame t covers [t·hop, t·hop + rf) samples and stands for its centre,
 * (t·hop + rf/2) / sr seconds — 12.5 ms, 32.5 ms, 52.5 ms, ... for wav2vec2.
 */
public final class ConvGeometry {
    private final int[] kernels;
    private final int[] strides;
    private final int hop;
    private final int receptiveField;

    public ConvGeometry(int[] kernels, int[] strides) {
        if (kernels.length == 0 || kernels.length != strides.length) {
            throw new IllegalArgumentException("need equally many kernels and strides, got " + Arrays.toString(kernels) + " and " + Arrays.toString(strides));
        }
        this.kernels = kernels.clone();
        this.strides = strides.clone();
        int jump = 1; // input samples between neighbouring outputs of the layers so far
        int rf = 1;
        for (int i = 0; i < kernels.length; i++) {
            if (kernels[i] < 1 || strides[i] < 1) throw new IllegalArgumentException("kernels and strides must be ≥ 1");
            rf += (kernels[i] - 1) * jump;
            jump *= strides[i];
        }
        this.hop = jump;
        this.receptiveField = rf;
    }

    /** The wav2vec2 / HuBERT / XLS-R feature encoder (HF Wav2Vec2Config defaults conv_kernel, conv_stride). */
    public static ConvGeometry wav2vec2() {
        return new ConvGeometry(new int[] {10, 3, 3, 3, 3, 2, 2}, new int[] {5, 2, 2, 2, 2, 2, 2});
    }

    /** From an HF config.json ({@code conv_kernel}, {@code conv_stride}). */
    public static ConvGeometry fromConfig(Path configJson) {
        JsonNode config = Json.read(configJson);
        JsonNode k = config.get("conv_kernel"), s = config.get("conv_stride");
        if (k == null || s == null || !k.isArray() || !s.isArray() || k.size() != s.size() || k.isEmpty()) {
            throw UserError.inFile(configJson, "needs conv_kernel and conv_stride lists of equal length");
        }
        int[] kernels = new int[k.size()], strides = new int[s.size()];
        for (int i = 0; i < kernels.length; i++) {
            kernels[i] = k.get(i).asInt();
            strides[i] = s.get(i).asInt();
            if (kernels[i] < 1 || strides[i] < 1) throw UserError.inFile(configJson, "conv_kernel/conv_stride entries must be whole numbers ≥ 1");
        }
        return new ConvGeometry(kernels, strides);
    }

    public int[] kernels() {
        return kernels.clone();
    }

    public int[] strides() {
        return strides.clone();
    }

    /** Samples between frame starts (product of the strides). */
    public int hopSamples() {
        return hop;
    }

    /** Samples one frame sees. */
    public int receptiveFieldSamples() {
        return receptiveField;
    }

    /** Frames from n samples: n ← floor((n - k) / s) + 1 layer by layer, 0 once a layer's input is shorter than its kernel. */
    public int frameCount(long samples) {
        long n = samples;
        for (int i = 0; i < kernels.length; i++) {
            if (n < kernels[i]) return 0;
            n = (n - kernels[i]) / strides[i] + 1;
        }
        return (int) n;
    }

    /** The time frame t stands for: its centre, (t·hop + rf/2) / sampleRate seconds. */
    public double frameCentreSeconds(int t, int sampleRate) {
        return ((double) t * hop + receptiveField / 2.0) / sampleRate;
    }

    /** Start of frame t's span, t·hop / sampleRate seconds; the span ends rf samples later. */
    public double frameStartSeconds(int t, int sampleRate) {
        return (double) t * hop / sampleRate;
    }
}
