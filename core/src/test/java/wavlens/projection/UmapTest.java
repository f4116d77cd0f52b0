package wavlens.projection;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import wavlens.io.UserError;

class UmapTest {
    @Test
    void curveFitGivesUmapLearnsDefaults() {
        // umap-learn's find_ab_params(spread=1, min_dist=0.1): a = 1.5769434603113077, b = 0.8950608779109733.
        double[] ab = Umap.fitCurve(0.1, 1.0);
        assertEquals(1.5769434603113077, ab[0], 1e-4);
        assertEquals(0.8950608779109733, ab[1], 1e-4);
        // min_dist = 0 targets exp(−x) itself; the fit must still be a decreasing curve with b > 0.
        double[] zero = Umap.fitCurve(0.0, 1.0);
        assertTrue(zero[0] > 0 && zero[1] > 0);
    }

    @Test
    void fuzzyUnionCombinesBothDirections() {
        // 0→1 with 0.5, 1→0 with 0.4, 2→1 with 1.0: w01 = 0.5 + 0.4 − 0.2 = 0.7, w12 = 1.
        Umap.Graph g = Umap.fuzzyUnion(3, 1, new int[] {1, 0, 1}, new double[] {0.5, 0.4, 1.0});
        double[][] dense = new double[3][3];
        for (int e = 0; e < g.head().length; e++) dense[g.head()[e]][g.tail()[e]] = g.weight()[e];
        assertEquals(0.7, dense[0][1], 1e-15);
        assertEquals(0.7, dense[1][0], 1e-15);
        assertEquals(1.0, dense[1][2], 1e-15);
        assertEquals(1.0, dense[2][1], 1e-15);
        assertEquals(0, dense[0][2]);
        assertEquals(4, g.head().length);
    }

    @Test
    void smoothKnnMembershipsSumToLog2K() {
        var data = GaussianMixture.generate(200, 5, 2, 1.0, 4);
        int k = 15;
        Knn.Neighbours nn = Knn.exact(data.x(), 200, 5, k - 1);
        double[] v = Umap.memberships(nn, k);
        double target = Math.log(k) / Math.log(2);
        for (int i = 0; i < 200; i++) {
            double sum = 0;
            for (int c = 0; c < k - 1; c++) sum += v[i * (k - 1) + c];
            assertEquals(target, sum, 1e-4, "row " + i);
            assertEquals(1.0, v[i * (k - 1)], 0.0, "the nearest neighbour (d = ρ) has membership 1");
        }
    }

    @Test
    void separatesBlobs() {
        var data = TsneTest.blobs(3);
        double[] y = Umap.embed(data.x(), data.n(), data.d(), Umap.Options.defaults().withEpochs(200).withSeed(1));
        assertEquals(1.0, NeighbourLabels.agreement(y, 2, TsneTest.longs(data.labels()), 10), 0.01);
        assertTrue(Trustworthiness.score(data.x(), data.d(), y, 2, 10) > 0.85);
    }

    @Test
    void sameSeedSameResult() {
        var data = GaussianMixture.generate(200, 6, 3, 2.0, 2);
        var options = Umap.Options.defaults().withEpochs(50).withSeed(7);
        double[] a = Umap.embed(data.x(), 200, 6, options), b = Umap.embed(data.x(), 200, 6, options);
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, Umap.embed(data.x(), 200, 6, options.withSeed(8))));
    }

    @Test
    void nnDescentFindsMostTrueNeighbours() {
        var data = GaussianMixture.generate(2000, 5, 5, 2.0, 6);
        int k = 10;
        Knn.Neighbours exact = Knn.exact(data.x(), 2000, 5, k), approx = NnDescent.build(data.x(), 2000, 5, k, 3);
        long hits = 0;
        for (int i = 0; i < 2000; i++) {
            Set<Integer> truth = new HashSet<>();
            for (int c = 0; c < k; c++) truth.add(exact.index()[i * k + c]);
            for (int c = 0; c < k; c++) if (truth.contains(approx.index()[i * k + c])) hits++;
            for (int c = 1; c < k; c++) assertTrue(approx.distance()[i * k + c] >= approx.distance()[i * k + c - 1]);
        }
        assertTrue(hits / (2000.0 * k) > 0.95, "recall " + hits / (2000.0 * k));
    }

    @Test
    void badInputIsAClearUserError() {
        float[] x = new float[20];
        x[3] = Float.POSITIVE_INFINITY;
        assertThrows(UserError.class, () -> Umap.embed(x, 10, 2, Umap.Options.defaults().withNeighbours(5)));
        UserError tooMany = assertThrows(UserError.class, () -> Umap.embed(new float[20], 10, 2, Umap.Options.defaults()));
        assertTrue(tooMany.getMessage().contains("neighbours"), tooMany.getMessage());
    }

    /** The two leading non-trivial Laplacian eigenvectors of a cycle are cos θ and sin θ: a ring lays out as a circle, in order. */
    @Test
    void spectralLayoutOfARingIsACircle() {
        int n = 120, k = 10;
        float[] x = new float[n * 3];
        for (int i = 0; i < n; i++) {
            double theta = 2 * Math.PI * i / n;
            x[3 * i] = (float) Math.cos(theta);
            x[3 * i + 1] = (float) Math.sin(theta);
            x[3 * i + 2] = (float) (0.01 * Math.sin(7 * theta));
        }
        Umap.Graph g = Umap.fuzzySimplicialSet(Knn.exact(x, n, 3, k - 1), k);
        assertEquals(1, java.util.Arrays.stream(SpectralLayout.components(g)).max().getAsInt() + 1);
        double[] y = SpectralLayout.layout(g, x, 3, 7);
        double cx = 0, cy = 0;
        for (int i = 0; i < n; i++) {
            cx += y[2 * i] / n;
            cy += y[2 * i + 1] / n;
        }
        double[] radius = new double[n], angle = new double[n];
        double meanRadius = 0;
        for (int i = 0; i < n; i++) {
            radius[i] = Math.hypot(y[2 * i] - cx, y[2 * i + 1] - cy);
            angle[i] = Math.atan2(y[2 * i + 1] - cy, y[2 * i] - cx);
            meanRadius += radius[i] / n;
        }
        for (int i = 0; i < n; i++) assertEquals(meanRadius, radius[i], 0.05 * meanRadius, "radius of point " + i);
        double first = step(angle[1] - angle[0]);
        assertEquals(2 * Math.PI / n, Math.abs(first), 0.2 * 2 * Math.PI / n);
        for (int i = 0; i < n; i++) {
            double s = step(angle[(i + 1) % n] - angle[i]);
            assertEquals(first, s, 0.2 * Math.abs(first), "angle step after point " + i);
        }
    }

    private static double step(double a) {
        return Math.atan2(Math.sin(a), Math.cos(a));
    }

    /** Lanczos's vectors are eigenvectors of D^-1/2 W D^-1/2 with its 2nd and 3rd largest eigenvalues from a dense decomposition. */
    @Test
    void spectralVectorsAreTheDenseSecondAndThirdEigenvectors() {
        var data = GaussianMixture.generate(90, 5, 3, 0.8, 11);
        int n = 90, k = 15;
        Umap.Graph g = Umap.fuzzySimplicialSet(Knn.exact(data.x(), n, 5, k - 1), k);
        assertEquals(1, java.util.Arrays.stream(SpectralLayout.components(g)).max().getAsInt() + 1, "a connected graph");
        double[] degree = new double[n], dense = new double[n * n];
        for (int e = 0; e < g.head().length; e++) degree[g.head()[e]] += g.weight()[e];
        for (int e = 0; e < g.head().length; e++)
            dense[g.head()[e] * n + g.tail()[e]] = g.weight()[e] / Math.sqrt(degree[g.head()[e]] * degree[g.tail()[e]]);
        double[] values = SymmetricEigen.decompose(dense, n).values();
        assertEquals(1.0, values[0], 1e-9, "the trivial eigenvalue");
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        double[] y = SpectralLayout.spectral(g, all, new java.util.SplittableRandom(3));
        for (int c = 0; c < 2; c++) {
            double[] v = new double[n], nv = new double[n];
            double norm = 0;
            for (int i = 0; i < n; i++) norm += y[2 * i + c] * y[2 * i + c];
            for (int i = 0; i < n; i++) v[i] = y[2 * i + c] / Math.sqrt(norm);
            double rayleigh = 0, residual = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) nv[i] += dense[i * n + j] * v[j];
                rayleigh += v[i] * nv[i];
            }
            for (int i = 0; i < n; i++) residual += (nv[i] - rayleigh * v[i]) * (nv[i] - rayleigh * v[i]);
            assertEquals(values[1 + c], rayleigh, 1e-9, "eigenvalue " + (2 + c));
            assertTrue(Math.sqrt(residual) < 1e-5, "residual " + Math.sqrt(residual));
        }
    }

    /** Components of a disconnected graph are laid out apart, each around its own place. */
    @Test
    void disconnectedComponentsAreLaidOutApart() {
        int n = 60, d = 2, k = 8;
        float[] x = new float[n * d];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) ((i < 30 ? 0 : 1000) + r.nextGaussian());
            x[2 * i + 1] = (float) r.nextGaussian();
        }
        Umap.Graph g = Umap.fuzzySimplicialSet(Knn.exact(x, n, d, k - 1), k);
        int[] component = SpectralLayout.components(g);
        assertEquals(2, java.util.Arrays.stream(component).max().getAsInt() + 1);
        double[] y = SpectralLayout.layout(g, x, d, 1);
        double maxFirst = Double.NEGATIVE_INFINITY, minSecond = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (component[i] == component[0]) maxFirst = Math.max(maxFirst, y[2 * i]);
            else minSecond = Math.min(minSecond, y[2 * i]);
        }
        assertTrue(maxFirst <= minSecond, maxFirst + " vs " + minSecond);
    }
}
