package wavlens.analysis.predict;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * Predicted against measured: each candidate fine-tuned for real and scored with `wavlens evaluate
 * --out DIR` (DIR/letter_accuracy.csv, DIR/asr.json). Per candidate, over the letters both have (the
 * prediction's letters that occur in the evaluated transcripts), with the prediction's target
 * weights renormalised over them: predicted = Σ w_l·ŷ_l, measured = Σ w_l·a_l (a_l the fit's accuracy
 * measure, e.g. F1, from the evaluation). Across candidates: Spearman's ρ of predicted against
 * measured (does the ranking come out right?) and the mean absolute error of the predicted overall
 * accuracy; across all (candidate, letter) pairs: the mean absolute error and Spearman's ρ per letter.
 */
public final class RankValidation {
    private RankValidation() {}

    public record Check(String model, Path evaluation, double predicted, double measured, double cer, int letters, double letterMae) {}

    public record Result(List<Check> checks, double spearman, double overallMae, double letterMae, double letterSpearman, int pairs) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Check c : checks) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("model", c.model());
                r.put("evaluation", c.evaluation().toString());
                r.put("predicted_accuracy", c.predicted());
                r.put("measured_accuracy", c.measured());
                r.put("error", c.predicted() - c.measured());
                r.put("measured_cer", c.cer());
                r.put("letters", c.letters());
                r.put("letter_mae", c.letterMae());
                rows.add(r);
            }
            m.put("candidates", rows);
            m.put("spearman_overall", spearman);
            m.put("mae_overall", overallMae);
            m.put("mae_letters", letterMae);
            m.put("spearman_letters", letterSpearman);
            m.put("letter_pairs", pairs);
            return m;
        }
    }

    /** evaluations.get(i) is the evaluation of predictions.get(i)'s model after fine-tuning. */
    public static Result validate(AccuracyFit fit, List<ModelRanking.Prediction> predictions, List<Path> evaluations) {
        if (predictions.size() != evaluations.size())
            throw new UserError("--validate: give one evaluation folder per candidate (" + predictions.size() + " candidates, " + evaluations.size() + " folders)");
        List<Check> checks = new ArrayList<>();
        List<Double> allPredicted = new ArrayList<>(), allMeasured = new ArrayList<>();
        for (int c = 0; c < predictions.size(); c++) {
            ModelRanking.Prediction p = predictions.get(c);
            Path dir = evaluations.get(c);
            Map<String, Double> measured = measured(dir, fit.accuracyMeasure());
            double w = 0, pred = 0, meas = 0, absErr = 0;
            int n = 0;
            for (int i = 0; i < p.letters().size(); i++) {
                Double a = measured.get(p.letters().get(i));
                if (a == null) continue;
                w += p.weights()[i];
                pred += p.weights()[i] * p.predicted()[i];
                meas += p.weights()[i] * a;
                absErr += Math.abs(p.predicted()[i] - a);
                allPredicted.add(p.predicted()[i]);
                allMeasured.add(a);
                n++;
            }
            if (n == 0) throw UserError.inFile(dir.resolve("letter_accuracy.csv"), "has none of the letters predicted for " + p.model());
            Path asr = dir.resolve("asr.json");
            double cer = Files.isRegularFile(asr) ? Json.read(asr).path("cer").asDouble(Double.NaN) : Double.NaN;
            checks.add(new Check(p.model(), dir, pred / w, meas / w, cer, n, absErr / n));
        }
        double[] pr = checks.stream().mapToDouble(Check::predicted).toArray(), me = checks.stream().mapToDouble(Check::measured).toArray();
        double mae = 0;
        for (int i = 0; i < pr.length; i++) mae += Math.abs(pr[i] - me[i]) / pr.length;
        double letterMae = 0;
        for (int i = 0; i < allPredicted.size(); i++) letterMae += Math.abs(allPredicted.get(i) - allMeasured.get(i)) / allPredicted.size();
        double[] lp = allPredicted.stream().mapToDouble(Double::doubleValue).toArray(), lm = allMeasured.stream().mapToDouble(Double::doubleValue).toArray();
        return new Result(List.copyOf(checks), pr.length > 1 ? RankCorrelation.spearman(pr, me) : Double.NaN, mae, letterMae,
                lp.length > 1 ? RankCorrelation.spearman(lp, lm) : Double.NaN, lp.length);
    }

    /** letter → the accuracy measure, for letters that occur in the evaluated references (support > 0). */
    static Map<String, Double> measured(Path dir, String measure) {
        Path file = dir.resolve("letter_accuracy.csv");
        if (!Files.isRegularFile(file)) throw UserError.inFile(dir, "no letter_accuracy.csv: give a folder written by `wavlens evaluate --out`");
        List<List<String>> rows = Csv.read(file);
        List<String> h = rows.get(0);
        int iLetter = h.indexOf("letter"), iValue = h.indexOf(measure), iSupport = h.indexOf("support");
        if (iLetter < 0 || iValue < 0 || iSupport < 0) throw UserError.inFile(file, "needs the columns letter, " + measure + " and support");
        Map<String, Double> out = new LinkedHashMap<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            if (Long.parseLong(r.get(iSupport)) > 0) out.put(r.get(iLetter), Double.parseDouble(r.get(iValue)));
        }
        return out;
    }
}
