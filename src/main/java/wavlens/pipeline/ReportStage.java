package wavlens.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import wavlens.io.AtomicFiles;
import wavlens.io.Csv;
import wavlens.io.Json;

/**
 * The report: REPORT/index.html with every table of the run, linked to its CSV/JSON file, and the
 * key numbers read out in plain language. Self-contained (no scripts or styles from elsewhere).
 */
final class ReportStage {
    private final Analysis analysis;
    private final StageCache stages;
    private final Map<String, String> fingerprints;

    ReportStage(Analysis analysis, StageCache stages, Map<String, String> fingerprints) {
        this.analysis = analysis;
        this.stages = stages;
        this.fingerprints = fingerprints;
    }

    void run() {
        ObjectNode p = Json.MAPPER.createObjectNode();
        fingerprints.forEach((k, v) -> p.put("upstream:" + k, v));
        Path index = analysis.options().out().resolve("index.html");
        stages.run("report", p, List.of(index), () -> AtomicFiles.writeString(index, html()));
    }

    private String html() {
        Path t = analysis.tables();
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>wavlens report</title>\n<style>")
                .append("body{font-family:sans-serif;max-width:64em;margin:2em auto;line-height:1.45;color:#222}")
                .append("table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}")
                .append("th{background:#f2f2f2}caption{text-align:left;font-weight:bold;padding:.3em 0}</style></head><body>\n");
        sb.append("<h1>What the pretrained model knows and what fine-tuning changed</h1>\n");
        sb.append("<p>Run parameters: <a href=\"run.json\">run.json</a>. Tables as CSV/JSON in <a href=\"tables/\">tables/</a>.</p>\n");
        sb.append("<h2>Accuracy of the fine-tuned model</h2>\n<p>").append(Readings.asr(t)).append("</p>\n");
        table(sb, t.resolve("letter_accuracy.csv"), "Per-letter precision, recall and F1 (Levenshtein alignment of hypothesis and reference)");
        sb.append("<h2>Clusters and letters, layer by layer</h2>\n<p>").append(Readings.clusters(t)).append("</p>\n");
        for (String m : Analysis.MODELS) {
            table(sb, t.resolve("cluster_metrics_" + m + ".csv"), "k-means clusters vs letters, " + m + " model (all measures in the file)",
                    List.of("layer", "k", "frames", "nmi", "ami", "ari", "purity", "inverse_purity", "pnmi", "silhouette"));
        }
        if (Files.exists(t.resolve("cluster_recognizer.csv"))) {
            sb.append("<p>").append(Readings.recognizer(t)).append("</p>\n");
            table(sb, t.resolve("cluster_recognizer.csv"), "Pretrained clusters used as a recogniser (majority letter per cluster), CER on the test split");
        }
        sb.append("<h2>What fine-tuning changed</h2>\n<p>").append(Readings.change(t)).append("</p>\n");
        table(sb, t.resolve("weight_change.csv"), "Relative weight change ‖W_ft − W_pt‖ / ‖W_pt‖ per block");
        for (String m : Analysis.MODELS) table(sb, t.resolve("probe_" + m + ".csv"), "Linear probe per layer (split by utterance), " + m + " model");
        sb.append("<h2>What predicts a letter's accuracy</h2>\n<p>").append(Readings.relation(t)).append("</p>\n");
        table(sb, t.resolve("accuracy_relation.csv"), "Accuracy ~ standardised log training frequency + standardised pretrained purity, per layer");
        sb.append("</body></html>\n");
        return sb.toString();
    }

    static void table(StringBuilder sb, Path csv, String caption) {
        table(sb, csv, caption, null);
    }

    /** A CSV as an HTML table (numbers rounded for reading; the file keeps full precision), optionally only some columns. */
    static void table(StringBuilder sb, Path csv, String caption, List<String> columns) {
        if (!Files.exists(csv)) return;
        List<List<String>> rows = Csv.read(csv);
        if (columns != null) {
            List<Integer> idx = new ArrayList<>();
            for (String c : columns) if (rows.get(0).contains(c)) idx.add(rows.get(0).indexOf(c));
            List<List<String>> picked = new ArrayList<>();
            for (List<String> r : rows) picked.add(idx.stream().map(r::get).toList());
            rows = picked;
        }
        sb.append("<table><caption>").append(esc(caption)).append(" — <a href=\"tables/").append(esc(csv.getFileName().toString()))
                .append("\">").append(esc(csv.getFileName().toString())).append("</a></caption>\n<tr>");
        for (String h : rows.get(0)) sb.append("<th>").append(esc(h)).append("</th>");
        sb.append("</tr>\n");
        for (List<String> r : rows.subList(1, rows.size())) {
            sb.append("<tr>");
            for (String v : r) sb.append("<td>").append(esc(round(v))).append("</td>");
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    static String round(String v) {
        if (!v.contains(".") && !v.contains("E")) return v;
        try {
            double d = Double.parseDouble(v);
            return Math.abs(d) >= 1000 ? String.format("%.0f", d) : String.format("%.3f", d);
        } catch (NumberFormatException e) {
            return v;
        }
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static List<String> column(List<List<String>> rows, String name) {
        int i = rows.get(0).indexOf(name);
        List<String> out = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) out.add(r.get(i));
        return out;
    }
}
