package wavlens.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.KMeans;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;

/** wavlens kmeans: clusters the rows of an n×d .npy matrix and writes assignments, centroids and a summary. */
@Command(name = "kmeans", mixinStandardHelpOptions = true, description = {
        "k-means on the rows of an n×d .npy matrix (greedy k-means++ seeding, Lloyd iterations with BLAS).",
        "Writes DIR/assignments.npy (int32, n), DIR/centroids.npy (float32, k×d) and DIR/summary.json."})
public final class KmeansCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, description = "n×d matrix (.npy, any float dtype)")
    Path input;

    @Option(names = "--k", required = true, description = "number of clusters")
    int k;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--restarts", defaultValue = "1", description = "independent seedings, best inertia kept (default ${DEFAULT-VALUE})")
    int restarts;

    @Option(names = "--max-iter", defaultValue = "300", description = "Lloyd iterations; passes over the data with --mini-batch (default ${DEFAULT-VALUE})")
    int maxIter;

    @Option(names = "--tol", defaultValue = "1e-4", description = "stop when the squared centre shift ≤ tol × mean feature variance; 0 = only when labels settle (default ${DEFAULT-VALUE})")
    double tol;

    @Option(names = "--spherical", description = "cosine k-means: unit-length rows and centroids, inertia = Σ(1 − cos)")
    boolean spherical;

    @Option(names = "--mini-batch", defaultValue = "0", description = "mini-batch size (Sculley 2010); 0 = full batch")
    int miniBatch;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Override
    public Integer call() throws Exception {
        Npy.Array a = wavlens.store.FeatureStore.readMatrix(input);   // a sharded store's STORE/frames/layer_I.npy too
        if (a.shape().length != 2) throw UserError.inFile(input, "expected a 2-D n×d matrix, got shape " + java.util.Arrays.toString(a.shape()));
        int n = a.shape()[0], d = a.shape()[1];
        float[] x = a.asFloats();
        a = null; // let a float64 source be collected before the clustering allocates
        KMeans.Options options = new KMeans.Options(k, seed, restarts, maxIter, tol, spherical, miniBatch);
        long t0 = System.nanoTime();
        KMeans.Result r;
        try {
            r = KMeans.fit(x, n, d, options);
        } catch (UserError e) {
            throw UserError.inFile(input, e.getMessage());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        Files.createDirectories(out);
        Npy.writeInts(out.resolve("assignments.npy"), r.assignments(), n);
        Npy.writeFloats(out.resolve("centroids.npy"), r.centroids(), k, d);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("inertia", r.inertia());
        summary.put("iterations", r.iterations());
        summary.put("converged", r.converged());
        summary.put("seconds", seconds);
        summary.put("seeding_seconds", r.seedingSeconds());
        summary.put("input", input.toString());
        summary.put("n", n);
        summary.put("d", d);
        summary.put("k", k);
        summary.put("seed", seed);
        summary.put("restarts", restarts);
        summary.put("max_iter", maxIter);
        summary.put("tol", tol);
        summary.put("spherical", spherical);
        summary.put("mini_batch", miniBatch);
        Json.write(out.resolve("summary.json"), summary);
        System.out.printf("k-means: %d×%d, k = %d, %d iterations%s, %.2f s, inertia %.6g%n",
                n, d, k, r.iterations(), r.converged() ? " (converged)" : "", seconds, r.inertia());
        System.out.println(Json.oneLine(summary));
        return 0;
    }
}
