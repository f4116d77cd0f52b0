package wavlens.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import wavlens.analysis.KMeans;
import wavlens.io.Npy;
import wavlens.io.Progress;
import wavlens.io.UserError;

/**
 * k-means and spherical k-means over row ranges of a store layer held by Spark executors: the
 * Lloyd iteration of {@link KMeans} (same assignment kernel — one SGEMM per block with
 * ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖² — same update, same stopping rule, same re-seeding of empty
 * clusters), with each executor doing its rows and the driver only adding up per-cluster sums.
 *
 * <p>Per iteration: the centres go out as a broadcast (k × d floats); every partition returns
 * its per-cluster sums (k × d doubles), counts and inertia; the driver adds them up in partition
 * order — so a run is deterministic for a seed whatever the task timing — and updates the centres.
 * The float data are loaded once (memory-mapped row ranges of the layer file) and cached in the
 * executors' memory for all iterations. Driver memory per iteration: partitions × k × d × 8 bytes.
 *
 * <p>Seeding: sampled greedy k-means++ — a uniform sample of seedSample rows (without
 * replacement, drawn from the seed) is collected on the driver and seeded by core's greedy
 * k-means++. Why not k-means|| (Bahmani et al. 2012, MLlib's default): with n ≫ k a sample of
 * ~100 rows per cluster already holds every cluster that matters to the potential, it costs one
 * pass over the data instead of k-means||'s 2–5 passes plus a weighted re-clustering, and it is
 * the very seeding `wavlens kmeans` runs, so the two agree (when n ≤ seedSample the sample is
 * all rows and the seeding is identical to core's). Its weakness: a cluster much smaller than
 * n / seedSample rows can be missed by the seeding (Lloyd may still find it).
 */
final class DistributedKMeans {
    private DistributedKMeans() {}

    record Options(int k, long seed, int maxIter, double tol, boolean spherical, int seedSample) {}

    record Result(float[] centroids, int[] assignments, double inertia, int iterations, boolean converged,
                  double[] inertiaHistory, double[] iterationSeconds, double loadSeconds, double seedingSeconds,
                  int partitions) {}

    /** A partition's rows in executor memory: the slice they came from and the core k-means view of them. */
    static final class Block {
        final StoreSlices.Slice slice;
        final KMeans.Data data;

        Block(StoreSlices.Slice slice, KMeans.Data data) {
            this.slice = slice;
            this.data = data;
        }

        static Block load(StoreSlices.Slice s, int d, boolean spherical) {
            float[] x = Npy.readRows(Path.of(s.file()), s.localStart(), s.rows());
            try {
                return new Block(s, new KMeans.Data(x, s.rows(), d, spherical));
            } catch (UserError e) {
                throw UserError.inFile(s.file(), "rows from " + s.localStart() + ": " + e.getMessage());
            }
        }
    }

    /** One partition's part of a Lloyd step, shipped to the driver. */
    record Partial(double[] sums, long[] counts, double inertia) implements Serializable {}

    /** A far point for re-seeding an empty cluster, with its global row. */
    record FarPoint(long row, double distance, int label, double[] point) implements Serializable {}

    /** Labels of a partition, in its rows' order. */
    record PartLabels(int index, int[] labels, double inertia) implements Serializable {}

    static Result fit(JavaSparkContext sc, List<StoreSlices.Slice> slices, long n, int d, Options o) {
        if (o.k() < 1) throw new UserError("k must be at least 1, got " + o.k());
        if (o.k() > n) throw new UserError("k = " + o.k() + " is more than the number of rows (" + n + ")");
        if (o.maxIter() < 1) throw new UserError("max-iter must be at least 1");
        if (!(o.tol() >= 0)) throw new UserError("tol must be ≥ 0");
        if (o.seedSample() < o.k()) throw new UserError("seed-sample (" + o.seedSample() + ") must be at least k (" + o.k() + ")");
        if (n > Integer.MAX_VALUE) throw new UserError(n + " rows: assignments are an int32 array on the driver, at most " + Integer.MAX_VALUE + " rows");
        int k = o.k();
        boolean spherical = o.spherical();

        long t0 = System.nanoTime();
        JavaRDD<Block> blocks = sc.parallelize(slices, slices.size()).map(s -> Block.load(s, d, spherical)).persist(StorageLevel.MEMORY_ONLY());
        blocks.count();   // load and cache every partition once
        double loadSeconds = (System.nanoTime() - t0) / 1e9;

        // tol is relative to the mean feature variance, in two passes as core computes it.
        double tolAbs = 0;
        if (o.tol() > 0) {
            double[] mean = sumInOrder(blocks.map(b -> KMeans.featureSums(b.data)).collect(), d);
            for (int f = 0; f < d; f++) mean[f] /= n;
            Broadcast<double[]> meanB = sc.broadcast(mean);
            double[] sq = sumInOrder(blocks.map(b -> KMeans.featureSquaredDeviations(b.data, meanB.value())).collect(), d);
            meanB.destroy();
            double total = 0;
            for (int f = 0; f < d; f++) total += sq[f] / n;
            tolAbs = o.tol() * total / d;
        }

        long s0 = System.nanoTime();
        SplittableRandom rng = new SplittableRandom(o.seed()).split();   // as KMeans.fit's first restart
        float[] centres = seed(sc, blocks, n, d, k, spherical, o.seedSample(), rng);
        double seedingSeconds = (System.nanoTime() - s0) / 1e9;

        double[] history = new double[o.maxIter()], iterationSeconds = new double[o.maxIter()];
        int iter = 0;
        boolean converged = false;
        try (Progress progress = Progress.start("spark kmeans", o.maxIter(), "iterations")) {
            while (iter < o.maxIter()) {
                long i0 = System.nanoTime();
                Broadcast<float[]> centresB = sc.broadcast(centres);
                List<Partial> parts = blocks.map(b -> {
                    KMeans.StepSums s = KMeans.stepSums(b.data, centresB.value(), k);
                    return new Partial(s.sums(), s.counts(), s.inertia());
                }).collect();
                double[] sums = new double[k * d];
                long[] counts = new long[k];
                double inertia = 0;
                for (Partial p : parts) {
                    for (int i = 0; i < sums.length; i++) sums[i] += p.sums()[i];
                    for (int j = 0; j < k; j++) counts[j] += p.counts()[j];
                    inertia += p.inertia();
                }
                history[iter] = inertia;
                if (Arrays.stream(counts).anyMatch(c -> c == 0)) relocateEmpty(blocks, centresB, k, d, sums, counts);
                centresB.destroy();
                double shift = KMeans.updateCentresFromSums(centres, sums, counts, k, d, spherical);
                iterationSeconds[iter] = (System.nanoTime() - i0) / 1e9;
                iter++;
                progress.step();
                // Same labels as the step before give bit-identical sums (added in the same order),
                // so core's "labels settled" stop shows here as a shift of exactly 0.
                if (shift <= tolAbs) {
                    converged = tolAbs > 0 || shift == 0;
                    break;
                }
            }
        }

        // Final labels and inertia for the final centres, in global row order (partitions are slices in row order).
        Broadcast<float[]> finalB = sc.broadcast(centres);
        List<PartLabels> labelled = blocks.map(b -> {
            KMeans.Labels l = KMeans.labels(b.data, finalB.value(), k);
            return new PartLabels(b.slice.index(), l.labels(), l.inertia());
        }).collect();
        finalB.destroy();
        int[] assignments = new int[(int) n];
        double inertia = 0;
        int at = 0;
        for (PartLabels p : labelled) {
            System.arraycopy(p.labels(), 0, assignments, at, p.labels().length);
            at += p.labels().length;
            inertia += p.inertia();
        }
        blocks.unpersist(false);
        return new Result(centres, assignments, inertia, iter, converged, Arrays.copyOf(history, iter),
                Arrays.copyOf(iterationSeconds, iter), loadSeconds, seedingSeconds, slices.size());
    }

    /** Sampled greedy k-means++ (class comment): the sample's rows in global row order, then core's seeding on them. */
    static float[] seed(JavaSparkContext sc, JavaRDD<Block> blocks, long n, int d, int k, boolean spherical, int seedSample, SplittableRandom rng) {
        boolean all = n <= seedSample;
        long[] rows = all ? new long[0] : rng.longs(0, n).distinct().limit(seedSample).sorted().toArray();
        Broadcast<long[]> rowsB = sc.broadcast(rows);
        List<float[]> pieces = blocks.map(b -> {
            long[] wanted = all ? null : rowsB.value();
            StoreSlices.Slice s = b.slice;
            int from = 0, to = s.rows();
            if (wanted != null) {
                from = lowerBound(wanted, s.globalStart());
                to = lowerBound(wanted, s.globalStart() + s.rows());
            }
            float[] out = new float[(to - from) * d];
            float[] x = b.data.values();
            for (int t = from; t < to; t++) {
                int local = wanted == null ? t : (int) (wanted[t] - s.globalStart());
                System.arraycopy(x, local * d, out, (t - from) * d, d);
            }
            return out;
        }).collect();
        rowsB.destroy();
        int total = 0;
        for (float[] p : pieces) total += p.length / d;
        float[] sample = new float[total * d];
        int at = 0;
        for (float[] p : pieces) {
            System.arraycopy(p, 0, sample, at, p.length);
            at += p.length;
        }
        return KMeans.seedKMeansPlusPlus(new KMeans.Data(sample, total, d, spherical), k, rng);
    }

    static int lowerBound(long[] sorted, long value) {
        int i = Arrays.binarySearch(sorted, value);
        if (i < 0) return -i - 1;
        while (i > 0 && sorted[i - 1] == value) i--;
        return i;
    }

    /**
     * Empty clusters take the points farthest from their own centre, as core's relocateEmpty does
     * (farthest first, lower row on a tie; a cluster that gives its last point away becomes empty
     * and is filled in turn). Each partition offers its own farthest rows; if the relocation needs
     * more than were asked for, it asks again for twice as many.
     */
    static void relocateEmpty(JavaRDD<Block> blocks, Broadcast<float[]> centresB, int k, int d, double[] sums, long[] counts) {
        int want = (int) Arrays.stream(counts).filter(c -> c == 0).count();
        while (true) {
            int ask = want;
            List<FarPoint> far = new ArrayList<>(blocks.flatMap(b -> {
                List<FarPoint> out = new ArrayList<>();
                for (KMeans.Far f : KMeans.farthest(b.data, centresB.value(), k, ask)) {
                    out.add(new FarPoint(b.slice.globalStart() + f.row(), f.distance(), f.label(), f.point()));
                }
                return out.iterator();
            }).collect());
            far.sort(Comparator.comparingDouble(FarPoint::distance).reversed().thenComparingLong(FarPoint::row));
            double[] trySums = sums.clone();
            long[] tryCounts = counts.clone();
            int next = 0;
            boolean enough = true;
            for (int j = 0; j < k && enough; j++) {
                if (tryCounts[j] != 0) continue;
                if (next == far.size()) {
                    enough = false;
                    break;
                }
                FarPoint p = far.get(next++);
                for (int f = 0; f < d; f++) {
                    trySums[p.label() * d + f] -= p.point()[f];
                    trySums[j * d + f] = p.point()[f];
                }
                tryCounts[p.label()]--;
                tryCounts[j] = 1;
            }
            if (enough || want >= k) {
                System.arraycopy(trySums, 0, sums, 0, sums.length);
                System.arraycopy(tryCounts, 0, counts, 0, counts.length);
                return;
            }
            want = Math.min(k, 2 * want);
        }
    }

    private static double[] sumInOrder(List<double[]> parts, int d) {
        double[] total = new double[d];
        for (double[] p : parts) for (int f = 0; f < d; f++) total[f] += p[f];
        return total;
    }
}
