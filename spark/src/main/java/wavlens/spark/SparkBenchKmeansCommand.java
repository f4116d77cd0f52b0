package wavlens.spark;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.KMeans;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.store.StoreImport;
import wavlens.tensor.Blas;

/**
 * wavlens spark bench kmeans: the same clustered data (k Gaussian clusters, {@link GaussianClusters},
 * brought into a store by `store import`) clustered three ways in one run and one JVM — core's
 * single-machine KMeans, spark kmeans, and Spark MLlib's org.apache.spark.ml.clustering.KMeans — with
 * the same k, the same number of Lloyd iterations (tol 0) and each one's own seeding (core: greedy
 * k-means++ on all rows; spark kmeans: greedy k-means++ on a sample; MLlib: k-means||, its
 * default and the nearest it offers). Per method: load time (file → memory, cached), fit time,
 * per-iteration time, inertia and peak heap; ratios against core.
 */
@Command(name = "kmeans", mixinStandardHelpOptions = true, description = {
        "k-means on synthetic clustered data (default 1M × 768, k = 100, 10 iterations) with wavlens kmeans (one machine),",
        "spark kmeans and MLlib KMeans in one run: time (whole and per iteration), inertia and peak heap, as ratios."})
public final class SparkBenchKmeansCommand implements Callable<Integer> {
    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default ${DEFAULT-VALUE})")
    String master;

    @Option(names = "--rows", defaultValue = "1000000", description = "rows (default ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--dim", defaultValue = "768", description = "features per row (default ${DEFAULT-VALUE})")
    int dim;

    @Option(names = "--k", defaultValue = "100", description = "clusters, of the data and of k-means (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--iterations", defaultValue = "10", description = "Lloyd iterations, tol 0 (default ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the data and of every k-means")
    long seed;

    @Option(names = "--data", description = "folder for the synthetic store (default: a temporary folder, deleted afterwards)")
    Path data;

    @Option(names = "--skip-mllib", description = "leave MLlib out")
    boolean skipMllib;

    @Option(names = "--mllib-api", defaultValue = "rdd", description = "rdd: org.apache.spark.mllib.clustering.KMeans (RDD of vectors); "
            + "ml: org.apache.spark.ml.clustering.KMeans (DataFrame; on Spark 4.2 it first validates every value through an interpreted SQL expression, far slower than the clustering here) (default ${DEFAULT-VALUE})")
    String mllibApi;

    @Option(names = "--json", description = "last line: one JSON object")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (rows < k || k < 1 || dim < 1 || iterations < 1) throw new UserError("need rows ≥ k ≥ 1, dim ≥ 1, iterations ≥ 1");
        if (!mllibApi.equals("rdd") && !mllibApi.equals("ml")) throw new UserError("--mllib-api must be rdd or ml, not " + mllibApi);
        boolean temporary = data == null;
        Path dir = temporary ? Files.createTempDirectory("wavlens-bench-kmeans") : data;
        Map<String, Object> r = new LinkedHashMap<>();
        try {
            Path raw = dir.resolve("raw"), store = dir.resolve("store");
            long g0 = System.nanoTime();
            if (!Files.exists(store.resolve("store.json"))) {
                // Centre distance² ≈ 2·d·spread² = 36 against a noise of d·σ² per point: overlapping clusters, many Lloyd steps.
                GaussianClusters.write(raw, rows, dim, k, Math.sqrt(18.0 / dim), seed);
                StoreImport.run(raw.resolve("rows.csv"), Map.of(0, raw.resolve("X.npy")), "frames", store);
                deleteTree(raw);
            }
            Path layer = store.resolve("frames/layer_0.npy");
            Npy.Header h = Npy.header(layer);
            if (h.rows() != rows || h.cols() != dim) throw UserError.inFile(store, "holds " + h.rows() + " × " + h.cols() + ", not the asked " + rows + " × " + dim + "; use a new --data folder");
            r.put("rows", rows);
            r.put("dim", dim);
            r.put("k", k);
            r.put("iterations_asked", iterations);
            r.put("master", master);
            r.put("data_seconds", (System.nanoTime() - g0) / 1e9);
            r.put("blas", Blas.available() ? "openblas" : "java fallback: " + Blas.problem());
            r.put("threads", Runtime.getRuntime().availableProcessors());

            // 1. core, one machine: read the layer into memory, KMeans.fit.
            Peak.reset();
            long c0 = System.nanoTime();
            float[] x = Npy.read(layer).asFloats();
            double coreLoad = (System.nanoTime() - c0) / 1e9;
            long c1 = System.nanoTime();
            KMeans.Result core = KMeans.fit(x, rows, dim, new KMeans.Options(k, seed, 1, iterations, 0, false, 0));
            double coreFit = (System.nanoTime() - c1) / 1e9;
            put(r, "core", coreLoad, coreFit, core.seedingSeconds(), (coreFit - core.seedingSeconds()) / core.iterations(), core.iterations(), core.inertia(), Peak.heapMb());
            x = null;
            core = null;

            // 2 and 3 share one Spark context (its start-up is reported on its own).
            long s0 = System.nanoTime();
            Sessions.run(master, "wavlens spark bench kmeans", sc -> {
                r.put("spark_startup_seconds", (System.nanoTime() - s0) / 1e9);
                StoreSlices s = StoreSlices.open(store.toString());
                StoreSlices.LayerFiles files = s.layerFiles(0);
                List<StoreSlices.Slice> slices = StoreSlices.slices(files, SparkKmeansCommand.defaultRowsPerPartition(rows, dim, sc.defaultParallelism()));
                r.put("partitions", slices.size());

                Peak.reset();
                long t0 = System.nanoTime();
                DistributedKMeans.Result ours = DistributedKMeans.fit(sc, slices, rows, dim,
                        new DistributedKMeans.Options(k, seed, iterations, 0, false, Math.max(10_000, 100 * k)));
                double oursWhole = (System.nanoTime() - t0) / 1e9;
                double perIteration = 0;
                for (double v : ours.iterationSeconds()) perIteration += v;
                perIteration /= ours.iterations();
                put(r, "spark", ours.loadSeconds(), oursWhole - ours.loadSeconds(), ours.seedingSeconds(), perIteration, ours.iterations(), ours.inertia(), Peak.heapMb());

                if (!skipMllib) {
                    SparkSession session = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
                    int d = dim;   // a local: the executors' closure must not capture this command
                    Peak.reset();
                    if (mllibApi.equals("rdd")) {
                        // The RDD API: the engine ml.KMeans hands its data to (same k-means|| and Lloyd code). Not
                        // persisted here: MLlib then caches its own vectors with their norms.
                        JavaRDD<org.apache.spark.mllib.linalg.Vector> vectors = sc.parallelize(slices, slices.size()).flatMap(slice -> {
                            float[] v = Npy.readRows(Path.of(slice.file()), slice.localStart(), slice.rows());
                            List<org.apache.spark.mllib.linalg.Vector> out = new ArrayList<>(slice.rows());
                            for (int i = 0; i < slice.rows(); i++) {
                                double[] p = new double[d];
                                for (int f = 0; f < d; f++) p[f] = v[i * d + f];
                                out.add(org.apache.spark.mllib.linalg.Vectors.dense(p));
                            }
                            return out.iterator();
                        });
                        long m1 = System.nanoTime();
                        org.apache.spark.mllib.clustering.KMeansModel model = new org.apache.spark.mllib.clustering.KMeans().setK(k).setMaxIterations(iterations)
                                .setEpsilon(0).setSeed(seed).setInitializationMode("k-means||").run(vectors.rdd());
                        double mllibFit = (System.nanoTime() - m1) / 1e9;
                        // MLlib reads and caches the data inside run and does not report its seeding time apart:
                        // load is counted in fit, and per iteration is fit / iterations (an upper bound).
                        put(r, "mllib", 0, mllibFit, Double.NaN, mllibFit / model.numIter(), model.numIter(), model.trainingCost(), Peak.heapMb());
                    } else {
                        JavaRDD<Row> vectors = sc.parallelize(slices, slices.size()).flatMap(slice -> {
                            float[] v = Npy.readRows(Path.of(slice.file()), slice.localStart(), slice.rows());
                            List<Row> out = new ArrayList<>(slice.rows());
                            for (int i = 0; i < slice.rows(); i++) {
                                double[] p = new double[d];
                                for (int f = 0; f < d; f++) p[f] = v[i * d + f];
                                out.add(RowFactory.create(Vectors.dense(p)));
                            }
                            return out.iterator();
                        });
                        StructType schema = new StructType().add("features", SQLDataTypes.VectorType(), false);
                        Dataset<Row> df = session.createDataFrame(vectors, schema);   // not persisted: MLlib caches its own vectors
                        long m1 = System.nanoTime();
                        KMeansModel model = new org.apache.spark.ml.clustering.KMeans().setK(k).setMaxIter(iterations).setTol(0)
                                .setSeed(seed).setInitMode("k-means||").fit(df);
                        double mllibFit = (System.nanoTime() - m1) / 1e9;
                        int iters = model.summary().numIter();
                        put(r, "mllib", 0, mllibFit, Double.NaN, mllibFit / iters, iters, model.summary().trainingCost(), Peak.heapMb());
                    }
                }
                return null;
            });
        } finally {
            if (temporary) deleteTree(dir);
        }
        for (String m : new String[] {"spark", "mllib"}) {
            if (!r.containsKey(m + "_fit_seconds")) continue;
            r.put(m + "_fit_vs_core", (double) r.get(m + "_fit_seconds") / (double) r.get("core_fit_seconds"));
            r.put(m + "_per_iteration_vs_core", (double) r.get(m + "_per_iteration_seconds") / (double) r.get("core_per_iteration_seconds"));
            r.put(m + "_whole_vs_core", (double) r.get(m + "_whole_seconds") / (double) r.get("core_whole_seconds"));
            r.put(m + "_inertia_vs_core", (double) r.get(m + "_inertia") / (double) r.get("core_inertia"));
            r.put(m + "_peak_heap_vs_core", (double) r.get(m + "_peak_heap_mb") / (double) r.get("core_peak_heap_mb"));
        }
        if (r.containsKey("mllib_fit_seconds")) {
            r.put("spark_fit_vs_mllib", (double) r.get("spark_fit_seconds") / (double) r.get("mllib_fit_seconds"));
            r.put("spark_inertia_vs_mllib", (double) r.get("spark_inertia") / (double) r.get("mllib_inertia"));
        }
        System.out.printf(java.util.Locale.ROOT, "%d × %d, k = %d, %s, %s%n", rows, dim, k, master, r.get("blas"));
        System.out.printf(java.util.Locale.ROOT, "%-8s %9s %9s %9s %10s %6s %14s %10s%n", "method", "load s", "fit s", "seed s", "s/iter", "iters", "inertia", "heap MB");
        for (String m : new String[] {"core", "spark", "mllib"}) {
            if (!r.containsKey(m + "_fit_seconds")) continue;
            System.out.printf(java.util.Locale.ROOT, "%-8s %9.2f %9.2f %9.2f %10.3f %6d %14.6g %10.0f%n", m, r.get(m + "_load_seconds"), r.get(m + "_fit_seconds"),
                    r.get(m + "_seeding_seconds"), r.get(m + "_per_iteration_seconds"), r.get(m + "_iterations"), r.get(m + "_inertia"), r.get(m + "_peak_heap_mb"));
        }
        for (var e : r.entrySet()) if (e.getKey().contains("_vs_")) System.out.printf(java.util.Locale.ROOT, "%s\t%.3f%n", e.getKey(), e.getValue());
        if (json) System.out.println(Json.oneLine(r));
        return 0;
    }

    private static void put(Map<String, Object> r, String m, double load, double fit, double seeding, double perIteration, int iterations, double inertia, double heapMb) {
        r.put(m + "_load_seconds", load);
        r.put(m + "_fit_seconds", fit);
        r.put(m + "_whole_seconds", load + fit);
        r.put(m + "_seeding_seconds", seeding);
        r.put(m + "_per_iteration_seconds", perIteration);
        r.put(m + "_iterations", iterations);
        r.put(m + "_inertia", inertia);
        r.put(m + "_peak_heap_mb", heapMb);
    }

    /** Peak heap in use over a phase: the JVM's heap pools' peaks, reset (after a GC) when the phase starts. */
    static final class Peak {
        static void reset() {
            System.gc();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
        }

        static double heapMb() {
            long sum = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
            return sum / 1048576.0;
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
