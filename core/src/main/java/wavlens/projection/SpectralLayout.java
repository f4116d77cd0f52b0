package wavlens.projection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * UMAP's default initialisation (umap-learn init="spectral"; McInnes et al. 2018, §4 "Spectral
 * embedding"): the coordinates of each point are the eigenvectors of the graph's normalised Laplacian
 * L = I − D^{−1/2} W D^{−1/2} with the two smallest non-zero eigenvalues — equivalently the two
 * largest eigenvalues of N = D^{−1/2} W D^{−1/2} after its trivial eigenvector √d (eigenvalue 1).
 * They are found by Lanczos iteration with full reorthogonalisation on N restricted to the
 * complement of √d, which needs only products with the sparse graph.
 *
 * <p>A graph of several connected components has one trivial eigenvector per component, so each
 * component is laid out on its own and placed around a meta-layout of the components, as
 * umap-learn's multi_component_layout does; here the meta-layout is the PCA of the components'
 * centroids in the input space (umap-learn uses a spectral embedding of the centroids when there are
 * many components), and components of five points or fewer are spread uniformly at random.
 */
final class SpectralLayout {
    private SpectralLayout() {}

    /** Lanczos stops when both Ritz residuals |β_m·s_{m,i}| are below this (N's eigenvalues lie in [−1, 1]). */
    static final double TOLERANCE = 1e-6;
    /** At most this many Lanczos vectors (and at most 40 M doubles for the basis). */
    static final int MAX_LANCZOS_STEPS = 200;

    /** Two coordinates per point (row-major n × 2) for the graph of x (n × d), before UMAP's scaling to [0, 10]. */
    static double[] layout(Umap.Graph graph, float[] x, int d, long seed) {
        int n = graph.n();
        int[] component = components(graph);
        int count = 0;
        for (int c : component) count = Math.max(count, c + 1);
        SplittableRandom random = new SplittableRandom(seed ^ 0x3C6EF372FE94F82BL);
        double[] meta = metaLayout(component, count, x, d);
        // Components get at most half the smallest distance between meta positions, so they do not overlap.
        double range = Double.POSITIVE_INFINITY;
        for (int a = 0; a < count; a++)
            for (int b = a + 1; b < count; b++) range = Math.min(range, Math.hypot(meta[2 * a] - meta[2 * b], meta[2 * a + 1] - meta[2 * b + 1]));
        range = range > 0 && Double.isFinite(range) ? range / 2 : 1.0 / count;

        List<List<Integer>> members = new ArrayList<>();
        for (int c = 0; c < count; c++) members.add(new ArrayList<>());
        for (int i = 0; i < n; i++) members.get(component[i]).add(i);
        double[] y = new double[2 * n];
        for (int c = 0; c < count; c++) {
            int[] points = members.get(c).stream().mapToInt(Integer::intValue).toArray();
            double[] local;
            if (points.length < 4) {
                local = new double[2 * points.length];
                for (int t = 0; t < local.length; t++) local[t] = 2 * random.nextDouble() - 1;
            } else {
                local = spectral(graph, points, random);
            }
            double maxAbs = 0;
            for (double v : local) maxAbs = Math.max(maxAbs, Math.abs(v));
            for (int t = 0; t < points.length; t++) {
                y[2 * points[t]] = meta[2 * c] + (maxAbs > 0 ? local[2 * t] / maxAbs * range : 0);
                y[2 * points[t] + 1] = meta[2 * c + 1] + (maxAbs > 0 ? local[2 * t + 1] / maxAbs * range : 0);
            }
        }
        return y;
    }

    /** Connected component of each point, numbered in order of their first point. */
    static int[] components(Umap.Graph graph) {
        int n = graph.n();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        for (int e = 0; e < graph.head().length; e++) {
            int a = root(parent, graph.head()[e]), b = root(parent, graph.tail()[e]);
            if (a != b) parent[Math.max(a, b)] = Math.min(a, b);
        }
        int[] label = new int[n];
        int[] ofRoot = new int[n];
        Arrays.fill(ofRoot, -1);
        int next = 0;
        for (int i = 0; i < n; i++) {
            int r = root(parent, i);
            if (ofRoot[r] < 0) ofRoot[r] = next++;
            label[i] = ofRoot[r];
        }
        return label;
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** Positions of the components: PCA of their centroids, scaled to a largest coordinate of 1 (two components: −1 and 1). */
    private static double[] metaLayout(int[] component, int count, float[] x, int d) {
        double[] meta = new double[2 * count];
        if (count == 1) return meta;
        if (count == 2) {
            meta[0] = -1;
            meta[2] = 1;
            return meta;
        }
        double[] sum = new double[count * d];
        int[] size = new int[count];
        for (int i = 0; i < component.length; i++) {
            size[component[i]]++;
            for (int j = 0; j < d; j++) sum[component[i] * d + j] += x[i * d + j];
        }
        float[] centroids = new float[count * d];
        for (int c = 0; c < count; c++)
            for (int j = 0; j < d; j++) centroids[c * d + j] = (float) (sum[c * d + j] / size[c]);
        double[] scores = Pca.fit(centroids, count, d, 2).scores();
        double maxAbs = 0;
        for (double v : scores) maxAbs = Math.max(maxAbs, Math.abs(v));
        if (!(maxAbs > 0)) { // all centroids alike: a circle
            for (int c = 0; c < count; c++) {
                meta[2 * c] = Math.cos(2 * Math.PI * c / count);
                meta[2 * c + 1] = Math.sin(2 * Math.PI * c / count);
            }
            return meta;
        }
        for (int t = 0; t < meta.length; t++) meta[t] = scores[t] / maxAbs;
        return meta;
    }

    /** The two non-trivial leading eigenvectors of N for the subgraph on `points` (a connected component), as n_c × 2. */
    static double[] spectral(Umap.Graph graph, int[] points, SplittableRandom random) {
        int m = points.length;
        // The component's edges as CSR over local indices.
        int[] local = new int[graph.n()];
        Arrays.fill(local, -1);
        for (int t = 0; t < m; t++) local[points[t]] = t;
        int[] count = new int[m + 1];
        for (int e = 0; e < graph.head().length; e++) if (local[graph.head()[e]] >= 0) count[local[graph.head()[e]] + 1]++;
        for (int t = 0; t < m; t++) count[t + 1] += count[t];
        int[] fill = Arrays.copyOf(count, m), col = new int[count[m]];
        double[] weight = new double[count[m]];
        for (int e = 0; e < graph.head().length; e++) {
            int h = local[graph.head()[e]];
            if (h < 0) continue;
            col[fill[h]] = local[graph.tail()[e]];
            weight[fill[h]++] = graph.weight()[e];
        }
        double[] invSqrtDegree = new double[m], trivial = new double[m];
        double norm = 0;
        for (int t = 0; t < m; t++) {
            double degree = 0;
            for (int p = count[t]; p < count[t + 1]; p++) degree += weight[p];
            invSqrtDegree[t] = degree > 0 ? 1 / Math.sqrt(degree) : 0;
            trivial[t] = Math.sqrt(degree);
            norm += degree;
        }
        norm = Math.sqrt(norm);
        for (int t = 0; t < m; t++) trivial[t] /= norm;

        // Lanczos on N in the complement of √d: q_{j+1} β_j = N q_j − α_j q_j − β_{j−1} q_{j−1}, every new vector
        // orthogonalised again against √d and all earlier q (full reorthogonalisation, twice).
        int steps = Math.max(2, Math.min(Math.min(m - 1, MAX_LANCZOS_STEPS), 40_000_000 / m));
        double[][] q = new double[steps + 1][];
        double[] alpha = new double[steps], beta = new double[steps];
        double[] start = new double[m];
        for (int t = 0; t < m; t++) start[t] = random.nextDouble() - 0.5;
        orthogonalise(start, trivial, List.of());
        q[0] = normalised(start);
        int done = 0;
        double[] ritz = null;
        for (int j = 0; j < steps; j++) {
            double[] w = new double[m];
            double[] qj = q[j];
            for (int t = 0; t < m; t++) {
                double s = 0;
                for (int p = count[t]; p < count[t + 1]; p++) s += weight[p] * invSqrtDegree[col[p]] * qj[col[p]];
                w[t] = invSqrtDegree[t] * s;
            }
            alpha[j] = dot(w, qj);
            for (int t = 0; t < m; t++) w[t] -= alpha[j] * qj[t] + (j > 0 ? beta[j - 1] * q[j - 1][t] : 0);
            List<double[]> basis = Arrays.asList(q).subList(0, j + 1);
            orthogonalise(w, trivial, basis);
            orthogonalise(w, trivial, basis);
            beta[j] = Math.sqrt(dot(w, w));
            done = j + 1;
            boolean exhausted = beta[j] < 1e-12;
            if (done >= 2 && (done % 10 == 0 || done == steps || exhausted)) {
                ritz = ritzPairs(alpha, beta, done);
                double residual = Math.max(Math.abs(beta[j] * ritz[2 + done - 1]), Math.abs(beta[j] * ritz[2 + done + done - 1]));
                if (residual < TOLERANCE || exhausted) break;
            }
            if (exhausted) break;
            for (int t = 0; t < m; t++) w[t] /= beta[j];
            q[j + 1] = w;
        }
        if (ritz == null) ritz = ritzPairs(alpha, beta, done);
        // Ritz vectors x_i = Q s_i for the two largest Ritz values.
        double[] y = new double[2 * m];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < done; j++) {
                double s = ritz[2 + i * done + j];
                for (int t = 0; t < m; t++) y[2 * t + i] += s * q[j][t];
            }
        return y;
    }

    /** {θ1, θ2, s_1[0..k), s_2[0..k)}: the two largest eigenvalues of the k × k Lanczos tridiagonal and their eigenvectors. */
    private static double[] ritzPairs(double[] alpha, double[] beta, int k) {
        double[] t = new double[k * k];
        for (int i = 0; i < k; i++) {
            t[i * k + i] = alpha[i];
            if (i + 1 < k) t[i * k + i + 1] = t[(i + 1) * k + i] = beta[i];
        }
        SymmetricEigen.Decomposition e = SymmetricEigen.decompose(t, k);
        double[] r = new double[2 + 2 * k];
        r[0] = e.values()[0];
        r[1] = e.values()[1];
        System.arraycopy(e.vectors(), 0, r, 2, 2 * k);
        return r;
    }

    private static void orthogonalise(double[] w, double[] trivial, List<double[]> basis) {
        double c = dot(w, trivial);
        for (int t = 0; t < w.length; t++) w[t] -= c * trivial[t];
        for (double[] b : basis) {
            double s = dot(w, b);
            for (int t = 0; t < w.length; t++) w[t] -= s * b[t];
        }
    }

    private static double[] normalised(double[] v) {
        double n = Math.sqrt(dot(v, v));
        for (int t = 0; t < v.length; t++) v[t] /= n;
        return v;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int t = 0; t < a.length; t++) s += a[t] * b[t];
        return s;
    }
}
