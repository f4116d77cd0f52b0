package wavlens.analysis.probe;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Accuracy and per-class precision / recall / F1 of predicted against true labels.
 * Classes are every label that occurs on either side, ascending. A ratio with a zero denominator
 * (no predictions of a class → precision; no items of a class → recall) is 0, as scikit-learn's
 * {@code zero_division=0}; F1 = 2PR/(P+R), 0 when P + R = 0. macroF1 is the plain mean over classes.
 */
public record ClassificationReport(double accuracy, int[] classes, long[] support, long[] predictedCount,
                                   double[] precision, double[] recall, double[] f1, double macroF1) {

    public static ClassificationReport of(int[] trueLabels, int[] predicted) {
        if (trueLabels.length != predicted.length) throw new IllegalArgumentException("label arrays differ in length");
        TreeSet<Integer> set = new TreeSet<>();
        for (int v : trueLabels) set.add(v);
        for (int v : predicted) set.add(v);
        int[] classes = set.stream().mapToInt(Integer::intValue).toArray();
        int c = classes.length;
        long[] support = new long[c], predictedCount = new long[c], hits = new long[c];
        long correct = 0;
        for (int i = 0; i < trueLabels.length; i++) {
            int t = Arrays.binarySearch(classes, trueLabels[i]), p = Arrays.binarySearch(classes, predicted[i]);
            support[t]++;
            predictedCount[p]++;
            if (t == p) {
                hits[t]++;
                correct++;
            }
        }
        double[] precision = new double[c], recall = new double[c], f1 = new double[c];
        double f1Sum = 0;
        for (int j = 0; j < c; j++) {
            precision[j] = predictedCount[j] == 0 ? 0 : (double) hits[j] / predictedCount[j];
            recall[j] = support[j] == 0 ? 0 : (double) hits[j] / support[j];
            f1[j] = precision[j] + recall[j] == 0 ? 0 : 2 * precision[j] * recall[j] / (precision[j] + recall[j]);
            f1Sum += f1[j];
        }
        double accuracy = trueLabels.length == 0 ? 0 : (double) correct / trueLabels.length;
        return new ClassificationReport(accuracy, classes, support, predictedCount, precision, recall, f1, c == 0 ? 0 : f1Sum / c);
    }

    /** JSON-ready form: {accuracy, macro_f1, classes: [{label, support, predicted, precision, recall, f1}]}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("macro_f1", macroF1);
        Object[] rows = new Object[classes.length];
        for (int j = 0; j < classes.length; j++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("label", classes[j]);
            r.put("support", support[j]);
            r.put("predicted", predictedCount[j]);
            r.put("precision", precision[j]);
            r.put("recall", recall[j]);
            r.put("f1", f1[j]);
            rows[j] = r;
        }
        m.put("classes", List.of(rows));
        return m;
    }
}
