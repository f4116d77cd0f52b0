package wavlens.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import wavlens.analysis.Cka;
import wavlens.analysis.ClusterLabelMetrics;
import wavlens.analysis.Contingency;
import wavlens.analysis.KMeans;
import wavlens.analysis.Silhouette;
import wavlens.analysis.WeightChange;
import wavlens.analysis.accuracy.AsrScores;
import wavlens.analysis.accuracy.FrameErrors;
import wavlens.analysis.accuracy.LetterFrequencies;
import wavlens.analysis.predict.AccuracyFit;
import wavlens.analysis.predict.AccuracyRegression;
import wavlens.analysis.probe.LogisticProbe;
import wavlens.checkpoint.Weights;
import wavlens.corpus.Corpus;
import wavlens.corpus.LetterTable;
import wavlens.corpus.Utterance;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.model.Vocabulary;
import wavlens.model.Wav2Vec2;
import wavlens.projection.Pca;
import wavlens.projection.Trustworthiness;
import wavlens.projection.Tsne;
import wavlens.projection.Umap;
import wavlens.store.Extractor;
import wavlens.store.FeatureStore;

/**
 * The whole method, from two checkpoints and an aligned corpus to tables (and, through
 * {@link ReportStage}, figures and the report): extract both models' layer features for the same
 * frames, cluster each layer and compare clusters with letters, compare the two models layer by
 * layer (CKA, weight change, linear probes), score the fine-tuned model as an ASR, and relate each
 * letter's accuracy to its training frequency and to how well the pretrained clusters single it out.
 *
 * <p>Every stage goes through {@link StageCache}: a rerun with one changed option recomputes
 * only the stages that depend on it.
 */
public final class Analysis {

    /** experiment: the folder of a finished `wavlens experiment letter-frequency`, shown as a report section (null: none). */
    public record Options(Path pretrained, Path finetuned, Path corpus, Path trainText, String layers, Path out,
                          int k, boolean spherical, int restarts, long seed, int maxFrames, int probeIterations,
                          String projection, int mapPoints, boolean excludeSilence, String accuracyMeasure, Path experiment) {
        public Options(Path pretrained, Path finetuned, Path corpus, Path trainText, String layers, Path out,
                       int k, boolean spherical, int restarts, long seed, int maxFrames, int probeIterations,
                       String projection, int mapPoints, boolean excludeSilence, String accuracyMeasure) {
            this(pretrained, finetuned, corpus, trainText, layers, out, k, spherical, restarts, seed, maxFrames, probeIterations,
                    projection, mapPoints, excludeSilence, accuracyMeasure, null);
        }
    }

    public record Result(Path report, int stagesRun, int stagesReused, double seconds) {}

    static final String[] MODELS = {"pretrained", "finetuned"};

    private final Options opt;
    private final Path tables, cache;
    private final StageCache stages;
    private final Map<String, String> fingerprints = new LinkedHashMap<>();
    private final LetterTable letterTable = LetterTable.finnish();

    public Analysis(Options options) {
        this.opt = options;
        this.tables = options.out().resolve("tables");
        this.cache = cacheOf(options.out());
        this.stages = new StageCache(cache);
    }

    /**
     * The stage cache (feature stores, cluster assignments, 2-D maps, stage records) lives beside the
     * report, REPORT.cache/, not in it: a report is what people zip and share, and the cache is most
     * of the bytes. A rerun with the same --out finds it again.
     */
    public static Path cacheOf(Path report) {
        Path abs = report.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".cache");
    }

    Path cache() {
        return cache;
    }

    Path store(String model) {
        return cache.resolve("store-" + model);
    }

    Path testStore() {
        return cache.resolve("store-pretrained-test");
    }

    Path tables() {
        return tables;
    }

    Options options() {
        return opt;
    }

    public Result run() {
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(tables);
        } catch (IOException e) {
            throw UserError.inFile(opt.out(), "cannot create: " + e.getMessage());
        }
        if (opt.experiment() != null) wavlens.experiment.ExperimentReport.check(opt.experiment());
        checkPair();
        writeRunJson();
        Corpus corpus = Corpus.open(opt.corpus());
        boolean hasTestSplit = corpus.utterances().stream().anyMatch(u -> u.id().startsWith("test/"));

        Stage.announce("extracting features");
        extract("pretrained", opt.pretrained(), store("pretrained"), opt.maxFrames(), null, "extract-pretrained");
        extract("finetuned", opt.finetuned(), store("finetuned"), opt.maxFrames(), null, "extract-finetuned");
        if (hasTestSplit) extract("pretrained", opt.pretrained(), testStore(), 0, "test", "extract-pretrained-test");

        Stage.announce("clustering every layer");
        for (String m : MODELS) clusters(m);
        metadataClusters();
        Stage.announce("comparing the models");
        cka();
        weightChange();
        Stage.announce("linear probes");
        for (String m : MODELS) probes(m);
        Stage.announce("accuracy of the fine-tuned model");
        accuracy(corpus, hasTestSplit);
        letterFrequencies(corpus);
        relation();
        if (hasTestSplit) clusterRecognizer(corpus);
        Stage.announce("2-D maps");
        for (String m : MODELS) projections(m);
        Stage.announce("figures and report");
        new ReportStage(this, stages, fingerprints).run();
        return new Result(opt.out(), stages.ran(), stages.reused(), (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------ run.json

    private void writeRunJson() {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("wavlens", "0.1.0");
        r.put("java", System.getProperty("java.version"));
        r.put("blas", wavlens.tensor.Blas.available() ? "openblas" : "java-fallback");
        r.put("cores", Runtime.getRuntime().availableProcessors());
        r.set("options", Json.MAPPER.valueToTree(optionsMap()));
        r.put("command", "wavlens analyze " + commandLine());
        Json.write(opt.out().resolve("run.json"), r);
    }

    Map<String, Object> optionsMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pretrained", opt.pretrained().toAbsolutePath().normalize().toString());
        m.put("finetuned", opt.finetuned().toAbsolutePath().normalize().toString());
        m.put("corpus", opt.corpus().toAbsolutePath().normalize().toString());
        m.put("train_text", opt.trainText() == null ? null : opt.trainText().toAbsolutePath().normalize().toString());
        m.put("layers", opt.layers());
        m.put("k", opt.k());
        m.put("spherical", opt.spherical());
        m.put("restarts", opt.restarts());
        m.put("seed", opt.seed());
        m.put("max_frames", opt.maxFrames());
        m.put("probe_iterations", opt.probeIterations());
        m.put("projection", opt.projection());
        m.put("map_points", opt.mapPoints());
        m.put("exclude_silence", opt.excludeSilence());
        m.put("accuracy", opt.accuracyMeasure());
        if (opt.experiment() != null) m.put("experiment", opt.experiment().toAbsolutePath().normalize().toString());
        return m;
    }

    private String commandLine() {
        StringBuilder sb = new StringBuilder();
        sb.append("--pretrained ").append(opt.pretrained()).append(" --finetuned ").append(opt.finetuned())
                .append(" --corpus ").append(opt.corpus()).append(" --out ").append(opt.out());
        if (opt.trainText() != null) sb.append(" --train-text ").append(opt.trainText());
        sb.append(" --layers ").append(opt.layers()).append(" --k ").append(opt.k()).append(" --seed ").append(opt.seed())
                .append(" --max-frames ").append(opt.maxFrames()).append(" --projection ").append(opt.projection())
                .append(opt.spherical() ? "" : " --euclidean").append(opt.excludeSilence() ? " --exclude-silence" : "");
        if (opt.experiment() != null) sb.append(" --experiment ").append(opt.experiment());
        return sb.toString();
    }

    /** A model folder's identity for the caches: its path and the sizes and times of its files. */
    static String modelIdentity(Path dir) {
        return wavlens.analysis.predict.LetterStats.folderIdentity(dir);
    }

    ObjectNode params(String... upstream) {
        ObjectNode p = Json.MAPPER.createObjectNode();
        for (String u : upstream) p.put("upstream:" + u, fingerprints.get(u));
        return p;
    }

    /**
     * Every table sets the two models' layers side by side, so the fine-tuned model must have the
     * pretrained one's layers (it is fine-tuned from it): one line before hours of extraction.
     */
    private void checkPair() {
        var pre = wavlens.model.Wav2Vec2Config.read(opt.pretrained().resolve("config.json"));
        var ft = wavlens.model.Wav2Vec2Config.read(opt.finetuned().resolve("config.json"));
        if (pre.numLayers() != ft.numLayers() || pre.hiddenSize() != ft.hiddenSize()) {
            throw UserError.inFile(opt.finetuned(), "has " + ft.numLayers() + " layers of " + ft.hiddenSize() + " and the pretrained model "
                    + opt.pretrained() + " " + pre.numLayers() + " of " + pre.hiddenSize() + "; analyze compares a model with one fine-tuned from it");
        }
    }

    // ------------------------------------------------------------------ 1. features

    private void extract(String model, Path modelDir, Path store, int budget, String split, String stage) {
        ObjectNode p = params();
        p.put("model", modelIdentity(modelDir));
        p.put("corpus", opt.corpus().toAbsolutePath().normalize().toString());
        p.put("layers", opt.layers());
        p.put("budget", budget);
        p.put("seed", opt.seed());
        p.put("split", split == null ? "all" : split);
        fingerprints.put(stage, stages.run(stage, p, List.of(store.resolve("store.json")), () -> {
            try (Wav2Vec2 m = Wav2Vec2.load(modelDir)) {
                Extractor.Pool pool = split == null ? Extractor.Pool.BOTH : Extractor.Pool.FRAME;
                Extractor.Summary s = new Extractor(new Extractor.Options(modelDir, opt.corpus(), store, opt.layers(), budget, pool, false, null,
                        opt.seed(), false, false, true, 0, null, split)).run(m);
                if (!s.complete()) throw new IllegalStateException("extraction of " + model + " did not complete");
            }
        }));
    }

    // ------------------------------------------------------------------ 2. clusters vs letters

    /** The rows the label-level analyses use: not <unk>, not <blank>, and not <sil> with --exclude-silence. */
    boolean[] analysed(FeatureStore s, int[] labelIds) {
        List<String> labels = s.labels();
        boolean[] keep = new boolean[labelIds.length];
        for (int i = 0; i < labelIds.length; i++) {
            String l = labels.get(labelIds[i]);
            keep[i] = !l.equals("<unk>") && !l.equals("<blank>") && !(opt.excludeSilence() && l.equals("<sil>"));
        }
        return keep;
    }

    static boolean isLetter(String label) {
        return !label.startsWith("<") && !label.equals("|");
    }

    /** Features of the kept rows only. */
    static float[] select(float[] x, int d, boolean[] keep) {
        int n = 0;
        for (boolean k : keep) if (k) n++;
        float[] out = new float[n * d];
        int j = 0;
        for (int i = 0; i < keep.length; i++) if (keep[i]) System.arraycopy(x, i * d, out, (j++) * d, d);
        return out;
    }

    static int[] select(int[] v, boolean[] keep) {
        int n = 0;
        for (boolean k : keep) if (k) n++;
        int[] out = new int[n];
        int j = 0;
        for (int i = 0; i < keep.length; i++) if (keep[i]) out[j++] = v[i];
        return out;
    }

    int numberOfClusters(FeatureStore s, int[] labels) {
        if (opt.k() > 0) return opt.k();
        return (int) java.util.Arrays.stream(labels).distinct().count();
    }

    private void clusters(String model) {
        String stage = "clusters-" + model;
        ObjectNode p = params("extract-" + model);
        p.put("k", opt.k());
        p.put("spherical", opt.spherical());
        p.put("restarts", opt.restarts());
        p.put("seed", opt.seed());
        p.put("exclude_silence", opt.excludeSilence());
        Path metrics = tables.resolve("cluster_metrics_" + model + ".csv"), perLetter = tables.resolve("letter_clusters_" + model + ".csv");
        fingerprints.put(stage, stages.run(stage, p, List.of(metrics, perLetter), () -> {
            FeatureStore s = FeatureStore.open(store(model));
            FeatureStore.Rows rows = s.frames();
            int[] labelIds = rows.ints("label_id");
            boolean[] keep = analysed(s, labelIds);
            int[] labels = select(labelIds, keep);
            int k = numberOfClusters(s, labels);
            List<String> inventory = s.labels();
            List<List<?>> metricRows = new ArrayList<>(), letterRows = new ArrayList<>();
            List<String> metricHeader = null;
            for (int layer : layerOrder(rows)) {
                int d = rows.dim(layer);
                float[] x = select(rows.layer(layer), d, keep);
                int n = labels.length;
                KMeans.Result km = KMeans.fit(x, n, d, KMeans.Options.of(Math.min(k, n)).withSeed(opt.seed()).withRestarts(opt.restarts())
                        .withSpherical(opt.spherical()));
                Npy.writeInts(cache.resolve("clusters").resolve(model + "_" + layerName(layer) + "_assignments.npy"), km.assignments(), n);
                Npy.writeFloats(cache.resolve("clusters").resolve(model + "_" + layerName(layer) + "_centroids.npy"), km.centroids(), km.k(), d);
                Contingency c = Contingency.of(labels, km.assignments());
                Map<String, Object> sc = ClusterLabelMetrics.score(c).toMap();
                Silhouette.Result sil = Silhouette.score(x, n, d, km.assignments(),
                        opt.spherical() ? Silhouette.Metric.COSINE : Silhouette.Metric.EUCLIDEAN, 4000, opt.seed());
                if (metricHeader == null) {
                    metricHeader = new ArrayList<>(List.of("model", "layer", "k", "frames", "inertia", "silhouette", "silhouette_sample"));
                    metricHeader.addAll(sc.keySet());
                }
                List<Object> row = new ArrayList<>(List.of(model, layerName(layer), km.k(), n, km.inertia(), sil.score(), sil.sampleSize()));
                row.addAll(sc.values());
                metricRows.add(row);
                ClusterLabelMetrics.PerLabel pl = ClusterLabelMetrics.perLabel(c);
                for (int i = 0; i < pl.labelIds().length; i++) {
                    String letter = inventory.get((int) pl.labelIds()[i]);
                    letterRows.add(List.of(model, layerName(layer), letter, pl.sizes()[i], pl.purity()[i], pl.entropyNats()[i],
                            pl.entropyNormalized()[i], pl.majorityCluster()[i]));
                }
                writeClusterLetterMatrix(model, layer, c, inventory);
            }
            Csv.write(metrics, metricHeader, metricRows);
            Csv.write(perLetter, List.of("model", "layer", "label", "frames", "purity", "entropy_nats", "entropy_normalized", "majority_cluster"), letterRows);
        }));
    }

    // ------------------------------------------------------------------ 2b. clusters vs metadata

    /** Columns of the store's frame rows that are not metadata of the utterance or speaker. */
    static final Set<String> NOT_METADATA = Set.of("row", "utt", "frame", "time", "label", "label_id", "majority_fraction", "predicted",
            "predicted_id", "segment", "start", "end", "frames");
    /** Columns with more values than this get no per-group cluster metrics (e.g. hundreds of speakers). */
    static final int MAX_GROUPS = 50;

    /**
     * The metadata columns of the analysed rows that have 2 to maxGroups distinct non-empty values
     * (speaker, gender, age, split, and any column a corpus layout adds, e.g. accent, locale), in
     * the rows' column order. Rows with an empty value are "unknown" for that column.
     */
    static List<String> metadataColumns(FeatureStore.Rows rows, boolean[] keep, int maxGroups) {
        List<String> out = new ArrayList<>();
        for (String column : rows.columns()) {
            if (NOT_METADATA.contains(column)) continue;
            String[] v = rows.strings(column);
            Set<String> distinct = new java.util.HashSet<>();
            for (int i = 0; i < v.length && distinct.size() <= maxGroups; i++) if (keep[i] && !v[i].isEmpty()) distinct.add(v[i]);
            if (distinct.size() >= 2 && distinct.size() <= maxGroups) out.add(column);
        }
        return out;
    }

    /**
     * How much of each metadata column the k-means clusters of each layer carry: NMI, AMI, purity and
     * inverse purity of the clusters against the column's values (rows with an empty value left out),
     * per model and layer — e.g. speaker or gender information per layer (cf. the study's maps by
     * speaker, age and gender). tables/metadata_clusters.csv and .json.
     */
    private void metadataClusters() {
        ObjectNode p = params("clusters-pretrained", "clusters-finetuned");
        p.put("max_groups", MAX_GROUPS);
        Path csv = tables.resolve("metadata_clusters.csv"), json = tables.resolve("metadata_clusters.json");
        fingerprints.put("metadata", stages.run("metadata", p, List.of(csv, json), () -> {
            List<List<?>> out = new ArrayList<>();
            List<Map<String, Object>> jsonRows = new ArrayList<>();
            for (String model : MODELS) {
                FeatureStore s = FeatureStore.open(store(model));
                FeatureStore.Rows rows = s.frames();
                boolean[] keep = analysed(s, rows.ints("label_id"));
                for (String column : metadataColumns(rows, keep, MAX_GROUPS)) {
                    String[] all = rows.strings(column);
                    String[] values = new String[labelCount(keep)];
                    for (int i = 0, j = 0; i < keep.length; i++) if (keep[i]) values[j++] = all[i];
                    Map<String, Integer> ids = new LinkedHashMap<>();
                    int known = 0;
                    for (String v : values) if (!v.isEmpty()) { ids.putIfAbsent(v, ids.size()); known++; }
                    for (int layer : layerOrder(rows)) {
                        int[] assign = Npy.read(cache.resolve("clusters").resolve(model + "_" + layerName(layer) + "_assignments.npy")).ints();
                        int[] groups = new int[known], clusters = new int[known];
                        for (int i = 0, j = 0; i < values.length; i++) {
                            if (values[i].isEmpty()) continue;
                            groups[j] = ids.get(values[i]);
                            clusters[j++] = assign[i];
                        }
                        Contingency c = Contingency.of(groups, clusters);
                        double nmi = ClusterLabelMetrics.nmi(c, ClusterLabelMetrics.Mean.ARITHMETIC);
                        double ami = ClusterLabelMetrics.ami(c, ClusterLabelMetrics.Mean.ARITHMETIC);
                        double purity = ClusterLabelMetrics.purity(c), inverse = ClusterLabelMetrics.inversePurity(c);
                        out.add(List.of(model, column, layerName(layer), ids.size(), known, values.length - known, nmi, ami, purity, inverse));
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("model", model);
                        r.put("column", column);
                        r.put("layer", layerName(layer));
                        r.put("values", new ArrayList<>(ids.keySet()));
                        r.put("frames", known);
                        r.put("frames_unknown", values.length - known);
                        r.put("nmi", nmi);
                        r.put("ami", ami);
                        r.put("purity", purity);
                        r.put("inverse_purity", inverse);
                        jsonRows.add(r);
                    }
                }
            }
            Csv.write(csv, List.of("model", "column", "layer", "groups", "frames", "frames_unknown", "nmi", "ami", "purity", "inverse_purity"), out);
            Json.write(json, Map.of("rows", jsonRows));
        }));
    }

    private static int labelCount(boolean[] keep) {
        int n = 0;
        for (boolean k : keep) if (k) n++;
        return n;
    }

    /** P(label | cluster) as a CSV matrix (rows clusters, columns labels), for the heat maps. */
    private void writeClusterLetterMatrix(String model, int layer, Contingency c, List<String> inventory) {
        List<String> header = new ArrayList<>(List.of("cluster", "size"));
        for (long id : c.labelIds()) header.add(inventory.get((int) id));
        double[][] counts = new double[c.cols()][c.rows()];
        for (int cell = 0; cell < c.cells(); cell++) counts[c.cellCol()[cell]][c.cellRow()[cell]] += c.cellCount()[cell];
        List<List<?>> rows = new ArrayList<>();
        for (int j = 0; j < c.cols(); j++) {
            List<Object> r = new ArrayList<>(List.of(c.clusterIds()[j], c.clusterSizes()[j]));
            for (int i = 0; i < c.rows(); i++) r.add(counts[j][i] / c.clusterSizes()[j]);
            rows.add(r);
        }
        Csv.write(tables.resolve("cluster_letter").resolve(model + "_" + layerName(layer) + ".csv"), header, rows);
    }

    /** Layers in HF order: extract_features (when stored) first, then hidden_states 0..L. */
    static List<Integer> layerOrder(FeatureStore.Rows rows) {
        List<Integer> out = new ArrayList<>();
        for (int l = -1; l < 200; l++) if (rows.hasLayer(l)) out.add(l);
        return out;
    }

    static String layerName(int layer) {
        return layer < 0 ? "cnn" : Integer.toString(layer);
    }

    // ------------------------------------------------------------------ 3. CKA and weights

    private void cka() {
        ObjectNode p = params("extract-pretrained", "extract-finetuned");
        Path out = tables.resolve("cka.csv");
        fingerprints.put("cka", stages.run("cka", p, List.of(out), () -> {
            FeatureStore.Rows a = FeatureStore.open(store("pretrained")).frames(), b = FeatureStore.open(store("finetuned")).frames();
            if (!java.util.Arrays.equals(a.strings("utt"), b.strings("utt")) || !java.util.Arrays.equals(a.strings("frame"), b.strings("frame"))) {
                throw new UserError("the two stores hold different frames (are the models' conv stacks different?): CKA needs the same frames");
            }
            List<Integer> layers = layerOrder(a);
            List<float[]> xa = new ArrayList<>(), xb = new ArrayList<>();
            int n = a.size();
            List<Integer> dims = new ArrayList<>();
            for (int l : layers) {
                xa.add(a.layer(l));
                xb.add(b.layer(l));
                dims.add(a.dim(l));
            }
            List<List<?>> rows = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                for (int j = 0; j < layers.size(); j++) {
                    Cka.Result r = Cka.linear(xa.get(i), dims.get(i), xb.get(j), dims.get(j), n);
                    rows.add(List.of(layerName(layers.get(i)), layerName(layers.get(j)), r.cka(), r.ckaDebiased()));
                }
            }
            Csv.write(out, List.of("layer_pretrained", "layer_finetuned", "cka", "cka_debiased"), rows);
        }));
    }

    private void weightChange() {
        ObjectNode p = params();
        p.put("pretrained", modelIdentity(opt.pretrained()));
        p.put("finetuned", modelIdentity(opt.finetuned()));
        Path out = tables.resolve("weight_change.csv");
        fingerprints.put("weights", stages.run("weights", p, List.of(out), () -> {
            try (Weights a = Weights.open(opt.pretrained()); Weights b = Weights.open(opt.finetuned())) {
                WeightChange.Result r = WeightChange.compare(a, b);
                List<List<?>> rows = new ArrayList<>();
                for (WeightChange.Block blk : r.blocks()) rows.add(List.of(blk.name(), blk.relativeChange(), blk.pretrainedNorm(), blk.parameters()));
                Csv.write(out, List.of("block", "relative_change", "pretrained_norm", "parameters"), rows);
            }
        }));
    }

    // ------------------------------------------------------------------ 4. probes

    private void probes(String model) {
        String stage = "probe-" + model;
        ObjectNode p = params("extract-" + model);
        p.put("iterations", opt.probeIterations());
        p.put("seed", opt.seed());
        p.put("exclude_silence", opt.excludeSilence());
        Path out = tables.resolve("probe_" + model + ".csv"), letters = tables.resolve("probe_letters_" + model + ".csv");
        fingerprints.put(stage, stages.run(stage, p, List.of(out, letters), () -> {
            FeatureStore s = FeatureStore.open(store(model));
            FeatureStore.Rows rows = s.frames();
            int[] labelIds = rows.ints("label_id");
            boolean[] keep = analysed(s, labelIds);
            int[] labels = select(labelIds, keep);
            int[] utt = select(rows.codes("utt"), keep);
            List<String> inventory = s.labels();
            List<List<?>> summary = new ArrayList<>(), perLetter = new ArrayList<>();
            LogisticProbe.Options po = LogisticProbe.Options.defaults();
            po = new LogisticProbe.Options(po.inverseRegularization(), opt.probeIterations(), po.gradientTolerance());
            for (int layer : layerOrder(rows)) {
                int d = rows.dim(layer);
                float[] x = select(rows.layer(layer), d, keep);
                LogisticProbe.Result r = LogisticProbe.trainAndTest(x, labels.length, d, labels, utt, 0.2, opt.seed(), po);
                summary.add(List.of(model, layerName(layer), r.test().accuracy(), r.test().macroF1(), r.trainRows(), r.testRows()));
                for (int c = 0; c < r.test().classes().length; c++) {
                    perLetter.add(List.of(model, layerName(layer), inventory.get(r.test().classes()[c]), r.test().precision()[c], r.test().recall()[c],
                            r.test().f1()[c], r.test().support()[c]));
                }
            }
            Csv.write(out, List.of("model", "layer", "accuracy", "macro_f1", "train_rows", "test_rows"), summary);
            Csv.write(letters, List.of("model", "layer", "label", "precision", "recall", "f1", "support"), perLetter);
        }));
    }

    // ------------------------------------------------------------------ 5. the fine-tuned model as an ASR

    /** A transcript as the model's alphabet spells it: letters of the letter table, words separated by one space. */
    String spelled(String transcript) {
        return letterTable.spelled(transcript);
    }

    private void accuracy(Corpus corpus, boolean testOnly) {
        ObjectNode p = params("extract-finetuned");
        p.put("test_only", testOnly);
        Path asr = tables.resolve("asr.json"), letters = tables.resolve("letter_accuracy.csv"), confusion = tables.resolve("confusion.csv"),
                mistakes = tables.resolve("frame_mistakes.csv");
        fingerprints.put("accuracy", stages.run("accuracy", p, List.of(asr, letters, confusion, mistakes), () -> {
            FeatureStore s = FeatureStore.open(store("finetuned"));
            List<List<String>> utts = s.utterances();
            List<String> h = utts.get(0);
            int iUtt = h.indexOf("utt"), iSplit = h.indexOf("split"), iRef = h.indexOf("transcript"), iHyp = h.indexOf("hypothesis"),
                    iLabels = h.indexOf("label_ids"), iPred = h.indexOf("predicted_ids");
            if (!s.json().path("parameters").path("ctc").asBoolean(false)) {
                throw UserError.inFile(opt.finetuned(), "has no CTC head: the fine-tuned model must be a …ForCTC checkpoint");
            }
            AsrScores scores = new AsrScores();
            List<List<?>> perUtt = new ArrayList<>();
            for (List<String> u : utts.subList(1, utts.size())) {
                if (testOnly && !u.get(iSplit).equals("test")) continue;
                if (u.get(iRef).isBlank()) continue;
                String ref = spelled(u.get(iRef)), hyp = u.get(iHyp);
                scores.add(ref, hyp);
                perUtt.add(List.of(u.get(iUtt), ref, hyp));
            }
            if (scores.utterances() == 0) throw UserError.inFile(opt.corpus(), "no utterance with a transcript to score the fine-tuned model on");
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("utterances", scores.utterances());
            a.put("set", testOnly ? "test split" : "all utterances");
            a.put("cer", scores.cer());
            a.put("wer", scores.wer());
            Json.write(asr, a);
            Csv.write(tables.resolve("transcripts.csv"), List.of("utt", "reference", "hypothesis"), perUtt);
            List<List<?>> lr = new ArrayList<>();
            for (AsrScores.LetterScore ls : scores.letterScores()) {
                lr.add(List.of(ls.letter(), ls.hits(), ls.misses(), ls.falseAlarms(), ls.precision(), ls.recall(), ls.f1(), ls.support()));
            }
            Csv.write(letters, List.of("letter", "hits", "misses", "false_alarms", "precision", "recall", "f1", "support"), lr);
            AsrScores.Confusion c = scores.confusion();
            List<String> ch = new ArrayList<>(List.of("reference\\hypothesis"));
            ch.addAll(c.symbols());
            List<List<?>> cr = new ArrayList<>();
            for (int i = 0; i < c.symbols().size(); i++) {
                List<Object> r = new ArrayList<>(List.of(c.symbols().get(i)));
                for (long v : c.counts()[i]) r.add(v);
                cr.add(r);
            }
            Csv.write(confusion, ch, cr);
            writeFrameMistakes(s, utts, iUtt, iLabels, iPred, mistakes);
        }));
    }

    /**
     * For every stored frame of the fine-tuned store: does the model's frame prediction disagree
     * with the aligned reference letter ({@link FrameErrors} gives the rule)?
     */
    private void writeFrameMistakes(FeatureStore s, List<List<String>> utts, int iUtt, int iLabels, int iPred, Path out) {
        Vocabulary vocab = Vocabulary.read(opt.finetuned(), wavlens.model.Wav2Vec2Config.read(opt.finetuned().resolve("config.json")));
        List<String> inventory = s.labels();
        int[] labelToToken = new int[inventory.size()];
        for (int i = 0; i < inventory.size(); i++) labelToToken[i] = isLetter(inventory.get(i)) ? vocab.ids().getOrDefault(inventory.get(i), -1) : -1;
        Integer delimiter = vocab.ids().get(vocab.wordDelimiter());
        Map<String, boolean[]> byUtt = new HashMap<>();
        for (List<String> u : utts.subList(1, utts.size())) {
            if (u.get(iPred).isBlank()) continue;
            int[] labels = parseInts(u.get(iLabels)), predicted = parseInts(u.get(iPred));
            int[] ref = new int[predicted.length];
            for (int t = 0; t < ref.length; t++) ref[t] = t < labels.length && labels[t] >= 0 ? labelToToken[labels[t]] : -1;
            byUtt.put(u.get(iUtt), FrameErrors.mistakes(predicted, vocab.blankId(), delimiter == null ? -1 : delimiter, FrameErrors.segmentsFromFrames(ref)));
        }
        FeatureStore.Rows rows = s.frames();
        String[] utt = rows.strings("utt");
        int[] frame = rows.ints("frame");
        List<List<?>> out2 = new ArrayList<>();
        for (int r = 0; r < utt.length; r++) {
            boolean[] m = byUtt.get(utt[r]);
            out2.add(List.of(r, m != null && frame[r] < m.length && m[frame[r]] ? 1 : 0));
        }
        Csv.write(out, List.of("row", "mistake"), out2);
    }

    static int[] parseInts(String s) {
        if (s.isBlank()) return new int[0];
        String[] parts = s.trim().split(" ");
        int[] v = new int[parts.length];
        for (int i = 0; i < v.length; i++) v[i] = Integer.parseInt(parts[i]);
        return v;
    }

    private void letterFrequencies(Corpus corpus) {
        ObjectNode p = params();
        p.put("corpus", opt.corpus().toAbsolutePath().normalize().toString());
        p.put("train_text", opt.trainText() == null ? "" : modelIdentity(opt.trainText().toAbsolutePath().getParent()) + opt.trainText());
        Path out = tables.resolve("letter_frequencies.csv");
        fingerprints.put("frequencies", stages.run("frequencies", p, List.of(out), () -> {
            LetterFrequencies f;
            String source;
            if (opt.trainText() != null) {
                f = LetterFrequencies.read(opt.trainText());
                source = opt.trainText().toString();
            } else {
                List<String> texts = new ArrayList<>();
                boolean split = corpus.utterances().stream().anyMatch(u -> u.id().startsWith("finetune-train/"));
                for (Utterance u : corpus.utterances()) {
                    if (u.transcript() != null && (!split || u.id().startsWith("finetune-train/"))) texts.add(spelled(u.transcript()));
                }
                f = LetterFrequencies.of(texts);
                source = split ? "transcripts of the finetune-train split" : "all transcripts of the corpus";
            }
            List<List<?>> rows = new ArrayList<>();
            for (var e : f.counts().entrySet()) rows.add(List.of(e.getKey(), e.getValue(), f.relative(e.getKey()), source));
            Csv.write(out, List.of("letter", "count", "relative", "source"), rows);
        }));
    }

    // ------------------------------------------------------------------ 6. what predicts a letter's accuracy

    private void relation() {
        ObjectNode p = params("clusters-pretrained", "accuracy", "frequencies");
        p.put("measure", opt.accuracyMeasure());
        p.put("fit_format", AccuracyFit.FORMAT);
        Path table = tables.resolve("letter_table.json"), json = tables.resolve("accuracy_relation.json"), csv = tables.resolve("accuracy_relation.csv"),
                fit = tables.resolve("fit.json");
        fingerprints.put("relation", stages.run("relation", p, List.of(table, json, csv, fit), () -> {
            Map<String, Double> accuracy = new LinkedHashMap<>();
            List<List<String>> la = Csv.read(tables.resolve("letter_accuracy.csv"));
            int iLetter = la.get(0).indexOf("letter"), iAcc = la.get(0).indexOf(opt.accuracyMeasure()), iSupport = la.get(0).indexOf("support");
            if (iAcc < 0) throw new UserError("--accuracy must be f1, recall or precision, not " + opt.accuracyMeasure());
            for (List<String> r : la.subList(1, la.size())) if (Long.parseLong(r.get(iSupport)) > 0) accuracy.put(r.get(iLetter), Double.parseDouble(r.get(iAcc)));
            Map<String, Double> freq = new LinkedHashMap<>();
            List<List<String>> lf = Csv.read(tables.resolve("letter_frequencies.csv"));
            for (List<String> r : lf.subList(1, lf.size())) freq.put(r.get(0), Double.parseDouble(r.get(2)));
            // pretrained per-letter purity and entropy, per layer
            List<List<String>> lc = Csv.read(tables.resolve("letter_clusters_pretrained.csv"));
            List<String> layers = new ArrayList<>();
            Map<String, Map<String, double[]>> byLayer = new LinkedHashMap<>();
            for (List<String> r : lc.subList(1, lc.size())) {
                if (!layers.contains(r.get(1))) layers.add(r.get(1));
                byLayer.computeIfAbsent(r.get(1), x -> new HashMap<>()).put(r.get(2), new double[] {Double.parseDouble(r.get(4)), Double.parseDouble(r.get(6))});
            }
            List<String> letters = new ArrayList<>();
            for (String l : accuracy.keySet()) {
                if (freq.getOrDefault(l, 0.0) > 0 && byLayer.values().stream().allMatch(m -> m.containsKey(l))) letters.add(l);
            }
            if (letters.size() < 4) {
                throw new UserError("only " + letters.size() + " letters have an accuracy, a training frequency and pretrained clusters: "
                        + "too few for the accuracy regression (a test set and more fine-tuning text help)");
            }
            double[] acc = new double[letters.size()], fr = new double[letters.size()];
            double[][] purity = new double[layers.size()][letters.size()], entropy = new double[layers.size()][letters.size()];
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < letters.size(); i++) {
                String l = letters.get(i);
                acc[i] = accuracy.get(l);
                fr[i] = freq.get(l);
                List<Double> pu = new ArrayList<>(), en = new ArrayList<>();
                for (int j = 0; j < layers.size(); j++) {
                    double[] pe = byLayer.get(layers.get(j)).get(l);
                    purity[j][i] = pe[0];
                    entropy[j][i] = pe[1];
                    pu.add(pe[0]);
                    en.add(pe[1]);
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("letter", l);
                row.put("accuracy", acc[i]);
                row.put("training_frequency", fr[i]);
                row.put("purity", pu);
                row.put("entropy", en);
                rows.add(row);
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("accuracy_measure", opt.accuracyMeasure());
            t.put("layers", layers);
            t.put("letters", rows);
            Json.write(table, t);
            wavlens.analysis.predict.LetterTable lt = new wavlens.analysis.predict.LetterTable(opt.accuracyMeasure(), letters, acc, fr, purity, entropy);
            AccuracyRegression.Settings settings = new AccuracyRegression.Settings(AccuracyRegression.ClusterMeasure.PURITY, 2000, opt.seed(), 0.95);
            AccuracyRegression.Analysis a = AccuracyRegression.analyze(lt, settings);
            AccuracyRegression.writeJson(json, a);
            AccuracyRegression.writeCsv(csv, a);
            AccuracyFit.of("analyze", a, a.best(), measurement(layers.get(a.best().layer()))).write(fit);
        }));
    }

    /**
     * How the pretrained letter statistics at one layer were measured (extract, clusters): what
     * `wavlens rank` repeats for a candidate model. k is the number of clusters actually used there.
     */
    private AccuracyFit.Measurement measurement(String layer) {
        List<List<String>> m = Csv.read(tables.resolve("cluster_metrics_pretrained.csv"));
        int iLayer = m.get(0).indexOf("layer"), iK = m.get(0).indexOf("k");
        int k = -1;
        for (List<String> r : m.subList(1, m.size())) if (r.get(iLayer).equals(layer)) k = Integer.parseInt(r.get(iK));
        FeatureStore s = FeatureStore.open(store("pretrained"));
        KMeans.Options km = KMeans.Options.of(Math.max(k, 1));
        return new AccuracyFit.Measurement(layer, s.labels(), k, opt.spherical(), opt.restarts(), km.maxIter(), km.tol(), opt.seed(),
                opt.excludeSilence(), opt.maxFrames(), opt.seed(), "all", s.json().path("parameters").path("tier").asText("letters|phones|words"));
    }

    // ------------------------------------------------------------------ 7. clusters as a recogniser

    /**
     * How close the pretrained model already is to an ASR: every frame of each test utterance goes
     * to its nearest pretrained centroid, the cluster's majority letter (from the clustered frames)
     * stands for it, repeats collapse, silence and unknown drop out, and the letter string is
     * scored with CER against the transcript — both without spaces, since clusters of word
     * boundaries are rarely separate.
     */
    private void clusterRecognizer(Corpus corpus) {
        ObjectNode p = params("clusters-pretrained", "extract-pretrained-test");
        Path out = tables.resolve("cluster_recognizer.csv");
        fingerprints.put("recognizer", stages.run("recognizer", p, List.of(out), () -> {
            FeatureStore train = FeatureStore.open(store("pretrained")), test = FeatureStore.open(testStore());
            FeatureStore.Rows rows = train.frames(), testRows = test.frames();
            int[] labelIds = rows.ints("label_id");
            boolean[] keep = analysed(train, labelIds);
            int[] labels = select(labelIds, keep);
            List<String> inventory = train.labels();
            Map<String, String> transcripts = new HashMap<>();
            for (Utterance u : corpus.utterances()) if (u.transcript() != null) transcripts.put(u.id(), spelled(u.transcript()).replace(" ", ""));
            String[] uttOf = testRows.strings("utt");
            List<List<?>> result = new ArrayList<>();
            for (int layer : layerOrder(rows)) {
                int[] assign = Npy.read(cache.resolve("clusters").resolve("pretrained_" + layerName(layer) + "_assignments.npy")).ints();
                Npy.Array cen = Npy.read(cache.resolve("clusters").resolve("pretrained_" + layerName(layer) + "_centroids.npy"));
                int k = cen.shape()[0], d = cen.shape()[1];
                String[] majority = majorityLabel(labels, assign, k, inventory);
                float[] x = testRows.layer(layer);
                int[] nearest = nearestCentroid(x, testRows.size(), d, cen.asFloats(), k, opt.spherical());
                AsrScores scores = new AsrScores();
                StringBuilder hyp = new StringBuilder();
                String prevLetter = null;
                for (int r = 0; r <= uttOf.length; r++) {
                    if (r == uttOf.length || (r > 0 && !uttOf[r].equals(uttOf[r - 1]))) {
                        String ref = transcripts.get(uttOf[r - 1]);
                        if (ref != null && !ref.isEmpty()) scores.add(ref, hyp.toString());
                        hyp.setLength(0);
                        prevLetter = null;
                        if (r == uttOf.length) break;
                    }
                    String l = majority[nearest[r]];
                    if (!l.equals(prevLetter) && isLetter(l)) hyp.append(l);
                    prevLetter = l;
                }
                result.add(List.of("pretrained", layerName(layer), scores.cer(), scores.utterances()));
            }
            Csv.write(out, List.of("model", "layer", "cer", "utterances"), result);
        }));
    }

    static String[] majorityLabel(int[] labels, int[] assign, int k, List<String> inventory) {
        Map<Integer, Map<Integer, Integer>> counts = new HashMap<>();
        for (int i = 0; i < labels.length; i++) counts.computeIfAbsent(assign[i], c -> new HashMap<>()).merge(labels[i], 1, Integer::sum);
        String[] out = new String[k];
        for (int c = 0; c < k; c++) {
            Map<Integer, Integer> m = counts.get(c);
            if (m == null) {
                out[c] = "<sil>";
                continue;
            }
            int best = -1, bestCount = -1;
            for (var e : new java.util.TreeMap<>(m).entrySet()) if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
            out[c] = inventory.get(best);
        }
        return out;
    }

    static int[] nearestCentroid(float[] x, int n, int d, float[] c, int k, boolean spherical) {
        float[] dots = new float[n * k];
        wavlens.tensor.Blas.sgemm(false, true, n, k, d, 1f, x, 0, d, c, 0, d, 0f, dots, 0, k);
        double[] cNorm = new double[k];
        for (int j = 0; j < k; j++) for (int f = 0; f < d; f++) cNorm[j] += (double) c[j * d + f] * c[j * d + f];
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                // spherical: max cosine (centroids are unit length); Euclidean: max 2x·c − ‖c‖²
                double s = spherical ? dots[i * k + j] : 2.0 * dots[i * k + j] - cNorm[j];
                if (s > best) {
                    best = s;
                    out[i] = j;
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ 8. 2-D maps

    /** The rows drawn on the maps: a seeded subsample of the analysed rows, the same for every layer and both models. */
    int[] mapRows(FeatureStore s) {
        FeatureStore.Rows rows = s.frames();
        boolean[] keep = analysed(s, rows.ints("label_id"));
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < keep.length; i++) if (keep[i]) idx.add(i);
        java.util.Collections.shuffle(idx, new java.util.Random(opt.seed()));
        List<Integer> chosen = new ArrayList<>(idx.subList(0, Math.min(opt.mapPoints(), idx.size())));
        java.util.Collections.sort(chosen);
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    private void projections(String model) {
        String stage = "maps-" + model;
        ObjectNode p = params("extract-" + model);
        p.put("method", opt.projection());
        p.put("points", opt.mapPoints());
        p.put("seed", opt.seed());
        Path out = tables.resolve("maps_" + model + ".csv");
        fingerprints.put(stage, stages.run(stage, p, List.of(out, tables.resolve("map_rows.csv")), () -> {
            FeatureStore s = FeatureStore.open(store(model));
            FeatureStore.Rows rows = s.frames();
            int[] chosen = mapRows(s);
            List<List<?>> chosenRows = new ArrayList<>();
            for (int r : chosen) chosenRows.add(List.of(r));
            Csv.write(tables.resolve("map_rows.csv"), List.of("row"), chosenRows);
            List<List<?>> quality = new ArrayList<>();
            for (int layer : layerOrder(rows)) {
                int d = rows.dim(layer);
                float[] all = rows.layer(layer);
                int n = chosen.length;
                float[] x = new float[n * d];
                for (int i = 0; i < n; i++) System.arraycopy(all, chosen[i] * d, x, i * d, d);
                long t0 = System.nanoTime();
                double[] y = switch (opt.projection()) {
                    case "pca" -> Pca.fit(x, n, d, 2).scores();
                    case "tsne" -> Tsne.embed(x, n, d, Tsne.Options.defaults().withSeed(opt.seed()));
                    case "umap" -> Umap.embed(x, n, d, Umap.Options.defaults().withSeed(opt.seed()));
                    default -> throw new UserError("--projection must be pca, tsne or umap, not " + opt.projection());
                };
                double seconds = (System.nanoTime() - t0) / 1e9;
                float[] yf = new float[y.length];
                for (int i = 0; i < y.length; i++) yf[i] = (float) y[i];
                Npy.writeFloats(cache.resolve("maps").resolve(model + "_" + layerName(layer) + ".npy"), yf, n, 2);
                Trustworthiness.Result tw = Trustworthiness.compute(x, d, y, 2, 10, opt.seed());
                quality.add(List.of(model, layerName(layer), opt.projection(), n, tw.value(), seconds));
            }
            Csv.write(out, List.of("model", "layer", "method", "points", "trustworthiness_k10", "seconds"), quality);
        }));
    }

    /** Small helper so progress lines look the same everywhere. */
    static final class Stage {
        static void announce(String what) {
            if (!wavlens.io.Progress.quiet()) System.err.println("analyze: " + what);
        }
    }
}
