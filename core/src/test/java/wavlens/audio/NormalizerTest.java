package wavlens.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import wavlens.io.Npy;

/** HF Wav2Vec2FeatureExtractor normalisation against the reference arrays in ../shared/testdata. */
class NormalizerTest {
    static final Path CASES = Path.of("../../shared/testdata/wav2vec2");

    @Test
    void handComputed() {
        // x = 1, 2, 3, 4: mean 2.5, biased variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
        float[] y = Normalizer.normalize(new float[] {1, 2, 3, 4});
        double s = Math.sqrt(1.25 + 1e-7);
        assertArrayEquals(new float[] {(float) (-1.5 / s), (float) (-0.5 / s), (float) (0.5 / s), (float) (1.5 / s)}, y);
        // A constant signal: zero variance, the epsilon keeps it finite
        assertArrayEquals(new float[] {0, 0, 0}, Normalizer.normalize(new float[] {0.7f, 0.7f, 0.7f}));
    }

    @Test
    void paddedUsesOnlyTheValidSamples() {
        float[] y = Normalizer.normalize(new float[] {1, 2, 3, 4, 99, -99}, 4);
        double s = Math.sqrt(1.25 + 1e-7);
        assertArrayEquals(new float[] {(float) (-1.5 / s), (float) (-0.5 / s), (float) (0.5 / s), (float) (1.5 / s), 0, 0}, y);
        assertArrayEquals(new float[3], Normalizer.normalize(new float[] {5, 6, 7}, 0));
    }

    @Test
    void everyReferenceInputFromItsWav() throws IOException {
        // README "Inputs": <input>.wav normalised must be within 1e-5 of <input>_input_values.npy.
        List<Path> wavs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(CASES)) {
            files.filter(p -> p.getParent().getFileName().toString().equals("inputs") && p.toString().endsWith(".wav")).sorted().forEach(wavs::add);
        }
        int compared = 0;
        for (Path wav : wavs) {
            String name = wav.getFileName().toString().replace(".wav", "");
            Path expected = wav.resolveSibling(name + "_input_values.npy");
            if (!Files.exists(expected)) continue;
            float[] want = Npy.read(expected).asFloats();
            float[] got = Normalizer.normalize(AudioFile.read(wav).samples());
            assertEquals(want.length, got.length, wav.toString());
            double worst = 0;
            for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
            assertTrue(worst < 1e-5, wav + ": max difference " + worst);
            compared++;
        }
        // ctc-base has synthetic and speech_fi; every case has synthetic.
        assertTrue(compared >= 6, "compared only " + compared + " reference inputs");
        assertTrue(wavs.contains(CASES.resolve("ctc-base/inputs/speech_fi.wav")));
    }

    @Test
    void paddedBatchFromItsWavs() {
        // large-layer: batch of two utterances, zero padded, statistics over the valid samples only.
        Path inputs = CASES.resolve("large-layer/inputs");
        Npy.Array batch = Npy.read(inputs.resolve("batch_input_values.npy"));
        Npy.Array mask = Npy.read(inputs.resolve("batch_attention_mask.npy"));
        int width = batch.shape()[1];
        float[] values = batch.asFloats();
        long[] valid = mask.asLongs();
        for (int b = 0; b < 2; b++) {
            float[] utterance = AudioFile.read(inputs.resolve("batch_u" + b + ".wav")).samples();
            int n = 0;
            for (int i = 0; i < width; i++) n += (int) valid[b * width + i];
            assertEquals(utterance.length, n);
            float[] padded = java.util.Arrays.copyOf(utterance, width);
            float[] got = Normalizer.normalize(padded, n);
            for (int i = 0; i < width; i++) {
                float want = values[b * width + i];
                if (i >= n) assertEquals(0f, got[i]);
                else assertEquals(want, got[i], 1e-5, "utterance " + b + " sample " + i);
            }
        }
    }
}
