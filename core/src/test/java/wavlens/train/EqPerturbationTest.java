package wavlens.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** --eq-perturb changes a spectrum's shape, not the utterance's length or loudness. */
class EqPerturbationTest {
    static float[] noise(long seed) {
        Random r = new Random(seed);
        float[] x = new float[16000];
        for (int n = 0; n < x.length; n++) x[n] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void keepsLengthAndLoudnessAndChangesTheSignal() {
        float[] x = noise(1);
        float[] y = FineTuning.equalized(x, 12, new Random(2));
        assertEquals(x.length, y.length);
        assertEquals(FineTuning.rms(x), FineTuning.rms(y), 1e-3 * FineTuning.rms(x));
        double diff = 0;
        for (int n = 0; n < x.length; n++) diff += Math.abs(x[n] - y[n]);
        assertTrue(diff / x.length > 0.05, "a 12 dB colouring changes the samples");
    }

    @Test
    void zeroGainLeavesTheSignalAsItWas() {
        float[] x = noise(3);
        assertArrayEquals(x, FineTuning.equalized(x, 0, new Random(4)), 1e-5f);
    }
}
