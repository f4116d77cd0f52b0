package wavlens.projection;

/**
 * Eigenvalues and eigenvectors of a real symmetric matrix: Householder reduction to tridiagonal
 * form, then the implicit QL algorithm with Wilkinson-style shifts (the EISPACK tred2/tql2 pair;
 * Golub & Van Loan, "Matrix Computations", §8.3). O(d³), all in double.
 *
 * <p>Why in Java and not LAPACK dsyevd through FFM: PCA covariances here are at most ~1024×1024,
 * which this solves in well under a second; keeping it in Java means PCA gives the same answer
 * (to round-off) with or without the native OpenBLAS, and needs no Fortran calling convention.
 */
public final class SymmetricEigen {
    private SymmetricEigen() {}

    /** Eigenvalues in descending order and the unit eigenvectors as ROWS of a d×d row-major array. */
    public record Decomposition(int d, double[] values, double[] vectors) {}

    /** Decomposes the symmetric d×d row-major matrix a (only read, not changed). */
    public static Decomposition decompose(double[] a, int d) {
        // v holds the matrix as columns-are-vectors during tred2 (v[i][j] = a[i*d+j]).
        double[][] v = new double[d][d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) v[i][j] = a[i * d + j];
        double[] diag = new double[d], off = new double[d];
        householderTridiagonal(v, diag, off);
        // tql2 rotates pairs of eigenvector columns; store them as rows so those loops are contiguous.
        double[][] w = new double[d][d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) w[j][i] = v[i][j];
        implicitQl(w, diag, off);

        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) order[i] = i;
        java.util.Arrays.sort(order, (p, q) -> Double.compare(diag[q], diag[p]));
        double[] values = new double[d], vectors = new double[d * d];
        for (int r = 0; r < d; r++) {
            values[r] = diag[order[r]];
            System.arraycopy(w[order[r]], 0, vectors, r * d, d);
        }
        return new Decomposition(d, values, vectors);
    }

    /**
     * Householder tridiagonalisation (tred2). On return diag/off hold the tridiagonal matrix
     * (off[0] = 0, off[i] couples i−1 and i) and v the accumulated orthogonal transform.
     */
    private static void householderTridiagonal(double[][] v, double[] diag, double[] off) {
        int n = diag.length;
        for (int j = 0; j < n; j++) diag[j] = v[n - 1][j];
        for (int i = n - 1; i > 0; i--) {
            double scale = 0, h = 0;
            for (int k = 0; k < i; k++) scale += Math.abs(diag[k]);
            if (scale == 0) {
                off[i] = diag[i - 1];
                for (int j = 0; j < i; j++) {
                    diag[j] = v[i - 1][j];
                    v[i][j] = 0;
                    v[j][i] = 0;
                }
            } else {
                // Householder vector for row i, scaled to avoid under/overflow.
                for (int k = 0; k < i; k++) {
                    diag[k] /= scale;
                    h += diag[k] * diag[k];
                }
                double f = diag[i - 1];
                double g = Math.sqrt(h);
                if (f > 0) g = -g;
                off[i] = scale * g;
                h -= f * g;
                diag[i - 1] = f - g;
                for (int j = 0; j < i; j++) off[j] = 0;
                // p = A·u / h (in off), using the lower triangle.
                for (int j = 0; j < i; j++) {
                    f = diag[j];
                    v[j][i] = f;
                    g = off[j] + v[j][j] * f;
                    for (int k = j + 1; k <= i - 1; k++) {
                        g += v[k][j] * diag[k];
                        off[k] += v[k][j] * f;
                    }
                    off[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++) {
                    off[j] /= h;
                    f += off[j] * diag[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) off[j] -= hh * diag[j];
                // A ← A − u·qᵀ − q·uᵀ on the lower triangle.
                for (int j = 0; j < i; j++) {
                    f = diag[j];
                    g = off[j];
                    for (int k = j; k <= i - 1; k++) v[k][j] -= (f * off[k] + g * diag[k]);
                    diag[j] = v[i - 1][j];
                    v[i][j] = 0;
                }
            }
            diag[i] = h;
        }
        // Accumulate the Householder reflections into v.
        for (int i = 0; i < n - 1; i++) {
            v[n - 1][i] = v[i][i];
            v[i][i] = 1;
            double h = diag[i + 1];
            if (h != 0) {
                for (int k = 0; k <= i; k++) diag[k] = v[k][i + 1] / h;
                for (int j = 0; j <= i; j++) {
                    double g = 0;
                    for (int k = 0; k <= i; k++) g += v[k][i + 1] * v[k][j];
                    for (int k = 0; k <= i; k++) v[k][j] -= g * diag[k];
                }
            }
            for (int k = 0; k <= i; k++) v[k][i + 1] = 0;
        }
        for (int j = 0; j < n; j++) {
            diag[j] = v[n - 1][j];
            v[n - 1][j] = 0;
        }
        v[n - 1][n - 1] = 1;
        off[0] = 0;
    }

    /**
     * Implicit QL iterations on the tridiagonal matrix (tql2). w holds eigenvectors as rows
     * (w[i] is the vector for diag[i]) and is rotated along. Unsorted on return.
     */
    private static void implicitQl(double[][] w, double[] diag, double[] off) {
        int n = diag.length;
        for (int i = 1; i < n; i++) off[i - 1] = off[i];
        off[n - 1] = 0;
        double shiftSum = 0, norm = 0;
        double eps = Math.ulp(1.0);
        for (int l = 0; l < n; l++) {
            norm = Math.max(norm, Math.abs(diag[l]) + Math.abs(off[l]));
            int m = l;
            while (m < n && Math.abs(off[m]) > eps * norm) m++; // off[n-1] = 0 stops it at n-1
            if (m == n) m = n - 1;
            if (m > l) {
                int iterations = 0;
                do {
                    if (++iterations > 200) throw new IllegalStateException("symmetric eigen solver did not converge");
                    // Shift from the 2×2 block at l (Wilkinson-like): g − e/(p ± sqrt(p²+1)).
                    double g = diag[l];
                    double p = (diag[l + 1] - g) / (2 * off[l]);
                    double r = Math.hypot(p, 1);
                    if (p < 0) r = -r;
                    diag[l] = off[l] / (p + r);
                    diag[l + 1] = off[l] * (p + r);
                    double dl1 = diag[l + 1];
                    double h = g - diag[l];
                    for (int i = l + 2; i < n; i++) diag[i] -= h;
                    shiftSum += h;
                    // QL sweep of Givens rotations from m−1 down to l.
                    p = diag[m];
                    double c = 1, c2 = c, c3 = c;
                    double el1 = off[l + 1];
                    double s = 0, s2 = 0;
                    for (int i = m - 1; i >= l; i--) {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * off[i];
                        h = c * p;
                        r = Math.hypot(p, off[i]);
                        off[i + 1] = s * r;
                        s = off[i] / r;
                        c = p / r;
                        p = c * diag[i] - s * g;
                        diag[i + 1] = h + s * (c * g + s * diag[i]);
                        double[] wi = w[i], wi1 = w[i + 1];
                        for (int k = 0; k < n; k++) {
                            h = wi1[k];
                            wi1[k] = s * wi[k] + c * h;
                            wi[k] = c * wi[k] - s * h;
                        }
                    }
                    p = -s * s2 * c3 * el1 * off[l] / dl1;
                    off[l] = s * p;
                    diag[l] = c * p;
                } while (Math.abs(off[l]) > eps * norm);
            }
            diag[l] += shiftSum;
            off[l] = 0;
        }
    }
}
