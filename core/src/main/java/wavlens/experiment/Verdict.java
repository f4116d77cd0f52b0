package wavlens.experiment;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The experiment's conclusion in plain words, generated from the numbers of the run. Rules: an
 * effect is "clear" when its 95% bootstrap interval excludes zero; frequency and purity "matter
 * about equally" when both are clear and their LMG shares differ by at most a factor of 2; the
 * pooled frequency coefficient is "biased by letter identity" when it lies outside the
 * within-letter interval.
 */
final class Verdict {
    private Verdict() {}

    static String of(ControlledFit.Result fit, String measure, List<String> letters, double[] ratios, boolean[] moved, double[] cer) {
        ControlledFit.Data d = fit.data();
        ControlledFit.LayerFit p = fit.layer();
        ControlledFit.Within w = fit.within();
        StringBuilder sb = new StringBuilder();

        double[] finite = Arrays.stream(ratios).filter(Double::isFinite).sorted().toArray();
        int nMoved = 0;
        for (boolean b : moved) if (b) nMoved++;
        String spread = finite.length == 0 ? "" : String.format(Locale.ROOT, " by a factor of %.2f (median max/min across the subsets; %.2f–%.2f)",
                finite[finite.length / 2], finite[0], finite[finite.length - 1]);
        if (finite.length < ratios.length) spread += ", " + (ratios.length - finite.length) + " absent from some subset";
        sb.append(String.format(Locale.ROOT, "The %d subsets moved the training frequencies of the %d chosen letters%s; %d of %d moved in the intended direction. ",
                d.variants(), letters.size(), spread, nMoved, letters.size()));
        double meanCer = Arrays.stream(cer).average().orElse(Double.NaN);
        sb.append(String.format(Locale.ROOT, "The fine-tuned models reach a test CER of %.1f–%.1f%% (mean %.1f%%). ",
                100 * Arrays.stream(cer).min().orElse(Double.NaN), 100 * Arrays.stream(cer).max().orElse(Double.NaN), 100 * meanCer));

        double first = d.accuracy()[0];
        if (Arrays.stream(d.accuracy()).allMatch(a -> a == first)) {
            sb.append(String.format(Locale.ROOT, "Every (model, letter) row has the same %s (%.3f): the models did not learn enough to tell letters apart, "
                    + "so this run says nothing about the claim; train longer (--steps) or on more data.", measure, first));
            return sb.toString();
        }

        sb.append(String.format(Locale.ROOT, "Pooled over the %d (model, letter) rows, %s changes by %s per standard deviation of log training frequency "
                        + "and by %s per standard deviation of pretrained purity at layer %s%s; R² = %s, of which frequency accounts for %s and purity for %s (LMG). ",
                d.rows(), measure, withCi(p.frequency()), withCi(p.purity()), p.layer(),
                fit.chosenAsBest() ? " (the best-fitting layer, which flatters the fit a little)" : "",
                shareWithCi(p.r2()), share(p.lmgFrequency().estimate()), share(p.lmgPurity().estimate())));
        sb.append(String.format(Locale.ROOT, "Within letters — each letter compared with itself across the models, which removes letter identity and with it "
                        + "purity — one standard deviation more log frequency (a factor of %.2f) changes %s by %s, that is %s per doubling; with a per-model "
                        + "shift removed as well, %s. Differences between letters hold %s of the variance of %s across the rows. ",
                Math.exp(fit.logFrequencySd()), measure, withCi(w.perSd()), withCi(w.perDoubling()), withCi(w.perSdTwoWay()),
                percent(w.letterShare()), measure));

        int freq = w.perSd().sign(), pur = p.purity().sign();
        sb.append("On this controlled data, ");
        sb.append(freq > 0 ? "training frequency has an effect of its own (the within-letter interval is above zero)"
                : freq < 0 ? "more training data for a letter goes with lower accuracy within letters (the interval is below zero), against expectation"
                : "an effect of training frequency of its own cannot be told from noise (the within-letter interval contains zero)");
        sb.append(pur > 0 ? ", and pretrained purity predicts accuracy beyond frequency"
                : pur < 0 ? ", and purer pretrained clusters go with lower accuracy (interval below zero)"
                : ", and pretrained purity does not clearly predict accuracy beyond frequency (its interval contains zero)");
        double lf = p.lmgFrequency().estimate(), lp = p.lmgPurity().estimate();
        if (freq > 0 && pur > 0 && Math.min(lf, lp) > 0) {
            double ratio = Math.max(lf, lp) / Math.min(lf, lp);
            if (ratio <= 2) sb.append(String.format(Locale.ROOT, ": both matter about equally (LMG %s vs %s), as the paper claims. ", share(lf), share(lp)));
            else sb.append(String.format(Locale.ROOT, ": both matter, but %s explains %.1f times as much (LMG %s vs %s), not about equally as the paper claims. ",
                    lf > lp ? "frequency" : "purity", ratio, share(lf), share(lp)));
        } else if (freq > 0 || pur > 0) {
            sb.append(String.format(Locale.ROOT, ": only %s shows a clear positive effect, so the claim that both matter is not supported here. ", freq > 0 ? "frequency" : "purity"));
        } else {
            sb.append(": this run cannot confirm the claim. ");
        }
        double b = p.frequency().estimate();
        if (Double.isFinite(w.perSd().low())) {
            if (b >= w.perSd().low() && b <= w.perSd().high()) {
                sb.append(String.format(Locale.ROOT, "The pooled frequency coefficient (%s) lies inside the within-letter interval, so letter identity does not visibly bias it. ", num(b)));
            } else if (b > w.perSd().high()) {
                sb.append(String.format(Locale.ROOT, "The pooled frequency coefficient (%s) is above the within-letter interval: part of what a one-model analysis "
                        + "attributes to frequency is letter identity. ", num(b)));
            } else {
                sb.append(String.format(Locale.ROOT, "The pooled frequency coefficient (%s) is below the within-letter interval: letter identity hides part of "
                        + "the frequency effect in a one-model analysis. ", num(b)));
            }
        }
        if (d.letters().size() < 8) {
            sb.append(String.format(Locale.ROOT, "With only %d letters, purity rests on %d independent values, so its interval is wide by construction. ",
                    d.letters().size(), d.letters().size()));
        }
        if (d.variants() < 3) sb.append("With 2 models, each letter's frequency takes only two values. ");
        if (meanCer > 0.5) {
            sb.append(String.format(Locale.ROOT, "The models are weak (mean test CER %.0f%%): accuracies near the floor compress every effect; more --steps help.", 100 * meanCer));
        }
        return sb.toString().strip();
    }

    /** A signed estimate with its interval. */
    static String withCi(ControlledFit.Interval i) {
        return String.format(Locale.ROOT, "%s (95%% CI %s to %s)", num(i.estimate()), num(i.low()), num(i.high()));
    }

    /** A share (R², LMG) with its interval. */
    static String shareWithCi(ControlledFit.Interval i) {
        return String.format(Locale.ROOT, "%s (95%% CI %s–%s)", share(i.estimate()), share(i.low()), share(i.high()));
    }

    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%+.3f", v) : "undefined";
    }

    static String share(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "undefined";
    }

    static String percent(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.0f%%", 100 * v) : "an undefined share";
    }
}
