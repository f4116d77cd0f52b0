package wavlens.analysis;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import wavlens.io.UserError;

class KMeansTest {

    /** n points around `blobs` centres spread far apart (±100 per axis, unit noise). */
    static float[] blobs(int n, int d, int blobs, long seed, int[] truth) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] centres = new float[blobs][d];
        for (float[] c : centres) for (int f = 0; f < d; f++) c[f] = (float) (r.nextDouble(-100, 100));
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            truth[i] = i % blobs;
            for (int f = 0; f < d; f++) x[i * d + f] = centres[truth[i]][f] + (float) r.nextGaussian();
        }
        return x;
    }

    static double ari(int[] a, int[] b) {
        return ClusterLabelMetrics.ari(Contingency.of(a, b));
    }

    @Test
    void recoversSeparatedBlobs() {
        int n = 600, d = 8, k = 5;
        int[] truth = new int[n];
        float[] x = blobs(n, d, k, 1, truth);
        KMeans.Result r = KMeans.fit(x, n, d, KMeans.Options.of(k).withSeed(3));
        assertEquals(1.0, ari(truth, r.assignments()), 0.0);
        assertTrue(r.converged());
        assertEquals(k * d, r.centroids().length);
    }

    @Test
    void handExampleOnALine() {
        // {0, 1, 10, 11}: the optimum is centres 0.5 and 10.5 with inertia 4 · 0.25 = 1.
        float[] x = {0, 1, 10, 11};
        KMeans.Result r = KMeans.fit(x, 4, 1, KMeans.Options.of(2).withSeed(0));
        float[] c = r.centroids().clone();
        Arrays.sort(c);
        assertArrayEquals(new float[] {0.5f, 10.5f}, c, 0f);
        assertEquals(1.0, r.inertia(), 1e-12);
        assertEquals(r.assignments()[0], r.assignments()[1]);
        assertEquals(r.assignments()[2], r.assignments()[3]);
        assertNotEquals(r.assignments()[0], r.assignments()[2]);
    }

    /**
     * Plain Lloyd in double, written the obvious way: `iterations` rounds of assign + mean, then the
     * labels of the final centres. The reference for one run from the same start.
     */
    static int[] referenceLloyd(float[] x, int n, int d, double[][] centres, int iterations) {
        int k = centres.length;
        int[] labels = new int[n];
        for (int it = 0; it <= iterations; it++) {
            for (int i = 0; i < n; i++) {
                double best = Double.POSITIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    double s = 0;
                    for (int f = 0; f < d; f++) s += (x[i * d + f] - centres[j][f]) * (x[i * d + f] - centres[j][f]);
                    if (s < best) {
                        best = s;
                        labels[i] = j;
                    }
                }
            }
            if (it == iterations) break;
            double[][] sums = new double[k][d];
            int[] counts = new int[k];
            for (int i = 0; i < n; i++) {
                counts[labels[i]]++;
                for (int f = 0; f < d; f++) sums[labels[i]][f] += x[i * d + f];
            }
            for (int j = 0; j < k; j++) if (counts[j] > 0) for (int f = 0; f < d; f++) centres[j][f] = sums[j][f] / counts[j];
        }
        return labels;
    }

    @Test
    void lloydMatchesReferenceLoopFromTheSameStart() {
        int n = 400, d = 5, k = 4, iterations = 6;
        SplittableRandom r = new SplittableRandom(8);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian(); // no structure: labels keep moving
        float[] start = new float[k * d];
        double[][] refCentres = new double[k][d];
        for (int j = 0; j < k; j++) for (int f = 0; f < d; f++) refCentres[j][f] = start[j * d + f] = x[(j * 37) * d + f];
        int[] refLabels = referenceLloyd(x, n, d, refCentres, iterations);
        KMeans.Data data = new KMeans.Data(x, n, d, false);
        KMeans.Result got = KMeans.lloyd(data, start, KMeans.Options.of(k).withMaxIter(iterations).withTol(0), 0);
        assertEquals(iterations, got.iterations());
        assertArrayEquals(refLabels, got.assignments());
        for (int j = 0; j < k; j++) for (int f = 0; f < d; f++) assertEquals(refCentres[j][f], got.centroids()[j * d + f], 1e-5);
        double inertia = 0;
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < d; f++) {
                double diff = x[i * d + f] - refCentres[refLabels[i]][f];
                inertia += diff * diff;
            }
        }
        assertEquals(inertia, got.inertia(), 1e-6 * inertia);
    }

    /** JSON rows as one row-major float array. */
    static float[] floats(com.fasterxml.jackson.databind.JsonNode rows) {
        int n = rows.size(), d = rows.get(0).size();
        float[] out = new float[n * d];
        for (int i = 0; i < n; i++) for (int f = 0; f < d; f++) out[i * d + f] = (float) rows.get(i).get(f).asDouble();
        return out;
    }

    @Test
    void lloydMatchesScikitLearnFromItsStart() {
        // scikit-learn 1.2's Lloyd from its own k-means++ start (bench/make_kmeans_fixture.py): the
        // same labels, centres, iteration count and inertia.
        com.fasterxml.jackson.databind.JsonNode j = wavlens.io.Json.read(java.nio.file.Path.of("src/test/resources/kmeans/sklearn_lloyd.json"));
        int n = j.get("n").asInt(), d = j.get("d").asInt(), k = j.get("k").asInt();
        float[] x = floats(j.get("X")), init = floats(j.get("init")), centers = floats(j.get("centers"));
        KMeans.Result got = KMeans.lloyd(new KMeans.Data(x, n, d, false), init, KMeans.Options.of(k).withMaxIter(100).withTol(0), 0);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = j.get("labels").get(i).asInt();
        assertArrayEquals(labels, got.assignments());
        assertEquals(j.get("n_iter").asInt(), got.iterations());
        for (int e = 0; e < k * d; e++) assertEquals(centers[e], got.centroids()[e], 1e-5);
        assertEquals(j.get("inertia").asDouble(), got.inertia(), 1e-6 * got.inertia());
    }

    @Test
    void inertiaNeverIncreases() {
        int n = 3000, d = 12, k = 20;
        SplittableRandom r = new SplittableRandom(2);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * (1 + i % 3));
        KMeans.Result res = KMeans.fit(x, n, d, KMeans.Options.of(k).withSeed(1).withTol(0).withMaxIter(50));
        double[] h = res.inertiaHistory();
        assertTrue(h.length > 3, "several iterations: " + h.length);
        for (int t = 1; t < h.length; t++) assertTrue(h[t] <= h[t - 1] * (1 + 1e-7), "iteration " + t + ": " + h[t - 1] + " → " + h[t]);
        assertTrue(res.inertia() <= h[h.length - 1] * (1 + 1e-7));
    }

    @Test
    void deterministicForASeedAndRestartsKeepTheBest() {
        int n = 2000, d = 6, k = 7;
        SplittableRandom r = new SplittableRandom(4);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        KMeans.Options o = KMeans.Options.of(k).withSeed(42).withRestarts(3);
        KMeans.Result a = KMeans.fit(x, n, d, o), b = KMeans.fit(x, n, d, o);
        assertArrayEquals(a.assignments(), b.assignments());
        assertArrayEquals(a.centroids(), b.centroids());
        assertEquals(a.inertia(), b.inertia(), 0.0);
        for (int seed = 0; seed < 3; seed++) {
            // The best of 3 restarts is at least as good as the first restart of the same master seed.
            KMeans.Result single = KMeans.fit(x, n, d, KMeans.Options.of(k).withSeed(42));
            assertTrue(a.inertia() <= single.inertia());
        }
    }

    @Test
    void badInputsAreUserErrors() {
        float[] x = new float[3 * 2];
        UserError tooMany = assertThrows(UserError.class, () -> KMeans.fit(x, 3, 2, KMeans.Options.of(4)));
        assertTrue(tooMany.getMessage().contains("k = 4"), tooMany.getMessage());
        float[] bad = {0, 0, 1, 1, 2, Float.POSITIVE_INFINITY, 3, 3};
        UserError inf = assertThrows(UserError.class, () -> KMeans.fit(bad, 4, 2, KMeans.Options.of(2)));
        assertTrue(inf.getMessage().contains("row 2"), inf.getMessage());
        float[] nan = {0, 0, Float.NaN, 1};
        assertThrows(UserError.class, () -> KMeans.fit(nan, 2, 2, KMeans.Options.of(1)));
        float[] zeroRow = {1, 0, 0, 0};
        UserError zero = assertThrows(UserError.class, () -> KMeans.fit(zeroRow, 2, 2, KMeans.Options.of(1).withSpherical(true)));
        assertTrue(zero.getMessage().contains("row 1"), zero.getMessage());
        assertThrows(UserError.class, () -> KMeans.fit(x, 3, 2, KMeans.Options.of(0)));
    }

    @Test
    void constantDataAndKEqualsOne() {
        float[] same = new float[50 * 3];
        Arrays.fill(same, 2.5f);
        KMeans.Result r = KMeans.fit(same, 50, 3, KMeans.Options.of(3).withSeed(1));
        assertEquals(0.0, r.inertia(), 0.0);
        for (float c : r.centroids()) assertEquals(2.5f, c, 0f);

        // k = 1: the centre is the column mean and the inertia the total sum of squares around it.
        int n = 100, d = 3;
        SplittableRandom rnd = new SplittableRandom(6);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() + (i % d) * 10);
        KMeans.Result one = KMeans.fit(x, n, d, KMeans.Options.of(1));
        double tss = 0;
        for (int f = 0; f < d; f++) {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += x[i * d + f];
            mean /= n;
            assertEquals(mean, one.centroids()[f], 1e-5);
            for (int i = 0; i < n; i++) tss += (x[i * d + f] - mean) * (x[i * d + f] - mean);
        }
        assertEquals(tss, one.inertia(), 1e-5 * tss);
        for (int a : one.assignments()) assertEquals(0, a);
    }

    @Test
    void emptyClusterTakesTheFarthestPoint() {
        // Points 0, 1, 2, 30 all labelled 0 (centre 0); cluster 1 is empty → it takes point 30.
        float[] x = {0, 1, 2, 30};
        KMeans.Data data = new KMeans.Data(x, 4, 1, false);
        int[] labels = {0, 0, 0, 0};
        double[] sums = new double[2];
        long[] counts = new long[2];
        double[] dist = new double[4];
        double inertia = KMeans.accumulate(data, new float[] {0, 100}, 2, labels, sums, counts, dist);
        assertEquals(0 + 1 + 4 + 900, inertia, 1e-12);
        KMeans.relocateEmpty(data, labels, sums, counts, dist);
        assertArrayEquals(new long[] {3, 1}, counts);
        assertArrayEquals(new double[] {3, 30}, sums, 1e-12);
    }

    @Test
    void sphericalGroupsDirectionsNotLengths() {
        // Three directions; each point is a direction times a random length in [0.1, 100].
        int n = 300, d = 4;
        SplittableRandom r = new SplittableRandom(12);
        float[][] dirs = {{1, 0, 0, 0}, {0, 1, 1, 0}, {0, 0, -1, 1}};
        float[] x = new float[n * d];
        int[] truth = new int[n];
        for (int i = 0; i < n; i++) {
            truth[i] = i % 3;
            double len = r.nextDouble(0.1, 100);
            for (int f = 0; f < d; f++) x[i * d + f] = (float) (len * (dirs[truth[i]][f] + 0.05 * r.nextGaussian()));
        }
        KMeans.Result s = KMeans.fit(x, n, d, KMeans.Options.of(3).withSeed(5).withSpherical(true));
        assertEquals(1.0, ari(truth, s.assignments()), 0.0);
        for (int j = 0; j < 3; j++) assertEquals(1.0, KMeans.squaredNorm(s.centroids(), j * d, d), 1e-6);
        assertTrue(s.inertia() >= 0 && s.inertia() < 0.05 * n, "Σ(1 − cos) small: " + s.inertia());
    }

    @Test
    void miniBatchRecoversBlobs() {
        int n = 3000, d = 6, k = 4;
        int[] truth = new int[n];
        float[] x = blobs(n, d, k, 9, truth);
        KMeans.Result r = KMeans.fit(x, n, d, KMeans.Options.of(k).withSeed(2).withMiniBatch(256).withMaxIter(20));
        assertEquals(1.0, ari(truth, r.assignments()), 0.0);
        assertTrue(r.iterations() >= 1);
    }

    @Test
    void searchsortedLeftSemantics() {
        double[] cum = {0, 1, 1, 3, 6};
        assertEquals(0, KMeans.firstAtLeast(cum, 0));
        assertEquals(1, KMeans.firstAtLeast(cum, 0.5));
        assertEquals(1, KMeans.firstAtLeast(cum, 1));
        assertEquals(3, KMeans.firstAtLeast(cum, 2));
        assertEquals(5, KMeans.firstAtLeast(cum, 7)); // past the end: the caller clips to n − 1
    }
}
