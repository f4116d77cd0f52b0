package wavlens.analysis.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import wavlens.io.UserError;

class LogisticProbeTest {

    @Test
    void lbfgsFindsTheRosenbrockMinimum() {
        // f = (1 − a)² + 100 (b − a²)², minimum 0 at (1, 1).
        Lbfgs.Objective rosenbrock = (v, g) -> {
            double a = v[0], b = v[1];
            g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
            g[1] = 200 * (b - a * a);
            return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a);
        };
        Lbfgs.Result r = Lbfgs.minimize(rosenbrock, new double[]{-1.2, 1}, new Lbfgs.Settings(10, 500, 1e-9, 0));
        assertEquals(Lbfgs.Stop.GRADIENT_SMALL, r.stop());
        assertEquals(1, r.x()[0], 1e-6);
        assertEquals(1, r.x()[1], 1e-6);
        assertTrue(r.iterations() < 100, "iterations " + r.iterations());
    }

    @Test
    void cubicMinimizerOfAnExactCubic() {
        // φ(t) = (t − 1)³ − 3(t − 1) has its local minimum at t = 2; sample it at 0 and 3.
        double fa = -1 + 3, da = 3 - 3, fb = 8 - 6, db = 12 - 3;
        assertEquals(2, Lbfgs.cubicMinimizer(0, fa, da, 3, fb, db), 1e-12);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        int n = 60, d = 5, c = 4;
        Random random = new Random(3);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = random.nextInt(c);
        SoftmaxObjective f = new SoftmaxObjective(x, n, d, y, c, 0.7);
        double[] theta = new double[f.parameterCount()];
        for (int i = 0; i < theta.length; i++) theta[i] = 0.5 * random.nextGaussian();
        double[] g = new double[theta.length], scratch = new double[theta.length];
        f.valueAndGradient(theta, g);
        double h = 1e-3;
        for (int i = 0; i < theta.length; i++) {
            double keep = theta[i];
            theta[i] = keep + h;
            double up = f.valueAndGradient(theta, scratch);
            theta[i] = keep - h;
            double down = f.valueAndGradient(theta, scratch);
            theta[i] = keep;
            assertEquals((up - down) / (2 * h), g[i], 2e-4, "component " + i);
        }
    }

    @Test
    void lossAtZeroIsLogOfClassCount() {
        // With W = 0, b = 0 every class has probability 1/c: mean loss = ln c exactly.
        float[] x = {1, 2, 3, 4, 5, 6};
        SoftmaxObjective f = new SoftmaxObjective(x, 3, 2, new int[]{0, 1, 2}, 3, 1);
        double[] g = new double[f.parameterCount()];
        assertEquals(Math.log(3), f.valueAndGradient(new double[f.parameterCount()], g), 1e-12);
    }

    @Test
    void twoClassesOneFeatureMatchesANewtonSolve() {
        // Two classes, one feature: the softmax model with penalty (w0² + w1²)/(2C) has its optimum at
        // w0 = −w1, b0 = −b1 (symmetry), i.e. binary logistic with β = w1 − w0, a = b1 − b0 and penalty β²/(4C).
        double[] raw = {-2.0, -1.2, -0.5, 0.1, 0.3, 0.9, 1.4, 2.2, -0.8, 0.6};
        int[] labels = {0, 0, 0, 1, 0, 1, 1, 1, 1, 0};
        int n = raw.length;
        double c = 1.0;
        double mean = 0, var = 0;
        for (double v : raw) mean += v / n;
        for (double v : raw) var += (v - mean) * (v - mean) / n;
        double[] z = new double[n];
        for (int i = 0; i < n; i++) z[i] = (raw[i] - mean) / Math.sqrt(var);

        // Newton on L(β, a) = Σ log(1 + e^{η}) − y·η + β²/(4C), η = β z + a.
        double beta = 0, a = 0;
        for (int iter = 0; iter < 50; iter++) {
            double gb = beta / (2 * c), ga = 0, hbb = 1 / (2 * c), hba = 0, haa = 0;
            for (int i = 0; i < n; i++) {
                double p = 1 / (1 + Math.exp(-(beta * z[i] + a)));
                gb += (p - labels[i]) * z[i];
                ga += p - labels[i];
                double w = p * (1 - p);
                hbb += w * z[i] * z[i];
                hba += w * z[i];
                haa += w;
            }
            double det = hbb * haa - hba * hba;
            beta -= (haa * gb - hba * ga) / det;
            a -= (-hba * gb + hbb * ga) / det;
        }
        double newtonLoss = beta * beta / (4 * c);
        for (int i = 0; i < n; i++) {
            double eta = beta * z[i] + a;
            newtonLoss += Math.log1p(Math.exp(eta)) - labels[i] * eta;
        }

        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) raw[i];
        LogisticProbe.Model m = LogisticProbe.fit(x, n, 1, labels, new LogisticProbe.Options(c, 200, 1e-8));
        assertEquals(newtonLoss, m.loss(), 1e-5);
        assertEquals(beta, m.weights()[1] - m.weights()[0], 1e-3);
        assertEquals(a, m.intercepts()[1] - m.intercepts()[0], 1e-3);
        assertEquals(mean, m.mean()[0], 1e-6);
        assertEquals(Math.sqrt(var), m.sd()[0], 1e-6);
    }

    @Test
    void matchesScikitLearnOnASmallThreeClassProblem() throws Exception {
        // Reference: sklearn 1.2.1 LogisticRegression(multinomial, lbfgs, C=1) converged to tol 1e-12
        // on StandardScaler features (see src/test/resources/probe/make_sklearn_fixture.py).
        var fixture = wavlens.io.Json.MAPPER.readTree(getClass().getResourceAsStream("/probe/sklearn_small.json"));
        int n = fixture.get("y").size(), d = 3;
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = fixture.get("y").get(i).asInt();
            for (int k = 0; k < d; k++) x[i * d + k] = (float) fixture.get("x").get(i).get(k).asDouble();
        }
        LogisticProbe.Model m = LogisticProbe.fit(x, n, d, y, new LogisticProbe.Options(1.0, 1000, 1e-9));
        assertEquals(fixture.get("loss").asDouble(), m.loss(), 1e-4);
        for (int j = 0; j < 3; j++) {
            for (int k = 0; k < d; k++) assertEquals(fixture.get("coef").get(j).get(k).asDouble(), m.weights()[j * d + k], 1e-3, "coef " + j + "," + k);
        }
        // Intercepts are defined up to a common shift (softmax invariance): compare differences.
        for (int j = 1; j < 3; j++) {
            double expected = fixture.get("intercept").get(j).asDouble() - fixture.get("intercept").get(0).asDouble();
            assertEquals(expected, m.intercepts()[j] - m.intercepts()[0], 1e-3);
        }
    }

    @Test
    void separableProblemIsLearnedPerfectly() {
        // Three well separated blobs in 4-D, 30 utterances of 20 frames; every class in every utterance.
        int d = 4, utterances = 30, frames = 20, n = utterances * frames;
        Random random = new Random(11);
        float[] x = new float[n * d];
        int[] labels = new int[n], utt = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3 * 5 + 2; // labels 2, 7, 12: not 0-based on purpose
            utt[i] = 1000 + i / frames;
            for (int k = 0; k < d; k++) x[i * d + k] = (float) ((k == i % 3 ? 8 : 0) + random.nextGaussian());
        }
        LogisticProbe.Result r = LogisticProbe.trainAndTest(x, n, d, labels, utt, 0.2, 42, LogisticProbe.Options.defaults());
        assertEquals(1.0, r.test().accuracy(), 0);
        assertArrayEquals(new int[]{2, 7, 12}, r.model().classes());
        assertEquals(6 * frames, r.testRows());
        assertEquals(n - 6 * frames, r.trainRows());
    }

    @Test
    void robustToTestOnlyClassSingletonClassAndConstantColumn() {
        int d = 3, n = 200;
        Random random = new Random(5);
        float[] x = new float[n * d];
        int[] labels = new int[n], utt = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            utt[i] = i / 10;
            x[i * d] = (float) (labels[i] * 6 + random.nextGaussian());
            x[i * d + 1] = 3.25f; // constant column
            x[i * d + 2] = (float) random.nextGaussian();
        }
        labels[7] = 9;                  // a class with a single item (utterance 0)
        boolean[] test = LogisticProbe.splitByUtterance(utt, 0.25, 1);
        int testOnlyRow = -1;
        for (int i = 0; i < n && testOnlyRow < 0; i++) if (test[i]) testOnlyRow = i;
        labels[testOnlyRow] = 5;        // a class that occurs only in the test part
        LogisticProbe.Result r = LogisticProbe.trainAndTest(x, n, d, labels, utt, 0.25, 1, LogisticProbe.Options.defaults());
        for (double w : r.model().weights()) assertTrue(Double.isFinite(w));
        assertEquals(1f, r.model().sd()[1]);
        // Column 1 is constant: its standardised value is 0, so the penalty drives its weights to 0.
        for (int j = 0; j < r.model().numClasses(); j++) assertEquals(0, r.model().weights()[j * d + 1], 1e-6);
        int five = java.util.Arrays.binarySearch(r.test().classes(), 5);
        assertTrue(five >= 0);
        assertEquals(0, r.test().recall()[five]);
        assertEquals(1, r.test().support()[five]);
        assertTrue(java.util.Arrays.binarySearch(r.model().classes(), 5) < 0);
        assertTrue(r.test().accuracy() > 0.9);
    }

    @Test
    void splitKeepsUtterancesWholeAndIsSeeded() {
        int n = 1000;
        int[] utt = new int[n];
        for (int i = 0; i < n; i++) utt[i] = (i * 7919) % 50; // 50 utterances, rows interleaved
        boolean[] a = LogisticProbe.splitByUtterance(utt, 0.2, 9), b = LogisticProbe.splitByUtterance(utt, 0.2, 9);
        assertArrayEquals(a, b);
        Set<Integer> testUtts = new HashSet<>(), trainUtts = new HashSet<>();
        for (int i = 0; i < n; i++) (a[i] ? testUtts : trainUtts).add(utt[i]);
        assertEquals(10, testUtts.size());
        assertEquals(40, trainUtts.size());
        testUtts.retainAll(trainUtts);
        assertTrue(testUtts.isEmpty());
        boolean[] other = LogisticProbe.splitByUtterance(utt, 0.2, 10);
        assertFalse(java.util.Arrays.equals(a, other));
        assertThrows(UserError.class, () -> LogisticProbe.splitByUtterance(new int[]{4, 4, 4}, 0.2, 1));
    }

    @Test
    void classificationReportByHand() {
        int[] truth = {0, 0, 0, 1, 1, 2};
        int[] pred = {0, 0, 1, 1, 2, 2};
        ClassificationReport r = ClassificationReport.of(truth, pred);
        assertEquals(4.0 / 6, r.accuracy(), 1e-15);
        // class 0: tp 2, predicted 2, support 3 → P 1, R 2/3, F1 0.8
        assertEquals(1, r.precision()[0], 1e-15);
        assertEquals(2.0 / 3, r.recall()[0], 1e-15);
        assertEquals(0.8, r.f1()[0], 1e-15);
        // class 1: tp 1, predicted 2, support 2 → P 0.5, R 0.5; class 2: tp 1, predicted 2, support 1 → P 0.5, R 1, F1 2/3
        assertEquals(0.5, r.f1()[1], 1e-15);
        assertEquals(2.0 / 3, r.f1()[2], 1e-15);
        assertEquals((0.8 + 0.5 + 2.0 / 3) / 3, r.macroF1(), 1e-15);
    }
}
