package wavlens.corpus.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NoiseTest {
    @Test
    void snrIsExactOverTheSpeechSpan() {
        for (String color : new String[] {"white", "pink"}) {
            float[] x = new float[16000];
            for (int i = 2000; i < 14000; i++) x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / 16000.0));
            float[] y = x.clone();
            Noise.add(y, 2000, 14000, 10.0, color, 42);
            double signal = 0, noise = 0;
            for (int i = 2000; i < 14000; i++) signal += (double) x[i] * x[i];
            for (int i = 0; i < x.length; i++) noise += (double) (y[i] - x[i]) * (y[i] - x[i]);
            signal /= 12000;
            noise /= x.length;
            assertEquals(10.0, 10 * Math.log10(signal / noise), 1e-3, color); // float rounding of y only
            float[] again = x.clone();
            Noise.add(again, 2000, 14000, 10.0, color, 42);
            assertArrayEquals(y, again, color + " noise is fixed by its seed");
        }
    }

    @Test
    void pinkNoiseHasMorePowerAtLowFrequencies() {
        // Power of first differences relative to total power: about 2 for white noise (independent
        // samples), much less for pink noise whose energy sits at low frequencies.
        double[] white = Noise.white(1 << 16, 7), pink = Noise.pink(1 << 16, 7);
        assertEquals(2.0, diffRatio(white), 0.05);
        assertEquals(true, diffRatio(pink) < 0.5);
    }

    private static double diffRatio(double[] v) {
        double p = 0, d = 0;
        for (int i = 1; i < v.length; i++) {
            p += v[i] * v[i];
            d += (v[i] - v[i - 1]) * (v[i] - v[i - 1]);
        }
        return d / p;
    }
}
