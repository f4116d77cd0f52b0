package wavlens.projection;

import java.util.Arrays;
import java.util.Random;
import wavlens.io.UserError;

/**
 * t-SNE to two dimensions (van der Maaten & Hinton 2008, JMLR 9), with scikit-learn 1.2's
 * optimiser settings and either the exact O(n²) gradient or the FFT-interpolated repulsion of
 * FIt-SNE ({@link FftRepulsion}) with sparse kNN affinities (openTSNE semantics).
 *
 * <p>Input affinities: for each point a Gaussian over squared Euclidean distances whose precision
 * is found by bisection so that the conditional distribution's perplexity is the requested one;
 * the exact method uses all other points, the FFT method the k = min(n − 1, 3·perplexity) nearest
 * ones. Then P = (P_cond + P_condᵀ) / Σ, a symmetric sparse matrix summing to 1.
 *
 * <p>Gradient (eq. 5 of the paper): ∂C/∂y_i = 4·Σ_j (α·p_ij − q_ij)·w_ij·(y_i − y_j) with
 * w_ij = 1/(1 + ‖y_i − y_j‖²), q_ij = w_ij / Z, α the early exaggeration. Optimiser as in
 * scikit-learn's _gradient_descent: momentum 0.5 with α = 12 for 250 iterations, then momentum
 * 0.8 with α = 1 (update and gains restarted between the two stages, as sklearn does); per
 * coordinate gains +0.2 when the update and the gradient disagree in sign, ×0.8 otherwise,
 * floored at 0.01; learning rate "auto" = max(n / α / 4, 50).
 */
public final class Tsne {
    private Tsne() {}

    public enum Method {
        /** EXACT for n ≤ {@link #EXACT_MAX_N}, FFT above. */
        AUTO,
        /** All-pairs affinities and O(n²) gradient. */
        EXACT,
        /** kNN affinities and FFT-interpolated repulsion. */
        FFT
    }

    /** Largest n for which AUTO picks the exact gradient (there it is as fast as the FFT path). */
    public static final int EXACT_MAX_N = 1000;

    /**
     * @param learningRate ≤ 0 means scikit-learn's "auto"
     * @param randomInit   false: PCA initialisation scaled so the first coordinate has std 1e-4
     *                     (sklearn/openTSNE); true: N(0, 1e-4²) from the seed
     */
    public record Options(double perplexity, int iterations, long seed, Method method, double learningRate,
                          double earlyExaggeration, int exaggerationIterations, boolean randomInit) {
        public static Options defaults() {
            return new Options(30, 1000, 0, Method.AUTO, 0, 12, 250, false);
        }

        public Options withPerplexity(double p) {
            return new Options(p, iterations, seed, method, learningRate, earlyExaggeration, exaggerationIterations, randomInit);
        }

        public Options withIterations(int it) {
            return new Options(perplexity, it, seed, method, learningRate, earlyExaggeration, exaggerationIterations, randomInit);
        }

        public Options withSeed(long s) {
            return new Options(perplexity, iterations, s, method, learningRate, earlyExaggeration, exaggerationIterations, randomInit);
        }

        public Options withMethod(Method m) {
            return new Options(perplexity, iterations, seed, m, learningRate, earlyExaggeration, exaggerationIterations, randomInit);
        }

        public Options withRandomInit(boolean r) {
            return new Options(perplexity, iterations, seed, method, learningRate, earlyExaggeration, exaggerationIterations, r);
        }
    }

    /** Symmetric sparse affinities P in CSR form (row i: columns col[rowStart[i] .. rowStart[i+1])). */
    record Affinities(int n, int[] rowStart, int[] col, double[] p) {}

    /** Embeds the n×d row-major matrix x into 2-D; returns the n×2 row-major coordinates. */
    public static double[] embed(float[] x, int n, int d, Options options) {
        checkInput(x, n, d, options);
        Method method = options.method();
        if (method == Method.AUTO) method = n <= EXACT_MAX_N ? Method.EXACT : Method.FFT;
        int neighbours = method == Method.EXACT ? n - 1 : Math.min(n - 1, (int) (3 * options.perplexity()));
        Affinities affinities = affinities(x, n, d, options.perplexity(), neighbours);
        double[] y = initialEmbedding(x, n, d, options);
        optimise(y, affinities, options, method == Method.FFT ? new FftRepulsion() : null);
        return y;
    }

    static void checkInput(float[] x, int n, int d, Options options) {
        if (n < 4) throw new UserError("t-SNE needs at least 4 points, got " + n);
        for (int i = 0; i < x.length; i++)
            if (!Float.isFinite(x[i])) throw new UserError("input has a non-finite value (" + x[i] + ") at row " + i / d + ", column " + i % d);
        if (!(options.perplexity() > 0) || options.perplexity() >= n)
            throw new UserError("perplexity must be > 0 and less than the number of points (" + n + "), got " + options.perplexity());
        if (options.iterations() < 1) throw new UserError("iterations must be ≥ 1, got " + options.iterations());
    }

    // ------------------------------------------------------------------ affinities

    /** Perplexity-calibrated, symmetrised, normalised affinities over the k nearest neighbours. */
    static Affinities affinities(float[] x, int n, int d, double perplexity, int k) {
        Knn.Neighbours nn = Knn.exact(x, n, d, k);
        double[] conditional = new double[n * k];
        Parallel.chunks(n, 4, (lo, hi) -> {
            double[] squared = new double[k];
            for (int i = lo; i < hi; i++) {
                for (int c = 0; c < k; c++) squared[c] = nn.distance()[i * k + c] * nn.distance()[i * k + c];
                conditionalRow(squared, perplexity, conditional, i * k);
            }
        });
        return symmetrise(n, k, nn.index(), conditional);
    }

    /**
     * p_j|i = exp(−β·d_j) / Σ exp(−β·d_j) with β found by bisection so that the entropy
     * H = ln Σ + β·Σ_j d_j·p_j equals ln(perplexity) to 1e-5 (sklearn _binary_search_perplexity:
     * start β = 1, double/halve until bracketed, then bisect; at most 100 steps). Distances are
     * shifted by their minimum first, which leaves p and H unchanged but keeps exp() from
     * underflowing to an all-zero row for far-away points.
     */
    static void conditionalRow(double[] squaredDistances, double perplexity, double[] out, int at) {
        int k = squaredDistances.length;
        double shift = Double.POSITIVE_INFINITY;
        for (double v : squaredDistances) shift = Math.min(shift, v);
        double desiredEntropy = Math.log(perplexity);
        double beta = 1, betaMin = Double.NEGATIVE_INFINITY, betaMax = Double.POSITIVE_INFINITY;
        for (int step = 0; step < 100; step++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                out[at + j] = Math.exp(-(squaredDistances[j] - shift) * beta);
                sum += out[at + j];
            }
            double weightedDistance = 0;
            for (int j = 0; j < k; j++) {
                out[at + j] /= sum;
                weightedDistance += (squaredDistances[j] - shift) * out[at + j];
            }
            double entropy = Math.log(sum) + beta * weightedDistance;
            double difference = entropy - desiredEntropy;
            if (Math.abs(difference) <= 1e-5) break;
            if (difference > 0) { // too flat: sharpen
                betaMin = beta;
                beta = betaMax == Double.POSITIVE_INFINITY ? beta * 2 : (beta + betaMax) / 2;
            } else {
                betaMax = beta;
                beta = betaMin == Double.NEGATIVE_INFINITY ? beta / 2 : (beta + betaMin) / 2;
            }
        }
    }

    /** P = (C + Cᵀ) / Σ(C + Cᵀ) for the n×k conditional matrix C given by neighbour lists. */
    static Affinities symmetrise(int n, int k, int[] neighbour, double[] conditional) {
        // Every stored c_ij lands in row i (as itself) and in row j (as the transpose).
        int[] count = new int[n + 1];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < k; c++) {
                count[i]++;
                count[neighbour[i * k + c]]++;
            }
        int[] start = new int[n + 1];
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + count[i];
        int[] fill = Arrays.copyOf(start, n);
        int[] col = new int[start[n]];
        double[] val = new double[start[n]];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < k; c++) {
                int j = neighbour[i * k + c];
                double v = conditional[i * k + c];
                col[fill[i]] = j;
                val[fill[i]++] = v;
                col[fill[j]] = i;
                val[fill[j]++] = v;
            }
        // Sort each row by column and add duplicates (pairs that are neighbours both ways).
        int[] rowStart = new int[n + 1];
        int[] outCol = new int[start[n]];
        double[] outVal = new double[start[n]];
        int written = 0;
        double total = 0;
        for (int i = 0; i < n; i++) {
            rowStart[i] = written;
            int len = start[i + 1] - start[i];
            long[] keys = new long[len]; // column in the high bits, position in the row in the low bits
            for (int t = 0; t < len; t++) keys[t] = ((long) col[start[i] + t] << 32) | t;
            Arrays.sort(keys);
            for (int t = 0; t < len; t++) {
                int j = (int) (keys[t] >>> 32);
                double v = val[start[i] + (int) keys[t]];
                if (written > rowStart[i] && outCol[written - 1] == j) {
                    outVal[written - 1] += v;
                } else {
                    outCol[written] = j;
                    outVal[written++] = v;
                }
                total += v;
            }
        }
        rowStart[n] = written;
        for (int t = 0; t < written; t++) outVal[t] /= total;
        return new Affinities(n, rowStart, Arrays.copyOf(outCol, written), Arrays.copyOf(outVal, written));
    }

    // ------------------------------------------------------------------ optimisation

    static double[] initialEmbedding(float[] x, int n, int d, Options options) {
        double[] y = new double[2 * n];
        if (options.randomInit()) {
            Random random = new Random(options.seed());
            for (int i = 0; i < 2 * n; i++) y[i] = 1e-4 * random.nextGaussian();
            return y;
        }
        if (d < 2) throw new UserError("PCA initialisation needs at least 2 input dimensions, got " + d);
        double[] scores = Pca.fit(x, n, d, 2).scores();
        double mean = 0, sq = 0;
        for (int i = 0; i < n; i++) mean += scores[2 * i];
        mean /= n;
        for (int i = 0; i < n; i++) sq += (scores[2 * i] - mean) * (scores[2 * i] - mean);
        double std = Math.sqrt(sq / n);
        double scale = std > 0 ? 1e-4 / std : 1;
        for (int i = 0; i < 2 * n; i++) y[i] = scores[i] * scale;
        return y;
    }

    static void optimise(double[] y, Affinities affinities, Options options, FftRepulsion fft) {
        int n = affinities.n();
        double learningRate = options.learningRate() > 0 ? options.learningRate()
                : Math.max(n / options.earlyExaggeration() / 4, 50);
        double[] gradient = new double[2 * n], update = new double[2 * n], gains = new double[2 * n];
        for (int it = 0; it < options.iterations(); it++) {
            boolean early = it < options.exaggerationIterations();
            if (it == 0 || it == options.exaggerationIterations()) { // sklearn restarts the optimiser per stage
                Arrays.fill(update, 0);
                Arrays.fill(gains, 1);
            }
            double momentum = early ? 0.5 : 0.8;
            double exaggeration = early ? options.earlyExaggeration() : 1;
            gradient(y, affinities, exaggeration, fft, gradient);
            for (int t = 0; t < 2 * n; t++) {
                if (update[t] * gradient[t] < 0) gains[t] += 0.2;
                else gains[t] *= 0.8;
                if (gains[t] < 0.01) gains[t] = 0.01;
                update[t] = momentum * update[t] - learningRate * gains[t] * gradient[t];
                y[t] += update[t];
            }
        }
    }

    /** ∂C/∂y = 4·(α·attractive − repulsive/Z); repulsion by FFT when fft ≠ null, else exactly. */
    static void gradient(double[] y, Affinities a, double exaggeration, FftRepulsion fft, double[] gradient) {
        int n = a.n();
        double[] repulsive = new double[2 * n];
        double z = fft != null ? fft.repulsion(y, n, repulsive) : FftRepulsion.exactRepulsion(y, n, repulsive);
        double invZ = 1 / z;
        Parallel.chunks(n, 4, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double yix = y[2 * i], yiy = y[2 * i + 1];
                double ax = 0, ay = 0;
                for (int t = a.rowStart()[i]; t < a.rowStart()[i + 1]; t++) {
                    int j = a.col()[t];
                    double dx = yix - y[2 * j], dy = yiy - y[2 * j + 1];
                    double pw = a.p()[t] / (1 + dx * dx + dy * dy);
                    ax += pw * dx;
                    ay += pw * dy;
                }
                gradient[2 * i] = 4 * (exaggeration * ax - repulsive[2 * i] * invZ);
                gradient[2 * i + 1] = 4 * (exaggeration * ay - repulsive[2 * i + 1] * invZ);
            }
        });
    }
}
