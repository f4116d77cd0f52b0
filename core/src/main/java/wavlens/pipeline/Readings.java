package wavlens.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import wavlens.io.Csv;
import wavlens.io.Json;

/** Plain-language readings of a run's numbers, generated from the tables (no canned conclusions). */
final class Readings {
    private Readings() {}

    static String asr(Path t) {
        JsonNode a = Json.read(t.resolve("asr.json"));
        return String.format("On %d utterances (%s) the fine-tuned model's greedy CTC transcripts have a character error rate of %.1f%% "
                        + "and a word error rate of %.1f%%.", a.path("utterances").asInt(), a.path("set").asText(),
                100 * a.path("cer").asDouble(), 100 * a.path("wer").asDouble());
    }

    /** Best layer by NMI for each model and where fine-tuning changed NMI most. */
    static String clusters(Path t) {
        StringBuilder sb = new StringBuilder();
        double[][] nmi = new double[2][];
        List<String> layers = null;
        for (int m = 0; m < 2; m++) {
            List<List<String>> rows = Csv.read(t.resolve("cluster_metrics_" + Analysis.MODELS[m] + ".csv"));
            layers = ReportStage.column(rows, "layer");
            nmi[m] = ReportStage.column(rows, "nmi").stream().mapToDouble(Double::parseDouble).toArray();
            int best = argmax(nmi[m]);
            sb.append(String.format("In the %s model letters separate best in layer %s (NMI %.2f, k-means with k = %s). ",
                    Analysis.MODELS[m], layers.get(best), nmi[m][best], ReportStage.column(rows, "k").get(best)));
        }
        int n = Math.min(nmi[0].length, nmi[1].length);
        double[] gain = new double[n];
        for (int i = 0; i < n; i++) gain[i] = nmi[1][i] - nmi[0][i];
        int most = argmax(gain), least = argmin(gain);
        if (gain[least] >= 0) {
            sb.append(String.format("Fine-tuning raised NMI in every layer, most in layer %s (%+.2f) and least in layer %s (%+.2f).",
                    layers.get(most), gain[most], layers.get(least), gain[least]));
        } else if (gain[most] <= 0) {
            sb.append(String.format("Fine-tuning lowered NMI in every layer, most in layer %s (%+.2f) and least in layer %s (%+.2f).",
                    layers.get(least), gain[least], layers.get(most), gain[most]));
        } else {
            sb.append(String.format("Fine-tuning raised NMI most in layer %s (%+.2f) and lowered it most in layer %s (%+.2f).",
                    layers.get(most), gain[most], layers.get(least), gain[least]));
        }
        return sb.toString();
    }

    static String recognizer(Path t) {
        List<List<String>> rows = Csv.read(t.resolve("cluster_recognizer.csv"));
        double[] cer = ReportStage.column(rows, "cer").stream().mapToDouble(Double::parseDouble).toArray();
        int best = argmin(cer);
        return String.format("Used as a recogniser without any fine-tuning, the pretrained clusters of layer %s come closest to a transcript: "
                + "a CER of %.1f%%.", ReportStage.column(rows, "layer").get(best), 100 * cer[best]);
    }

    static String change(Path t) {
        StringBuilder sb = new StringBuilder();
        List<List<String>> w = Csv.read(t.resolve("weight_change.csv"));
        double[] rel = ReportStage.column(w, "relative_change").stream().mapToDouble(Double::parseDouble).toArray();
        int most = argmax(rel), least = argmin(rel);
        sb.append(String.format("Fine-tuning moved the weights of %s most (relative change %.3f) and those of %s least (%.3f). ",
                ReportStage.column(w, "block").get(most), rel[most], ReportStage.column(w, "block").get(least), rel[least]));
        Path cka = t.resolve("cka.csv");
        if (Files.exists(cka)) {
            List<List<String>> c = Csv.read(cka);
            List<String> a = ReportStage.column(c, "layer_pretrained"), b = ReportStage.column(c, "layer_finetuned"), v = ReportStage.column(c, "cka");
            int lowest = -1;
            double low = 2;
            String firstBelow = null;
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).equals(b.get(i))) continue;
                double x = Double.parseDouble(v.get(i));
                if (x < low) {
                    low = x;
                    lowest = i;
                }
                if (firstBelow == null && x < 0.9) firstBelow = a.get(i);
            }
            sb.append(String.format("Between the same layers of the two models, linear CKA is lowest in layer %s (%.2f)", a.get(lowest), low));
            sb.append(firstBelow == null ? " and stays above 0.9 everywhere." : String.format("; it first falls below 0.9 in layer %s.", firstBelow));
        }
        return sb.toString();
    }

    static String relation(Path t) {
        JsonNode r = Json.read(t.resolve("accuracy_relation.json"));
        JsonNode names = Json.read(t.resolve("letter_table.json")).path("layers");
        int best = r.path("best_layer").asInt(-1);
        JsonNode b = null;
        for (JsonNode l : r.path("layers")) if (l.path("layer").asInt() == best) b = l;
        if (b == null) return "The regression could not be fitted.";
        double purity = 0, frequency = 0;
        for (JsonNode c : b.path("coefficients")) {
            if (c.path("name").asText().equals("log_frequency")) frequency = c.path("lmg").asDouble();
            else if (c.has("lmg")) purity = c.path("lmg").asDouble();
        }
        double r2 = b.path("r2").asDouble();
        return String.format("Across %d letters, the %s of a letter in the fine-tuned model is best explained with the pretrained clusters of "
                        + "layer %s: R² = %.2f (95%% bootstrap interval %.2f–%.2f). Of that, the pretrained purity accounts for %.2f and the log "
                        + "training frequency for %.2f (Shapley/LMG shares of R²): %s.",
                r.path("letters").size(), r.path("accuracy_measure").asText(), names.path(best).asText(String.valueOf(best)), r2,
                b.path("r2_ci").path(0).asDouble(), b.path("r2_ci").path(1).asDouble(), purity, frequency,
                purity > 1.25 * frequency ? "the pretrained clusters matter more than the data distribution"
                        : frequency > 1.25 * purity ? "the data distribution matters more than the pretrained clusters"
                        : "the pretrained clusters matter about as much as the data distribution");
    }

    static int argmax(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
        return b;
    }

    static int argmin(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] < v[b]) b = i;
        return b;
    }
}
