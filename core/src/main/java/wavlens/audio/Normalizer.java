package wavlens.audio;

/**
 * The input normalisation of HuggingFace's Wav2Vec2FeatureExtractor ({@code do_normalize: true}):
 * zero mean and unit variance per utterance,
 * <pre>  y = (x - mean(x)) / sqrt(var(x) + 1e-7)</pre>
 * with the mean and the biased variance (divide by n) over the utterance. The statistics are
 * summed in double and the result rounded to float; HF computes in float32 with NumPy, and the
 * two agree to about 1e-6 on real utterances.
 *
 * <p>In a padded batch the statistics cover only the valid (unpadded) samples, and the padded
 * tail is set to 0.0 (HF's {@code padding_value}).
 */
public final class Normalizer {
    private Normalizer() {}

    /** The constant HF adds to the variance. */
    public static final double EPSILON = 1e-7;

    /** Normalises a whole utterance; returns a new array. */
    public static float[] normalize(float[] x) {
        return normalize(x, x.length);
    }

    /**
     * Normalises x[0..validLength) with statistics over those samples only, and sets the rest of
     * the returned array (same length as x) to 0. An utterance of length 0 gives all zeros.
     */
    public static float[] normalize(float[] x, int validLength) {
        if (validLength < 0 || validLength > x.length) {
            throw new IllegalArgumentException("validLength " + validLength + " outside 0.." + x.length);
        }
        float[] y = new float[x.length];
        if (validLength == 0) return y;
        double[] meanScale = meanAndScale(x, validLength);
        double mean = meanScale[0], scale = meanScale[1];
        for (int i = 0; i < validLength; i++) y[i] = (float) ((x[i] - mean) * scale);
        return y;
    }

    /**
     * The mean of x[0..validLength) and 1 / sqrt(var + 1e-7): {@link #normalize} gives
     * {@code (float) ((x[i] - mean) * scale)}, which a caller holding x compactly can recompute exactly.
     */
    public static double[] meanAndScale(float[] x, int validLength) {
        double sum = 0;
        for (int i = 0; i < validLength; i++) sum += x[i];
        double mean = sum / validLength;
        double squares = 0;
        for (int i = 0; i < validLength; i++) {
            double d = x[i] - mean;
            squares += d * d;
        }
        return new double[] {mean, 1 / Math.sqrt(squares / validLength + EPSILON)};
    }
}
