package wavlens.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.Cka;
import wavlens.analysis.ClusterLabelMetrics;
import wavlens.analysis.Contingency;
import wavlens.analysis.KMeans;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.tensor.Blas;

/**
 * wavlens bench analysis: times the analysis building blocks at the sizes of the project's
 * performance anchor — k-means on 100,000 × 768 float32 (k = 100, k-means++, 100 Lloyd iterations,
 * tol 0), linear CKA of two 50,000 × 768 float32 matrices, NMI and AMI of 1,000,000 labels
 * (30 labels × 100 clusters). With --data DIR the synthetic inputs and the timings are written there,
 * so bench/sklearn_analysis.py can run scikit-learn/numpy on exactly the same data and print ratios.
 */
@Command(name = "analysis", mixinStandardHelpOptions = true, description = {
        "Times k-means (100k×768, k=100, 100 iterations), CKA (two 50k×768) and NMI/AMI (1e6 items) on seeded synthetic data.",
        "--data DIR keeps the inputs (.npy) and results (wavlens_results.json) for bench/sklearn_analysis.py."})
public final class BenchAnalysisCommand implements Callable<Integer> {
    @Option(names = "--data", description = "folder for the generated inputs and wavlens_results.json (default: not kept)")
    Path data;

    @Option(names = "--scale", defaultValue = "1.0", description = "multiply every problem size (rows, items) by this (default ${DEFAULT-VALUE})")
    double scale;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the synthetic data and of k-means")
    long seed;

    @Option(names = "--only", description = "run one part: kmeans, cka or labels (default: all)")
    String only;

    @Option(names = "--kmeans-seeds", defaultValue = "1", description = "k-means runs with seeds 0 … N−1 on the same data, for inertia against sklearn's per seed (default ${DEFAULT-VALUE})")
    int kmeansSeeds;

    @Option(names = "--json", description = "last line: one JSON object")
    boolean json;

    static final int DIM = 768, K = 100, ITERATIONS = 100, MIXTURE = 100, LABELS = 30, CLUSTERS = 100;

    @Override
    public Integer call() throws IOException {
        if (!(scale > 0 && scale <= 10)) throw new UserError("--scale must be in (0, 10]");
        if (only != null && !java.util.List.of("kmeans", "cka", "labels").contains(only)) throw new UserError("--only must be kmeans, cka or labels");
        int kmeansRows = Math.max(K, (int) (100_000 * scale));
        int ckaRows = Math.max(8, (int) (50_000 * scale));
        int items = Math.max(1000, (int) (1_000_000 * scale));
        if (data != null) Files.createDirectories(data);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("blas", Blas.available() ? "openblas" : "java fallback: " + Blas.problem());
        results.put("threads", Runtime.getRuntime().availableProcessors());

        if (only == null || only.equals("kmeans")) kmeans(kmeansRows, results);
        if (only == null || only.equals("cka")) cka(ckaRows, results);
        if (only == null || only.equals("labels")) labels(items, results);

        results.put("peak_rss_mb", peakRssMb());
        if (data != null) {
            Json.write(data.resolve("wavlens_results.json"), results);
            System.out.println("inputs and results in " + data + " — compare: python3 bench/sklearn_analysis.py " + data);
        }
        if (json) System.out.println(Json.oneLine(results));
        return 0;
    }

    private void kmeans(int kmeansRows, Map<String, Object> results) {
        if (kmeansSeeds < 1 || kmeansSeeds > 20) throw new UserError("--kmeans-seeds must be in 1..20");
        float[] x = gaussianMixture(kmeansRows, DIM, MIXTURE, seed);
        if (data != null) Npy.writeFloats(data.resolve("kmeans_X.npy"), x, kmeansRows, DIM);
        warmUp();
        java.util.List<Double> inertias = new java.util.ArrayList<>(), seconds = new java.util.ArrayList<>();
        for (int s = 0; s < kmeansSeeds; s++) {
            KMeans.Options options = new KMeans.Options(K, s, 1, ITERATIONS, 0.0, false, 0);
            long t0 = System.nanoTime();
            KMeans.Result km = KMeans.fit(x, kmeansRows, DIM, options);
            double kmSeconds = seconds(t0);
            inertias.add(km.inertia());
            seconds.add(kmSeconds);
            if (s == 0) {
                results.put("kmeans_n", kmeansRows);
                results.put("kmeans_d", DIM);
                results.put("kmeans_k", K);
                results.put("kmeans_seconds", kmSeconds);
                results.put("kmeans_seeding_seconds", km.seedingSeconds());
                results.put("kmeans_iterations", km.iterations());
                results.put("kmeans_seconds_per_iteration", (kmSeconds - km.seedingSeconds()) / km.iterations());
                results.put("kmeans_inertia", km.inertia());
            }
            System.out.printf("k-means %d×%d k=%d seed %d: %.2f s (seeding %.2f s, %d iterations, %.3f s each), inertia %.9g%n",
                    kmeansRows, DIM, K, s, kmSeconds, km.seedingSeconds(), km.iterations(),
                    (kmSeconds - km.seedingSeconds()) / km.iterations(), km.inertia());
        }
        results.put("kmeans_seed_inertias", inertias);
        results.put("kmeans_seed_seconds", seconds);
    }

    private void cka(int ckaRows, Map<String, Object> results) {
        SplittableRandom r = new SplittableRandom(seed + 1);
        float[] a = new float[ckaRows * DIM], b = new float[ckaRows * DIM];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() + 0.5);
        // B: a mixed copy of A plus noise, so CKA is neither ~0 nor ~1.
        for (int t = 0; t < ckaRows; t++) {
            for (int f = 0; f < DIM; f++) {
                b[t * DIM + f] = 0.7f * a[t * DIM + (f * 7 + 3) % DIM] - 0.3f * a[t * DIM + (f * 13 + 1) % DIM] + (float) r.nextGaussian();
            }
        }
        if (data != null) {
            Npy.writeFloats(data.resolve("cka_A.npy"), a, ckaRows, DIM);
            Npy.writeFloats(data.resolve("cka_B.npy"), b, ckaRows, DIM);
        }
        // The kernel as `wavlens cka` runs it on big float32 files: one streamed pass over native
        // (there: memory-mapped) rows.
        Cka.Result cka;
        double ckaSeconds;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            java.lang.foreign.MemorySegment sa = arena.allocate(4L * a.length, 64), sb = arena.allocate(4L * b.length, 64);
            java.lang.foreign.MemorySegment.copy(a, 0, sa, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, a.length);
            java.lang.foreign.MemorySegment.copy(b, 0, sb, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, b.length);
            a = b = null;
            long t0 = System.nanoTime();
            cka = Cka.linearStreamed(sa, DIM, sb, DIM, ckaRows);
            ckaSeconds = seconds(t0);
        }
        results.put("cka_n", ckaRows);
        results.put("cka_seconds", ckaSeconds);
        results.put("cka", cka.cka());
        results.put("cka_debiased", cka.ckaDebiased());
        System.out.printf("CKA %d×%d vs %d×%d: %.2f s, CKA %.6f, debiased %.6f%n", ckaRows, DIM, ckaRows, DIM, ckaSeconds, cka.cka(), cka.ckaDebiased());
    }

    /** 30 labels with Zipf-like frequencies; each label mostly lands in 3 clusters of its own. */
    private void labels(int items, Map<String, Object> results) {
        SplittableRandom r = new SplittableRandom(seed + 2);
        int[] labels = new int[items], clusters = new int[items];
        for (int t = 0; t < items; t++) {
            labels[t] = (int) Math.min(LABELS - 1, Math.floor(Math.pow(r.nextDouble(), 2) * LABELS));
            clusters[t] = r.nextDouble() < 0.6 ? (labels[t] * 3 + r.nextInt(3)) % CLUSTERS : r.nextInt(CLUSTERS);
        }
        if (data != null) {
            Npy.writeInts(data.resolve("labels.npy"), labels, items);
            Npy.writeInts(data.resolve("clusters.npy"), clusters, items);
        }
        long[] l = toLongs(labels), c = toLongs(clusters);
        long t0 = System.nanoTime();
        double nmi = ClusterLabelMetrics.nmi(Contingency.of(l, c), ClusterLabelMetrics.Mean.ARITHMETIC);
        double nmiSeconds = seconds(t0);
        t0 = System.nanoTime();
        double ami = ClusterLabelMetrics.ami(Contingency.of(l, c), ClusterLabelMetrics.Mean.ARITHMETIC);
        double amiSeconds = seconds(t0);
        results.put("labels_n", items);
        results.put("nmi_seconds", nmiSeconds);
        results.put("ami_seconds", amiSeconds);
        results.put("nmi", nmi);
        results.put("ami", ami);
        System.out.printf("NMI on %d items: %.3f s (%.6f); AMI: %.3f s (%.6f)%n", items, nmiSeconds, nmi, amiSeconds, ami);
    }

    /**
     * n points from a mixture of `components` spherical Gaussians in d dimensions: centres ~ N(0, 0.2²)
     * per coordinate, unit noise — overlapping clusters, so Lloyd keeps moving points for many iterations.
     */
    static float[] gaussianMixture(int n, int d, int components, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] centres = new float[components * d];
        for (int i = 0; i < centres.length; i++) centres[i] = (float) (0.2 * r.nextGaussian());
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(components);
            for (int f = 0; f < d; f++) x[i * d + f] = centres[c * d + f] + (float) r.nextGaussian();
        }
        return x;
    }

    /** A small run so the JIT has compiled the k-means loops before the timed run. */
    private static void warmUp() {
        float[] small = gaussianMixture(4000, 64, 10, 99);
        KMeans.fit(small, 4000, 64, new KMeans.Options(10, 0, 1, 10, 0.0, false, 0));
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long[] toLongs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    /** Peak resident memory of this process (VmHWM on Linux), or -1 elsewhere. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
