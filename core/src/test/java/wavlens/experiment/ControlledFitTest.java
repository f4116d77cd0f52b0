package wavlens.experiment;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fit across models on synthetic (variant, letter, accuracy) rows generated with a known
 * frequency effect, a known purity effect and noise: the pooled fit recovers both, the
 * within-letter slope recovers the frequency effect, also when letter identity is confounded with
 * frequency (where the pooled coefficient is biased).
 */
class ControlledFitTest {
    static final int LETTERS = 12, VARIANTS = 4;
    static final double BETA_F = 0.10, BETA_P = 0.50, NOISE = 0.005;

    record Synthetic(ControlledFit.Data data, double[][] purity) {}

    /** accuracy = 0.3 + BETA_F·ln f + BETA_P·purity + confound·(letter's base ln f − mean) + noise. */
    static Synthetic synthetic(double confound, long seed) {
        Random r = new Random(seed);
        double[] purity = new double[LETTERS], base = new double[LETTERS];
        for (int l = 0; l < LETTERS; l++) {
            purity[l] = 0.2 + 0.6 * r.nextDouble();
            base[l] = Math.log(0.02) + (Math.log(0.09) - Math.log(0.02)) * r.nextDouble();
        }
        double meanBase = wavlens.analysis.predict.AccuracyRegression.mean(base);
        int n = LETTERS * VARIANTS;
        int[] letterOf = new int[n], variantOf = new int[n];
        double[] acc = new double[n], freq = new double[n], logF = new double[n];
        int i = 0;
        for (int v = 0; v < VARIANTS; v++) {
            for (int l = 0; l < LETTERS; l++) {
                letterOf[i] = l;
                variantOf[i] = v;
                logF[i] = base[l] + 0.35 * SubsetDesign.role(l, v, VARIANTS) + 0.05 * r.nextGaussian();
                freq[i] = Math.exp(logF[i]);
                acc[i] = 0.3 + BETA_F * logF[i] + BETA_P * purity[l] + confound * (base[l] - meanBase) + NOISE * r.nextGaussian();
                i++;
            }
        }
        List<String> names = new ArrayList<>();
        for (int l = 0; l < LETTERS; l++) names.add("l" + l);
        // two "layers": the true purity, and an unrelated one
        double[] unrelated = new double[LETTERS];
        for (int l = 0; l < LETTERS; l++) unrelated[l] = r.nextDouble();
        return new Synthetic(new ControlledFit.Data(names, VARIANTS, letterOf, variantOf, acc, freq, logF), new double[][] {unrelated, purity});
    }

    static double sdOverRows(double[] perLetter, int[] letterOf) {
        double[] v = new double[letterOf.length];
        for (int i = 0; i < v.length; i++) v[i] = perLetter[letterOf[i]];
        return wavlens.analysis.predict.AccuracyRegression.sampleSd(v);
    }

    @Test
    void recoversKnownFrequencyAndPurityEffects() {
        Synthetic s = synthetic(0, 3);
        ControlledFit.Result fit = ControlledFit.fit(s.data(), List.of("0", "1"), s.purity(), "best", 500, 1);
        assertEquals("1", fit.layer().layer(), "the layer holding the true purity fits best");
        assertTrue(fit.chosenAsBest());
        double trueB1 = BETA_F * fit.logFrequencySd(), trueB2 = BETA_P * sdOverRows(s.purity()[1], s.data().letterOf());
        ControlledFit.LayerFit p = fit.layer();
        assertEquals(trueB1, p.frequency().estimate(), 0.01);
        assertEquals(trueB2, p.purity().estimate(), 0.01);
        assertTrue(p.frequency().low() < trueB1 && trueB1 < p.frequency().high(), "CI covers the frequency effect");
        assertTrue(p.purity().low() < trueB2 && trueB2 < p.purity().high(), "CI covers the purity effect");
        assertTrue(p.r2().estimate() > 0.95);
        assertEquals(p.r2().estimate(), p.lmgFrequency().estimate() + p.lmgPurity().estimate(), 1e-9, "LMG shares add up to R²");
        assertEquals(1, p.frequency().sign());
        assertEquals(1, p.purity().sign());

        ControlledFit.Within w = fit.within();
        assertEquals(BETA_F * Math.log(2), w.perDoubling().estimate(), 0.005, "within letters: the frequency effect per doubling");
        assertEquals(trueB1, w.perSd().estimate(), 0.01);
        assertEquals(trueB1, w.perSdTwoWay().estimate(), 0.01);
        assertTrue(w.perSd().low() < trueB1 && trueB1 < w.perSd().high());

        // a chosen layer is used as given
        assertEquals("0", ControlledFit.fit(s.data(), List.of("0", "1"), s.purity(), "0", 200, 1).layer().layer());
    }

    @Test
    void withinLetterSlopeIsFreeOfLetterIdentity() {
        // letters that are common anyway are also easier: the pooled frequency coefficient absorbs that, the within slope does not
        Synthetic s = synthetic(0.25, 5);
        ControlledFit.Result fit = ControlledFit.fit(s.data(), List.of("0", "1"), s.purity(), "1", 500, 1);
        double trueB1 = BETA_F * fit.logFrequencySd();
        assertTrue(fit.layer().frequency().estimate() > 1.5 * trueB1, "pooled is biased upwards: " + fit.layer().frequency().estimate());
        assertTrue(fit.layer().frequency().estimate() > fit.within().perSd().high(), "and lies above the within-letter interval");
        assertEquals(BETA_F * Math.log(2), fit.within().perDoubling().estimate(), 0.005);
        String verdict = Verdict.of(fit, "f1", s.data().letters(), new double[] {1.5, 2.0}, new boolean[] {true, true}, new double[] {0.2, 0.3});
        assertTrue(verdict.contains("above the within-letter interval"), verdict);
        assertTrue(verdict.contains("training frequency has an effect of its own"), verdict);
    }

    @Test
    void constantAccuracyIsReportedNotFitted() {
        Synthetic s = synthetic(0, 7);
        java.util.Arrays.fill(s.data().accuracy(), 0.0);
        ControlledFit.Result fit = ControlledFit.fit(s.data(), List.of("0", "1"), s.purity(), "best", 200, 1);
        assertTrue(Double.isNaN(fit.layer().r2().estimate()));
        assertEquals(0, fit.within().perSd().estimate(), 1e-12);
        String verdict = Verdict.of(fit, "f1", s.data().letters(), new double[] {1.5}, new boolean[] {true}, new double[] {2.5});
        assertTrue(verdict.contains("says nothing about the claim"), verdict);
    }
}
