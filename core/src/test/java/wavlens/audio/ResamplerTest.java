package wavlens.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The resampler against analytic signals: a band-limited signal resampled is the same signal sampled at the new rate. */
class ResamplerTest {
    static float[] tone(double hz, int rate, int n, double amplitude) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        return x;
    }

    /** First output index whose filter no longer reaches the zero padding before the signal. */
    static int margin(Resampler r, int outRate) {
        return (int) Math.ceil(r.halfWidthSeconds() * outRate) + 1;
    }

    @ParameterizedTest
    @CsvSource({
            "44100, 16000, 1000",
            "44100, 16000, 7000",
            "22050, 16000, 3000",
            "48000, 16000, 7500",  // near the passband edge, 0.94 * 8 kHz
            "8000,  16000, 3000",
            "11025, 16000, 5000",
            "16000, 8000,  3500",
            "44100, 48000, 15000",
    })
    void toneMatchesTheAnalyticToneAtTheNewRate(int inRate, int outRate, double hz) {
        int n = inRate / 2;
        Resampler r = new Resampler(inRate, outRate);
        float[] y = r.process(tone(hz, inRate, n, 0.8));
        assertEquals(Resampler.outputLength(n, inRate, outRate), y.length);
        int m = margin(r, outRate);
        double worst = 0;
        for (int i = m; i < y.length - m; i++) {
            double expected = 0.8 * Math.sin(2 * Math.PI * hz * i / outRate); // output i is time i / outRate
            worst = Math.max(worst, Math.abs(y[i] - expected));
        }
        assertTrue(worst < 1e-4, inRate + " -> " + outRate + " at " + hz + " Hz: max error " + worst);
    }

    @Test
    void oneKilohertzAt441To16k() {
        // The brief's case: within 1e-3 of the analytic 1 kHz sine away from the edges.
        float[] y = Resampler.resample(tone(1000, 44100, 44100, 1.0), 44100, 16000);
        assertEquals(16000, y.length);
        Resampler r = new Resampler(44100, 16000);
        for (int i = margin(r, 16000); i < 16000 - margin(r, 16000); i++) {
            assertEquals(Math.sin(2 * Math.PI * 1000 * i / 16000.0), y[i], 1e-3, "sample " + i);
        }
    }

    @Test
    void everythingAboveTheOutputNyquistIsRemoved() {
        // A tone above the new Nyquist frequency would fold back into the band (8.5 kHz at
        // 48 -> 16 kHz would appear at 7.5 kHz); the stopband starts at the Nyquist frequency.
        int[][] cases = {{48000, 16000}, {44100, 16000}, {22050, 16000}};
        for (int[] c : cases) {
            int inRate = c[0], outRate = c[1];
            Resampler r = new Resampler(inRate, outRate);
            for (double hz = outRate / 2.0; hz < inRate / 2.0; hz += 250) {
                float[] y = r.process(tone(hz, inRate, inRate / 4, 1.0));
                int m = margin(r, outRate);
                double power = 0;
                for (int i = m; i < y.length - m; i++) power += y[i] * y[i];
                double rms = Math.sqrt(power / (y.length - 2 * m));
                double attenuationDb = -20 * Math.log10(rms / Math.sqrt(0.5));
                assertTrue(attenuationDb > 85, inRate + " -> " + outRate + ": " + hz + " Hz only " + attenuationDb + " dB down");
            }
        }
    }

    @Test
    void dcGainIsOne() {
        for (int[] c : new int[][] {{44100, 16000}, {8000, 16000}, {22050, 16000}, {48000, 44100}}) {
            Resampler r = new Resampler(c[0], c[1]);
            float[] x = new float[c[0] / 10];
            java.util.Arrays.fill(x, 0.3f);
            float[] y = r.process(x);
            for (int i = margin(r, c[1]); i < y.length - margin(r, c[1]); i++) assertEquals(0.3f, y[i], 1e-6);
        }
    }

    @Test
    void impulseStaysAtItsTimeAndTheResponseIsSymmetric() {
        // An impulse at input time j0 / inRate = i0 / outRate must peak at output i0 with a
        // mirror-symmetric response: linear phase and no time shift.
        int[][] cases = {{48000, 16000, 3000, 1000}, {44100, 16000, 4410, 1600}, {8000, 16000, 500, 1000}};
        for (int[] c : cases) {
            float[] x = new float[c[2] * 2];
            x[c[2]] = 1;
            float[] y = Resampler.resample(x, c[0], c[1]);
            int peak = 0;
            for (int i = 0; i < y.length; i++) if (y[i] > y[peak]) peak = i;
            assertEquals(c[3], peak);
            for (int d = 1; d < 200; d++) assertEquals(y[peak - d], y[peak + d], 1e-7, "offset " + d);
        }
    }

    @Test
    void equalRatesCopy() {
        float[] x = tone(440, 16000, 1000, 0.5);
        float[] y = Resampler.resample(x, 16000, 16000);
        assertArrayEquals(x, y);
        assertNotSame(x, y);
    }

    @Test
    void lengthIsTheCeilingOfTheScaledLength() {
        // ceil(n * out / in), worked by hand
        assertEquals(16000, Resampler.outputLength(44100, 44100, 16000));
        assertEquals(160, Resampler.outputLength(441, 44100, 16000));
        assertEquals(161, Resampler.outputLength(442, 44100, 16000)); // 160.36
        assertEquals(1, Resampler.outputLength(1, 48000, 16000));
        assertEquals(2, Resampler.outputLength(4, 48000, 16000));     // 1.33
        assertEquals(2, Resampler.outputLength(1, 8000, 16000));
        assertEquals(0, Resampler.outputLength(0, 8000, 16000));
        assertEquals(161, Resampler.resample(new float[442], 44100, 16000).length);
    }

    @Test
    void agreesWithSox() {
        // sox 14.4.2's default (high-quality, linear-phase) rate conversion of tones and a
        // 200-6000 Hz chirp, both well inside the two filters' passbands.
        Path dir = Path.of("src/test/resources/audio");
        PcmChannels in = WavReader.read(dir.resolve("resample_in_44k.wav"));
        PcmChannels sox = WavReader.read(dir.resolve("resample_sox_16k.wav"));
        Resampler r = new Resampler(44100, 16000);
        float[] y = r.process(in.channels()[0]);
        float[] reference = sox.channels()[0];
        assertTrue(Math.abs(y.length - reference.length) <= 1, y.length + " vs sox " + reference.length);
        int m = margin(r, 16000);
        double worst = 0;
        for (int i = m; i < Math.min(y.length, reference.length) - m; i++) worst = Math.max(worst, Math.abs(y[i] - reference[i]));
        assertTrue(worst < 1e-4, "max difference from sox " + worst); // measured 4.4e-5
    }
}
