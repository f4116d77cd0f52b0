package wavlens.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.report.ExplorerData;
import wavlens.report.ExplorerWriter;
import wavlens.report.FigureFile;
import wavlens.report.HeatMap;
import wavlens.report.LineChart;
import wavlens.report.MapGrid;
import wavlens.report.Report;
import wavlens.report.ReportWriter;
import wavlens.report.ScatterFit;
import wavlens.report.Seriation;
import wavlens.store.FeatureStore;

/**
 * Figures, the interactive explorer and REPORT/index.html from the run's tables: one section per
 * question, each with its figures, tables linked to their CSV/JSON files, and a paragraph read
 * out from the numbers of this run.
 */
final class ReportStage {
    private final Analysis analysis;
    private final StageCache stages;
    private final Map<String, String> fingerprints;
    private final Path out, tables, figures;

    ReportStage(Analysis analysis, StageCache stages, Map<String, String> fingerprints) {
        this.analysis = analysis;
        this.stages = stages;
        this.fingerprints = fingerprints;
        this.out = analysis.options().out();
        this.tables = analysis.tables();
        this.figures = out.resolve("figures");
    }

    void run() {
        ObjectNode p = Json.MAPPER.createObjectNode();
        fingerprints.forEach((k, v) -> p.put("upstream:" + k, v));
        Path experiment = analysis.options().experiment();
        if (experiment != null) p.put("experiment", Analysis.modelIdentity(experiment));
        Path index = out.resolve("index.html");
        stages.run("report", p, List.of(index, out.resolve(ExplorerWriter.PAGE)), () -> {
            List<Report.Section> sections = new ArrayList<>();
            sections.add(accuracySection());
            sections.add(clusterSection());
            Report.Section metadata = metadataSection();
            if (metadata != null) sections.add(metadata);
            sections.add(mapSection());
            sections.add(changeSection());
            sections.add(relationSection());
            if (experiment != null) sections.add(wavlens.experiment.ExperimentReport.section(experiment, out));
            explorer();
            List<Report.Parameter> params = new ArrayList<>();
            analysis.optionsMap().forEach((k, v) -> params.add(new Report.Parameter(k, String.valueOf(v))));
            ReportWriter.write(out, new Report("What the pretrained model knows and what fine-tuning changed",
                    "Layer-by-layer analysis of a pretrained and a fine-tuned wav2vec2 model on an aligned corpus: clusters versus letters, "
                            + "how fine-tuning moved each layer, and what predicts a letter's accuracy after fine-tuning. Every number below "
                            + "is in tables/ (CSV and JSON); run.json holds the parameters to repeat the run.",
                    params, sections, ExplorerWriter.PAGE));
        });
    }

    // ------------------------------------------------------------------ sections

    private Report.Section accuracySection() {
        List<Report.Figure> figs = new ArrayList<>();
        List<List<String>> conf = Csv.read(tables.resolve("confusion.csv"));
        List<String> symbols = new ArrayList<>(conf.get(0).subList(1, conf.get(0).size()));
        double[][] m = new double[symbols.size()][symbols.size()];
        for (int i = 0; i < symbols.size(); i++) for (int j = 0; j < symbols.size(); j++) m[i][j] = Double.parseDouble(conf.get(i + 1).get(j + 1));
        double[][] rowShare = Seriation.rowNormalised(m);
        List<String> shown = symbols.stream().map(s -> s.equals(" ") ? "␣" : s).toList();
        HeatMap.write(figures, "confusion", HeatMap.Spec.of(rowShare, shown, shown, "reference", "hypothesis", "share of the reference letter")
                .withRange(0, 1));
        figs.add(fig("confusion", "Letter confusion matrix of the fine-tuned model on the test set (rows: reference letters, normalised to 1; "
                + "ε: insertion or deletion)."));
        return new Report.Section("accuracy", "Accuracy of the fine-tuned model", Readings.asr(tables) + " "
                + wavlens.report.Readings.confusions(shown, m, 3, "aligned characters"), figs,
                List.of(table("Per-letter precision, recall and F1 from the Levenshtein alignment", "letter_accuracy.csv", null)));
    }

    private Report.Section clusterSection() {
        List<String> layers = column("cluster_metrics_pretrained.csv", "layer");
        double[][] nmi = {doubles("cluster_metrics_pretrained.csv", "nmi"), doubles("cluster_metrics_finetuned.csv", "nmi")};
        double[][] purity = {doubles("cluster_metrics_pretrained.csv", "purity"), doubles("cluster_metrics_finetuned.csv", "purity")};
        List<String> shown = layers.stream().map(l -> l.equals("cnn") ? "CNN" : l).toList();
        List<Report.Figure> figs = new ArrayList<>();
        LineChart.write(figures, "layers-nmi", LineChart.Spec.of(shown, List.of(
                LineChart.Series.of("NMI pretrained", nmi[0], 0, false), LineChart.Series.of("NMI fine-tuned", nmi[1], 1, false),
                LineChart.Series.of("purity pretrained", purity[0], 0, true), LineChart.Series.of("purity fine-tuned", purity[1], 1, true)),
                "layer", "clusters vs letters").withYRange(0, 1));
        figs.add(fig("layers-nmi", "Clusters versus letters per layer (k-means; NMI solid, purity dashed) for both models."));
        int best = Readings.argmax(nmi[0]);
        String bestLayer = layers.get(best);
        Path matrix = tables.resolve("cluster_letter").resolve("pretrained_" + bestLayer + ".csv");
        List<List<String>> cl = Csv.read(matrix);
        List<String> letters = new ArrayList<>(cl.get(0).subList(2, cl.get(0).size()));
        double[][] pLetterCluster = new double[letters.size()][cl.size() - 1];
        List<String> clusterNames = new ArrayList<>();
        for (int j = 1; j < cl.size(); j++) {
            clusterNames.add(cl.get(j).get(0));
            for (int i = 0; i < letters.size(); i++) pLetterCluster[i][j - 1] = Double.parseDouble(cl.get(j).get(i + 2));
        }
        int[] rowOrder = new int[letters.size()];
        for (int i = 0; i < rowOrder.length; i++) rowOrder[i] = i;
        HeatMap.write(figures, "clusters-letters", HeatMap.Spec.of(pLetterCluster, letters, clusterNames, "letter", "cluster", "P(letter | cluster)")
                .withRange(0, 1).permuted(rowOrder, Seriation.byMajority(pLetterCluster)));
        figs.add(fig("clusters-letters", "P(letter | cluster) in layer " + shownLayer(bestLayer) + " of the pretrained model, where NMI is highest; "
                + "clusters ordered by their majority letter, then by purity."));
        String reading = wavlens.report.Readings.layerComparison("NMI", shown, nmi[0], nmi[1]);
        if (Files.exists(tables.resolve("cluster_recognizer.csv"))) reading += " " + Readings.recognizer(tables);
        List<Report.Table> tabs = new ArrayList<>();
        for (String m : Analysis.MODELS) {
            tabs.add(table("k-means clusters vs letters, " + m + " model (all measures in the file)", "cluster_metrics_" + m + ".csv",
                    List.of("layer", "k", "frames", "nmi", "ami", "ari", "purity", "inverse_purity", "pnmi", "silhouette")));
        }
        if (Files.exists(tables.resolve("cluster_recognizer.csv"))) {
            tabs.add(table("Pretrained clusters as a recogniser (each cluster's majority letter), CER on the test split", "cluster_recognizer.csv", null));
        }
        return new Report.Section("clusters", "Clusters and letters, layer by layer", reading, figs, tabs);
    }

    private Report.Section mapSection() {
        FeatureStore s = FeatureStore.open(analysis.store("pretrained"));
        FeatureStore.Rows rows = s.frames();
        int[] chosen = mapRows();
        List<String> labels = s.labels();
        int[] labelIds = rows.ints("label_id");
        List<String> layers = column("maps_pretrained.csv", "layer");
        // letters as categories (silence too, when analysed)
        List<String> categories = new ArrayList<>();
        Map<Integer, Integer> categoryOf = new LinkedHashMap<>();
        for (int r : chosen) categoryOf.computeIfAbsent(labelIds[r], id -> -1);
        List<Integer> ids = new ArrayList<>(categoryOf.keySet());
        ids.sort((a, b) -> labels.get(a).compareTo(labels.get(b)));
        for (int id : ids) {
            categoryOf.put(id, categories.size());
            categories.add(labels.get(id));
        }
        int[] letterCat = new int[chosen.length], classCat = new int[chosen.length];
        for (int i = 0; i < chosen.length; i++) {
            String l = labels.get(labelIds[chosen[i]]);
            letterCat[i] = categoryOf.get(labelIds[chosen[i]]);
            classCat[i] = VOWELS.contains(l) ? 0 : Analysis.isLetter(l) ? 1 : 2;
        }
        boolean[] mistakes = mistakesOfMapRows(chosen);
        List<String> shown = layers.stream().map(ReportStage::shownLayer).toList();
        MapGrid.Panel[][] byLetter = new MapGrid.Panel[2][layers.size()], byClass = new MapGrid.Panel[2][layers.size()];
        for (int m = 0; m < 2; m++) {
            for (int l = 0; l < layers.size(); l++) {
                float[] xy = Npy.read(analysis.cache().resolve("maps").resolve(Analysis.MODELS[m] + "_" + layers.get(l) + ".npy")).asFloats();
                float[] x = new float[chosen.length], y = new float[chosen.length];
                for (int i = 0; i < chosen.length; i++) {
                    x[i] = xy[2 * i];
                    y[i] = xy[2 * i + 1];
                }
                byLetter[m][l] = new MapGrid.Panel(x, y, letterCat, m == 1 ? mistakes : null);
                byClass[m][l] = new MapGrid.Panel(x, y, classCat, null);
            }
        }
        List<String> models = List.of("pretrained", "fine-tuned");
        MapGrid.write(figures, "maps-letters", MapGrid.Spec.of(models, shown, byLetter, categories, "letter").withHighlight("fine-tuned model wrong"));
        MapGrid.write(figures, "maps-class", MapGrid.Spec.of(models, shown, byClass, List.of("vowel", "consonant", "silence / other"), "class"));
        List<Report.Figure> metadataMaps = new ArrayList<>();
        for (ExplorerData.Coloring c : metadataColorings(rows, chosen, MAP_GROUPS)) {
            MapGrid.Panel[][] panels = new MapGrid.Panel[2][layers.size()];
            for (int m = 0; m < 2; m++) {
                for (int l = 0; l < layers.size(); l++) panels[m][l] = new MapGrid.Panel(byClass[m][l].x(), byClass[m][l].y(), c.values(), null);
            }
            String name = "maps-" + fileSafe(c.name());
            MapGrid.write(figures, name, MapGrid.Spec.of(models, shown, panels, c.names(), c.name()));
            metadataMaps.add(fig(name, method(analysis) + " maps of every layer coloured by " + c.name() + " (from the corpus's metadata)."));
        }
        String method = method(analysis);
        double[] tw = doubles("maps_pretrained.csv", "trustworthiness_k10");
        double[] twf = doubles("maps_finetuned.csv", "trustworthiness_k10");
        double lo = Math.min(java.util.Arrays.stream(tw).min().orElse(0), java.util.Arrays.stream(twf).min().orElse(0));
        double hi = Math.max(java.util.Arrays.stream(tw).max().orElse(0), java.util.Arrays.stream(twf).max().orElse(0));
        String reading = String.format("Each panel is a %s map of the same %d frames in one layer, pretrained model above, fine-tuned below; "
                + "colours are letters, outlined points are frames the fine-tuned model gets wrong. The maps preserve neighbourhoods with "
                + "trustworthiness %.2f–%.2f (k = 10). The interactive explorer (explorer.html) shows any layer with hover, zoom and sound.",
                method, chosen.length, lo, hi);
        List<Report.Figure> mapFigures = new ArrayList<>(List.of(
                fig("maps-letters", method + " maps of every layer coloured by letter; outlined: frames the fine-tuned model gets wrong."),
                fig("maps-class", method + " maps of every layer coloured by vowel / consonant / silence.")));
        mapFigures.addAll(metadataMaps);
        return new Report.Section("maps", "Maps of every layer", reading, mapFigures,
                List.of(table("Map quality (trustworthiness, k = 10) and time per map", "maps_pretrained.csv", null),
                        table("Map quality, fine-tuned model", "maps_finetuned.csv", null)));
    }

    private Report.Section changeSection() {
        List<Report.Figure> figs = new ArrayList<>();
        List<List<String>> cka = Csv.read(tables.resolve("cka.csv"));
        List<String> layers = new ArrayList<>();
        for (List<String> r : cka.subList(1, cka.size())) if (!layers.contains(r.get(0))) layers.add(r.get(0));
        int n = layers.size();
        double[][] m = new double[n][n];
        double[] diagonal = new double[n];
        for (List<String> r : cka.subList(1, cka.size())) {
            int i = layers.indexOf(r.get(0)), j = layers.indexOf(r.get(1));
            m[i][j] = Double.parseDouble(r.get(2));
            if (i == j) diagonal[i] = m[i][j];
        }
        List<String> shown = layers.stream().map(ReportStage::shownLayer).toList();
        HeatMap.write(figures, "cka", HeatMap.Spec.of(m, shown, shown, "pretrained layer", "fine-tuned layer", "linear CKA").withRange(0, 1)
                .withAnnotations("%.2f"));
        figs.add(fig("cka", "Linear CKA between every layer of the pretrained model (rows) and of the fine-tuned model (columns), same frames."));
        List<String> probeLayers = column("probe_pretrained.csv", "layer").stream().map(ReportStage::shownLayer).toList();
        LineChart.write(figures, "layers-probe", LineChart.Spec.of(probeLayers, List.of(
                LineChart.Series.of("probe accuracy pretrained", doubles("probe_pretrained.csv", "accuracy"), 0, false),
                LineChart.Series.of("probe accuracy fine-tuned", doubles("probe_finetuned.csv", "accuracy"), 1, false),
                LineChart.Series.of("CKA(pretrained, fine-tuned)", diagonal, 2, true)), "layer", "accuracy / CKA").withYRange(0, 1));
        figs.add(fig("layers-probe", "Held-out accuracy of a linear letter probe per layer (split by utterance) and CKA between the same layer of the two models."));
        List<String> blocks = column("weight_change.csv", "block");
        LineChart.write(figures, "weight-change", LineChart.Spec.of(blocks, List.of(
                LineChart.Series.of("relative weight change", doubles("weight_change.csv", "relative_change"), 3, false)), "block", "‖ΔW‖ / ‖W‖"));
        figs.add(fig("weight-change", "Relative change of the weights of each block, ‖W_fine-tuned − W_pretrained‖ / ‖W_pretrained‖."));
        String reading = Readings.change(tables) + " " + wavlens.report.Readings.layerComparison("Probe accuracy", probeLayers,
                doubles("probe_pretrained.csv", "accuracy"), doubles("probe_finetuned.csv", "accuracy"));
        return new Report.Section("change", "What fine-tuning changed", reading, figs, List.of(
                table("Linear CKA for every layer pair (plain and debiased)", "cka.csv", null),
                table("Relative weight change per block", "weight_change.csv", null),
                table("Linear probe per layer, pretrained", "probe_pretrained.csv", null),
                table("Linear probe per layer, fine-tuned", "probe_finetuned.csv", null)));
    }

    private Report.Section relationSection() {
        JsonNode t = Json.read(tables.resolve("letter_table.json"));
        JsonNode r = Json.read(tables.resolve("accuracy_relation.json"));
        int best = r.path("best_layer").asInt();
        List<String> letters = new ArrayList<>();
        List<Double> acc = new ArrayList<>(), freq = new ArrayList<>(), pur = new ArrayList<>();
        for (JsonNode l : t.path("letters")) {
            letters.add(l.path("letter").asText());
            acc.add(l.path("accuracy").asDouble());
            freq.add(l.path("training_frequency").asDouble());
            pur.add(l.path("purity").path(best).asDouble());
        }
        double[] a = acc.stream().mapToDouble(Double::doubleValue).toArray(), f = freq.stream().mapToDouble(Double::doubleValue).toArray(),
                p = pur.stream().mapToDouble(Double::doubleValue).toArray();
        String measure = t.path("accuracy_measure").asText();
        String layer = t.path("layers").path(best).asText();
        ScatterFit.write(figures, "letters-frequency", ScatterFit.Spec.of(letters, f, a, "relative frequency in the fine-tuning text", "letter " + measure, true));
        ScatterFit.write(figures, "letters-purity", ScatterFit.Spec.of(letters, p, a, "pretrained purity, layer " + shownLayer(layer), "letter " + measure, false));
        String reading = Readings.relation(tables) + " " + wavlens.report.Readings.relation("letter " + measure, "training frequency", letters, f, a, true)
                + " " + wavlens.report.Readings.relation("letter " + measure, "pretrained purity", letters, p, a, false);
        return new Report.Section("relation", "What predicts a letter's accuracy", reading,
                List.of(fig("letters-frequency", "Per-letter " + measure + " of the fine-tuned model against the letter's frequency in the fine-tuning text (log scale), least-squares line and 95% band."),
                        fig("letters-purity", "Per-letter " + measure + " against how purely the pretrained model's clusters (layer " + shownLayer(layer)
                                + ") single the letter out.")),
                List.of(table("Accuracy ~ standardised log training frequency + standardised pretrained purity, per layer (bootstrap 95% CIs, LMG shares)",
                        "accuracy_relation.csv", null)));
    }

    // ------------------------------------------------------------------ explorer

    private void explorer() {
        FeatureStore s = FeatureStore.open(analysis.store("pretrained"));
        FeatureStore.Rows rows = s.frames();
        int[] chosen = mapRows();
        List<String> labels = s.labels();
        int[] labelIds = rows.ints("label_id");
        String[] utt = rows.strings("utt");
        double[] time = rows.doubles("time");
        Map<String, Integer> uttIndex = new LinkedHashMap<>();
        for (int r : chosen) uttIndex.putIfAbsent(utt[r], uttIndex.size());
        // audio: each utterance's file copied into REPORT/audio so the report stands alone
        Map<String, String[]> audioOf = new LinkedHashMap<>();
        List<List<String>> u = s.utterances();
        int iUtt = u.get(0).indexOf("utt"), iAudio = u.get(0).indexOf("audio"), iStart = u.get(0).indexOf("start");
        for (List<String> row : u.subList(1, u.size())) audioOf.put(row.get(iUtt), new String[] {row.get(iAudio), row.get(iStart)});
        List<ExplorerData.Utterance> utterances = new ArrayList<>();
        int n = 0;
        for (String id : uttIndex.keySet()) {
            Path src = Path.of(audioOf.get(id)[0]);
            String name = String.format("audio/%04d%s", n++, extension(src));
            try {
                Files.createDirectories(out.resolve("audio"));
                Files.copy(src, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw UserError.inFile(src, "cannot copy into the report: " + e.getMessage());
            }
            utterances.add(new ExplorerData.Utterance(id, name));
        }
        int[] uttOf = new int[chosen.length];
        float[] start = new float[chosen.length], end = new float[chosen.length];
        int[] letter = new int[chosen.length];
        List<String> letterNames = new ArrayList<>();
        for (int i = 0; i < chosen.length; i++) {
            int r = chosen[i];
            uttOf[i] = uttIndex.get(utt[r]);
            double offset = Double.parseDouble(audioOf.get(utt[r])[1]);
            start[i] = (float) (offset + time[r] - 0.0125);   // the frame's 25 ms receptive field around its centre time
            end[i] = (float) (offset + time[r] + 0.0125);
            String l = labels.get(labelIds[r]);
            if (!letterNames.contains(l)) letterNames.add(l);
            letter[i] = letterNames.indexOf(l);
        }
        List<String> layers = column("maps_pretrained.csv", "layer");
        float[][][] x = new float[2][layers.size()][], y = new float[2][layers.size()][];
        int[][][] clusters = new int[2][layers.size()][];
        int[] rowInAnalysed = analysedIndex(s);
        for (int m = 0; m < 2; m++) {
            for (int l = 0; l < layers.size(); l++) {
                float[] xy = Npy.read(analysis.cache().resolve("maps").resolve(Analysis.MODELS[m] + "_" + layers.get(l) + ".npy")).asFloats();
                x[m][l] = new float[chosen.length];
                y[m][l] = new float[chosen.length];
                for (int i = 0; i < chosen.length; i++) {
                    x[m][l][i] = xy[2 * i];
                    y[m][l][i] = xy[2 * i + 1];
                }
                int[] assign = Npy.read(analysis.cache().resolve("clusters").resolve(Analysis.MODELS[m] + "_" + layers.get(l) + "_assignments.npy")).ints();
                clusters[m][l] = new int[chosen.length];
                for (int i = 0; i < chosen.length; i++) clusters[m][l][i] = assign[rowInAnalysed[chosen[i]]];
            }
        }
        boolean[] mistakes = mistakesOfMapRows(chosen);
        List<ExplorerData.Coloring> colorings = new ArrayList<>(List.of(new ExplorerData.Coloring("letter", letterNames, letter)));
        colorings.addAll(metadataColorings(rows, chosen, Integer.MAX_VALUE)); // speaker, gender, age, split, accent, ... as the store has them
        ExplorerWriter.write(out, new ExplorerData("wavlens explorer", List.of("pretrained", "fine-tuned"),
                layers.stream().map(ReportStage::shownLayer).toList(), utterances, uttOf, start, end, colorings, x, y, clusters,
                new boolean[][] {new boolean[chosen.length], mistakes}));
    }

    /** Store row → its index among the analysed rows (the rows k-means saw), −1 for others. */
    private int[] analysedIndex(FeatureStore s) {
        boolean[] keep = analysis.analysed(s, s.frames().ints("label_id"));
        int[] idx = new int[keep.length];
        int j = 0;
        for (int i = 0; i < keep.length; i++) idx[i] = keep[i] ? j++ : -1;
        return idx;
    }

    // ------------------------------------------------------------------ metadata

    /** Static maps are drawn for metadata columns with at most this many values (one legend entry each). */
    static final int MAP_GROUPS = 12;

    /**
     * One colouring per metadata column of the store rows (speaker, gender, age, split, and what
     * else the corpus gave, e.g. accent, locale) with 2 to maxValues distinct values among the
     * chosen rows; values in order of first appearance, an empty value is "(unknown)".
     */
    static List<ExplorerData.Coloring> metadataColorings(FeatureStore.Rows rows, int[] chosen, int maxValues) {
        boolean[] isChosen = new boolean[rows.size()];
        for (int r : chosen) isChosen[r] = true;
        List<ExplorerData.Coloring> out = new ArrayList<>();
        for (String column : Analysis.metadataColumns(rows, isChosen, maxValues)) {
            String[] v = rows.strings(column);
            List<String> names = new ArrayList<>();
            Map<String, Integer> ids = new LinkedHashMap<>();
            int[] values = new int[chosen.length];
            for (int i = 0; i < chosen.length; i++) {
                String value = v[chosen[i]].isEmpty() ? "(unknown)" : v[chosen[i]];
                values[i] = ids.computeIfAbsent(value, k -> { names.add(k); return names.size() - 1; });
            }
            out.add(new ExplorerData.Coloring(column, names, values));
        }
        return out;
    }

    /** Clusters against each metadata column per layer (tables/metadata_clusters.csv), or null when the corpus has none. */
    private Report.Section metadataSection() {
        Path file = tables.resolve("metadata_clusters.csv");
        if (!Files.exists(file)) return null;
        List<List<String>> rows = Csv.read(file);
        if (rows.size() < 2) return null;
        List<String> header = rows.get(0);
        int iModel = header.indexOf("model"), iColumn = header.indexOf("column"), iLayer = header.indexOf("layer"), iNmi = header.indexOf("nmi");
        List<String> columns = new ArrayList<>(), layers = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            if (!columns.contains(r.get(iColumn))) columns.add(r.get(iColumn));
            if (!layers.contains(r.get(iLayer))) layers.add(r.get(iLayer));
        }
        List<LineChart.Series> series = new ArrayList<>();
        StringBuilder reading = new StringBuilder("NMI between each layer's k-means clusters and the corpus's metadata: how much of the "
                + "speaker, gender, age or other grouping the clusters carry (0: none; clusters made for letters carry little). ");
        for (int c = 0; c < columns.size(); c++) {
            for (int m = 0; m < Analysis.MODELS.length; m++) {
                double[] nmi = new double[layers.size()];
                java.util.Arrays.fill(nmi, Double.NaN);
                for (List<String> r : rows.subList(1, rows.size())) {
                    if (r.get(iModel).equals(Analysis.MODELS[m]) && r.get(iColumn).equals(columns.get(c))) nmi[layers.indexOf(r.get(iLayer))] = Double.parseDouble(r.get(iNmi));
                }
                series.add(LineChart.Series.of(columns.get(c) + (m == 0 ? " pretrained" : " fine-tuned"), nmi, c, m == 1));
                if (m == 0) {
                    int best = Readings.argmax(nmi);
                    reading.append(String.format(java.util.Locale.ROOT, "%s: highest in layer %s of the pretrained model (NMI %.3f). ",
                            columns.get(c), shownLayer(layers.get(best)), nmi[best]));
                }
            }
        }
        List<String> shown = layers.stream().map(ReportStage::shownLayer).toList();
        LineChart.write(figures, "layers-metadata", LineChart.Spec.of(shown, series, "layer", "NMI vs metadata"));
        return new Report.Section("metadata", "Speakers and metadata in the clusters, layer by layer", reading.toString().trim(),
                List.of(fig("layers-metadata", "NMI of each layer's k-means clusters against each metadata column of the corpus "
                        + "(pretrained solid, fine-tuned dashed); columns with 2–" + Analysis.MAX_GROUPS + " values.")),
                List.of(new Report.Table("Clusters vs metadata per model, column and layer (NMI, AMI, purity, inverse purity)",
                        header, rows.subList(1, rows.size()).stream().map(r -> r.stream().map(ReportStage::round).toList()).toList(),
                        List.of(new Report.Link("CSV", "tables/metadata_clusters.csv"), new Report.Link("JSON", "tables/metadata_clusters.json")))));
    }

    private static String method(Analysis analysis) {
        return analysis.options().projection().toUpperCase(java.util.Locale.ROOT).replace("TSNE", "t-SNE");
    }

    private static String fileSafe(String name) {
        return name.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    // ------------------------------------------------------------------ helpers

    /** Finnish vowels (å as in Swedish names). */
    static final Set<String> VOWELS = Set.of("a", "e", "i", "o", "u", "y", "ä", "ö", "å");

    private int[] mapRows() {
        List<List<String>> r = Csv.read(tables.resolve("map_rows.csv"));
        return r.subList(1, r.size()).stream().mapToInt(x -> Integer.parseInt(x.get(0))).toArray();
    }

    private boolean[] mistakesOfMapRows(int[] chosen) {
        List<List<String>> m = Csv.read(tables.resolve("frame_mistakes.csv"));
        boolean[] out = new boolean[chosen.length];
        for (int i = 0; i < chosen.length; i++) out[i] = m.get(chosen[i] + 1).get(1).equals("1");
        return out;
    }

    static String shownLayer(String layer) {
        return layer.equals("cnn") ? "CNN" : layer;
    }

    private static String extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot);
    }

    private Report.Figure fig(String name, String caption) {
        return new Report.Figure("figures/" + name + ".png", "figures/" + name + ".svg", caption, caption);
    }

    private List<String> column(String file, String name) {
        List<List<String>> rows = Csv.read(tables.resolve(file));
        int i = rows.get(0).indexOf(name);
        List<String> out = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) out.add(r.get(i));
        return out;
    }

    private double[] doubles(String file, String name) {
        return column(file, name).stream().mapToDouble(v -> v.isEmpty() ? Double.NaN : Double.parseDouble(v)).toArray();
    }

    /** A table for the report, numbers rounded for reading (the linked file keeps full precision). */
    private Report.Table table(String caption, String file, List<String> columns) {
        List<List<String>> rows = Csv.read(tables.resolve(file));
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < rows.get(0).size(); i++) if (columns == null || columns.contains(rows.get(0).get(i))) idx.add(i);
        List<String> header = idx.stream().map(rows.get(0)::get).toList();
        List<List<String>> body = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) body.add(idx.stream().map(i -> round(r.get(i))).toList());
        return new Report.Table(caption, header, body, List.of(new Report.Link("CSV", "tables/" + file)));
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

    static List<String> column(List<List<String>> rows, String name) {
        int i = rows.get(0).indexOf(name);
        List<String> out = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) out.add(r.get(i));
        return out;
    }
}
