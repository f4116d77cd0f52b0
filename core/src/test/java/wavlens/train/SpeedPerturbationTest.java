package wavlens.train;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Speed perturbation behaves like sox speed: 1/speed as long, every frequency times speed. */
class SpeedPerturbationTest {
    @ParameterizedTest
    @ValueSource(doubles = {0.9, 1.1})
    void aToneComesOutShorterAndHigherByTheSpeed(double speed) {
        float[] tone = new float[16000];
        for (int n = 0; n < tone.length; n++) tone[n] = (float) Math.sin(2 * Math.PI * 1000 * n / 16000.0);
        float[] out = FineTuning.speedPerturbed(tone, speed);
        assertEquals(16000 / speed, out.length, 2, "length");
        // frequency from upward zero crossings in the middle half (away from the filter's edges)
        int from = out.length / 4, to = 3 * out.length / 4, crossings = 0;
        for (int n = from + 1; n < to; n++) if (out[n - 1] < 0 && out[n] >= 0) crossings++;
        double hz = crossings / ((to - from) / 16000.0);
        assertEquals(1000 * speed, hz, 5, "frequency");
    }
}
