package wavlens.projection;

import java.util.Arrays;
import java.util.SplittableRandom;
import wavlens.io.UserError;

/**
 * UMAP to two dimensions (McInnes, Healy & Melville 2018, "UMAP: Uniform Manifold Approximation
 * and Projection for Dimension Reduction", arXiv:1802.03426), following umap-learn's defaults:
 * <ol>
 *   <li>k-nearest-neighbour graph (k = n_neighbors counts the point itself, as umap-learn does):
 *       exact below {@link #NN_DESCENT_MIN_N} points, NN-descent above ({@link NnDescent});</li>
 *   <li>fuzzy simplicial set: ρ_i = distance to the nearest neighbour, σ_i by bisection so that
 *       Σ_j exp(−max(0, d_ij − ρ_i)/σ_i) = log2(k) (§3.1, smooth_knn_dist), memberships
 *       v_ij = exp(−(d_ij − ρ_i)/σ_i);</li>
 *   <li>fuzzy union w_ij = v_ij + v_ji − v_ij·v_ji;</li>
 *   <li>low-dimensional similarity 1/(1 + a·d^{2b}) with a, b fitted by least squares to the
 *       min_dist/spread target curve ({@link #fitCurve});</li>
 *   <li>initialisation: spectral layout of the graph without the edges SGD never samples (umap-learn's
 *       default init="spectral", {@link SpectralLayout}), scaled to [0, 10] per axis;</li>
 *   <li>SGD on the fuzzy cross-entropy: each edge sampled in proportion to its weight, 5 negative
 *       samples per positive one, learning rate 1 decaying linearly to 0, gradients clipped to ±4;
 *       500 epochs up to 10,000 points, 200 above. Single-threaded, so a seed fixes the result.</li>
 * </ol>
 */
public final class Umap {
    private Umap() {}

    /** Above this many points the kNN graph comes from NN-descent instead of brute force. */
    public static final int NN_DESCENT_MIN_N = 50_000;

    /**
     * @param neighbours      umap-learn n_neighbors (includes the point itself), default 15
     * @param epochs          0 means 500 for n ≤ 10,000 and 200 above (umap-learn's rule)
     * @param negativeSamples negative samples per positive edge sample, default 5
     */
    public record Options(int neighbours, double minDist, double spread, int epochs, long seed, int negativeSamples) {
        public static Options defaults() {
            return new Options(15, 0.1, 1.0, 0, 0, 5);
        }

        public Options withNeighbours(int k) {
            return new Options(k, minDist, spread, epochs, seed, negativeSamples);
        }

        public Options withEpochs(int e) {
            return new Options(neighbours, minDist, spread, e, seed, negativeSamples);
        }

        public Options withSeed(long s) {
            return new Options(neighbours, minDist, spread, epochs, s, negativeSamples);
        }

        public Options withMinDist(double m) {
            return new Options(neighbours, m, spread, epochs, seed, negativeSamples);
        }
    }

    /** Symmetric weighted graph as a list of directed edges (each undirected edge appears both ways). */
    record Graph(int n, int[] head, int[] tail, double[] weight) {}

    public static double[] embed(float[] x, int n, int d, Options options) {
        checkInput(x, n, d, options);
        int k = options.neighbours();
        Knn.Neighbours nn = n < NN_DESCENT_MIN_N ? Knn.exact(x, n, d, k - 1) : NnDescent.build(x, n, d, k - 1, options.seed());
        Graph graph = fuzzySimplicialSet(nn, k);
        int epochs = options.epochs() > 0 ? options.epochs() : (n <= 10_000 ? 500 : 200);
        double[] ab = fitCurve(options.minDist(), options.spread());
        double[] y = initialEmbedding(graph, x, d, epochs, options.seed());
        optimise(y, graph, ab[0], ab[1], epochs, options.negativeSamples(), options.seed());
        return y;
    }

    static void checkInput(float[] x, int n, int d, Options options) {
        for (int i = 0; i < x.length; i++)
            if (!Float.isFinite(x[i])) throw new UserError("input has a non-finite value (" + x[i] + ") at row " + i / d + ", column " + i % d);
        if (options.neighbours() < 2 || options.neighbours() > n)
            throw new UserError("UMAP neighbours must be in 2.." + n + " (the number of points), got " + options.neighbours());
        if (d < 2) throw new UserError("UMAP needs at least 2 input dimensions, got " + d);
        if (!(options.minDist() >= 0) || !(options.spread() > 0) || options.minDist() > options.spread())
            throw new UserError("UMAP needs 0 ≤ min_dist ≤ spread, got min_dist " + options.minDist() + ", spread " + options.spread());
    }

    // ------------------------------------------------------------------ graph

    /** Memberships from smooth kNN distances, then their fuzzy union. nn holds k − 1 neighbours per point (self excluded). */
    static Graph fuzzySimplicialSet(Knn.Neighbours nn, int k) {
        return fuzzyUnion(nn.n(), nn.k(), nn.index(), memberships(nn, k));
    }

    /** v_ij = exp(−max(0, d_ij − ρ_i)/σ_i) for each point's listed neighbours (n × (k−1)). */
    static double[] memberships(Knn.Neighbours nn, int k) {
        int n = nn.n(), m = nn.k();
        double[] dist = nn.distance();
        double meanAll = 0; // mean over umap-learn's n×k distance matrix, whose first column (self) is 0
        for (double v : dist) meanAll += v;
        meanAll /= (double) n * k;
        double target = Math.log(k) / Math.log(2);
        double[] membership = new double[n * m];
        final double globalMean = meanAll;
        Parallel.chunks(n, 4, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double rho = 0, rowSum = 0;
                for (int c = 0; c < m; c++) rowSum += dist[i * m + c];
                for (int c = 0; c < m; c++)
                    if (dist[i * m + c] > 0) {
                        rho = dist[i * m + c];
                        break;
                    }
                // Bisection on σ (umap-learn smooth_knn_dist: 64 steps, tolerance 1e-5, start at 1, double until bracketed).
                double lo2 = 0, hi2 = Double.POSITIVE_INFINITY, sigma = 1;
                for (int step = 0; step < 64; step++) {
                    double psum = 0;
                    for (int c = 0; c < m; c++) {
                        double excess = dist[i * m + c] - rho;
                        psum += excess > 0 ? Math.exp(-excess / sigma) : 1;
                    }
                    if (Math.abs(psum - target) < 1e-5) break;
                    if (psum > target) {
                        hi2 = sigma;
                        sigma = (lo2 + hi2) / 2;
                    } else {
                        lo2 = sigma;
                        sigma = hi2 == Double.POSITIVE_INFINITY ? sigma * 2 : (lo2 + hi2) / 2;
                    }
                }
                // Floor σ at 1e-3 × the mean distance (MIN_K_DIST_SCALE), of the row, or of everything if ρ = 0.
                double floor = 1e-3 * (rho > 0 ? rowSum / k : globalMean);
                sigma = Math.max(sigma, floor);
                for (int c = 0; c < m; c++) {
                    double excess = dist[i * m + c] - rho;
                    membership[i * m + c] = excess <= 0 ? 1 : Math.exp(-excess / sigma);
                }
            }
        });
        return membership;
    }

    /** w_ij = v_ij + v_ji − v_ij·v_ji over the union of both directions; zero weights dropped. */
    static Graph fuzzyUnion(int n, int m, int[] neighbour, double[] membership) {
        // Row i collects v_ij (forward, from i's list) and v_ji (backward, from j's list).
        int[] count = new int[n];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < m; c++) {
                count[i]++;
                count[neighbour[i * m + c]]++;
            }
        int[] start = new int[n + 1];
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + count[i];
        int[] fill = Arrays.copyOf(start, n);
        int[] col = new int[start[n]];
        double[] forward = new double[start[n]], backward = new double[start[n]];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < m; c++) {
                int j = neighbour[i * m + c];
                double v = membership[i * m + c];
                col[fill[i]] = j;
                forward[fill[i]++] = v;
                col[fill[j]] = i;
                backward[fill[j]++] = v;
            }
        int[] head = new int[start[n]], tail = new int[start[n]];
        double[] weight = new double[start[n]];
        int edges = 0;
        for (int i = 0; i < n; i++) {
            int len = start[i + 1] - start[i];
            long[] keys = new long[len]; // column high, position low: sorts by column
            for (int t = 0; t < len; t++) keys[t] = ((long) col[start[i] + t] << 32) | t;
            Arrays.sort(keys);
            int t = 0;
            while (t < len) {
                int j = (int) (keys[t] >>> 32);
                double a = 0, b = 0;
                for (; t < len && (int) (keys[t] >>> 32) == j; t++) {
                    int at = start[i] + (int) keys[t];
                    a += forward[at];
                    b += backward[at];
                }
                double w = a + b - a * b;
                if (w > 0 && j != i) {
                    head[edges] = i;
                    tail[edges] = j;
                    weight[edges++] = w;
                }
            }
        }
        return new Graph(n, Arrays.copyOf(head, edges), Arrays.copyOf(tail, edges), Arrays.copyOf(weight, edges));
    }

    // ------------------------------------------------------------------ curve

    /**
     * Fits 1/(1 + a·x^{2b}) by least squares (Levenberg–Marquardt from a = b = 1, as scipy's
     * curve_fit in umap-learn's find_ab_params) to the target 1 for x &lt; min_dist and
     * exp(−(x − min_dist)/spread) beyond, on 300 points spaced evenly over [0, 3·spread].
     * Returns {a, b}; min_dist = 0.1, spread = 1 gives a ≈ 1.577, b ≈ 0.895.
     */
    public static double[] fitCurve(double minDist, double spread) {
        int points = 300;
        double[] xs = new double[points], ys = new double[points];
        for (int i = 0; i < points; i++) {
            xs[i] = 3 * spread * i / (points - 1);
            ys[i] = xs[i] < minDist ? 1 : Math.exp(-(xs[i] - minDist) / spread);
        }
        double a = 1, b = 1, lambda = 1e-3;
        double cost = curveCost(xs, ys, a, b);
        for (int iteration = 0; iteration < 500; iteration++) {
            // Normal equations of the linearised problem: (JᵀJ + λ·diag(JᵀJ))·δ = −Jᵀr.
            double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
            for (int i = 0; i < points; i++) {
                double x = xs[i];
                double x2b = x > 0 ? Math.pow(x, 2 * b) : 0;
                double denom = 1 + a * x2b;
                double r = 1 / denom - ys[i];
                double da = -x2b / (denom * denom);
                double db = x > 0 ? -a * x2b * 2 * Math.log(x) / (denom * denom) : 0;
                jaa += da * da;
                jab += da * db;
                jbb += db * db;
                ga += da * r;
                gb += db * r;
            }
            double haa = jaa * (1 + lambda), hbb = jbb * (1 + lambda);
            double det = haa * hbb - jab * jab;
            double stepA = -(hbb * ga - jab * gb) / det;
            double stepB = -(haa * gb - jab * ga) / det;
            double newCost = curveCost(xs, ys, a + stepA, b + stepB);
            if (newCost < cost) {
                a += stepA;
                b += stepB;
                boolean converged = cost - newCost <= 1e-15 * cost;
                cost = newCost;
                lambda = Math.max(lambda / 10, 1e-12);
                if (converged) break;
            } else {
                lambda *= 10;
                if (lambda > 1e12) break;
            }
        }
        return new double[] {a, b};
    }

    private static double curveCost(double[] xs, double[] ys, double a, double b) {
        double s = 0;
        for (int i = 0; i < xs.length; i++) {
            double x2b = xs[i] > 0 ? Math.pow(xs[i], 2 * b) : 0;
            double r = 1 / (1 + a * x2b) - ys[i];
            s += r * r;
        }
        return s;
    }

    // ------------------------------------------------------------------ layout

    /**
     * umap-learn's simplicial_set_embedding before SGD: edges lighter than max/epochs (never sampled)
     * dropped, the spectral layout of what is left scaled to a largest coordinate of 10, plus
     * N(0, 1e-4²) noise from the seed, then each axis scaled to [0, 10].
     */
    static double[] initialEmbedding(Graph graph, float[] x, int d, int epochs, long seed) {
        int n = graph.n();
        double maxWeight = 0;
        for (double w : graph.weight()) maxWeight = Math.max(maxWeight, w);
        int kept = 0;
        int[] head = new int[graph.head().length], tail = new int[head.length];
        double[] weight = new double[head.length];
        for (int e = 0; e < head.length; e++) {
            if (graph.weight()[e] < maxWeight / epochs) continue;
            head[kept] = graph.head()[e];
            tail[kept] = graph.tail()[e];
            weight[kept++] = graph.weight()[e];
        }
        Graph pruned = new Graph(n, Arrays.copyOf(head, kept), Arrays.copyOf(tail, kept), Arrays.copyOf(weight, kept));
        double[] scores = SpectralLayout.layout(pruned, x, d, seed);
        double maxAbs = 0;
        for (double v : scores) maxAbs = Math.max(maxAbs, Math.abs(v));
        SplittableRandom random = new SplittableRandom(seed);
        double[] y = new double[2 * n];
        for (int i = 0; i < 2 * n; i++) y[i] = (maxAbs > 0 ? scores[i] * 10 / maxAbs : 0) + 1e-4 * gaussian(random);
        for (int axis = 0; axis < 2; axis++) {
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                min = Math.min(min, y[2 * i + axis]);
                max = Math.max(max, y[2 * i + axis]);
            }
            double range = max - min;
            for (int i = 0; i < n; i++) y[2 * i + axis] = range > 0 ? 10 * (y[2 * i + axis] - min) / range : 0;
        }
        return y;
    }

    private static double gaussian(SplittableRandom random) {
        // Box–Muller; SplittableRandom has no nextGaussian with a fixed algorithm across JDKs.
        double u = 1 - random.nextDouble(), v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** umap-learn's optimize_layout_euclidean with move_other = true, γ = 1, α₀ = 1, one thread. */
    static void optimise(double[] y, Graph graph, double a, double b, int epochs, int negativeRate, long seed) {
        int n = graph.n(), edges = graph.head().length;
        double maxWeight = 0;
        for (double w : graph.weight()) maxWeight = Math.max(maxWeight, w);
        // Edges lighter than max/epochs would never be sampled; an edge of weight w is sampled every max/w epochs.
        double[] epochsPerSample = new double[edges];
        double[] nextSample = new double[edges], epochsPerNegative = new double[edges], nextNegative = new double[edges];
        for (int e = 0; e < edges; e++) {
            double samples = epochs * graph.weight()[e] / maxWeight;
            epochsPerSample[e] = samples >= 1 ? epochs / samples : -1;
            nextSample[e] = epochsPerSample[e];
            epochsPerNegative[e] = epochsPerSample[e] / negativeRate;
            nextNegative[e] = epochsPerNegative[e];
        }
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] head = graph.head(), tail = graph.tail();
        for (int epoch = 0; epoch < epochs; epoch++) {
            double alpha = 1.0 - (double) epoch / epochs;
            for (int e = 0; e < edges; e++) {
                if (epochsPerSample[e] < 0 || nextSample[e] > epoch) continue;
                int i = head[e], j = tail[e];
                // Attraction along the edge: ∂/∂y_i of log(1/(1 + a·d^{2b})) = −2ab·d^{2(b−1)}/(1 + a·d^{2b})·(y_i − y_j).
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                double d2 = dx * dx + dy * dy;
                if (d2 > 0) {
                    double d2b = Math.pow(d2, b);
                    double coefficient = -2 * a * b * d2b / d2 / (a * d2b + 1);
                    double gx = clip(coefficient * dx), gy = clip(coefficient * dy);
                    y[2 * i] += gx * alpha;
                    y[2 * i + 1] += gy * alpha;
                    y[2 * j] -= gx * alpha;
                    y[2 * j + 1] -= gy * alpha;
                }
                nextSample[e] += epochsPerSample[e];
                // Repulsion from random points: 2γb/((0.001 + d²)(1 + a·d^{2b}))·(y_i − y_k).
                int negatives = (int) ((epoch - nextNegative[e]) / epochsPerNegative[e]);
                for (int s = 0; s < negatives; s++) {
                    int k = random.nextInt(n);
                    if (k == i) continue;
                    dx = y[2 * i] - y[2 * k];
                    dy = y[2 * i + 1] - y[2 * k + 1];
                    d2 = dx * dx + dy * dy;
                    if (d2 <= 0) continue;
                    double coefficient = 2 * b / ((0.001 + d2) * (a * Math.pow(d2, b) + 1));
                    y[2 * i] += clip(coefficient * dx) * alpha;
                    y[2 * i + 1] += clip(coefficient * dy) * alpha;
                }
                nextNegative[e] += negatives * epochsPerNegative[e];
            }
        }
    }

    private static double clip(double v) {
        return v > 4 ? 4 : (v < -4 ? -4 : v);
    }
}
