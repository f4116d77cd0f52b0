package wavlens.analysis.probe;

import java.util.Arrays;
import java.util.TreeSet;
import wavlens.io.UserError;
import wavlens.tensor.Blas;

/**
 * Linear probe: multinomial logistic regression (softmax over all classes, no reference class),
 * L2 penalty with C = 1 by default, fitted with {@link Lbfgs} — the same model and objective as
 * scikit-learn's {@code LogisticRegression(solver="lbfgs")} for more than two classes:
 *
 * <pre>  minimise  Σ_i cross-entropy(softmax(x_i·W + b), y_i) + ||W||² / (2C)     (b not penalised)</pre>
 *
 * (optimised divided by n, see {@link SoftmaxObjective}; {@link Model#loss()} is the sum form above).
 *
 * <p>Features are standardised before fitting: z = (x − mean) / sd with the mean and the population
 * standard deviation (divisor n, as sklearn's StandardScaler) of the TRAINING rows only; a constant
 * column (sd = 0) gets sd = 1, so it becomes all zeros and carries no weight. The fitted {@link Model}
 * keeps mean and sd and applies them to whatever it predicts, so callers pass raw features.
 *
 * <p>Labels are arbitrary ints; the model knows the classes that occur in its training rows, in
 * ascending order. A class that occurs only in the test rows can never be predicted (its recall is 0),
 * which is the honest outcome.
 */
public final class LogisticProbe {
    private LogisticProbe() {}

    /** C: inverse regularisation strength (sklearn's C); the other two are passed to {@link Lbfgs}. */
    public record Options(double inverseRegularization, int maxIterations, double gradientTolerance) {
        /** C = 1 and 200 iterations as sklearn's defaults; gradient tolerance 1e-4 on the per-sample (÷n) objective. */
        public static Options defaults() {
            return new Options(1.0, 200, 1e-4);
        }
    }

    /**
     * A fitted probe. weights is c×d row-major (row j = class j, as sklearn's coef_) on the
     * standardised scale, intercepts has c entries; classes[j] is the label of row j. loss is the penalised objective in its sum form
     * (Σ cross-entropy + ||W||²/(2C)) at the solution.
     */
    public record Model(int[] classes, float[] mean, float[] sd, double[] weights, double[] intercepts,
                        double loss, int iterations, int evaluations, Lbfgs.Stop stop) {
        public int numFeatures() {
            return mean.length;
        }

        public int numClasses() {
            return classes.length;
        }

        /** Predicted label of each of the n rows of x (n×d, raw features). */
        public int[] predict(float[] x, int n) {
            int d = numFeatures(), c = numClasses();
            float[] w = new float[d * c];
            for (int i = 0; i < w.length; i++) w[i] = (float) weights[i];
            int[] out = new int[n];
            int blockRows = 4096;
            float[] block = new float[Math.min(n, blockRows) * d];
            float[] scores = new float[Math.min(n, blockRows) * c];
            for (int start = 0; start < n; start += blockRows) {
                int rows = Math.min(blockRows, n - start);
                for (int r = 0; r < rows; r++) {
                    int src = (start + r) * d, dst = r * d;
                    for (int k = 0; k < d; k++) block[dst + k] = (x[src + k] - mean[k]) / sd[k];
                }
                Blas.sgemm(false, true, rows, c, d, 1f, block, 0, d, w, 0, d, 0f, scores, 0, c);
                for (int r = 0; r < rows; r++) {
                    int best = 0;
                    double bestScore = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < c; j++) {
                        double s = scores[r * c + j] + intercepts[j];
                        if (s > bestScore) {
                            bestScore = s;
                            best = j;
                        }
                    }
                    out[start + r] = classes[best];
                }
            }
            return out;
        }
    }

    /** Fits a probe on n rows of x (n×d row-major) with labels. */
    public static Model fit(float[] x, int n, int d, int[] labels, Options options) {
        if (n < 1) throw new UserError("linear probe: no training rows");
        if (x.length < (long) n * d || labels.length < n) throw new IllegalArgumentException("x or labels shorter than n rows");
        int[] classes = distinct(labels, n);
        int c = classes.length;
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = Arrays.binarySearch(classes, labels[i]);

        // z-score with training statistics; two passes with double sums (mean, then squared deviations),
        // because sumSq/n − mean² cancels badly for columns with a large mean and a small spread.
        double[] mean64 = new double[d], squares = new double[d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) mean64[k] += x[i * d + k];
        }
        for (int k = 0; k < d; k++) mean64[k] /= n;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                double dev = x[i * d + k] - mean64[k];
                squares[k] += dev * dev;
            }
        }
        float[] mean = new float[d], sd = new float[d];
        for (int k = 0; k < d; k++) {
            double s = Math.sqrt(squares[k] / n);
            mean[k] = (float) mean64[k];
            // Constant column (spread below float resolution of its values): scale 1, the column becomes ~0.
            sd[k] = s > 1e-6 * Math.max(1, Math.abs(mean64[k])) ? (float) s : 1f;
        }
        float[] z = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) z[i * d + k] = (x[i * d + k] - mean[k]) / sd[k];
        }

        SoftmaxObjective objective = new SoftmaxObjective(z, n, d, y, c, options.inverseRegularization());
        Lbfgs.Settings settings = new Lbfgs.Settings(10, options.maxIterations(), options.gradientTolerance(), 64 * Math.ulp(1.0));
        Lbfgs.Result r = Lbfgs.minimize(objective, new double[objective.parameterCount()], settings);
        double[] weights = Arrays.copyOf(r.x(), d * c);
        double[] intercepts = Arrays.copyOfRange(r.x(), d * c, d * c + c);
        return new Model(classes, mean, sd, weights, intercepts, r.value() * n, r.iterations(), r.evaluations(), r.stop());
    }

    /**
     * Which rows are test rows: the distinct utterance ids are sorted, shuffled with the seed, and the
     * first round(testFraction · U) of them (at least 1, at most U − 1) go to the test part, so no
     * utterance has frames on both sides.
     */
    public static boolean[] splitByUtterance(int[] utteranceOfRow, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) throw new UserError("linear probe: test fraction must be between 0 and 1, got " + testFraction);
        int[] utterances = distinct(utteranceOfRow, utteranceOfRow.length);
        int u = utterances.length;
        if (u < 2) throw new UserError("linear probe: need at least 2 utterances for a train/test split, got " + u);
        // Fisher–Yates with a seeded generator: the same seed gives the same split on every machine.
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int i = u - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = utterances[i];
            utterances[i] = utterances[j];
            utterances[j] = t;
        }
        int testCount = (int) Math.max(1, Math.min(u - 1, Math.round(testFraction * u)));
        int[] testUtterances = Arrays.copyOf(utterances, testCount);
        Arrays.sort(testUtterances);
        boolean[] isTest = new boolean[utteranceOfRow.length];
        for (int i = 0; i < isTest.length; i++) isTest[i] = Arrays.binarySearch(testUtterances, utteranceOfRow[i]) >= 0;
        return isTest;
    }

    /** A fitted probe with its held-out scores. */
    public record Result(Model model, ClassificationReport test, int trainRows, int testRows) {}

    /**
     * Splits the n rows by utterance, fits on the training part, evaluates on the test part.
     * x is n×d row-major; labels and utteranceOfRow have one entry per row.
     */
    public static Result trainAndTest(float[] x, int n, int d, int[] labels, int[] utteranceOfRow,
                                      double testFraction, long seed, Options options) {
        boolean[] isTest = splitByUtterance(Arrays.copyOf(utteranceOfRow, n), testFraction, seed);
        int testRows = 0;
        for (boolean t : isTest) if (t) testRows++;
        int trainRows = n - testRows;
        float[] trainX = new float[trainRows * d], testX = new float[testRows * d];
        int[] trainY = new int[trainRows], testY = new int[testRows];
        int a = 0, b = 0;
        for (int i = 0; i < n; i++) {
            if (isTest[i]) {
                System.arraycopy(x, i * d, testX, b * d, d);
                testY[b++] = labels[i];
            } else {
                System.arraycopy(x, i * d, trainX, a * d, d);
                trainY[a++] = labels[i];
            }
        }
        Model model = fit(trainX, trainRows, d, trainY, options);
        int[] predicted = model.predict(testX, testRows);
        return new Result(model, ClassificationReport.of(testY, predicted), trainRows, testRows);
    }

    /** The distinct values among the first n entries, ascending. */
    static int[] distinct(int[] values, int n) {
        TreeSet<Integer> set = new TreeSet<>();
        for (int i = 0; i < n; i++) set.add(values[i]);
        return set.stream().mapToInt(Integer::intValue).toArray();
    }
}
