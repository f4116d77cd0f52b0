package wavlens.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wavlens.analysis.ClusterLabelMetrics;
import wavlens.analysis.Contingency;
import wavlens.analysis.KMeans;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Progress;
import wavlens.model.Wav2Vec2;
import wavlens.store.Extractor;
import wavlens.store.FeatureStore;

/**
 * How well the pretrained model's clusters single out each letter, per layer: the same
 * measurement as `wavlens analyze` (letter_clusters_pretrained.csv) with its defaults — frames
 * labelled from the corpus's letter alignments by {@link Extractor} (at most maxFrames per label,
 * all splits), spherical k-means with k = the number of labels (3 restarts) on every layer, and
 * per-letter purity and entropy from {@link ClusterLabelMetrics#perLabel}. Unknown and blank
 * frames are left out, silence stays in, as analyze does without --exclude-silence.
 *
 * <p>Computed once per experiment: the result is cached with its parameters and reused.
 */
final class PretrainedClusters {
    static final int RESTARTS = 3;

    /** layers in HF order ("cnn" = extract_features, then hidden_states indices); letter → value per layer. */
    record Result(List<String> layers, Map<String, double[]> purity, Map<String, double[]> entropy) {}

    private PretrainedClusters() {}

    static Result compute(Path pretrained, Path corpus, Path cache, Path csv, int maxFrames, int k, long seed) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("pretrained", pretrained.toAbsolutePath().normalize().toString());
        params.put("corpus", corpus.toAbsolutePath().normalize().toString());
        params.put("max_frames", maxFrames);
        params.put("k", k);
        params.put("seed", seed);
        params.put("restarts", RESTARTS);
        Path record = cache.resolve("clusters.json");
        if (Files.exists(csv) && Files.exists(record) && Json.oneLine(Json.read(record)).equals(Json.oneLine(Json.MAPPER.valueToTree(params)))) {
            return read(csv);
        }
        // a store per budget and seed, so changing --max-frames neither clashes with nor destroys the old one
        Path store = cache.resolve("store-pretrained-f" + maxFrames + "-s" + seed);
        try (Wav2Vec2 m = Wav2Vec2.load(pretrained)) {
            Extractor.Summary s = new Extractor(new Extractor.Options(pretrained, corpus, store, "all", maxFrames, Extractor.Pool.FRAME, false, null,
                    seed, false, false, false, 0, null, null)).run(m);
            if (!s.complete()) throw new IllegalStateException("extraction of the pretrained model did not complete");
        }
        FeatureStore fs = FeatureStore.open(store);
        FeatureStore.Rows rows = fs.frames();
        List<String> inventory = fs.labels();
        int[] labelIds = rows.ints("label_id");
        boolean[] keep = new boolean[labelIds.length];
        int n = 0;
        for (int i = 0; i < keep.length; i++) {
            String l = inventory.get(labelIds[i]);
            keep[i] = !l.equals("<unk>") && !l.equals("<blank>");
            if (keep[i]) n++;
        }
        int[] labels = new int[n];
        for (int i = 0, j = 0; i < keep.length; i++) if (keep[i]) labels[j++] = labelIds[i];
        int clusters = k > 0 ? k : (int) java.util.Arrays.stream(labels).distinct().count();
        List<Integer> layers = new ArrayList<>();
        for (int l = -1; l < 200; l++) if (rows.hasLayer(l)) layers.add(l);
        List<List<?>> out = new ArrayList<>();
        try (Progress bar = Progress.start("clustering pretrained layers", layers.size(), "layer")) {
            for (int layer : layers) {
                int d = rows.dim(layer);
                float[] all = rows.layer(layer), x = new float[n * d];
                for (int i = 0, j = 0; i < keep.length; i++) if (keep[i]) System.arraycopy(all, i * d, x, (j++) * d, d);
                KMeans.Result km = KMeans.fit(x, n, d, KMeans.Options.of(Math.min(clusters, n)).withSeed(seed).withRestarts(RESTARTS).withSpherical(true));
                ClusterLabelMetrics.PerLabel pl = ClusterLabelMetrics.perLabel(Contingency.of(labels, km.assignments()));
                String name = layer < 0 ? "cnn" : Integer.toString(layer);
                for (int i = 0; i < pl.labelIds().length; i++) {
                    out.add(List.of("pretrained", name, inventory.get((int) pl.labelIds()[i]), pl.sizes()[i], pl.purity()[i], pl.entropyNats()[i],
                            pl.entropyNormalized()[i], pl.majorityCluster()[i]));
                }
                bar.step();
            }
        }
        Csv.write(csv, List.of("model", "layer", "label", "frames", "purity", "entropy_nats", "entropy_normalized", "majority_cluster"), out);
        Json.write(record, params);
        return read(csv);
    }

    /** How {@link #compute} measured the purity at one layer, for the experiment's fit.json (k = the clusters it used). */
    static wavlens.analysis.predict.AccuracyFit.Measurement measurement(Path cache, int maxFrames, int k, long seed, String layer) {
        FeatureStore fs = FeatureStore.open(cache.resolve("store-pretrained-f" + maxFrames + "-s" + seed));
        List<String> inventory = fs.labels();
        int[] labelIds = fs.frames().ints("label_id");
        java.util.Set<Integer> distinct = new java.util.HashSet<>();
        int n = 0;
        for (int id : labelIds) {
            String l = inventory.get(id);
            if (l.equals("<unk>") || l.equals("<blank>")) continue;
            distinct.add(id);
            n++;
        }
        int clusters = Math.min(k > 0 ? k : distinct.size(), n);
        KMeans.Options km = KMeans.Options.of(clusters);
        return new wavlens.analysis.predict.AccuracyFit.Measurement(layer, inventory, clusters, true, RESTARTS, km.maxIter(), km.tol(), seed,
                false, maxFrames, seed, "all", fs.json().path("parameters").path("tier").asText("letters|phones|words"));
    }

    /** A letter_clusters CSV (this class's or analyze's) as per-letter arrays over its layers. */
    static Result read(Path csv) {
        List<List<String>> rows = Csv.read(csv);
        List<String> h = rows.get(0);
        int iLayer = h.indexOf("layer"), iLabel = h.indexOf("label"), iPurity = h.indexOf("purity"), iEntropy = h.indexOf("entropy_normalized");
        List<String> layers = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) if (!layers.contains(r.get(iLayer))) layers.add(r.get(iLayer));
        Map<String, double[]> purity = new LinkedHashMap<>(), entropy = new LinkedHashMap<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            int j = layers.indexOf(r.get(iLayer));
            purity.computeIfAbsent(r.get(iLabel), x -> nans(layers.size()))[j] = Double.parseDouble(r.get(iPurity));
            entropy.computeIfAbsent(r.get(iLabel), x -> nans(layers.size()))[j] = Double.parseDouble(r.get(iEntropy));
        }
        return new Result(List.copyOf(layers), purity, entropy);
    }

    private static double[] nans(int n) {
        double[] v = new double[n];
        java.util.Arrays.fill(v, Double.NaN);
        return v;
    }
}
