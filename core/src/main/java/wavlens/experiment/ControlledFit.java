package wavlens.experiment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import wavlens.analysis.predict.AccuracyRegression;
import wavlens.analysis.predict.Lmg;
import wavlens.analysis.predict.Ols;
import wavlens.io.UserError;

/**
 * The relation of letter accuracy to training frequency and pretrained purity across several
 * fine-tuned models. Rows are (variant, letter); every letter is in every variant.
 *
 * <p><b>Pooled</b>, per layer of the pretrained model:
 * <pre>  accuracy = b0 + b1·z(ln f) + b2·z(purity at that layer) + e</pre>
 * z standardises over all rows (sample sd), so b1 and b2 are changes per standard deviation as in
 * {@link AccuracyRegression}; R² and its LMG shares ({@link Lmg}) come with it.
 *
 * <p><b>Within letters</b> (letter fixed effects): accuracy − letter mean on z(ln f) − letter mean,
 * through the origin. Purity and everything else about a letter are constant within it, so this
 * slope is the frequency effect with letter identity removed — what the controlled design buys.
 * A second version also removes a per-model mean (letter and model fixed effects; exact for the
 * balanced panel), in case one variant's model is better or worse across the board.
 *
 * <p><b>Intervals</b>: percentile bootstrap over letters. Each draw resamples the letters with
 * replacement and takes all of a drawn letter's rows, because the letter, not the row, is the
 * independent unit: purity has one value per letter, and a letter's rows share its acoustics,
 * test occurrences and confusions, so their errors are correlated. Resampling rows would count
 * one purity value V times and make its interval too narrow. (Models are not independent units
 * either, but with a handful of variants they cannot be resampled; the two-way version guards
 * against per-model shifts instead.) Standardisation stays at the full-sample means and sds so all
 * draws are on one scale; a draw whose predictors are collinear (e.g. all one letter) is drawn
 * again and counted as a redraw.
 */
final class ControlledFit {
    static final double CONFIDENCE = 0.95;

    /**
     * Rows of the panel; letterOf/variantOf index letters and variants; frequency is the plain
     * relative training frequency (for tables), logFrequency the predictor.
     */
    record Data(List<String> letters, int variants, int[] letterOf, int[] variantOf, double[] accuracy, double[] frequency, double[] logFrequency) {
        int rows() {
            return accuracy.length;
        }
    }

    /** A point estimate with its bootstrap interval (NaN where undefined). */
    record Interval(double estimate, double low, double high) {
        /** +1 when the interval is above 0, −1 below, 0 when it contains 0 or is undefined. */
        int sign() {
            return low > 0 ? 1 : high < 0 ? -1 : 0;
        }

        Interval times(double f) {
            return f >= 0 ? new Interval(estimate * f, low * f, high * f) : new Interval(estimate * f, high * f, low * f);
        }
    }

    /** The pooled fit at one layer; ols is null when the layer's purity is the same for every letter. */
    record LayerFit(String layer, Ols ols, Interval r2, Interval frequency, Interval purity, Interval lmgFrequency, Interval lmgPurity) {}

    /**
     * Within-letter frequency effects, per standard deviation of z(ln f) (as the pooled b1) and per
     * doubling of the frequency; withinR2 = share of the within-letter variance the slope explains;
     * letterShare = share of all accuracy variance that lies between letters.
     */
    record Within(Interval perSd, Interval perSdTwoWay, Interval perDoubling, double withinR2, double letterShare) {}

    record Result(Data data, List<LayerFit> layers, int chosen, boolean chosenAsBest, Within within, double logFrequencySd,
                  int bootstrap, int redraws) {
        LayerFit layer() {
            return layers.get(chosen);
        }
    }

    private ControlledFit() {}

    /**
     * @param purity      [layer][letter]
     * @param layerChoice "best" (highest pooled R²) or a layer name
     */
    static Result fit(Data d, List<String> layerNames, double[][] purity, String layerChoice, int bootstrap, long seed) {
        int n = d.rows(), letters = d.letters().size();
        if (letters < 3) throw new UserError("the fit needs at least 3 letters with test occurrences, got " + letters);
        if (n < 4) throw new UserError("the fit needs at least 4 (variant, letter) rows, got " + n);
        double[] zf = standardise(d.logFrequency());
        double sdF = AccuracyRegression.sampleSd(d.logFrequency());
        if (!(sdF > 0)) throw new UserError("every (variant, letter) row has the same training frequency: nothing to fit");
        double[][] zp = new double[layerNames.size()][];
        for (int j = 0; j < zp.length; j++) {
            double[] perRow = new double[n];
            for (int r = 0; r < n; r++) perRow[r] = purity[j][d.letterOf()[r]];
            zp[j] = AccuracyRegression.sampleSd(perRow) > 0 ? standardise(perRow) : null;
        }
        int[] all = new int[n];
        for (int r = 0; r < n; r++) all[r] = r;
        double[] full = statistics(d, zf, zp, all, d.letterOf(), letters);
        if (full == null) throw new UserError("the fit is degenerate: the letters' frequencies do not vary within letters across the variants");

        // bootstrap over letters
        int[][] rowsOf = new int[letters][];
        for (int l = 0; l < letters; l++) {
            final int letter = l;
            rowsOf[l] = Arrays.stream(all).filter(r -> d.letterOf()[r] == letter).toArray();
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[][] draws = new double[bootstrap][];
        int redraws = 0;
        for (int s = 0; s < bootstrap; s++) {
            while (true) {
                int[] picks = new int[letters];
                int size = 0;
                for (int i = 0; i < letters; i++) {
                    picks[i] = random.nextInt(letters);
                    size += rowsOf[picks[i]].length;
                }
                int[] rows = new int[size], cluster = new int[size];
                int k = 0;
                for (int i = 0; i < letters; i++) {
                    for (int r : rowsOf[picks[i]]) {
                        rows[k] = r;
                        cluster[k++] = i;
                    }
                }
                draws[s] = statistics(d, zf, zp, rows, cluster, letters);
                if (draws[s] != null) break;
                if (++redraws > 100 * bootstrap) throw new UserError("the fit's bootstrap: almost every resample of the letters is degenerate (too few letters)");
            }
        }

        List<LayerFit> layers = new ArrayList<>();
        for (int j = 0; j < zp.length; j++) {
            Ols ols = zp[j] == null ? null : Ols.fit(design(zf, zp[j], all), d.accuracy());
            int o = 5 * j;
            layers.add(new LayerFit(layerNames.get(j), ols, interval(full, draws, o + 2), interval(full, draws, o),
                    interval(full, draws, o + 1), interval(full, draws, o + 3), interval(full, draws, o + 4)));
        }
        int w = 5 * zp.length;
        Interval perSd = interval(full, draws, w);
        Within within = new Within(perSd, interval(full, draws, w + 1), perSd.times(Math.log(2) / sdF), full[w + 2], full[w + 3]);

        int chosen;
        boolean best = layerChoice.equals("best");
        if (best) {
            chosen = -1;
            for (int j = 0; j < layers.size(); j++) {
                double r2 = layers.get(j).r2().estimate();
                if (Double.isFinite(r2) && (chosen < 0 || r2 > layers.get(chosen).r2().estimate())) chosen = j;
            }
            if (chosen < 0) chosen = 0;   // constant accuracy: no layer fits; the verdict says so
        } else {
            chosen = layerNames.indexOf(layerChoice);
            if (chosen < 0) throw new UserError("--layer " + layerChoice + ": the pretrained model's layers are " + String.join(", ", layerNames) + " (or best)");
        }
        return new Result(d, List.copyOf(layers), chosen, best, within, sdF, bootstrap, redraws);
    }

    /**
     * Every statistic of one sample (rows, with the cluster each row was drawn as): per layer b1,
     * b2, R², LMG of frequency, LMG of purity (NaN for a layer with constant purity), then the
     * within slope, the two-way slope, the within R² and the letter share. Null when degenerate.
     */
    static double[] statistics(Data d, double[] zf, double[][] zp, int[] rows, int[] cluster, int clusters) {
        int n = rows.length, layers = zp.length;
        double[] out = new double[5 * layers + 4];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) y[i] = d.accuracy()[rows[i]];
        for (int j = 0; j < layers; j++) {
            if (zp[j] == null) {
                Arrays.fill(out, 5 * j, 5 * j + 5, Double.NaN);
                continue;
            }
            double[][] x = design(zf, zp[j], rows);
            Ols ols = Ols.tryFit(x, y);
            if (ols == null) return null;
            double[] lmg = Lmg.shares(x, y);
            out[5 * j] = ols.coefficients()[1];
            out[5 * j + 1] = ols.coefficients()[2];
            out[5 * j + 2] = ols.r2();
            out[5 * j + 3] = lmg[0];
            out[5 * j + 4] = lmg[1];
        }
        // within letters: demean by cluster (the letter, or its draw)
        double[] yMean = new double[clusters], xMean = new double[clusters], count = new double[clusters];
        for (int i = 0; i < n; i++) {
            yMean[cluster[i]] += y[i];
            xMean[cluster[i]] += zf[rows[i]];
            count[cluster[i]]++;
        }
        double[] yt = new double[n], xt = new double[n];
        double grand = 0;
        for (int i = 0; i < n; i++) grand += y[i] / n;
        double total = 0;
        for (int i = 0; i < n; i++) {
            int c = cluster[i];
            yt[i] = y[i] - yMean[c] / count[c];
            xt[i] = zf[rows[i]] - xMean[c] / count[c];
            total += (y[i] - grand) * (y[i] - grand);
        }
        double slope = throughOrigin(xt, yt);
        if (Double.isNaN(slope)) return null;
        double within = 0, residual = 0;
        for (int i = 0; i < n; i++) {
            within += yt[i] * yt[i];
            residual += (yt[i] - slope * xt[i]) * (yt[i] - slope * xt[i]);
        }
        // and by model: on the balanced panel, subtracting each variant's mean of the letter-demeaned values is the two-way fit
        double[] yv = new double[d.variants()], xv = new double[d.variants()], nv = new double[d.variants()];
        for (int i = 0; i < n; i++) {
            int v = d.variantOf()[rows[i]];
            yv[v] += yt[i];
            xv[v] += xt[i];
            nv[v]++;
        }
        double[] y2 = new double[n], x2 = new double[n];
        for (int i = 0; i < n; i++) {
            int v = d.variantOf()[rows[i]];
            y2[i] = yt[i] - yv[v] / nv[v];
            x2[i] = xt[i] - xv[v] / nv[v];
        }
        int w = 5 * layers;
        out[w] = slope;
        out[w + 1] = throughOrigin(x2, y2);
        out[w + 2] = within > 0 ? 1 - residual / within : Double.NaN;
        out[w + 3] = total > 0 ? 1 - within / total : Double.NaN;
        return out;
    }

    static double[][] design(double[] zf, double[] zp, int[] rows) {
        double[][] x = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) x[i] = new double[] {zf[rows[i]], zp[rows[i]]};
        return x;
    }

    /** Least-squares slope of y on x without intercept; NaN when x is all zero. */
    static double throughOrigin(double[] x, double[] y) {
        double xy = 0, xx = 0;
        for (int i = 0; i < x.length; i++) {
            xy += x[i] * y[i];
            xx += x[i] * x[i];
        }
        return xx > 1e-12 ? xy / xx : Double.NaN;
    }

    private static Interval interval(double[] full, double[][] draws, int index) {
        double[] v = Arrays.stream(draws).mapToDouble(s -> s[index]).filter(Double::isFinite).toArray();
        if (v.length == 0) return new Interval(full[index], Double.NaN, Double.NaN);
        double low = (1 - CONFIDENCE) / 2;
        return new Interval(full[index], AccuracyRegression.quantile(v, low), AccuracyRegression.quantile(v, 1 - low));
    }

    static double[] standardise(double[] v) {
        double m = AccuracyRegression.mean(v), s = AccuracyRegression.sampleSd(v);
        double[] z = new double[v.length];
        for (int i = 0; i < v.length; i++) z[i] = (v[i] - m) / s;
        return z;
    }
}
