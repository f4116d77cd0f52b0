package wavlens.analysis.predict;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import wavlens.analysis.ClusterLabelMetrics;
import wavlens.analysis.Contingency;
import wavlens.analysis.KMeans;
import wavlens.io.Json;
import wavlens.io.UserError;
import wavlens.model.Wav2Vec2;
import wavlens.model.Wav2Vec2Config;
import wavlens.store.Extractor;
import wavlens.store.FeatureStore;

/**
 * One pretrained model's per-letter cluster statistics, measured exactly as a fit's
 * {@link AccuracyFit.Measurement} says (the same extraction, frame budget and seed, the same layer,
 * the same k-means settings and k), so that they can go into the fit's prediction. `wavlens
 * letter-stats` writes them (M.json, the `rank --models` input); `wavlens rank --candidate`
 * computes them itself. Both go through a cache: CACHE/letter-stats/NAME-FINGERPRINT/ holds the
 * feature store (resumable) and stats.json, keyed by the model folder's identity (path, file sizes
 * and times), the corpus and the measurement, so a rerun recomputes nothing.
 *
 * <p>M.json:
 * <pre>
 * {
 *   "format": "wavlens-letter-stats/1",
 *   "model": "demo:pretrained",                   // the name shown in rankings
 *   "model_dir": "/abs/path", "corpus": "/abs/path",
 *   "measurement": {...},                         // the fit's measurement, as in FIT.json
 *   "frames": 8123,                               // frames clustered
 *   "letters": {"a": {"frames": 300, "purity": 0.41, "entropy": 0.62}, ...}   // entropy normalised to [0, 1]
 * }
 * </pre>
 */
public final class LetterStats {
    public static final String FORMAT = "wavlens-letter-stats/1";

    /** letters: label → {frames, purity, normalised entropy}, every label of the inventory that was clustered. */
    public record Result(String model, Path modelDir, Path corpus, AccuracyFit.Measurement measurement, int frames,
                         Map<String, double[]> letters, boolean reused) {

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("format", FORMAT);
            m.put("model", model);
            m.put("model_dir", modelDir.toAbsolutePath().normalize().toString());
            m.put("corpus", corpus.toAbsolutePath().normalize().toString());
            m.put("measurement", measurement.toMap());
            m.put("frames", frames);
            Map<String, Object> letterMap = new LinkedHashMap<>();
            for (var e : letters.entrySet()) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("frames", (long) e.getValue()[0]);
                v.put("purity", e.getValue()[1]);
                v.put("entropy", e.getValue()[2]);
                letterMap.put(e.getKey(), v);
            }
            m.put("letters", letterMap);
            return m;
        }

        /** The values of the fit's cluster measure, as the ranking reads them. */
        public ModelRanking.ModelStats stats(String clusterMeasure, Path file) {
            int column = clusterMeasure.equals("purity") ? 1 : 2;
            Map<String, Double> values = new LinkedHashMap<>();
            for (var e : letters.entrySet()) values.put(e.getKey(), e.getValue()[column]);
            return new ModelRanking.ModelStats(model, file, values);
        }
    }

    private LetterStats() {}

    /** Computes (or reuses from the cache) the model's statistics on the corpus as the fit measured them. */
    public static Result compute(String name, Path modelDir, Path corpus, AccuracyFit fit, Path cacheRoot) {
        AccuracyFit.Measurement m = fit.measurement();
        Wav2Vec2Config config = Wav2Vec2Config.read(modelDir.resolve("config.json"));
        int layer = m.layerIndex();
        if (layer > config.numLayers()) {
            throw UserError.inFile(modelDir, "has hidden states 0.." + config.numLayers() + " (" + config.numLayers()
                    + " transformer layers), but the fit's statistics are of layer " + layer + ": this fit cannot rank it");
        }
        if (layer < 0 && !config.modelType().equals("wav2vec2")) {
            throw UserError.inFile(modelDir, "is a " + config.modelType() + " model without extract_features, the fit's layer (cnn)");
        }
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("model", folderIdentity(modelDir));
        key.put("corpus", corpus.toAbsolutePath().normalize().toString());
        key.put("measurement", m.toMap());
        Path dir = cacheRoot.resolve("letter-stats").resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + fingerprint(key));
        Path statsFile = dir.resolve("stats.json");
        if (Files.isRegularFile(statsFile)) return read(statsFile, true);

        Path storeDir = dir.resolve("store");
        try (Wav2Vec2 model = Wav2Vec2.load(modelDir)) {
            // cnn (extract_features) is stored with any hidden-state selection; one layer keeps the store small
            String layers = Integer.toString(Math.max(layer, 0));
            String tier = m.tier().equals("letters|phones|words") ? null : m.tier();
            Extractor.Summary s = new Extractor(new Extractor.Options(modelDir, corpus, storeDir, layers, m.maxFrames(), Extractor.Pool.FRAME,
                    false, tier, m.extractionSeed(), false, false, false, 0, null, m.split().equals("all") ? null : m.split())).run(model);
            if (!s.complete()) throw new IllegalStateException("extraction of " + name + " did not complete");
        }
        FeatureStore store = FeatureStore.open(storeDir);
        List<String> inventory = store.labels();
        checkInventory(corpus, inventory, m.inventory());

        FeatureStore.Rows rows = store.frames();
        int[] labelIds = rows.ints("label_id");
        // the rows analyze clusters: not <unk>, not <blank>, not <sil> with exclude_silence
        boolean[] keep = new boolean[labelIds.length];
        int n = 0;
        for (int i = 0; i < keep.length; i++) {
            String l = inventory.get(labelIds[i]);
            keep[i] = !l.equals("<unk>") && !l.equals("<blank>") && !(m.excludeSilence() && l.equals("<sil>"));
            if (keep[i]) n++;
        }
        if (n == 0) throw UserError.inFile(corpus, "no labelled frames to cluster for " + name);
        int d = rows.dim(layer);
        float[] all = rows.layer(layer), x = new float[n * d];
        int[] labels = new int[n];
        for (int i = 0, j = 0; i < keep.length; i++) {
            if (!keep[i]) continue;
            System.arraycopy(all, i * d, x, j * d, d);
            labels[j++] = labelIds[i];
        }
        KMeans.Result km = KMeans.fit(x, n, d, KMeans.Options.of(Math.min(m.k(), n)).withSeed(m.seed()).withRestarts(m.restarts())
                .withSpherical(m.spherical()).withMaxIter(m.maxIter()).withTol(m.tol()));
        ClusterLabelMetrics.PerLabel pl = ClusterLabelMetrics.perLabel(Contingency.of(labels, km.assignments()));
        Map<String, double[]> letters = new LinkedHashMap<>();
        for (int i = 0; i < pl.labelIds().length; i++) {
            letters.put(inventory.get((int) pl.labelIds()[i]), new double[] {pl.sizes()[i], pl.purity()[i], pl.entropyNormalized()[i]});
        }
        Result r = new Result(name, modelDir, corpus, m, n, letters, false);
        Json.write(statsFile, r.toMap());
        return r;
    }

    /**
     * The corpus's labels must be among the fit's: statistics over another inventory (other labels,
     * another k) are not comparable. Labels of the fit the corpus lacks (rare letters, a subset) only
     * have no statistics, which a warning names.
     */
    static void checkInventory(Path corpus, List<String> found, List<String> fitted) {
        TreeSet<String> missing = new TreeSet<>(fitted), extra = new TreeSet<>(found);
        missing.removeAll(found);
        extra.removeAll(fitted);
        if (extra.isEmpty()) {
            if (!missing.isEmpty()) System.err.println("rank: warning: " + corpus + ": no frames of " + String.join(" ", missing)
                    + " (in the fit's inventory): no statistics for them");
            return;
        }
        StringBuilder sb = new StringBuilder("its labels are not the fit's letter inventory (");
        if (!missing.isEmpty()) sb.append("the fit has ").append(String.join(" ", missing)).append(", not here; ");
        sb.append("here ").append(String.join(" ", extra)).append(", not in the fit");
        sb.append("): use the corpus the fit was made on, or one with the same letters");
        throw UserError.inFile(corpus, sb.toString());
    }

    /** Reads M.json as {@link #compute} or `wavlens letter-stats` wrote it. */
    public static Result read(Path file, boolean reused) {
        JsonNode root = Json.read(file);
        if (!FORMAT.equals(root.path("format").asText())) throw UserError.inFile(file, "not a letter-statistics file (\"format\" must be \"" + FORMAT + "\")");
        AccuracyFit.Measurement m = AccuracyFit.Measurement.read(file, root.get("measurement"));
        JsonNode letters = root.get("letters");
        if (letters == null || !letters.isObject() || letters.isEmpty()) throw UserError.inFile(file, "needs a non-empty \"letters\" object");
        Map<String, double[]> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = letters.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode v = e.getValue();
            if (!v.path("purity").isNumber() || !v.path("entropy").isNumber())
                throw UserError.inFile(file, "letter \"" + e.getKey() + "\": \"purity\" and \"entropy\" must be numbers");
            values.put(e.getKey(), new double[] {v.path("frames").asDouble(), v.path("purity").asDouble(), v.path("entropy").asDouble()});
        }
        return new Result(root.path("model").asText(file.getFileName().toString()), Path.of(root.path("model_dir").asText(".")),
                Path.of(root.path("corpus").asText(".")), m, root.path("frames").asInt(), values, reused);
    }

    /** Refuses statistics measured otherwise than the fit says (another layer, k, budget, …), naming the first difference. */
    public static void checkMeasurement(Path file, AccuracyFit.Measurement stats, AccuracyFit fit) {
        Map<String, Object> a = stats.toMap(), b = fit.measurement().toMap();
        List<String> differ = new ArrayList<>();
        for (String k : b.keySet()) if (!Json.oneLine(a.get(k)).equals(Json.oneLine(b.get(k)))) differ.add(k);
        if (!differ.isEmpty()) {
            String k = differ.get(0);
            throw UserError.inFile(file, "measured otherwise than the fit: " + k + " " + Json.oneLine(a.get(k)) + " here, "
                    + Json.oneLine(b.get(k)) + " in the fit" + (differ.size() > 1 ? " (and " + String.join(", ", differ.subList(1, differ.size())) + ")" : "")
                    + "; recompute it with `wavlens letter-stats --fit`");
        }
    }

    /** A model folder's identity for caches: its path and the sizes and modification times of its files. */
    public static String folderIdentity(Path dir) {
        StringBuilder sb = new StringBuilder(dir.toAbsolutePath().normalize().toString());
        try (var s = Files.list(dir)) {
            s.sorted().forEach(f -> {
                try {
                    sb.append('|').append(f.getFileName()).append(':').append(Files.size(f)).append(':').append(Files.getLastModifiedTime(f).toMillis());
                } catch (IOException e) {
                    sb.append('|').append(f.getFileName());
                }
            });
        } catch (IOException e) {
            throw UserError.inFile(dir, "cannot list: " + e.getMessage());
        }
        return sb.toString();
    }

    static String fingerprint(Object key) {
        return Json.fingerprint(key, 8);
    }
}
