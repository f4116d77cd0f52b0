package wavlens.projection;

/**
 * How well an embedding keeps classes together: the mean, over points, of the fraction of each
 * point's k nearest neighbours in the embedding (itself excluded) that carry its label.
 * 1 means every neighbourhood is pure; with c balanced classes, chance is about 1/c.
 */
public final class NeighbourLabels {
    private NeighbourLabels() {}

    public static double agreement(double[] y, int dy, long[] labels, int k) {
        int n = labels.length;
        if (y.length != n * dy) throw new IllegalArgumentException("embedding has " + y.length / dy + " rows, labels " + n);
        if (k < 1 || k > n - 1) throw new IllegalArgumentException("k must be in 1.." + (n - 1) + ", got " + k);
        double[] perPoint = new double[n];
        Parallel.chunks(n, 4, (lo, hi) -> {
            int[] neighbours = new int[k];
            for (int i = lo; i < hi; i++) {
                Trustworthiness.nearestInEmbedding(y, dy, n, i, k, neighbours);
                int same = 0;
                for (int j : neighbours) if (labels[j] == labels[i]) same++;
                perPoint[i] = (double) same / k;
            }
        });
        double sum = 0;
        for (double v : perPoint) sum += v;
        return sum / n;
    }
}
