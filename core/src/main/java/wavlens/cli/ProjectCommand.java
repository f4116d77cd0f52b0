package wavlens.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.projection.NeighbourLabels;
import wavlens.projection.Pca;
import wavlens.projection.Trustworthiness;
import wavlens.projection.Tsne;
import wavlens.projection.Umap;

/**
 * {@code wavlens project}: 2-D projection of an n×d feature matrix (.npy) by PCA, t-SNE or UMAP.
 * Writes the n×2 float32 coordinates, prints trustworthiness (k = 10), optionally the kNN label
 * agreement, and the time; the last line is one JSON object.
 */
@Command(name = "project", mixinStandardHelpOptions = true,
        description = "2-D projection of a feature matrix (PCA, t-SNE or UMAP); prints trustworthiness (k = 10) and seconds.")
public final class ProjectCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, description = "n×d feature matrix (.npy, any numeric dtype)")
    Path input;

    @Option(names = "--method", required = true, description = "pca, tsne or umap")
    String method;

    @Option(names = "--out", required = true, description = "where to write the n×2 float32 coordinates (.npy)")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (t-SNE random init, UMAP sampling); default ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--labels", description = "optional n labels (.npy, integers): also report kNN (k = 10) label agreement in 2-D")
    Path labels;

    @Option(names = "--perplexity", defaultValue = "30", description = "t-SNE perplexity; default ${DEFAULT-VALUE}")
    double perplexity;

    @Option(names = "--neighbors", defaultValue = "15", description = "UMAP n_neighbors (counting the point itself); default ${DEFAULT-VALUE}")
    int neighbors;

    @Option(names = "--iterations", description = "t-SNE iterations (default 1000) or UMAP epochs (default 500 up to 10,000 points, else 200)")
    Integer iterations;

    @Option(names = "--tsne-gradient", defaultValue = "auto",
            description = "t-SNE gradient: auto (exact up to " + Tsne.EXACT_MAX_N + " points), exact, or fft; default ${DEFAULT-VALUE}")
    String tsneGradient;

    static final int K = 10;

    @Override
    public Integer call() {
        String m = method.toLowerCase(Locale.ROOT);
        if (!m.equals("pca") && !m.equals("tsne") && !m.equals("umap"))
            throw new UserError("--method must be pca, tsne or umap, got '" + method + "'");
        Tsne.Method gradient = switch (tsneGradient.toLowerCase(Locale.ROOT)) {
            case "auto" -> Tsne.Method.AUTO;
            case "exact" -> Tsne.Method.EXACT;
            case "fft" -> Tsne.Method.FFT;
            default -> throw new UserError("--tsne-gradient must be auto, exact or fft, got '" + tsneGradient + "'");
        };
        if (iterations != null && iterations < 1) throw new UserError("--iterations must be at least 1, got " + iterations);

        Npy.Array array = wavlens.store.FeatureStore.readMatrix(input);   // a sharded store's STORE/frames/layer_I.npy too
        if (array.shape().length != 2)
            throw UserError.inFile(input, "expected a 2-D array (n × d), got shape " + Arrays.toString(array.shape()));
        int n = array.shape()[0], d = array.shape()[1];
        if (n < 2 || d < 1) throw UserError.inFile(input, "needs at least 2 rows and 1 column, got " + n + " × " + d);
        float[] x = array.asFloats();
        for (int i = 0; i < x.length; i++)
            if (!Float.isFinite(x[i])) throw UserError.inFile(input, "non-finite value (" + x[i] + ") at row " + i / d + ", column " + i % d);
        long[] labelValues = null;
        if (labels != null) {
            Npy.Array l = Npy.read(labels);
            if (l.size() != n) throw UserError.inFile(labels, "has " + l.size() + " labels, but the input has " + n + " rows");
            try {
                labelValues = l.asLongs();
            } catch (UserError e) {
                throw UserError.inFile(labels, e.getMessage());
            }
        }

        long start = System.nanoTime();
        double[] y;
        String detail;
        try {
            switch (m) {
                case "pca" -> {
                    if (d < 2) throw new UserError("a 2-D PCA projection needs at least 2 columns, got " + d);
                    Pca.Result pca = Pca.fit(x, n, d, 2);
                    y = pca.scores();
                    detail = String.format(Locale.ROOT, "explained variance ratio %.4f + %.4f",
                            pca.explainedVarianceRatio()[0], pca.explainedVarianceRatio()[1]);
                }
                case "tsne" -> {
                    Tsne.Options o = Tsne.Options.defaults().withPerplexity(perplexity).withSeed(seed).withMethod(gradient);
                    if (iterations != null) o = o.withIterations(iterations);
                    Tsne.Method used = gradient != Tsne.Method.AUTO ? gradient : (n <= Tsne.EXACT_MAX_N ? Tsne.Method.EXACT : Tsne.Method.FFT);
                    y = Tsne.embed(x, n, d, o);
                    detail = "perplexity " + perplexity + ", " + o.iterations() + " iterations, "
                            + (used == Tsne.Method.EXACT ? "exact gradient" : "FFT-interpolated gradient");
                }
                default -> {
                    Umap.Options o = Umap.Options.defaults().withNeighbours(neighbors).withSeed(seed);
                    if (iterations != null) o = o.withEpochs(iterations);
                    y = Umap.embed(x, n, d, o);
                    detail = neighbors + " neighbours, min_dist " + o.minDist() + ", PCA init";
                }
            }
        } catch (UserError e) {
            throw UserError.inFile(input, e.getMessage());
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        float[] coordinates = new float[2 * n];
        for (int i = 0; i < 2 * n; i++) coordinates[i] = (float) y[i];
        Npy.writeFloats(out, coordinates, n, 2);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", m);
        System.out.printf(Locale.ROOT, "%s: %d points × %d dimensions → 2 (%s)%n", m, n, d, detail);
        Trustworthiness.Result t = null;
        if (n > 2 * K) {
            t = Trustworthiness.compute(x, d, y, 2, K, seed);
            System.out.printf(Locale.ROOT, "trustworthiness (k = %d): %.4f%s%n", K, t.value(),
                    t.sampled() ? " (estimated on " + t.queries() + " sampled query points)" : "");
        } else {
            System.out.printf("trustworthiness (k = %d): not defined for %d points (needs more than %d)%n", K, n, 2 * K);
        }
        summary.put("trustworthiness", t == null ? null : t.value());
        summary.put("trustworthiness_sampled_queries", t != null && t.sampled() ? t.queries() : null);
        if (labelValues != null && n > K) {
            double agreement = NeighbourLabels.agreement(y, 2, labelValues, K);
            System.out.printf(Locale.ROOT, "label agreement of the %d nearest neighbours in 2-D: %.4f%n", K, agreement);
            summary.put("label_agreement", agreement);
        }
        System.out.printf(Locale.ROOT, "seconds: %.2f; wrote %s%n", seconds, out);
        summary.put("seconds", seconds);
        summary.put("n", n);
        summary.put("d", d);
        System.out.println(Json.oneLine(summary));
        return 0;
    }
}
