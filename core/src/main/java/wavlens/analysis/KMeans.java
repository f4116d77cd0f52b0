package wavlens.analysis;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import wavlens.io.UserError;
import wavlens.tensor.Blas;

/**
 * k-means on a row-major n×d float32 matrix (rows = frames), used to cluster layer features.
 *
 * <ul>
 *   <li>Seeding: greedy k-means++ as in scikit-learn (Arthur &amp; Vassilvitskii 2007; the greedy
 *       variant draws 2 + ⌊ln k⌋ candidates per step, proportional to D(x)², and keeps the one that
 *       lowers the potential Σ D(x)² most).</li>
 *   <li>Lloyd iterations: the assignment step is one SGEMM per block of rows,
 *       ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖², so the n×k×d work runs at BLAS speed; the update step adds
 *       rows into double-precision sums. Stops when the labels no longer change, or when the total
 *       squared centre shift Σ_j ‖c_j' − c_j‖² ≤ tol · mean feature variance (sklearn's rule), or
 *       after maxIter iterations.</li>
 *   <li>Empty clusters are re-seeded with the points farthest from their own centre (sklearn).</li>
 *   <li>Spherical mode: cosine k-means — rows are treated as L2-normalised (scaled on the fly, the
 *       data is never copied), centroids are re-normalised every step, assignment is by largest
 *       dot product, and the reported inertia is Σ (1 − cos(x, c)).</li>
 *   <li>Mini-batch mode (Sculley 2010, "Web-scale k-means clustering", as in sklearn's
 *       MiniBatchKMeans): random batches with replacement, per-centre learning rate 1/count, early
 *       stop when an exponentially weighted average of the batch inertia has not improved for 10
 *       steps. (sklearn's random reassignment of rarely used centres is not done.)</li>
 * </ul>
 *
 * <p>Deterministic for a seed: all sums that run in parallel are split into fixed pieces whose
 * partial results are combined in a fixed order, so thread timing never changes a bit. Inertia,
 * centroid sums and the variance are accumulated in double; the data stays float32 and is not copied.
 */
public final class KMeans {
    private KMeans() {}

    /** Rows per SGEMM block in the assignment step (block × k floats of scratch). */
    static final int BLOCK_ROWS = 8192;
    /** Mini-batch early stop: steps without improvement of the smoothed batch inertia (sklearn's default). */
    static final int MAX_NO_IMPROVEMENT = 10;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /**
     * @param k         number of clusters
     * @param seed      random seed (seeding and mini-batch sampling)
     * @param restarts  independent runs from different seedings; the lowest inertia wins
     * @param maxIter   Lloyd iterations (mini-batch: passes over the data)
     * @param tol       relative tolerance on the centre shift (multiplied by the mean feature variance); 0 = only stop when labels settle
     * @param spherical cosine k-means
     * @param miniBatch batch size; 0 = full-batch Lloyd
     */
    public record Options(int k, long seed, int restarts, int maxIter, double tol, boolean spherical, int miniBatch) {
        public static Options of(int k) {
            return new Options(k, 0, 1, 300, 1e-4, false, 0);
        }

        public Options withSeed(long s) { return new Options(k, s, restarts, maxIter, tol, spherical, miniBatch); }
        public Options withRestarts(int r) { return new Options(k, seed, r, maxIter, tol, spherical, miniBatch); }
        public Options withMaxIter(int m) { return new Options(k, seed, restarts, m, tol, spherical, miniBatch); }
        public Options withTol(double t) { return new Options(k, seed, restarts, maxIter, t, spherical, miniBatch); }
        public Options withSpherical(boolean s) { return new Options(k, seed, restarts, maxIter, tol, s, miniBatch); }
        public Options withMiniBatch(int b) { return new Options(k, seed, restarts, maxIter, tol, spherical, b); }
    }

    /**
     * @param centroids      k×d row-major (unit length in spherical mode)
     * @param assignments    cluster of every row, nearest to the final centroids
     * @param inertia        Σ ‖x − c‖² over rows for the final centroids (spherical: Σ (1 − cos))
     * @param iterations     Lloyd iterations (mini-batch: batch steps) of the winning run
     * @param inertiaHistory inertia of each iteration's assignment against the centroids it was made with (full-batch mode)
     * @param seedingSeconds time spent in k-means++ seeding, summed over restarts
     */
    public record Result(float[] centroids, int[] assignments, double inertia, int iterations, boolean converged,
                         double[] inertiaHistory, int k, int d, double seedingSeconds) {}

    public static Result fit(float[] x, int n, int d, Options o) {
        if (o.k < 1) throw new UserError("k must be at least 1, got " + o.k);
        if (n < 1 || d < 1 || x.length != (long) n * d) throw new UserError("expected an n×d matrix with n, d ≥ 1 (" + n + "×" + d + " vs " + x.length + " values)");
        if (o.k > n) throw new UserError("k = " + o.k + " is more than the number of points (" + n + ")");
        if (o.restarts < 1) throw new UserError("restarts must be at least 1");
        if (o.maxIter < 1) throw new UserError("max-iter must be at least 1");
        if (!(o.tol >= 0)) throw new UserError("tol must be ≥ 0");
        if (o.miniBatch < 0) throw new UserError("mini-batch size must be ≥ 0");
        Data data = new Data(x, n, d, o.spherical);
        double tolAbs = o.tol == 0 ? 0 : o.tol * data.meanVariance();
        SplittableRandom master = new SplittableRandom(o.seed);
        Result best = null;
        double seedingSeconds = 0;
        for (int r = 0; r < o.restarts; r++) {
            SplittableRandom rng = master.split();
            long t0 = System.nanoTime();
            float[] centres = o.miniBatch > 0
                    ? seedOnSubset(data, o.k, Math.min(n, Math.max(3 * o.miniBatch, 3 * o.k)), rng)
                    : kMeansPlusPlus(data, o.k, rng);
            seedingSeconds += (System.nanoTime() - t0) / 1e9;
            Result run = o.miniBatch > 0 ? miniBatch(data, centres, o, tolAbs, rng) : lloyd(data, centres, o, tolAbs);
            if (best == null || run.inertia < best.inertia) best = run;
        }
        return new Result(best.centroids, best.assignments, best.inertia, best.iterations, best.converged,
                best.inertiaHistory, best.k, best.d, seedingSeconds);
    }

    // ------------------------------------------------------------------ data view

    /**
     * The input matrix plus per-row constants: pointSq = ‖x‖² and scale = 1 (Euclidean), or
     * pointSq = 1 and scale = 1/‖x‖ (spherical: the row as a unit vector, without copying it).
     */
    public static final class Data {
        final float[] x;
        final int n, d;
        final boolean spherical;
        final double[] pointSq, scale;

        public Data(float[] x, int n, int d, boolean spherical) {
            this.x = x;
            this.n = n;
            this.d = d;
            this.spherical = spherical;
            pointSq = new double[n];
            scale = new double[n];
            // Norms in parallel over fixed row chunks; also the place where bad rows are found.
            IntStream.range(0, chunks(n)).parallel().forEach(c -> {
                for (int i = chunkStart(c, n); i < chunkStart(c + 1, n); i++) {
                    double s = 0;
                    for (int f = 0; f < d; f++) {
                        double v = x[i * d + f];
                        s += v * v;
                    }
                    if (!Double.isFinite(s)) throw new UserError("row " + i + " contains NaN or Inf" + firstBad(x, i, d));
                    if (spherical && s == 0) throw new UserError("row " + i + " is all zeros; spherical k-means needs rows with a direction");
                    pointSq[i] = spherical ? 1.0 : s;
                    scale[i] = spherical ? 1 / Math.sqrt(s) : 1.0;
                }
            });
        }

        private static String firstBad(float[] x, int row, int d) {
            for (int f = 0; f < d; f++) if (!Float.isFinite(x[row * d + f])) return " (column " + f + " is " + x[row * d + f] + ")";
            return " (squared norm overflows)";
        }

        public int rows() {
            return n;
        }

        /** The rows as given (not normalised), row-major. */
        public float[] values() {
            return x;
        }

        /** Mean over features of the per-feature variance (of the unit rows in spherical mode). */
        double meanVariance() {
            double[] mean = new double[d], sq = new double[d];
            for (int i = 0; i < n; i++) for (int f = 0; f < d; f++) mean[f] += x[i * d + f] * scale[i];
            for (int f = 0; f < d; f++) mean[f] /= n;
            for (int i = 0; i < n; i++) {
                for (int f = 0; f < d; f++) {
                    double c = x[i * d + f] * scale[i] - mean[f];
                    sq[f] += c * c;
                }
            }
            double total = 0;
            for (int f = 0; f < d; f++) total += sq[f] / n;
            return total / d;
        }

        /** Row i as the point it stands for (unit length in spherical mode). */
        void copyPoint(int i, float[] out, int offset) {
            for (int f = 0; f < d; f++) out[offset + f] = (float) (x[i * d + f] * scale[i]);
        }
    }

    /** Fixed row chunks for parallel loops (a function of n only, never of the thread count). */
    static int chunks(int n) {
        return (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
    }

    static int chunkStart(int c, int n) {
        return (int) Math.min((long) c * BLOCK_ROWS, n);
    }

    // ------------------------------------------------------------------ seeding

    /** Greedy k-means++ (sklearn's _kmeans_plusplus); returns k×d centres. */
    static float[] kMeansPlusPlus(Data data, int k, SplittableRandom rng) {
        int n = data.n, d = data.d;
        int trials = 2 + (int) Math.log(k);
        float[] centres = new float[k * d];
        float[] candidates = new float[trials * d];
        double[] candidateSq = new double[trials];
        double[] closest = new double[n];   // D(x)²: squared distance to the nearest chosen centre
        double[] trialDist = new double[trials * n];

        data.copyPoint(rng.nextInt(n), centres, 0);
        System.arraycopy(centres, 0, candidates, 0, d);
        candidateSq[0] = squaredNorm(candidates, 0, d);
        distancesToCandidates(data, candidates, candidateSq, 1, trialDist);
        System.arraycopy(trialDist, 0, closest, 0, n);
        double potential = sumInOrder(closest);

        double[] cumulative = new double[n];
        int[] chosen = new int[trials];
        double[] trialPotential = new double[trials];
        for (int c = 1; c < k; c++) {
            double running = 0;
            for (int i = 0; i < n; i++) cumulative[i] = running += closest[i];
            for (int t = 0; t < trials; t++) {
                double target = rng.nextDouble() * potential;
                chosen[t] = Math.min(firstAtLeast(cumulative, target), n - 1);
                data.copyPoint(chosen[t], candidates, t * d);
                candidateSq[t] = squaredNorm(candidates, t * d, d);
            }
            distancesToCandidates(data, candidates, candidateSq, trials, trialDist);
            // Potential if candidate t were added: Σ_i min(D(x_i)², ‖x_i − cand_t‖²).
            IntStream.range(0, trials).parallel().forEach(t -> {
                double s = 0;
                for (int i = 0; i < n; i++) s += Math.min(closest[i], trialDist[t * n + i]);
                trialPotential[t] = s;
            });
            int best = 0;
            for (int t = 1; t < trials; t++) if (trialPotential[t] < trialPotential[best]) best = t;
            potential = trialPotential[best];
            for (int i = 0; i < n; i++) closest[i] = Math.min(closest[i], trialDist[best * n + i]);
            System.arraycopy(candidates, best * d, centres, c * d, d);
        }
        return centres;
    }

    /** The first index whose cumulative value is ≥ target (numpy searchsorted, side='left'). */
    static int firstAtLeast(double[] cumulative, double target) {
        int lo = 0, hi = cumulative.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < target) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /**
     * out[t·n + i] = squared distance of point i to candidate t (clipped at 0). With only 2 + ln k
     * candidates a GEMM has nothing to block on (OpenBLAS spent ~0.2 s per step here, re-packing the
     * whole matrix), so this is a SIMD loop that reads each row once and dots it with every candidate
     * while the row is in L1; parallel over fixed row chunks.
     */
    private static void distancesToCandidates(Data data, float[] candidates, double[] candidateSq, int count, double[] out) {
        int n = data.n, d = data.d;
        IntStream.range(0, chunks(n)).parallel().forEach(c -> {
            for (int i = chunkStart(c, n); i < chunkStart(c + 1, n); i++) {
                int t = 0;
                for (; t + 4 <= count; t += 4) dots4(data, i, candidates, t, candidateSq, out, n);
                for (; t < count; t++) {
                    double dot = dot(data.x, i * d, candidates, t * d, d);
                    out[t * n + i] = Math.max(data.pointSq[i] - 2 * data.scale[i] * dot + candidateSq[t], 0);
                }
            }
        });
    }

    /** Four candidates t..t+3 against row i in one sweep: the row is loaded once for four independent FMA chains. */
    private static void dots4(Data data, int i, float[] candidates, int t, double[] candidateSq, double[] out, int n) {
        int d = data.d, base = i * d, c0 = t * d, c1 = c0 + d, c2 = c1 + d, c3 = c2 + d;
        float[] x = data.x;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int f = 0;
        for (int upper = F.loopBound(d); f < upper; f += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, base + f);
            a0 = v.fma(FloatVector.fromArray(F, candidates, c0 + f), a0);
            a1 = v.fma(FloatVector.fromArray(F, candidates, c1 + f), a1);
            a2 = v.fma(FloatVector.fromArray(F, candidates, c2 + f), a2);
            a3 = v.fma(FloatVector.fromArray(F, candidates, c3 + f), a3);
        }
        double s0 = wavlens.tensor.Ops.sumLanes(a0), s1 = wavlens.tensor.Ops.sumLanes(a1);
        double s2 = wavlens.tensor.Ops.sumLanes(a2), s3 = wavlens.tensor.Ops.sumLanes(a3);
        for (; f < d; f++) {
            double v = x[base + f];
            s0 += v * candidates[c0 + f];
            s1 += v * candidates[c1 + f];
            s2 += v * candidates[c2 + f];
            s3 += v * candidates[c3 + f];
        }
        double twoScale = 2 * data.scale[i];
        out[t * n + i] = Math.max(data.pointSq[i] - twoScale * s0 + candidateSq[t], 0);
        out[(t + 1) * n + i] = Math.max(data.pointSq[i] - twoScale * s1 + candidateSq[t + 1], 0);
        out[(t + 2) * n + i] = Math.max(data.pointSq[i] - twoScale * s2 + candidateSq[t + 2], 0);
        out[(t + 3) * n + i] = Math.max(data.pointSq[i] - twoScale * s3 + candidateSq[t + 3], 0);
    }

    /** a[ao..ao+d) · b[bo..bo+d): float lanes (two accumulators to hide the FMA latency), summed in double. */
    static double dot(float[] a, int ao, float[] b, int bo, int d) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int step = F.length(), f = 0;
        for (; f + 2 * step <= d; f += 2 * step) {
            acc0 = FloatVector.fromArray(F, a, ao + f).fma(FloatVector.fromArray(F, b, bo + f), acc0);
            acc1 = FloatVector.fromArray(F, a, ao + f + step).fma(FloatVector.fromArray(F, b, bo + f + step), acc1);
        }
        double sum = (double) wavlens.tensor.Ops.sumLanes(acc0) + wavlens.tensor.Ops.sumLanes(acc1);   // fixed lane order: same bits interpreted and compiled
        for (; f < d; f++) sum += (double) a[ao + f] * b[bo + f];
        return sum;
    }

    /** k-means++ on a random subset of rows (mini-batch initialisation, like sklearn's init_size). */
    static float[] seedOnSubset(Data data, int k, int size, SplittableRandom rng) {
        int d = data.d;
        if (size >= data.n) return kMeansPlusPlus(data, k, rng);
        int[] rows = rng.ints(0, data.n).distinct().limit(size).toArray();
        Arrays.sort(rows);
        float[] subset = new float[size * d];
        for (int s = 0; s < size; s++) data.copyPoint(rows[s], subset, s * d);
        return kMeansPlusPlus(new Data(subset, size, d, data.spherical), k, rng);
    }

    // ------------------------------------------------------------------ Lloyd

    static Result lloyd(Data data, float[] centres, Options o, double tolAbs) {
        int n = data.n, d = data.d, k = o.k;
        int[] labels = new int[n], previous = new int[n];
        Arrays.fill(previous, -1);
        double[] sums = new double[k * d];
        long[] counts = new long[k];
        double[] pointDist = new double[n];
        double[] history = new double[o.maxIter];
        // Everything an iteration touches is allocated once, here: the GEMM block, the per-part sums.
        Step step = new Step(data, k);
        int iter = 0;
        boolean converged = false;
        while (iter < o.maxIter) {
            history[iter] = step.run(centres, labels, pointDist, sums, counts);
            relocateEmpty(data, labels, sums, counts, pointDist);
            double shift = updateCentres(centres, sums, counts, k, d, data.spherical);
            iter++;
            if (Arrays.equals(labels, previous)) {
                converged = true; // the same labels give the same centres: a fixed point
                break;
            }
            if (shift <= tolAbs) {
                converged = tolAbs > 0 || shift == 0;
                break;
            }
            System.arraycopy(labels, 0, previous, 0, n);
        }
        // Final labels and inertia for the final centres (one more assignment pass, as sklearn does).
        double inertia = step.run(centres, labels, pointDist, null, null);
        return new Result(centres, labels, inertia, iter, converged, Arrays.copyOf(history, iter), k, d, 0);
    }

    /**
     * One fused Lloyd pass: per block of rows, one SGEMM against all centres (‖x − c‖² =
     * ‖x‖² − 2 x·c + ‖c‖², the n×k×d work at BLAS speed on both cores), then, in {@value #PARTS}
     * fixed slices of the block run in parallel, the argmin, the exact squared distance to the chosen
     * centre and the row added into its slice's double sums — while the block is still in cache.
     * Slice s of every block adds into partial sums s in row order, and the slices' sums are added
     * in slice order, so the result does not depend on thread timing. No allocation per pass.
     */
    static final class Step {
        static final int PARTS = 4;
        final Data data;
        final int k;
        final float[] dots;
        final double[] centreSq;
        final double[][] partSums;
        final long[][] partCounts;

        Step(Data data, int k) {
            this.data = data;
            this.k = k;
            dots = new float[Math.min(BLOCK_ROWS, data.n) * k];
            centreSq = new double[k];
            partSums = new double[PARTS][k * data.d];
            partCounts = new long[PARTS][k];
        }

        /**
         * Labels every row with its nearest centre (lowest index on a tie) and sets pointDist to the
         * exact ‖x − c_label‖²; with sums ≠ null also the update step's sums and counts. Returns the
         * inertia (Σ pointDist in row order; Σ(1 − cos) in spherical mode).
         */
        double run(float[] centres, int[] labels, double[] pointDist, double[] sums, long[] counts) {
            int n = data.n, d = data.d;
            boolean update = sums != null;
            for (int j = 0; j < k; j++) centreSq[j] = squaredNorm(centres, j * d, d);
            if (update) for (int s = 0; s < PARTS; s++) {
                Arrays.fill(partSums[s], 0);
                Arrays.fill(partCounts[s], 0);
            }
            for (int r0 = 0; r0 < n; r0 += BLOCK_ROWS) {
                int rows = Math.min(BLOCK_ROWS, n - r0), start = r0;
                Blas.sgemm(false, true, rows, k, d, 1f, data.x, r0 * d, d, centres, 0, d, 0f, dots, 0, k);
                IntStream.range(0, PARTS).parallel().forEach(s -> {
                    int from = start + (int) ((long) rows * s / PARTS), to = start + (int) ((long) rows * (s + 1) / PARTS);
                    double[] ps = update ? partSums[s] : null;
                    long[] pc = update ? partCounts[s] : null;
                    for (int i = from; i < to; i++) {
                        int row = (i - start) * k;
                        double twoScale = 2 * data.scale[i];
                        int best = 0;
                        double bestValue = Double.POSITIVE_INFINITY;
                        for (int j = 0; j < k; j++) {
                            double v = centreSq[j] - twoScale * dots[row + j];
                            if (v < bestValue) {
                                bestValue = v;
                                best = j;
                            }
                        }
                        labels[i] = best;
                        pointDist[i] = squaredDistance(data, i, centres, best * d);
                        if (update) {
                            pc[best]++;
                            addRow(data, i, ps, best * d);
                        }
                    }
                });
            }
            if (update) {
                System.arraycopy(partSums[0], 0, sums, 0, sums.length);
                System.arraycopy(partCounts[0], 0, counts, 0, k);
                for (int s = 1; s < PARTS; s++) {
                    double[] ps = partSums[s];
                    for (int e = 0; e < sums.length; e++) sums[e] += ps[e];
                    for (int j = 0; j < k; j++) counts[j] += partCounts[s][j];
                }
            }
            return inertiaFromDistances(data, pointDist);
        }
    }

    /** sums[offset..offset+d) += scale_i · x_i (float row into double sums; the JIT vectorises the widening add). */
    static void addRow(Data data, int i, double[] sums, int offset) {
        int d = data.d, base = i * d;
        if (data.spherical) {
            double s = data.scale[i];
            for (int f = 0; f < d; f++) sums[offset + f] += data.x[base + f] * s;
        } else {
            for (int f = 0; f < d; f++) sums[offset + f] += data.x[base + f];
        }
    }

    /** labels[i] = argmin_j ‖c_j‖² − 2·scale_i·(x_i·c_j): the nearest centre (lowest index on a tie). */
    static void assign(Data data, float[] centres, int k, float[] dots, int[] labels) {
        int n = data.n, d = data.d;
        double[] centreSq = new double[k];
        for (int j = 0; j < k; j++) centreSq[j] = squaredNorm(centres, j * d, d);
        for (int r0 = 0; r0 < n; r0 += BLOCK_ROWS) {
            int rows = Math.min(BLOCK_ROWS, n - r0);
            Blas.sgemm(false, true, rows, k, d, 1f, data.x, r0 * d, d, centres, 0, d, 0f, dots, 0, k);
            for (int r = 0; r < rows; r++) {
                double twoScale = 2 * data.scale[r0 + r];
                int best = 0;
                double bestValue = Double.POSITIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    double v = centreSq[j] - twoScale * dots[r * k + j];
                    if (v < bestValue) {
                        bestValue = v;
                        best = j;
                    }
                }
                labels[r0 + r] = best;
            }
        }
    }

    /**
     * The update step's sums: sums[j] = Σ_{i in j} x_i (unit rows in spherical mode), counts[j], and
     * pointDist[i] = ‖x_i − c_{label}‖² to the centres the labels were made with. Returns the inertia.
     * Clusters are split between threads by index (j mod threads); each thread walks all rows in order
     * and handles only its clusters, so every sum sees its rows in row order whatever the timing.
     */
    static double accumulate(Data data, float[] centres, int k, int[] labels, double[] sums, long[] counts, double[] pointDist) {
        int n = data.n, d = data.d;
        Arrays.fill(sums, 0);
        Arrays.fill(counts, 0);
        int parts = Math.min(k, Math.max(1, Runtime.getRuntime().availableProcessors()));
        IntStream.range(0, parts).parallel().forEach(part -> {
            for (int i = 0; i < n; i++) {
                int j = labels[i];
                if (j % parts != part) continue;
                pointDist[i] = squaredDistance(data, i, centres, j * d);
                counts[j]++;
                double s = data.scale[i];
                int base = i * d, cb = j * d;
                for (int f = 0; f < d; f++) sums[cb + f] += data.x[base + f] * s;
            }
        });
        return inertiaFromDistances(data, pointDist);
    }

    /** Σ_i of the per-point distances, in row order (Σ(1 − cos) = ½ Σ ‖x̂ − c‖² in spherical mode). */
    private static double inertiaFromDistances(Data data, double[] pointDist) {
        double total = sumInOrder(pointDist);
        return data.spherical ? total / 2 : total;
    }

    /** Exact inertia for given labels and centres (parallel over fixed row chunks, summed in order). */
    static double inertia(Data data, float[] centres, int[] labels) {
        double[] pointDist = new double[data.n];
        IntStream.range(0, chunks(data.n)).parallel().forEach(c -> {
            for (int i = chunkStart(c, data.n); i < chunkStart(c + 1, data.n); i++) {
                pointDist[i] = squaredDistance(data, i, centres, labels[i] * data.d);
            }
        });
        return inertiaFromDistances(data, pointDist);
    }

    /** ‖scale_i·x_i − c‖², SIMD over features in float, the row's lanes added up in double. */
    static double squaredDistance(Data data, int i, float[] centres, int centreOffset) {
        int d = data.d, base = i * d;
        float s = (float) data.scale[i];
        FloatVector acc = FloatVector.zero(F);
        int f = 0;
        for (int upper = F.loopBound(d); f < upper; f += F.length()) {
            FloatVector diff = FloatVector.fromArray(F, data.x, base + f).mul(s).sub(FloatVector.fromArray(F, centres, centreOffset + f));
            acc = diff.fma(diff, acc);
        }
        double sum = wavlens.tensor.Ops.sumLanes(acc);
        for (; f < d; f++) {
            double diff = data.x[base + f] * (double) s - centres[centreOffset + f];
            sum += diff * diff;
        }
        return sum;
    }

    /**
     * Empty clusters take the points farthest from their current centre (largest pointDist, lowest
     * index on a tie), as sklearn does: the point's row moves from its old cluster's sum to the empty one.
     */
    static void relocateEmpty(Data data, int[] labels, double[] sums, long[] counts, double[] pointDist) {
        int d = data.d, k = counts.length;
        boolean[] taken = null;
        for (int j = 0; j < k; j++) {
            if (counts[j] != 0) continue;
            if (taken == null) taken = new boolean[data.n];
            int far = -1;
            for (int i = 0; i < data.n; i++) if (!taken[i] && (far < 0 || pointDist[i] > pointDist[far])) far = i;
            taken[far] = true;
            int old = labels[far];
            double s = data.scale[far];
            for (int f = 0; f < d; f++) {
                double v = data.x[far * d + f] * s;
                sums[old * d + f] -= v;
                sums[j * d + f] = v;
            }
            counts[old]--;
            counts[j] = 1;
        }
    }

    /** centres[j] = sums[j] / counts[j] (re-normalised in spherical mode); returns Σ_j ‖new − old‖². */
    static double updateCentres(float[] centres, double[] sums, long[] counts, int k, int d, boolean spherical) {
        double shift = 0;
        for (int j = 0; j < k; j++) {
            if (counts[j] == 0) continue; // only possible when a cluster gave its last point away: keep the centre
            double divisor = counts[j];
            if (spherical) {
                double norm = 0;
                for (int f = 0; f < d; f++) norm += sums[j * d + f] * sums[j * d + f];
                if (norm == 0) continue; // opposite directions cancelled out: keep the old direction
                divisor = Math.sqrt(norm);
            }
            for (int f = 0; f < d; f++) {
                float updated = (float) (sums[j * d + f] / divisor);
                double delta = updated - centres[j * d + f];
                shift += delta * delta;
                centres[j * d + f] = updated;
            }
        }
        return shift;
    }

    // ------------------------------------------------------------------ mini-batch

    static Result miniBatch(Data data, float[] centres, Options o, double tolAbs, SplittableRandom rng) {
        int n = data.n, d = data.d, k = o.k, batch = Math.min(o.miniBatch, n);
        long steps = Math.max(1, (long) o.maxIter * n / batch);
        long[] counts = new long[k];                 // points each centre has absorbed so far
        float[] batchRows = new float[batch * d];
        float[] dots = new float[batch * k];
        int[] batchLabels = new int[batch];
        double[] batchSums = new double[k * d];
        long[] batchCounts = new long[k];
        double smoothed = Double.NaN, bestSmoothed = Double.POSITIVE_INFINITY;
        int noImprovement = 0, step = 0;
        boolean converged = false;
        // sklearn's smoothing weight for the batch inertia: α = 2·batch / (n + 1), at most 1.
        double alpha = Math.min(1.0, 2.0 * batch / (n + 1));
        while (step < steps) {
            for (int b = 0; b < batch; b++) data.copyPoint(rng.nextInt(n), batchRows, b * d);
            Data batchData = new Data(batchRows, batch, d, false);
            assign(batchData, centres, k, dots, batchLabels);
            double batchInertia = 0;
            Arrays.fill(batchSums, 0);
            Arrays.fill(batchCounts, 0);
            for (int b = 0; b < batch; b++) {
                int j = batchLabels[b];
                batchInertia += squaredDistance(batchData, b, centres, j * d);
                batchCounts[j]++;
                for (int f = 0; f < d; f++) batchSums[j * d + f] += batchRows[b * d + f];
            }
            // c_j ← (count_j·c_j + Σ batch points of j) / (count_j + batch count_j): a running mean,
            // i.e. Sculley's per-centre learning rate 1/count.
            double shift = 0;
            for (int j = 0; j < k; j++) {
                if (batchCounts[j] == 0) continue;
                long total = counts[j] + batchCounts[j];
                double norm = 0;
                double[] updated = new double[d];
                for (int f = 0; f < d; f++) {
                    updated[f] = ((double) centres[j * d + f] * counts[j] + batchSums[j * d + f]) / total;
                    norm += updated[f] * updated[f];
                }
                double divisor = data.spherical && norm > 0 ? Math.sqrt(norm) : 1.0;
                for (int f = 0; f < d; f++) {
                    float v = (float) (updated[f] / divisor);
                    double delta = v - centres[j * d + f];
                    shift += delta * delta;
                    centres[j * d + f] = v;
                }
                counts[j] = total;
            }
            step++;
            if (tolAbs > 0 && shift <= tolAbs) {
                converged = true;
                break;
            }
            double perPoint = batchInertia / batch;
            smoothed = Double.isNaN(smoothed) ? perPoint : smoothed * (1 - alpha) + perPoint * alpha;
            if (smoothed < bestSmoothed) {
                bestSmoothed = smoothed;
                noImprovement = 0;
            } else if (++noImprovement >= MAX_NO_IMPROVEMENT) {
                converged = true;
                break;
            }
        }
        int[] labels = new int[n];
        assign(data, centres, k, new float[Math.min(BLOCK_ROWS, n) * k], labels);
        return new Result(centres, labels, inertia(data, centres, labels), step, converged, new double[0], k, d, 0);
    }

    // ------------------------------------------------------------------ pieces for distributed k-means

    /*
     * wavlens-spark runs the same Lloyd iteration over blocks of rows held by Spark executors: each
     * block returns the sums below, the driver adds them up in block order and updates the centres
     * with updateCentres. Adding per-block double sums in a fixed order keeps a run deterministic
     * for a seed, whatever the task timing.
     */

    /** One block's part of a Lloyd step: per-cluster sums of its rows and counts, and its inertia against the centres used. */
    public record StepSums(double[] sums, long[] counts, double inertia) {}

    /** Assigns the block's rows to the nearest of the k centres and returns their sums, counts and inertia (as {@link #lloyd} does). */
    public static StepSums stepSums(Data block, float[] centres, int k) {
        int n = block.n, d = block.d;
        int[] labels = new int[n];
        assign(block, centres, k, new float[Math.min(BLOCK_ROWS, n) * k], labels);
        double[] sums = new double[k * d];
        long[] counts = new long[k];
        double inertia = accumulate(block, centres, k, labels, sums, counts, new double[n]);
        return new StepSums(sums, counts, inertia);
    }

    /** The block's final labels against the final centres and their inertia. */
    public record Labels(int[] labels, double inertia) {}

    public static Labels labels(Data block, float[] centres, int k) {
        int[] labels = new int[block.n];
        assign(block, centres, k, new float[Math.min(BLOCK_ROWS, block.n) * k], labels);
        return new Labels(labels, inertia(block, centres, labels));
    }

    /**
     * The block's {@code count} rows farthest from their nearest centre, for re-seeding empty
     * clusters as {@link #relocateEmpty} does: local row, squared distance, label and the point
     * (unit length in spherical mode, in double as relocateEmpty moves it), farthest first, the
     * lower row first on a tie.
     */
    public record Far(int row, double distance, int label, double[] point) {}

    public static List<Far> farthest(Data block, float[] centres, int k, int count) {
        int n = block.n, d = block.d;
        int[] labels = new int[n];
        assign(block, centres, k, new float[Math.min(BLOCK_ROWS, n) * k], labels);
        double[] pointDist = new double[n];
        for (int i = 0; i < n; i++) pointDist[i] = squaredDistance(block, i, centres, labels[i] * d);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> pointDist[a] != pointDist[b] ? Double.compare(pointDist[b], pointDist[a]) : Integer.compare(a, b));
        List<Far> out = new java.util.ArrayList<>();
        for (int r = 0; r < Math.min(count, n); r++) {
            int i = order[r];
            double[] point = new double[d];
            for (int f = 0; f < d; f++) point[f] = block.x[i * d + f] * block.scale[i];
            out.add(new Far(i, pointDist[i], labels[i], point));
        }
        return out;
    }

    /** Σ_i x_i per feature (unit rows in spherical mode): the first pass of the mean feature variance. */
    public static double[] featureSums(Data block) {
        double[] sum = new double[block.d];
        for (int i = 0; i < block.n; i++) for (int f = 0; f < block.d; f++) sum[f] += block.x[i * block.d + f] * block.scale[i];
        return sum;
    }

    /** Σ_i (x_i − mean)² per feature: the second pass ({@link Data#meanVariance} in two passes, as here). */
    public static double[] featureSquaredDeviations(Data block, double[] mean) {
        double[] sq = new double[block.d];
        for (int i = 0; i < block.n; i++) {
            for (int f = 0; f < block.d; f++) {
                double c = block.x[i * block.d + f] * block.scale[i] - mean[f];
                sq[f] += c * c;
            }
        }
        return sq;
    }

    /** Greedy k-means++ on the given rows (a sample of a larger data set), as {@link #fit} seeds. */
    public static float[] seedKMeansPlusPlus(Data sample, int k, SplittableRandom rng) {
        if (k > sample.n) throw new UserError("k = " + k + " is more than the " + sample.n + " rows to seed from");
        return kMeansPlusPlus(sample, k, rng);
    }

    /** The centre update of a Lloyd step from summed block results; returns Σ_j ‖new − old‖². */
    public static double updateCentresFromSums(float[] centres, double[] sums, long[] counts, int k, int d, boolean spherical) {
        return updateCentres(centres, sums, counts, k, d, spherical);
    }

    // ------------------------------------------------------------------ small helpers

    static double squaredNorm(float[] a, int offset, int d) {
        double s = 0;
        for (int f = 0; f < d; f++) s += (double) a[offset + f] * a[offset + f];
        return s;
    }

    /** Σ values in index order, parallel over fixed chunks whose partial sums are added in order. */
    static double sumInOrder(double[] values) {
        int n = values.length;
        double[] partial = new double[chunks(n)];
        IntStream.range(0, partial.length).parallel().forEach(c -> {
            double s = 0;
            for (int i = chunkStart(c, n); i < chunkStart(c + 1, n); i++) s += values[i];
            partial[c] = s;
        });
        double total = 0;
        for (double p : partial) total += p;
        return total;
    }
}
