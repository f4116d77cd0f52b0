package wavlens.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;

/** wavlens spark kmeans: k-means over a store layer on a Spark cluster, with the outputs of wavlens kmeans. */
@Command(name = "kmeans", mixinStandardHelpOptions = true, description = {
        "Distributed k-means (or spherical k-means) over a feature store's frame layer: the Lloyd iterations of `wavlens kmeans`",
        "run by the executors over row ranges cached in their memory; sampled greedy k-means++ seeding.",
        "Writes DIR/assignments.npy (int32, one per store row, in store-row order), DIR/centroids.npy (float32, k×d) and DIR/summary.json."})
public final class SparkKmeansCommand implements Callable<Integer> {
    @Option(names = "--master", description = "Spark master URL: local[2], spark://HOST:7077, yarn, k8s://… (default: spark-submit's)")
    String master;

    @Option(names = "--store", required = true, description = "feature store (single-file or sharded), a path every executor can read")
    String store;

    @Option(names = "--layer", required = true, description = "hidden_states index stored in the store, or extract")
    String layer;

    @Option(names = "--k", required = true, description = "number of clusters")
    int k;

    @Option(names = "--spherical", description = "cosine k-means: unit-length rows and centroids, inertia = Σ(1 − cos)")
    boolean spherical;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--max-iter", defaultValue = "300", description = "Lloyd iterations (default ${DEFAULT-VALUE})")
    int maxIter;

    @Option(names = "--tol", defaultValue = "1e-4", description = "stop when the squared centre shift ≤ tol × mean feature variance; 0 = only when labels settle (default ${DEFAULT-VALUE})")
    double tol;

    @Option(names = "--seed-sample", defaultValue = "0", description = "rows sampled for the k-means++ seeding (default 0 = max(10000, 100·k); all rows when the layer has fewer)")
    int seedSample;

    @Option(names = "--rows-per-partition", defaultValue = "0", description = "rows per Spark partition (default 0 = about 128 MB of float32 each, and at least one per core)")
    int rowsPerPartition;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Override
    public Integer call() {
        StoreSlices s = StoreSlices.open(store);
        int layerIndex = s.layer(layer);
        StoreSlices.LayerFiles files = s.layerFiles(layerIndex);
        if (k > files.rows()) throw UserError.inFile(s.root, "k = " + k + " is more than the number of rows in layer " + layer + " (" + files.rows() + ")");
        int sample = seedSample > 0 ? seedSample : Math.max(10_000, 100 * k);
        DistributedKMeans.Options options = new DistributedKMeans.Options(k, seed, maxIter, tol, spherical, sample);
        long t0 = System.nanoTime();
        DistributedKMeans.Result r = Sessions.run(master, "wavlens spark kmeans", sc -> {
            int perPartition = rowsPerPartition > 0 ? rowsPerPartition : defaultRowsPerPartition(files.rows(), files.dim(), sc.defaultParallelism());
            List<StoreSlices.Slice> slices = StoreSlices.slices(files, perPartition);
            return DistributedKMeans.fit(sc, slices, files.rows(), files.dim(), options);
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        int n = (int) files.rows(), d = files.dim();
        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw UserError.inFile(out, "cannot create the folder: " + e.getMessage());
        }
        Npy.writeInts(out.resolve("assignments.npy"), r.assignments(), n);
        Npy.writeFloats(out.resolve("centroids.npy"), r.centroids(), k, d);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("inertia", r.inertia());
        summary.put("iterations", r.iterations());
        summary.put("converged", r.converged());
        summary.put("seconds", seconds);
        summary.put("seeding_seconds", r.seedingSeconds());
        summary.put("load_seconds", r.loadSeconds());
        summary.put("iteration_seconds", r.iterationSeconds());
        summary.put("inertia_history", r.inertiaHistory());
        summary.put("input", s.root.toString());
        summary.put("layer", layer);
        summary.put("n", n);
        summary.put("d", d);
        summary.put("k", k);
        summary.put("seed", seed);
        summary.put("restarts", 1);
        summary.put("max_iter", maxIter);
        summary.put("tol", tol);
        summary.put("spherical", spherical);
        summary.put("mini_batch", 0);
        summary.put("seeding", "sampled greedy k-means++");
        summary.put("seed_sample", Math.min(sample, n));
        summary.put("master", master == null ? System.getProperty("spark.master", "") : master);
        summary.put("partitions", r.partitions());
        Json.write(out.resolve("summary.json"), summary);
        System.out.printf("spark k-means: %d×%d, k = %d, %d iterations%s, %d partitions, %.2f s, inertia %.6g%n",
                n, d, k, r.iterations(), r.converged() ? " (converged)" : "", r.partitions(), seconds, r.inertia());
        System.out.println(Json.oneLine(summary));
        return 0;
    }

    /** About 128 MB of float32 per partition, and at least as many partitions as cores. */
    static int defaultRowsPerPartition(long rows, int dim, int cores) {
        long bySize = Math.max(1, (128L << 20) / (4L * dim));
        long byCores = Math.max(1, (rows + cores - 1) / Math.max(1, cores));
        return (int) Math.min(Integer.MAX_VALUE, Math.min(bySize, byCores));
    }
}
