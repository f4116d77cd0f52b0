package wavlens.model;

import java.nio.file.Path;
import wavlens.audio.Audio;
import wavlens.audio.AudioFile;
import wavlens.audio.Resampler;
import wavlens.io.UserError;

/** Audio files turned into model input: decode, mix to mono, resample, normalise as the preprocessor says. */
public final class Speech {
    private Speech() {}

    /** Samples of a file at the model's sampling rate, before normalisation. */
    public static float[] samples(Path file, Preprocessor pre) {
        Audio audio = AudioFile.read(file);
        float[] x = audio.sampleRate() == pre.samplingRate() ? audio.samples()
                : Resampler.resample(audio.samples(), audio.sampleRate(), pre.samplingRate());
        if (x.length == 0) throw UserError.inFile(file, "contains no audio samples");
        return x;
    }

    /** The model's input_values for a file. */
    public static float[] inputValues(Path file, Preprocessor pre, Wav2Vec2Config cfg) {
        float[] x = samples(file, pre);
        if (x.length < cfg.receptiveFieldSamples()) {
            throw UserError.inFile(file, String.format("too short: %.1f ms of audio, the model needs at least %.1f ms",
                    1000.0 * x.length / pre.samplingRate(), 1000.0 * cfg.receptiveFieldSamples() / pre.samplingRate()));
        }
        return pre.inputValues(x);
    }
}
