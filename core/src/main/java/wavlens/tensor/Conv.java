package wavlens.tensor;

/**
 * 1-D convolutions on time-major matrices (time × channels) as matrix products: each output
 * frame's receptive field is laid out as one row ("im2col") and multiplied by the kernel
 * reshaped to [out channels][kernel tap][in channels].
 */
public final class Conv {
    private Conv() {}

    /** Output length of a valid (unpadded) convolution: floor((n − kernel) / stride) + 1, or 0. */
    public static int outputLength(int n, int kernel, int stride) {
        return n < kernel ? 0 : (n - kernel) / stride + 1;
    }

    /**
     * Reorders a PyTorch Conv1d weight [out][in][k] to [out][k][in], the layout in which an
     * im2col row of a time-major input (k consecutive frames of `in` channels) is contiguous.
     */
    public static float[] kernelTapMajor(float[] w, int out, int in, int k) {
        float[] r = new float[w.length];
        for (int o = 0; o < out; o++)
            for (int c = 0; c < in; c++)
                for (int t = 0; t < k; t++)
                    r[(o * k + t) * in + c] = w[(o * in + c) * k + t];
        return r;
    }

    /**
     * Valid Conv1d over x (timeIn × cin, time-major) with a tap-major kernel w [cout][k][cin] and
     * optional bias; returns (timeOut × cout).
     *
     * <p>With several input channels no im2col copy is made: output = Σ_taps X_j W_jᵀ, where X_j
     * is the input read from row j with a row stride of stride·cin (BLAS takes the stride as the
     * leading dimension) and W_j the tap's [cout × cin] slice (leading dimension k·cin). A single
     * input channel (the first layer, on raw samples) is laid out as im2col rows instead, since
     * per-tap products with one column would be slow.
     */
    public static float[] conv1d(float[] x, int timeIn, int cin, float[] w, float[] bias, int cout, int kernel, int stride) {
        int timeOut = outputLength(timeIn, kernel, stride);
        float[] out = new float[timeOut * cout];
        if (timeOut == 0) return out;
        int row = kernel * cin;
        if (cin == 1 || kernel == stride) {
            float[] cols;
            if (kernel == stride) {
                cols = x;   // the input rows already are the im2col rows
            } else {
                cols = new float[timeOut * row];
                final float[] dst = cols;
                Ops.forRows(timeOut, row, t -> System.arraycopy(x, t * stride * cin, dst, t * row, row));
            }
            Blas.sgemm(false, true, timeOut, cout, row, 1f, cols, 0, row, w, 0, row, 0f, out, 0, cout);
        } else {
            for (int tap = 0; tap < kernel; tap++) {
                Blas.sgemm(false, true, timeOut, cout, cin, 1f, x, tap * cin, stride * cin, w, tap * cin, row, tap == 0 ? 0f : 1f, out, 0, cout);
            }
        }
        if (bias != null) Ops.addBias(out, timeOut, cout, bias);
        return out;
    }

    /**
     * Grouped Conv1d with "same" zero padding of kernel/2 on both sides (the wav2vec2 positional
     * convolution), returning exactly `time` frames: for an even kernel PyTorch yields time + 1
     * frames and wav2vec2 drops the last one, for an odd kernel the count is already `time`.
     * w is tap-major per group: [groups][coutPerGroup][k][cinPerGroup], i.e. the reordered
     * [channels][channels/groups][k] weight.
     */
    public static float[] groupedSameConv(float[] x, int time, int channels, int groups, float[] w, float[] bias, int kernel) {
        return groupedSameConv(x, new int[] {0}, new int[] {time}, channels, groups, w, bias, kernel);
    }

    /**
     * The same over a packed batch: utterance b is rows rowOffset[b] … rowOffset[b] + frames[b] − 1,
     * each padded with its own zeros (no frame sees another utterance), so one product per group
     * covers the whole batch.
     */
    public static float[] groupedSameConv(float[] x, int[] rowOffset, int[] frames, int channels, int groups, float[] w, float[] bias, int kernel) {
        int rows = rowOffset[rowOffset.length - 1] + frames[frames.length - 1];
        int per = channels / groups;
        int row = kernel * per;
        float[] out = new float[rows * channels];
        float[] cols = new float[rows * row];
        for (int g = 0; g < groups; g++) {
            im2colSame(x, rowOffset, frames, channels, g * per, per, kernel, cols);
            Blas.sgemm(false, true, rows, per, row, 1f, cols, 0, row, w, g * per * row, row, 0f, out, g * per, channels);
        }
        if (bias != null) Ops.addBias(out, rows, channels, bias);
        return out;
    }

    /**
     * im2col rows of one channel group for the "same" convolution: row r (frame t of its
     * utterance) holds frames t − kernel/2 … t − kernel/2 + kernel − 1 of channels [c0, c0 + per),
     * zeros outside the utterance.
     */
    public static void im2colSame(float[] x, int[] rowOffset, int[] frames, int channels, int c0, int per, int kernel, float[] cols) {
        int pad = kernel / 2;
        int row = kernel * per;
        for (int b = 0; b < rowOffset.length; b++) {
            final int off = rowOffset[b], time = frames[b];
            Ops.forRows(time, row, t -> {
                int base = (off + t) * row;
                for (int k = 0; k < kernel; k++) {
                    int src = t - pad + k;
                    if (src < 0 || src >= time) java.util.Arrays.fill(cols, base + k * per, base + (k + 1) * per, 0f);
                    else System.arraycopy(x, (off + src) * channels + c0, cols, base + k * per, per);
                }
            });
        }
    }

    /**
     * Depthwise Conv1d (one kernel per channel, groups = channels, no bias) with "same" zero
     * padding of (k − 1)/2 for an odd kernel, over x (time × channels): the conformer's
     * convolution module. w is PyTorch's [channels][1][k] weight as [channels × k].
     * out[t][c] = Σ_j w[c][j] · x[t + j − pad][c]; channels are contiguous, so each tap is one
     * vector multiply-add over a row.
     */
    public static float[] depthwiseSameConv(float[] x, int time, int channels, float[] w, int kernel) {
        float[] tapMajor = new float[kernel * channels];   // [k][channels]: a tap's weights for all channels side by side
        for (int c = 0; c < channels; c++) for (int j = 0; j < kernel; j++) tapMajor[j * channels + c] = w[c * kernel + j];
        int pad = (kernel - 1) / 2;
        float[] out = new float[time * channels];
        Ops.forRows(time, channels * kernel, t -> {
            int o = t * channels;
            for (int j = 0; j < kernel; j++) {
                int src = t + j - pad;
                if (src < 0 || src >= time) continue;
                Ops.fmaRow(out, o, tapMajor, j * channels, x, src * channels, channels);
            }
        });
        return out;
    }
}
