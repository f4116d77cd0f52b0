package wavlens.audio;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cookbook peaking filter: the gain at its centre frequency, none far from it. */
class PeakingFilterTest {
    static float[] tone(double hz) {
        float[] x = new float[16000];
        for (int n = 0; n < x.length; n++) x[n] = (float) Math.sin(2 * Math.PI * hz * n / 16000.0);
        return x;
    }

    /** Level change in dB of a steady tone, measured on the second half (after the filter's transient). */
    static double gainDb(float[] in, float[] out) {
        double a = 0, b = 0;
        for (int n = in.length / 2; n < in.length; n++) {
            a += (double) in[n] * in[n];
            b += (double) out[n] * out[n];
        }
        return 10 * Math.log10(b / a);
    }

    @ParameterizedTest
    @CsvSource({"1000, 1.0, 6", "1000, 2.0, -9", "300, 0.7, 12", "5000, 1.5, -12"})
    void aToneAtTheCentreChangesByTheGainAndOneFarAwayDoesNot(double hz, double q, double db) {
        PeakingFilter f = new PeakingFilter(16000, hz, q, db);
        float[] atCentre = tone(hz);
        assertEquals(db, gainDb(atCentre, f.apply(atCentre)), 0.05, "at the centre");
        // four octaves away the band has no effect left worth the name
        double far = hz >= 1000 ? hz / 16 : hz * 16;
        float[] away = tone(far);
        assertEquals(0, gainDb(away, f.apply(away)), Math.abs(db) * 0.1, "four octaves away");
    }
}
