package wavlens.analysis.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.analysis.accuracy.LetterFrequencies;
import wavlens.io.UserError;

class PredictTest {
    // A small two-predictor data set (no exact fit).
    static final double[] X1 = {1, 2, 3, 4, 5, 6, 7, 8};
    static final double[] X2 = {2, 1, 4, 3, 6, 5, 9, 7};
    static final double[] Y = {3.1, 3.9, 6.2, 6.8, 9.5, 9.9, 13.4, 12.6};

    static double[][] columns(double[]... cols) {
        double[][] x = new double[cols[0].length][cols.length];
        for (int i = 0; i < x.length; i++) for (int j = 0; j < cols.length; j++) x[i][j] = cols[j][i];
        return x;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /** Σ (a − ā)(b − b̄). */
    static double s(double[] a, double[] b) {
        double ma = mean(a), mb = mean(b), sum = 0;
        for (int i = 0; i < a.length; i++) sum += (a[i] - ma) * (b[i] - mb);
        return sum;
    }

    @Test
    void olsMatchesTheTwoPredictorClosedForm() {
        double s11 = s(X1, X1), s22 = s(X2, X2), s12 = s(X1, X2), s1y = s(X1, Y), s2y = s(X2, Y), syy = s(Y, Y);
        double det = s11 * s22 - s12 * s12;
        double b1 = (s1y * s22 - s2y * s12) / det, b2 = (s2y * s11 - s1y * s12) / det;
        double b0 = mean(Y) - b1 * mean(X1) - b2 * mean(X2);
        double rss = syy - b1 * s1y - b2 * s2y;
        int n = Y.length;
        double sigma2 = rss / (n - 3);
        double r12sq = s12 * s12 / (s11 * s22);

        Ols ols = Ols.fit(columns(X1, X2), Y);
        assertEquals(b0, ols.coefficients()[0], 1e-10);
        assertEquals(b1, ols.coefficients()[1], 1e-10);
        assertEquals(b2, ols.coefficients()[2], 1e-10);
        assertEquals(rss, ols.rss(), 1e-10);
        assertEquals(1 - rss / syy, ols.r2(), 1e-12);
        assertEquals(1 - (rss / syy) * (n - 1) / (n - 3), ols.adjustedR2(), 1e-12);
        assertEquals(sigma2, ols.residualVariance(), 1e-12);
        // Var(b1) = σ² / (S11 (1 − r12²)), Var(b2) likewise.
        assertEquals(Math.sqrt(sigma2 / (s11 * (1 - r12sq))), ols.standardErrors()[1], 1e-10);
        assertEquals(Math.sqrt(sigma2 / (s22 * (1 - r12sq))), ols.standardErrors()[2], 1e-10);
        assertEquals(n * Math.log(rss / n) + 2 * 3, ols.aic(), 1e-10);
    }

    @Test
    void olsRecoversAnExactPlaneAndDetectsCollinearity() {
        double[] y = new double[X1.length];
        for (int i = 0; i < y.length; i++) y[i] = 1 + 2 * X1[i] - 3 * X2[i];
        Ols ols = Ols.fit(columns(X1, X2), y);
        assertArrayEquals(new double[]{1, 2, -3}, ols.coefficients(), 1e-10);
        assertEquals(1, ols.r2(), 1e-12);
        double[] twice = new double[X1.length];
        for (int i = 0; i < twice.length; i++) twice[i] = 2 * X1[i];
        assertNull(Ols.tryFit(columns(X1, twice), Y));
    }

    @Test
    void lmgOfTwoPredictorsIsTheAverageOfTheTwoOrderings() {
        double r1 = s(X1, Y) / Math.sqrt(s(X1, X1) * s(Y, Y));
        double r2 = s(X2, Y) / Math.sqrt(s(X2, X2) * s(Y, Y));
        double r12 = s(X1, X2) / Math.sqrt(s(X1, X1) * s(X2, X2));
        // R² of both predictors from the correlations (two-predictor formula).
        double full = (r1 * r1 + r2 * r2 - 2 * r1 * r2 * r12) / (1 - r12 * r12);
        double share1 = (r1 * r1 + (full - r2 * r2)) / 2, share2 = (r2 * r2 + (full - r1 * r1)) / 2;
        double[] shares = Lmg.shares(columns(X1, X2), Y);
        assertEquals(share1, shares[0], 1e-12);
        assertEquals(share2, shares[1], 1e-12);
    }

    @Test
    void lmgOfThreePredictorsEqualsTheMeanOverAllSixOrderings() {
        double[] x3 = {0.5, -1, 2, 0, 1.5, -0.5, 1, 3};
        double[][] x = columns(X1, X2, x3);
        int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        double[] expected = new double[3];
        for (int[] order : orders) {
            List<Integer> entered = new ArrayList<>();
            double before = 0;
            for (int j : order) {
                entered.add(j);
                double after = Ols.rSquared(x, Y, entered.stream().mapToInt(Integer::intValue).toArray());
                expected[j] += (after - before) / orders.length;
                before = after;
            }
        }
        double[] shares = Lmg.shares(x, Y);
        assertArrayEquals(expected, shares, 1e-12);
        assertEquals(Ols.fit(x, Y).r2(), shares[0] + shares[1] + shares[2], 1e-12);
    }

    @Test
    void rankCorrelationsWithTiesByHand() {
        double[] x = {1, 2, 2, 3, 4}, y = {2, 1, 3, 3, 5};
        // mid-ranks x: 1, 2.5, 2.5, 4, 5; y: 2, 1, 3.5, 3.5, 5 → Σd_x d_y = 7.25, Σd_x² = Σd_y² = 9.5
        assertArrayEquals(new double[]{1, 2.5, 2.5, 4, 5}, RankCorrelation.midRanks(x), 0);
        assertEquals(7.25 / 9.5, RankCorrelation.spearman(x, y), 1e-15);
        // 10 pairs: 7 concordant, 1 discordant, 1 tied in x only, 1 tied in y only → 6 / √(9·9)
        assertEquals(6.0 / 9, RankCorrelation.kendallTauB(x, y), 1e-15);
        assertEquals(-1, RankCorrelation.kendallTauB(new double[]{1, 2, 3}, new double[]{3, 2, 1}), 1e-15);
        assertTrue(Double.isNaN(RankCorrelation.spearman(new double[]{1, 1, 1}, new double[]{1, 2, 3})));
    }

    @Test
    void quantileInterpolatesLikeNumpy() {
        double[] v = {4, 1, 3, 2};
        assertEquals(1.75, AccuracyRegression.quantile(v, 0.25), 1e-15); // np.percentile([1,2,3,4], 25)
        assertEquals(3.925, AccuracyRegression.quantile(v, 0.975), 1e-12);
        assertEquals(1, AccuracyRegression.quantile(v, 0), 0);
        assertEquals(4, AccuracyRegression.quantile(v, 1), 0);
    }

    /** 24 letters, 3 layers: accuracy depends on ln frequency and on layer-1 purity; layers 0 and 2 are noise. */
    static LetterTable syntheticTable(long seed) {
        Random r = new Random(seed);
        int n = 24, layers = 3;
        List<String> letters = new ArrayList<>();
        double[] acc = new double[n], freq = new double[n];
        double[][] purity = new double[layers][n], entropy = new double[layers][n];
        for (int i = 0; i < n; i++) {
            letters.add(Character.toString('a' + i));
            freq[i] = Math.exp(-1 - 0.25 * i);
            for (int l = 0; l < layers; l++) {
                purity[l][i] = 0.2 + 0.6 * r.nextDouble();
                entropy[l][i] = 3 - 2 * purity[l][i] + 0.1 * r.nextDouble();
            }
            acc[i] = 0.5 + 0.04 * Math.log(freq[i]) + 0.5 * purity[1][i] + 0.01 * r.nextGaussian();
        }
        return new LetterTable("f1", letters, acc, freq, purity, entropy);
    }

    @Test
    void analysisFindsTheInformativeLayerAndIsSeeded() {
        LetterTable table = syntheticTable(4);
        var settings = new AccuracyRegression.Settings(AccuracyRegression.ClusterMeasure.PURITY, 300, 7, 0.95);
        AccuracyRegression.Analysis a = AccuracyRegression.analyze(table, settings);
        assertEquals(1, a.best().layer());
        AccuracyRegression.LayerFit best = a.best();
        assertTrue(best.ols().r2() > 0.95);
        for (int j = 0; j < 3; j++) {
            double est = best.ols().coefficients()[j];
            assertTrue(best.coefficientInterval()[j][0] <= est && est <= best.coefficientInterval()[j][1], "CI covers estimate " + j);
        }
        // The fit on standardised predictors equals a direct OLS of the same columns.
        double[][] x = new double[table.size()][2];
        for (int i = 0; i < table.size(); i++) {
            x[i][0] = (Math.log(table.trainingFrequency()[i]) - best.center()[0]) / best.scale()[0];
            x[i][1] = (table.purity()[1][i] - best.center()[1]) / best.scale()[1];
        }
        assertArrayEquals(Ols.fit(x, table.accuracy()).coefficients(), best.ols().coefficients(), 1e-12);
        assertEquals(best.ols().r2(), best.lmg()[0] + best.lmg()[1], 1e-12);
        assertEquals(300, best.bootstrapCoefficients().length);
        // Same seed, same bootstrap.
        AccuracyRegression.Analysis again = AccuracyRegression.analyze(table, settings);
        assertArrayEquals(best.bootstrapR2(), again.best().bootstrapR2(), 0);
        // Lowest AIC is the same layer.
        int lowestAic = 0;
        for (var f : a.layers()) if (f.ols().aic() < a.layers().get(lowestAic).ols().aic()) lowestAic = f.layer();
        assertEquals(1, lowestAic);
    }

    @Test
    void jsonAndCsvWriters(@TempDir Path dir) throws Exception {
        var a = AccuracyRegression.analyze(syntheticTable(6), new AccuracyRegression.Settings(AccuracyRegression.ClusterMeasure.ENTROPY, 50, 1, 0.9));
        AccuracyRegression.writeJson(dir.resolve("fit.json"), a);
        AccuracyRegression.writeCsv(dir.resolve("fit.csv"), a);
        var json = wavlens.io.Json.read(dir.resolve("fit.json"));
        assertEquals(3, json.get("layers").size());
        assertEquals("entropy", json.at("/layers/0/coefficients/2/name").asText());
        assertEquals(a.layers().get(2).ols().r2(), json.at("/layers/2/r2").asDouble(), 0);
        assertEquals(a.best().layer(), json.get("best_layer").asInt());
        List<String> lines = Files.readAllLines(dir.resolve("fit.csv"));
        assertEquals(4, lines.size());
        String[] header = lines.get(0).split(","), row = lines.get(3).split(",");
        assertEquals(header.length, row.length);
        assertEquals("2", row[0]);
        assertEquals(a.layers().get(2).ols().r2(), Double.parseDouble(row[1]), 0);
    }

    @Test
    void tableAndFitFilesRoundTripAndRankingPredictsByHand(@TempDir Path dir) throws Exception {
        LetterTable table = syntheticTable(5);
        table.write(dir.resolve("table.json"));
        LetterTable back = LetterTable.read(dir.resolve("table.json"));
        assertEquals(table.letters(), back.letters());
        assertArrayEquals(table.purity()[2], back.purity()[2], 0);

        var a = AccuracyRegression.analyze(back, new AccuracyRegression.Settings(AccuracyRegression.ClusterMeasure.PURITY, 200, 1, 0.95));
        AccuracyFit.Measurement how = new AccuracyFit.Measurement("2", List.of("<sil>", "a", "b"), 3, true, 3, 300, 1e-4, 1, false, 300, 1, "all",
                "letters|phones|words");
        AccuracyFit fit = AccuracyFit.of("analyze", a, a.best(), how);
        fit.write(dir.resolve("fit.json"));
        AccuracyFit read = AccuracyFit.read(dir.resolve("fit.json"));
        assertArrayEquals(fit.coefficients(), read.coefficients(), 0);
        assertEquals(200, read.bootstrapCoefficients().length);
        assertEquals("purity", read.clusterMeasure());
        assertEquals(how, read.measurement());

        // A hand-made fit without noise: intervals collapse to the point prediction.
        AccuracyFit exact = new AccuracyFit("test", "f1", List.of("log_frequency", "purity"), new double[]{-1, 0.5}, new double[]{2, 0.1},
                new double[]{0.8, 0.1, 0.05}, new double[3][3], 0, 10, 0.9, List.of("a", "b", "c"), null, how);
        Files.writeString(dir.resolve("m1.json"), "{\"model\": \"one\", \"letters\": {\"a\": {\"purity\": 0.6}, \"b\": {\"purity\": 0.4}, \"c\": {\"purity\": 0.9}}}");
        Files.writeString(dir.resolve("m2.json"), "{\"letters\": {\"a\": {\"purity\": 0.7}, \"b\": {\"purity\": 0.5}}}");
        LetterFrequencies target = LetterFrequencies.of(List.of("aaab"));
        var p1 = ModelRanking.predict(exact, ModelRanking.ModelStats.read(dir.resolve("m1.json"), "purity"), target, 1, 0.95);
        var p2 = ModelRanking.predict(exact, ModelRanking.ModelStats.read(dir.resolve("m2.json"), "purity"), target, 1, 0.95);
        // letter a: f = 3/4, z_f = (ln 0.75 + 1)/2, z_p = (0.6 − 0.5)/0.1 = 1 → 0.8 + 0.1 z_f + 0.05
        double za = (Math.log(0.75) + 1) / 2, zb = (Math.log(0.25) + 1) / 2;
        double a1 = 0.8 + 0.1 * za + 0.05 * 1, b1 = 0.8 + 0.1 * zb + 0.05 * -1;
        assertEquals(a1, p1.predicted()[0], 1e-12);
        assertEquals(b1, p1.predicted()[1], 1e-12);
        assertEquals(0.75 * a1 + 0.25 * b1, p1.overall(), 1e-12);
        assertEquals(p1.overall(), p1.overallInterval()[0], 1e-12);
        assertEquals(p1.overall(), p1.overallInterval()[1], 1e-12);
        // m2 has purity 0.1 higher on both letters → 0.05 higher everywhere.
        assertEquals(p1.overall() + 0.05, p2.overall(), 1e-12);
        assertEquals("m2", p2.model());
        assertEquals(List.of("m2", "one"), ModelRanking.rank(List.of(p1, p2)).stream().map(ModelRanking.Prediction::model).toList());

        // With residual variance the interval widens around the prediction.
        AccuracyFit noisy = new AccuracyFit("test", "f1", exact.predictors(), exact.center(), exact.scale(), exact.coefficients(),
                new double[][]{{1e-4, 0, 0}, {0, 1e-4, 0}, {0, 0, 1e-4}}, 1e-3, 10, 0.9, exact.letters(), null, how);
        var p3 = ModelRanking.predict(noisy, ModelRanking.ModelStats.read(dir.resolve("m1.json"), "purity"), target, 1, 0.95);
        assertTrue(p3.overallInterval()[0] < p3.overall() && p3.overall() < p3.overallInterval()[1]);
        // Overall sd ≈ sqrt(σ²Σw² + Var(x·b)); the 95% half-width ≈ 1.96 sd (2,000 draws: within 15%).
        double sd = Math.sqrt(1e-3 * (0.75 * 0.75 + 0.25 * 0.25)
                + 1e-4 * (1 + Math.pow(0.75 * za + 0.25 * zb, 2) + Math.pow(0.75 * 1 + 0.25 * -1, 2)));
        double halfWidth = (p3.overallInterval()[1] - p3.overallInterval()[0]) / 2;
        assertEquals(1.96 * sd, halfWidth, 0.15 * 1.96 * sd);

        // A target letter the fit was not made on (d) is left out and named; ln f stays the letter's share of all the
        // target's letters (a: 3/5, b: 1/5), the overall weights are renormalised over the predicted ones (3/4, 1/4).
        var p4 = ModelRanking.predict(exact, ModelRanking.ModelStats.read(dir.resolve("m1.json"), "purity"), LetterFrequencies.of(List.of("aaabd")), 1, 0.95);
        assertEquals(List.of("d"), p4.unseen());
        assertEquals(0.2, p4.unseenShare(), 1e-12);
        double a4 = 0.8 + 0.1 * (Math.log(0.6) + 1) / 2 + 0.05, b4 = 0.8 + 0.1 * (Math.log(0.2) + 1) / 2 - 0.05;
        assertEquals(0.75 * a4 + 0.25 * b4, p4.overall(), 1e-12);
        // the letters driving m2 ahead of m1: w_l · (ŷ_l(m2) − ŷ_l(m1)) = 3/4 · 0.05 for a, 1/4 · 0.05 for b
        var drivers = ModelRanking.drivers(p2, p1, 3);
        assertEquals("a", drivers.get(0).letter());
        assertEquals(0.75 * 0.05, drivers.get(0).contribution(), 1e-12);
        assertEquals(0.25 * 0.05, drivers.get(1).contribution(), 1e-12);

        // A target letter the model has no statistics for is one clear error naming the file.
        UserError e = assertThrows(UserError.class, () -> ModelRanking.predict(exact,
                ModelRanking.ModelStats.read(dir.resolve("m2.json"), "purity"), LetterFrequencies.of(List.of("abc")), 1, 0.95));
        assertTrue(e.getMessage().contains("m2.json") && e.getMessage().contains("c"), e.getMessage());
        Files.writeString(dir.resolve("bad.json"), "{\"format\": \"something else\"}");
        assertThrows(UserError.class, () -> AccuracyFit.read(dir.resolve("bad.json")));
        // the old format (no measurement) is refused with what to do
        Files.writeString(dir.resolve("old.json"), "{\"format\": \"wavlens-letter-accuracy-fit/1\"}");
        UserError old = assertThrows(UserError.class, () -> AccuracyFit.read(dir.resolve("old.json")));
        assertTrue(old.getMessage().contains("rerun `wavlens analyze`"), old.getMessage());
    }
}
