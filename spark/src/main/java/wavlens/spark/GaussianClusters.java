package wavlens.spark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import wavlens.io.Npy;
import wavlens.io.UserError;

/**
 * Synthetic clustered data for the k-means benchmark and tests: k Gaussian clusters in d
 * dimensions, centres drawn from N(0, spread²) per coordinate, each cluster's points from
 * N(centre, σ_j²) with σ_j uniform in [0.5, 1.5] and cluster shares uniform in [0.5, 1.5] (then
 * normalised). Written as X.npy (float32, streamed row by row, so 1M × 768 never sits in memory)
 * and rows.csv (utt, label = the true cluster), the input of `wavlens store import`.
 */
final class GaussianClusters {
    private GaussianClusters() {}

    static void write(Path dir, int n, int d, int k, double spread, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] centres = new double[k * d], sigma = new double[k], cumulative = new double[k];
        for (int i = 0; i < centres.length; i++) centres[i] = spread * rng.nextGaussian();
        double total = 0;
        for (int j = 0; j < k; j++) {
            sigma[j] = 0.5 + rng.nextDouble();
            total += 0.5 + rng.nextDouble();
            cumulative[j] = total;
        }
        try {
            Files.createDirectories(dir);
            float[] row = new float[d];
            try (Npy.RowWriter x = new Npy.RowWriter(dir.resolve("X.npy"), n, d, false);
                 BufferedWriter rows = Files.newBufferedWriter(dir.resolve("rows.csv"), StandardCharsets.UTF_8)) {
                rows.write("utt,label\n");
                for (int i = 0; i < n; i++) {
                    double u = rng.nextDouble() * total;
                    int j = 0;
                    while (j < k - 1 && cumulative[j] < u) j++;
                    for (int f = 0; f < d; f++) row[f] = (float) (centres[j * d + f] + sigma[j] * rng.nextGaussian());
                    x.write(row, 0, d);
                    rows.write("u" + (i / 1000) + ",c" + j + "\n");
                }
            }
        } catch (IOException e) {
            throw UserError.inFile(dir, "cannot write the synthetic data: " + e.getMessage());
        }
    }
}
