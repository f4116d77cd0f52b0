package wavlens.audio;

/**
 * Decoded samples of every channel of a file, before mixing down, scaled to [-1, 1) the way
 * soundfile / torchaudio scale them: an integer sample of b bits is divided by 2^(b-1)
 * (int16 / 32768, int24 / 8388608, int32 / 2147483648; unsigned 8-bit WAV is (x - 128) / 128);
 * float WAV samples are taken as they are.
 *
 * @param channels      channels[c][i] = sample i of channel c; all channels have the same length
 * @param sampleRate    samples per second
 * @param bitsPerSample bits of the stored samples (container size for WAV, e.g. 16, 24, 32, 64)
 */
public record PcmChannels(float[][] channels, int sampleRate, int bitsPerSample) {
    /** Samples per channel. */
    public int frames() {
        return channels[0].length;
    }

    /**
     * The average of the channels, the usual mixdown for speech models (torchaudio's
     * {@code waveform.mean(0)}). A mono file is returned as it is, without a copy.
     */
    public float[] mixToMono() {
        if (channels.length == 1) return channels[0];
        int n = frames();
        float[] mono = new float[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (float[] channel : channels) sum += channel[i];
            mono[i] = (float) (sum / channels.length);
        }
        return mono;
    }
}
