package wavlens.train;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import wavlens.io.Json;
import wavlens.io.Npy;

/**
 * CTC loss against a brute-force sum over every path (tiny cases, finite differences for the
 * gradient) and against the HF training references in ../shared/testdata/wav2vec2 (loss, and the
 * lm_head gradients, which are functions of d loss / d logits alone).
 */
class CtcLossTest {
    static final Path ROOT = Path.of("../../shared/testdata/wav2vec2");

    // ------------------------------------------------------------------ brute force reference

    /** −log Σ over all V^T paths that collapse (merge repeats, drop blanks) to target of Π_t softmax(z_t)(π_t). */
    static double bruteNll(double[] z, int T, int V, int[] target, int blank) {
        double[] y = new double[T * V];
        for (int t = 0; t < T; t++) {
            double sum = 0;
            for (int k = 0; k < V; k++) sum += Math.exp(z[t * V + k]);
            for (int k = 0; k < V; k++) y[t * V + k] = Math.exp(z[t * V + k]) / sum;
        }
        int paths = 1;
        for (int t = 0; t < T; t++) paths *= V;
        double total = 0;
        int[] pi = new int[T];
        for (int p = 0; p < paths; p++) {
            for (int t = 0, q = p; t < T; t++, q /= V) pi[t] = q % V;
            List<Integer> out = new ArrayList<>();
            for (int t = 0; t < T; t++) {
                if (pi[t] != blank && (t == 0 || pi[t] != pi[t - 1])) out.add(pi[t]);
            }
            if (out.size() != target.length) continue;
            boolean same = true;
            for (int i = 0; i < target.length; i++) same &= out.get(i) == target[i];
            if (!same) continue;
            double prob = 1;
            for (int t = 0; t < T; t++) prob *= y[t * V + pi[t]];
            total += prob;
        }
        return -Math.log(total);
    }

    static float[] randomLogits(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * 1.5);
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** One utterance against brute force: nll (relative 1e-9) and d loss / d z against central differences (abs 1e-6). */
    static void checkAgainstBruteForce(float[] z, int T, int V, int[] target, int blank, CtcLoss.Reduction reduction) {
        float[] grad = new float[z.length];
        CtcLoss.Result res = CtcLoss.compute(z, V, new int[] {0}, new int[] {T}, new int[][] {target}, blank, reduction, false, grad);
        double[] zd = toDouble(z);
        double expected = bruteNll(zd, T, V, target, blank);
        String what = "T=" + T + " V=" + V + " blank=" + blank + " target=" + Arrays.toString(target);
        assertTrue(Double.isFinite(expected), what + " should be feasible");
        assertTrue(res.feasible()[0], what);
        assertEquals(expected, res.nll()[0], 1e-9 * Math.abs(expected) + 1e-300, what);
        double factor = reduction == CtcLoss.Reduction.SUM ? 1 : 1.0 / Math.max(target.length, 1);
        assertEquals(expected * factor, res.loss(), 1e-9 * Math.abs(expected * factor) + 1e-300, what);
        double h = 1e-5;
        for (int i = 0; i < zd.length; i++) {
            double keep = zd[i];
            zd[i] = keep + h;
            double plus = bruteNll(zd, T, V, target, blank);
            zd[i] = keep - h;
            double minus = bruteNll(zd, T, V, target, blank);
            zd[i] = keep;
            double fd = factor * (plus - minus) / (2 * h);
            assertEquals(fd, grad[i], 1e-6, what + " d/dz[" + i / V + "," + i % V + "]");
        }
    }

    @Property(tries = 150)
    void randomTinyCasesMatchBruteForce(@ForAll long seed) {
        Random r = new Random(seed);
        int V = 2 + r.nextInt(3);   // 2..4
        int T = 1 + r.nextInt(5);   // 1..5
        int blank = r.nextInt(V);
        int L = r.nextInt(4);       // 0..3
        int[] target = new int[L];
        for (int i = 0; i < L; i++) {
            // repeat the previous label one time in three
            if (i > 0 && r.nextInt(3) == 0) target[i] = target[i - 1];
            else do target[i] = r.nextInt(V); while (target[i] == blank);
        }
        if (T < CtcLoss.minFrames(target)) return;   // infeasible: covered below
        float[] z = randomLogits(r, T * V);
        checkAgainstBruteForce(z, T, V, target, blank, r.nextBoolean() ? CtcLoss.Reduction.SUM : CtcLoss.Reduction.MEAN);
    }

    @Test
    void handPickedCasesMatchBruteForce() {
        Random r = new Random(7);
        // {T, V, blank, labels...}
        int[][] cases = {
            {3, 2, 0, 1, 1},       // repeated label, exactly the minimum frames (1 blank 1)
            {5, 3, 2, 1, 1},       // non-zero blank (last id), repeat
            {4, 4, 3, 0, 0, 1},    // label 0 is a real label, blank 3
            {5, 4, 1, 2, 2, 2},    // three equal labels: needs 5 frames
            {5, 3, 0, 1, 2, 1},    // skips allowed between different labels
            {4, 3, 1},             // empty target: all blanks
            {1, 4, 2, 3},          // one frame, one label
            {5, 4, 0, 3},
        };
        for (int[] c : cases) {
            int T = c[0], V = c[1], blank = c[2];
            int[] target = Arrays.copyOfRange(c, 3, c.length);
            for (CtcLoss.Reduction red : CtcLoss.Reduction.values()) checkAgainstBruteForce(randomLogits(r, T * V), T, V, target, blank, red);
        }
    }

    @Test
    void emptyTargetIsMinusSumOfBlankLogProbabilities() {
        Random r = new Random(3);
        int T = 7, V = 5, blank = 4;
        float[] z = randomLogits(r, T * V);
        double expected = 0;
        for (int t = 0; t < T; t++) {
            double sum = 0;
            for (int k = 0; k < V; k++) sum += Math.exp((double) z[t * V + k]);
            expected -= z[t * V + blank] - Math.log(sum);
        }
        CtcLoss.Result res = CtcLoss.compute(z, V, new int[] {0}, new int[] {T}, new int[][] {{}}, blank, CtcLoss.Reduction.MEAN, false, null);
        assertEquals(expected, res.nll()[0], 1e-12 * expected);
        assertEquals(expected, res.loss(), 1e-12 * expected);   // MEAN divides by max(0, 1) = 1
    }

    // ------------------------------------------------------------------ infeasible utterances

    @Test
    void infeasibleUtterances() {
        Random r = new Random(11);
        // {T, V, blank, labels...}: fewer frames than labels + adjacent repeats
        int[][] cases = {{2, 3, 0, 1, 1}, {2, 4, 0, 1, 2, 3}, {4, 3, 2, 1, 1, 1}, {1, 3, 1, 0, 2}};
        for (int[] c : cases) {
            int T = c[0], V = c[1], blank = c[2];
            int[] target = Arrays.copyOfRange(c, 3, c.length);
            float[] z = randomLogits(r, T * V);
            // the brute force agrees that no path exists
            assertEquals(Double.POSITIVE_INFINITY, bruteNll(toDouble(z), T, V, target, blank), Arrays.toString(c));
            assertTrue(T < CtcLoss.minFrames(target));

            float[] grad = new float[z.length];
            CtcLoss.Result res = CtcLoss.compute(z, V, new int[] {0}, new int[] {T}, new int[][] {target}, blank, CtcLoss.Reduction.SUM, false, grad);
            assertFalse(res.feasible()[0]);
            assertEquals(Double.POSITIVE_INFINITY, res.nll()[0]);
            assertEquals(Double.POSITIVE_INFINITY, res.loss());

            Arrays.fill(grad, 123f);
            res = CtcLoss.compute(z, V, new int[] {0}, new int[] {T}, new int[][] {target}, blank, CtcLoss.Reduction.MEAN, true, grad);
            assertFalse(res.feasible()[0]);
            assertEquals(0.0, res.nll()[0]);
            assertEquals(0.0, res.loss());
            for (float g : grad) assertEquals(0f, g);
        }
        // one more frame than the minimum of [1, 1] is feasible (1 blank 1 needs 3)
        assertEquals(3, CtcLoss.minFrames(new int[] {1, 1}));
        assertTrue(CtcLoss.compute(randomLogits(r, 9), 3, new int[] {0}, new int[] {3}, new int[][] {{1, 1}}, 0, CtcLoss.Reduction.SUM, false, null).feasible()[0]);
    }

    // ------------------------------------------------------------------ HF training references

    /** loss.json, the lm_head gradients: Σ_t dLogits[t, k] = grad bias[k], dLogitsᵀ · last_hidden_state = grad weight. */
    void checkReferenceRun(String run, CtcLoss.Reduction reduction, boolean zeroInfinity, double expectedLoss) {
        Path dir = ROOT.resolve(run);
        JsonNode lossJson = Json.read(dir.resolve("expected/synthetic/loss.json"));
        assertEquals(reduction.name().toLowerCase(), lossJson.get("reduction").asText());
        assertEquals(zeroInfinity, lossJson.get("zero_infinity").asBoolean());
        assertEquals(0, lossJson.get("blank_id").asInt());

        Npy.Array logitsNpy = Npy.read(dir.resolve("expected/synthetic/logits.npy"));
        float[] logits = logitsNpy.asFloats();
        int T = logitsNpy.shape()[0], V = logitsNpy.shape()[1];
        Npy.Array labels = Npy.read(dir.resolve("inputs/synthetic_labels.npy"));
        int[][] targets = CtcLoss.targetsFromLabels(labels.asLongs(), labels.shape()[0], labels.shape()[1]);
        assertEquals(1, targets.length);
        assertEquals(lossJson.get("target_lengths").get(0).asInt(), targets[0].length);
        assertEquals(lossJson.get("input_lengths").get(0).asInt(), T);

        float[] dLogits = new float[logits.length];
        CtcLoss.Result res = CtcLoss.compute(logits, V, new int[] {0}, new int[] {T}, targets, 0, reduction, zeroInfinity, dLogits);
        assertEquals(expectedLoss, res.loss(), 1e-5 * expectedLoss);
        assertEquals(lossJson.get("loss").asDouble(), res.loss(), 1e-5 * expectedLoss);
        double nll = lossJson.get("per_utterance_nll").get(0).asDouble();
        assertEquals(nll, res.nll()[0], 1e-5 * nll);
        assertTrue(res.feasible()[0]);
        System.out.printf("%s/synthetic: loss %.10f (reference %.10f, rel. diff %.1e)%n", run, res.loss(), lossJson.get("loss").asDouble(),
            Math.abs(res.loss() / lossJson.get("loss").asDouble() - 1));

        Npy.Array hiddenNpy = Npy.read(dir.resolve("expected/synthetic/last_hidden_state.npy"));
        float[] hidden = hiddenNpy.asFloats();
        int H = hiddenNpy.shape()[1];
        assertEquals(T, hiddenNpy.shape()[0]);
        double[] gradBias = new double[V], gradWeight = new double[V * H];
        for (int t = 0; t < T; t++) {
            for (int k = 0; k < V; k++) {
                double g = dLogits[t * V + k];
                gradBias[k] += g;
                for (int j = 0; j < H; j++) gradWeight[k * H + j] += g * hidden[t * H + j];
            }
        }
        Npy.Array eb = Npy.read(dir.resolve("expected/synthetic/grad/lm_head.bias.npy"));
        Npy.Array ew = Npy.read(dir.resolve("expected/synthetic/grad/lm_head.weight.npy"));
        assertArrayEquals(new int[] {V}, eb.shape());
        assertArrayEquals(new int[] {V, H}, ew.shape());
        assertGradientClose(run + " lm_head.bias", eb.asFloats(), gradBias);
        assertGradientClose(run + " lm_head.weight", ew.asFloats(), gradWeight);
    }

    /** max |actual − expected| ≤ 1e-3 · max|expected| + 1e-5 (README "Tolerances"). */
    static void assertGradientClose(String what, float[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what);
        double maxExpected = 0, maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxExpected = Math.max(maxExpected, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
        }
        double tol = 1e-3 * maxExpected + 1e-5;
        System.out.printf("%s: max|diff| %.2e, max|expected| %.3e, diff/max %.1e, ratio to tolerance %.1e%n", what, maxDiff, maxExpected,
            maxDiff / maxExpected, maxDiff / tol);
        assertTrue(maxDiff <= tol, what + ": max|diff| " + maxDiff + " > tolerance " + tol);
    }

    @Test
    void ctcBaseSyntheticSumReference() {
        checkReferenceRun("ctc-base", CtcLoss.Reduction.SUM, false, 246.1728393);
    }

    @Test
    void ctcBinSyntheticMeanZeroInfinityReference() {
        checkReferenceRun("ctc-bin", CtcLoss.Reduction.MEAN, true, 17.70094496);
    }

    // ------------------------------------------------------------------ packed batches

    @Test
    void packedBatchEqualsSingleUtterances() {
        Random r = new Random(5);
        int V = 6, blank = 5;
        int[] frames = {9, 3, 12};
        int[][] targets = {{1, 2, 2, 3}, {0, 0, 1}, {4, 1}};   // utterance 1: 3 frames < 3 + 1 needed
        int[] rowOffset = {0, 10, 14};                        // rows 9 and 13 belong to nobody
        int rows = 26;                                        // rows 14..25 = utterance 2; nothing else
        float[] logits = randomLogits(r, rows * V);
        assertFalse(frames[1] >= CtcLoss.minFrames(targets[1]));

        for (boolean zeroInfinity : new boolean[] {false, true}) {
            for (CtcLoss.Reduction red : CtcLoss.Reduction.values()) {
                float[] grad = new float[logits.length];
                Arrays.fill(grad, 99f);
                CtcLoss.Result batch = CtcLoss.compute(logits, V, rowOffset, frames, targets, blank, red, zeroInfinity, grad);
                double loss = 0;
                for (int b = 0; b < 3; b++) {
                    // the same utterance alone, at row 0 of its own array, SUM: d nll_b / d z
                    float[] z = Arrays.copyOfRange(logits, rowOffset[b] * V, (rowOffset[b] + frames[b]) * V);
                    float[] g = new float[z.length];
                    CtcLoss.Result single = CtcLoss.compute(z, V, new int[] {0}, new int[] {frames[b]}, new int[][] {targets[b]}, blank,
                        CtcLoss.Reduction.SUM, zeroInfinity, g);
                    assertEquals(single.nll()[0], batch.nll()[b]);
                    assertEquals(single.feasible()[0], batch.feasible()[b]);
                    assertEquals(b != 1, batch.feasible()[b]);
                    double factor = red == CtcLoss.Reduction.SUM ? 1 : 1.0 / (3 * Math.max(targets[b].length, 1));
                    loss += factor * single.nll()[0];
                    for (int i = 0; i < g.length; i++) {
                        float actual = grad[rowOffset[b] * V + i];
                        if (Float.isNaN(g[i])) assertTrue(Float.isNaN(actual));
                        else assertEquals(factor * g[i], actual, 1e-7 * (1 + Math.abs(g[i])), "utterance " + b + " index " + i);
                    }
                }
                for (int k = 0; k < V; k++) {
                    assertEquals(99f, grad[9 * V + k], "rows between utterances untouched");
                    assertEquals(99f, grad[13 * V + k], "rows between utterances untouched");
                }
                if (!zeroInfinity) {
                    assertEquals(Double.POSITIVE_INFINITY, batch.loss());
                    assertEquals(Double.POSITIVE_INFINITY, batch.nll()[1]);
                } else {
                    assertEquals(0.0, batch.nll()[1]);
                    double expected = red == CtcLoss.Reduction.SUM
                        ? batch.nll()[0] + batch.nll()[2]
                        : (batch.nll()[0] / 4 + 0.0 / 3 + batch.nll()[2] / 2) / 3;   // zeroed utterance still counts in B
                    assertEquals(expected, batch.loss(), 1e-12 * expected);
                    assertEquals(expected, loss, 1e-12 * expected);
                }
            }
        }
    }

    @Test
    void deterministicAcrossRuns() {
        Random r = new Random(9);
        int B = 16, V = 8, T = 40;
        int[] frames = new int[B], rowOffset = new int[B];
        int[][] targets = new int[B][];
        for (int b = 0; b < B; b++) {
            frames[b] = T;
            rowOffset[b] = b * T;
            targets[b] = new int[1 + r.nextInt(12)];
            for (int i = 0; i < targets[b].length; i++) targets[b][i] = 1 + r.nextInt(V - 1);
        }
        float[] logits = randomLogits(r, B * T * V);
        float[] g1 = new float[logits.length], g2 = new float[logits.length];
        CtcLoss.Result a = CtcLoss.compute(logits, V, rowOffset, frames, targets, 0, CtcLoss.Reduction.MEAN, true, g1);
        CtcLoss.Result b = CtcLoss.compute(logits, V, rowOffset, frames, targets, 0, CtcLoss.Reduction.MEAN, true, g2);
        assertEquals(a.loss(), b.loss());
        assertArrayEquals(a.nll(), b.nll());
        assertArrayEquals(g1, g2);
    }

    // ------------------------------------------------------------------ arguments

    @Test
    void reductionParse() {
        assertEquals(CtcLoss.Reduction.SUM, CtcLoss.Reduction.parse("sum"));
        assertEquals(CtcLoss.Reduction.MEAN, CtcLoss.Reduction.parse("mean"));
        assertThrows(IllegalArgumentException.class, () -> CtcLoss.Reduction.parse("none"));
        assertThrows(IllegalArgumentException.class, () -> CtcLoss.Reduction.parse("MEAN"));
        assertThrows(IllegalArgumentException.class, () -> CtcLoss.Reduction.parse(null));
    }

    @Test
    void labelsWithPaddingBecomeTargets() {
        long[] labels = {3, 4, 4, -100, 7, -100, -100, -100};
        int[][] t = CtcLoss.targetsFromLabels(labels, 2, 4);
        assertArrayEquals(new int[] {3, 4, 4}, t[0]);
        assertArrayEquals(new int[] {7}, t[1]);
    }

    @Test
    void refusesBlankAsLabelAndRowsOutOfRange() {
        float[] z = new float[12];
        assertThrows(IllegalArgumentException.class,
            () -> CtcLoss.compute(z, 3, new int[] {0}, new int[] {4}, new int[][] {{1, 0}}, 0, CtcLoss.Reduction.SUM, false, null));
        assertThrows(IllegalArgumentException.class,
            () -> CtcLoss.compute(z, 3, new int[] {1}, new int[] {4}, new int[][] {{1}}, 0, CtcLoss.Reduction.SUM, false, null));
    }
}
