package wavlens.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import wavlens.audio.Normalizer;
import wavlens.model.Preprocessor;

/** Training audio held as 16-bit PCM gives the model exactly the input the normaliser gives. */
class InputValuesTest {
    private static final Preprocessor NORMALISING = new Preprocessor(16000, true, true);
    private static final Preprocessor PLAIN = new Preprocessor(16000, false, true);

    private static float[] pcmLike(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (short) Math.round(8000 * Math.sin(i * 0.03) + r.nextInt(-2000, 2001)) / 32768f;
        x[0] = -1f; // the extremes of 16-bit PCM
        x[1] = 32767 / 32768f;
        return x;
    }

    @Test
    void pcmIsStoredAsShortsAndGivesTheNormalisersFloatsBitForBit() {
        float[] x = pcmLike(4001, 1);
        TrainingData.InputValues v = TrainingData.InputValues.of(x, NORMALISING);
        assertNotNull(v.pcm());
        assertNull(v.floats());
        assertEquals(4001, v.length());
        assertArrayEquals(Normalizer.normalize(x), v.values()); // assertArrayEquals on float[] compares bits (floatToIntBits)
        assertArrayEquals(x, TrainingData.InputValues.of(x, PLAIN).values(), "without normalisation: the samples");
    }

    @Test
    void aWindowKeepsTheWholeUtterancesNormalisation() {
        float[] x = pcmLike(3000, 2);
        float[] whole = Normalizer.normalize(x);
        assertArrayEquals(Arrays.copyOfRange(whole, 1000, 2600), TrainingData.InputValues.of(x, NORMALISING).window(1000, 2600).values());
    }

    @Test
    void samplesThatAreNotPcmAreKeptAsFloats() {
        float[] x = pcmLike(2000, 3);
        x[17] = 0.1f / 3; // as after resampling or mixing channels: not a multiple of 1/32768
        TrainingData.InputValues v = TrainingData.InputValues.of(x, NORMALISING);
        assertNull(v.pcm());
        assertArrayEquals(Normalizer.normalize(x), v.values());
        float[] first = v.values();
        first[0] = 99;
        assertEquals(Normalizer.normalize(x)[0], v.values()[0], "values() hands out a copy");
    }
}
