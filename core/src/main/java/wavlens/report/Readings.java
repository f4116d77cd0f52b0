package wavlens.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Plain-language readings of the numbers, one paragraph per figure, generated from the values the
 * pipeline passes (nothing here is canned: every layer, value and letter named comes from the
 * arguments). Numbers are printed with two decimals, differences with a sign ("+0.22", "−0.03").
 * Layers whose name is a number read "layer 7"; other names read as given ("the CNN output" for
 * "CNN").
 */
public final class Readings {
    private Readings() {}

    /** Differences smaller than this are called "unchanged" in {@link #layerComparison}. */
    public static final double SAME = 0.02;

    /**
     * Where a per-layer score peaks in each model and where fine-tuning changed it most, e.g.
     * "NMI peaks in layer 7 of the pretrained model (0.41) and in layer 11 of the fine-tuned model
     * (0.63). Fine-tuning raised NMI most in layer 11 (+0.22); up to layer 4 the two models differ
     * by less than 0.02." NaN entries (layers without a value) are skipped.
     */
    public static String layerComparison(String metric, List<String> layers, double[] pretrained, double[] fineTuned) {
        int prePeak = argMax(pretrained), finePeak = argMax(fineTuned);
        if (prePeak < 0 || finePeak < 0) return metric + " has no values to compare.";
        StringBuilder s = new StringBuilder();
        if (prePeak == finePeak) {
            s.append(metric).append(" peaks in ").append(layer(layers.get(prePeak))).append(" in both models (pretrained ")
                    .append(num(pretrained[prePeak])).append(", fine-tuned ").append(num(fineTuned[finePeak])).append(").");
        } else {
            s.append(metric).append(" peaks in ").append(layer(layers.get(prePeak))).append(" of the pretrained model (")
                    .append(num(pretrained[prePeak])).append(") and in ").append(layer(layers.get(finePeak)))
                    .append(" of the fine-tuned model (").append(num(fineTuned[finePeak])).append(").");
        }
        double[] delta = new double[layers.size()];
        for (int l = 0; l < delta.length; l++) delta[l] = fineTuned[l] - pretrained[l];
        int up = argMax(delta), down = argMin(delta);
        if (up >= 0 && delta[up] >= SAME) {
            s.append(" Fine-tuning raised ").append(metric).append(" most in ").append(layer(layers.get(up)))
                    .append(" (").append(signed(delta[up])).append(")");
            if (down >= 0 && delta[down] <= -SAME) {
                s.append(" and lowered it most in ").append(layer(layers.get(down))).append(" (").append(signed(delta[down])).append(")");
            }
        } else if (down >= 0 && delta[down] <= -SAME) {
            s.append(" Fine-tuning raised ").append(metric).append(" in no layer by ").append(num(SAME)).append(" or more; it lowered it most in ")
                    .append(layer(layers.get(down))).append(" (").append(signed(delta[down])).append(")");
        } else {
            s.append(" The two models differ by less than ").append(num(SAME)).append(" in every layer.");
            return s.toString();
        }
        // the bottom layers that fine-tuning left alone
        int same = 0;
        while (same < delta.length && (Double.isNaN(delta[same]) || Math.abs(delta[same]) < SAME)) same++;
        if (same >= 2) {
            s.append("; up to ").append(layer(layers.get(same - 1))).append(" the two models differ by less than ").append(num(SAME));
        }
        return s.append('.').toString();
    }

    /**
     * CKA between the two models per layer, e.g. "CKA between the pretrained and fine-tuned model
     * stays above 0.90 up to layer 6 and falls to 0.35 in layer 12."
     */
    public static String ckaAcrossLayers(List<String> layers, double[] cka, double high) {
        int low = argMin(cka);
        if (low < 0) return "No CKA values were computed.";
        int above = 0;
        while (above < cka.length && cka[above] >= high) above++;
        String subject = "CKA between the pretrained and fine-tuned model";
        if (above == cka.length) {
            return subject + " stays above " + num(high) + " in every layer (lowest " + num(cka[low]) + ", " + layer(layers.get(low)) + ").";
        }
        StringBuilder s = new StringBuilder(subject);
        if (above == 0) s.append(" is below ").append(num(high)).append(" already in ").append(layer(layers.get(0)));
        else s.append(" stays above ").append(num(high)).append(" up to ").append(layer(layers.get(above - 1)));
        int last = lastFinite(cka);
        if (low == last) {
            s.append(" and falls to ").append(num(cka[low])).append(" in ").append(layer(layers.get(low)));
        } else {
            s.append("; it is lowest, ").append(num(cka[low])).append(", in ").append(layer(layers.get(low)))
                    .append(", and ends at ").append(num(cka[last])).append(" in ").append(layer(layers.get(last)));
        }
        return s.append('.').toString();
    }

    /**
     * A per-item relation with its least-squares fit, e.g. "Letter accuracy rises with training
     * frames per letter (r = 0.71, n = 29): each tenfold increase adds 0.08 (95% CI 0.05 to 0.11).
     * Furthest below the line: ö (0.41, fit 0.62) and q (0.50, fit 0.66)."
     *
     * @param logX the fit is on log10(x) (as in {@link ScatterFit} with logX)
     */
    public static String relation(String yName, String xName, List<String> labels, double[] x, double[] y, boolean logX) {
        double[] fx = new double[x.length];
        for (int i = 0; i < x.length; i++) fx[i] = !logX ? x[i] : x[i] > 0 ? Math.log10(x[i]) : Double.NaN;
        LinearFit fit = LinearFit.of(fx, y);
        if (fit.n() < 3 || !Double.isFinite(fit.slope()) || !Double.isFinite(fit.r())) {
            return "Too few " + (fit.n() < 3 ? "items" : "distinct values") + " to relate " + yName + " to " + xName + " (n = " + fit.n() + ").";
        }
        String subject = capitalise(yName);
        StringBuilder s = new StringBuilder();
        double lo = fit.slope() - fit.slopeHalfWidth(), hi = fit.slope() + fit.slopeHalfWidth();
        boolean clear = lo > 0 || hi < 0;
        String stats = " (r = " + num(fit.r()) + ", n = " + fit.n() + ")";
        if (!clear) s.append(subject).append(" shows no clear linear relation to ").append(xName).append(stats);
        else s.append(subject).append(fit.slope() > 0 ? " rises with " : " falls with ").append(xName).append(stats);
        // the slope per a readable step of x
        double step;
        String per;
        if (logX) {
            step = 1;
            per = "each tenfold increase";
        } else {
            double[] r = Plot.range(fx);
            step = r[1] - r[0] <= 2 ? 0.1 : 1;
            per = "each " + (step == 1 ? "unit" : "0.1") + " of " + xName;
        }
        s.append(": ").append(per).append(fit.slope() >= 0 ? " adds " : " changes it by ").append(fit.slope() >= 0 ? num(fit.slope() * step) : signed(fit.slope() * step))
                .append(" (95% CI ").append(num(lo * step)).append(" to ").append(num(hi * step)).append(").");
        // the items furthest below the fitted line (the interesting outliers: harder than their x predicts)
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        double[] residual = new double[x.length];
        for (int i = 0; i < x.length; i++) residual[i] = Double.isFinite(fx[i]) && Double.isFinite(y[i]) ? y[i] - fit.predict(fx[i]) : Double.NaN;
        Arrays.sort(order, Comparator.comparingDouble(i -> Double.isNaN(residual[i]) ? Double.POSITIVE_INFINITY : residual[i]));
        List<String> below = new ArrayList<>();
        for (int k = 0; k < Math.min(2, order.length); k++) {
            int i = order[k];
            if (!(residual[i] < 0)) break;
            below.add(labels.get(i) + " (" + num(y[i]) + ", fit " + num(fit.predict(fx[i])) + ")");
        }
        if (!below.isEmpty()) s.append(" Furthest below the line: ").append(String.join(" and ", below)).append('.');
        return s.toString();
    }

    /**
     * Clusters against letters from a letter × cluster count table, e.g. "Of 50 clusters, 38 have
     * one letter making up more than half of their frames; the purest are a (0.97), s (0.95) and
     * i (0.93). Majority letter of no cluster: q, z, å."
     */
    public static String clustersVersusLetters(List<String> letters, double[][] counts) {
        int clusters = counts.length == 0 ? 0 : counts[0].length;
        int[] majority = new int[clusters];
        double[] purity = new double[clusters];
        boolean[] hasCluster = new boolean[letters.size()];
        int pure = 0, nonEmpty = 0;
        for (int c = 0; c < clusters; c++) {
            double sum = 0, best = -1;
            for (int l = 0; l < letters.size(); l++) {
                sum += counts[l][c];
                if (counts[l][c] > best) {
                    best = counts[l][c];
                    majority[c] = l;
                }
            }
            purity[c] = sum > 0 ? best / sum : Double.NaN;
            if (sum > 0) nonEmpty++;
            if (purity[c] > 0.5) {
                pure++;
                hasCluster[majority[c]] = true;
            }
        }
        StringBuilder s = new StringBuilder();
        s.append("Of ").append(nonEmpty).append(" non-empty clusters, ").append(pure)
                .append(pure == 1 ? " has" : " have").append(" one letter making up more than half of its frames");
        Integer[] order = new Integer[clusters];
        for (int c = 0; c < clusters; c++) order[c] = c;
        Arrays.sort(order, Comparator.comparingDouble(c -> Double.isNaN(purity[c]) ? 1 : -purity[c]));
        List<String> purest = new ArrayList<>();
        for (int k = 0; k < Math.min(3, clusters); k++) {
            int c = order[k];
            if (Double.isNaN(purity[c]) || purity[c] <= 0.5) break;
            purest.add(letters.get(majority[c]) + " (" + num(purity[c]) + ")");
        }
        if (!purest.isEmpty()) s.append("; the purest clusters are ").append(joinList(purest));
        s.append('.');
        List<String> without = new ArrayList<>();
        for (int l = 0; l < letters.size(); l++) {
            double total = 0;
            for (int c = 0; c < clusters; c++) total += counts[l][c];
            if (!hasCluster[l] && total > 0) without.add(letters.get(l));
        }
        if (without.isEmpty()) s.append(" Every letter is the majority of at least one cluster.");
        else s.append(" Majority letter of no cluster: ").append(String.join(", ", without)).append('.');
        return s.toString();
    }

    /**
     * The most frequent confusions from a true × predicted count matrix, as shares of the true
     * letter's frames, e.g. "The most frequent confusions are e → ä (12% of e), k → t (9% of k)
     * and o → u (7% of o); overall 83% of frames are recognised correctly."
     */
    public static String confusions(List<String> letters, double[][] confusion, int top) {
        return confusions(letters, confusion, top, "frames");
    }

    /** The same, naming what was counted ("frames", "aligned characters", ...). */
    public static String confusions(List<String> letters, double[][] confusion, int top, String unit) {
        int n = letters.size();
        double diagonal = 0, total = 0;
        List<double[]> offDiagonal = new ArrayList<>(); // {rate, true, predicted}
        for (int t = 0; t < n; t++) {
            double rowSum = 0;
            for (int p = 0; p < n; p++) rowSum += confusion[t][p];
            total += rowSum;
            diagonal += confusion[t][t];
            for (int p = 0; p < n; p++) {
                if (p != t && confusion[t][p] > 0) offDiagonal.add(new double[] {confusion[t][p] / rowSum, t, p});
            }
        }
        if (total == 0) return "No frames were scored.";
        offDiagonal.sort(Comparator.<double[]>comparingDouble(e -> -e[0]).thenComparingDouble(e -> e[1]).thenComparingDouble(e -> e[2]));
        StringBuilder s = new StringBuilder();
        if (offDiagonal.isEmpty()) {
            s.append("No letter is ever confused with another");
        } else {
            List<String> parts = new ArrayList<>();
            for (int k = 0; k < Math.min(top, offDiagonal.size()); k++) {
                double[] e = offDiagonal.get(k);
                String t = letters.get((int) e[1]), p = letters.get((int) e[2]);
                parts.add(t + " → " + p + " (" + percent(e[0]) + " of " + t + ")");
            }
            s.append(parts.size() == 1 ? "The most frequent confusion is " : "The most frequent confusions are ").append(joinList(parts));
        }
        s.append("; overall ").append(percent(diagonal / total)).append(" of ").append(unit).append(" are recognised correctly.");
        return s.toString();
    }

    // ---- wording helpers ---------------------------------------------------------------------------

    /** "layer 7" for numeric names, "the CNN output" for "CNN", else the name itself. */
    static String layer(String name) {
        if (name.matches("[0-9]+")) return "layer " + name;
        if (name.equalsIgnoreCase("CNN")) return "the CNN output";
        return name;
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v).replace("-", "−");
    }

    static String signed(double v) {
        return (v >= 0 ? "+" : "−") + String.format(Locale.ROOT, "%.2f", Math.abs(v));
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }

    private static String joinList(List<String> items) {
        if (items.size() <= 2) return String.join(" and ", items);
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Index of the largest non-NaN value (first on ties), −1 if none. */
    static int argMax(double[] v) {
        int best = -1;
        for (int i = 0; i < v.length; i++) if (!Double.isNaN(v[i]) && (best < 0 || v[i] > v[best])) best = i;
        return best;
    }

    static int argMin(double[] v) {
        int best = -1;
        for (int i = 0; i < v.length; i++) if (!Double.isNaN(v[i]) && (best < 0 || v[i] < v[best])) best = i;
        return best;
    }

    private static int lastFinite(double[] v) {
        for (int i = v.length - 1; i >= 0; i--) if (!Double.isNaN(v[i])) return i;
        return -1;
    }
}
