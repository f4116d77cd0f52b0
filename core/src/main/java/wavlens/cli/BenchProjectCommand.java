package wavlens.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.projection.GaussianMixture;
import wavlens.projection.NeighbourLabels;
import wavlens.projection.Pca;
import wavlens.projection.Trustworthiness;
import wavlens.projection.Tsne;
import wavlens.projection.Umap;

/**
 * {@code wavlens bench project}: seeded Gaussian-mixture sets (10 clusters in 50-D, centres
 * N(0, 1) per axis, cluster spreads 0.5–2, so clusters overlap) — 3,000 points for quality
 * (PCA, t-SNE, UMAP), 10,000 and 30,000 for t-SNE speed. Prints seconds, trustworthiness (k = 10)
 * and kNN label agreement; writes the sets and the results to --out-dir so
 * bench/sklearn_tsne.py can run scikit-learn's TSNE on exactly the same data.
 */
@Command(name = "project", mixinStandardHelpOptions = true,
        description = "Benchmark 2-D projections (PCA, t-SNE, UMAP) on seeded Gaussian mixtures.")
public final class BenchProjectCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print one JSON document instead of the table")
    boolean json;

    @Option(names = "--out-dir", defaultValue = "bench-project", description = "where the data sets and java_results.json go; default ${DEFAULT-VALUE}")
    Path outDir;

    @Option(names = "--speed-sizes", split = ",", defaultValue = "10000,30000", description = "t-SNE speed set sizes; default ${DEFAULT-VALUE}")
    int[] speedSizes;

    @Option(names = "--quality-size", defaultValue = "3000", description = "quality set size; default ${DEFAULT-VALUE}")
    int qualitySize;

    static final int D = 50, CLUSTERS = 10, K = 10;
    static final double SEPARATION = 1.0;

    @Override
    public Integer call() throws Exception {
        if (qualitySize < 100) throw new UserError("--quality-size must be at least 100, got " + qualitySize);
        for (int s : speedSizes) if (s < 100) throw new UserError("--speed-sizes must all be at least 100, got " + s);
        Files.createDirectories(outDir);
        List<Map<String, Object>> rows = new ArrayList<>();

        String qualityName = "quality_" + qualitySize + "x" + D;
        GaussianMixture.Data quality = GaussianMixture.generate(qualitySize, D, CLUSTERS, SEPARATION, 1);
        save(quality, qualityName);
        for (String method : new String[] {"pca", "tsne", "umap"}) rows.add(run(qualityName, quality, method, outDir));

        for (int size : speedSizes) {
            String name = "speed_" + size + "x" + D;
            GaussianMixture.Data data = GaussianMixture.generate(size, D, CLUSTERS, SEPARATION, 2);
            save(data, name);
            rows.add(run(name, data, "tsne", outDir));
        }

        Map<String, Object> document = new LinkedHashMap<>();
        document.put("cores", Runtime.getRuntime().availableProcessors());
        document.put("data", "Gaussian mixture: " + CLUSTERS + " clusters in " + D + "-D, centres N(0, " + SEPARATION + "²), spreads 0.5–2");
        document.put("runs", rows);
        Json.write(outDir.resolve("java_results.json"), document);
        if (json) {
            System.out.println(Json.oneLine(document));
        } else {
            System.out.printf("%-20s %-5s %8s %9s %16s %16s%n", "set", "method", "n", "seconds", "trustworthiness", "label agreement");
            for (Map<String, Object> r : rows)
                System.out.printf(Locale.ROOT, "%-20s %-5s %8d %9.2f %16.4f %16.4f%s%n", r.get("set"), r.get("method"), (Integer) r.get("n"),
                        (Double) r.get("seconds"), (Double) r.get("trustworthiness"), (Double) r.get("label_agreement"),
                        r.get("trustworthiness_sampled_queries") != null ? "  (trustworthiness on " + r.get("trustworthiness_sampled_queries") + " sampled points)" : "");
            System.out.println("data and results in " + outDir + "; compare with: /usr/bin/python3 bench/sklearn_tsne.py " + outDir);
        }
        return 0;
    }

    private void save(GaussianMixture.Data data, String name) {
        Npy.writeFloats(outDir.resolve(name + ".npy"), data.x(), data.n(), data.d());
        Npy.writeInts(outDir.resolve(name + "_labels.npy"), data.labels(), data.n());
    }

    /** Runs one method on one set, saves the embedding as SET_METHOD_java.npy, returns the result row. */
    private static Map<String, Object> run(String set, GaussianMixture.Data data, String method, Path outDir) {
        int n = data.n();
        long start = System.nanoTime();
        double[] y = switch (method) {
            case "pca" -> Pca.fit(data.x(), n, data.d(), 2).scores();
            case "tsne" -> Tsne.embed(data.x(), n, data.d(), Tsne.Options.defaults());
            default -> Umap.embed(data.x(), n, data.d(), Umap.Options.defaults());
        };
        double seconds = (System.nanoTime() - start) / 1e9;
        float[] coordinates = new float[2 * n];
        for (int i = 0; i < 2 * n; i++) coordinates[i] = (float) y[i];
        Npy.writeFloats(outDir.resolve(set + "_" + method + "_java.npy"), coordinates, n, 2);
        Trustworthiness.Result t = Trustworthiness.compute(data.x(), data.d(), y, 2, K, 0);
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) labels[i] = data.labels()[i];
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("set", set);
        row.put("method", method);
        row.put("n", n);
        row.put("seconds", seconds);
        row.put("trustworthiness", t.value());
        row.put("trustworthiness_sampled_queries", t.sampled() ? t.queries() : null);
        row.put("label_agreement", NeighbourLabels.agreement(y, 2, labels, K));
        return row;
    }
}
