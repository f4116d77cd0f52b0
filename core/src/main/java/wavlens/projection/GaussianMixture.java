package wavlens.projection;

import java.util.Random;

/**
 * Seeded synthetic data for tests and benchmarks: a mixture of isotropic Gaussian clusters. Cluster
 * centres are N(0, separation²) per coordinate; cluster c has standard deviation
 * 0.5 + 1.5·c/(clusters − 1) (from tight to loose), so neighbourhoods are not all alike.
 */
public final class GaussianMixture {
    private GaussianMixture() {}

    /** n×d row-major points and their cluster labels. */
    public record Data(int n, int d, float[] x, int[] labels) {}

    public static Data generate(int n, int d, int clusters, double separation, long seed) {
        Random random = new Random(seed);
        double[] centres = new double[clusters * d];
        for (int i = 0; i < centres.length; i++) centres[i] = separation * random.nextGaussian();
        float[] x = new float[n * d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = random.nextInt(clusters);
            double std = clusters == 1 ? 1 : 0.5 + 1.5 * c / (clusters - 1);
            labels[i] = c;
            for (int j = 0; j < d; j++) x[i * d + j] = (float) (centres[c * d + j] + std * random.nextGaussian());
        }
        return new Data(n, d, x, labels);
    }
}
