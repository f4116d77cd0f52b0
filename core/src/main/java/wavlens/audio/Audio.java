package wavlens.audio;

import java.nio.file.Path;

/**
 * A mono waveform as the models see it: samples in [-1, 1) at {@code sampleRate} Hz.
 *
 * @param samples          mono samples (the file's channels averaged)
 * @param sampleRate       samples per second
 * @param originalChannels how many channels the file had before mixing down
 * @param source           the file it was read from
 */
public record Audio(float[] samples, int sampleRate, int originalChannels, Path source) {
    public double durationSeconds() {
        return samples.length / (double) sampleRate;
    }
}
