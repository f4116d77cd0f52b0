package wavlens.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BlasTest {
    /** Straightforward triple loop in double: the reference every GEMM is checked against. */
    static double[] reference(boolean ta, boolean tb, int m, int n, int k, float[] a, int lda, float[] b, int ldb) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[p * lda + i] : a[i * lda + p];
                    double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                    s += av * bv;
                }
                c[i * n + j] = s;
            }
        return c;
    }

    @Test
    void nativeBlasIsLoaded() {
        assertTrue(Blas.available(), "OpenBLAS should be installed (libopenblas0-pthread): " + Blas.problem());
    }

    @Test
    void sgemmMatchesReferenceOnOddShapesAndAllTransposes() {
        Random r = new Random(1);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {17, 9, 33}, {64, 31, 129}};
        for (int[] s : shapes)
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true}) {
                    int m = s[0], n = s[1], k = s[2];
                    int lda = ta ? m + 2 : k + 3, ldb = tb ? k + 1 : n + 4;
                    float[] a = new float[(ta ? k : m) * lda];
                    float[] b = new float[(tb ? n : k) * ldb];
                    for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                    for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
                    float[] c = new float[m * n];
                    for (int i = 0; i < c.length; i++) c[i] = 1f;
                    Blas.sgemm(ta, tb, m, n, k, 2f, a, 0, lda, b, 0, ldb, 0.5f, c, 0, n);
                    double[] ref = reference(ta, tb, m, n, k, a, lda, b, ldb);
                    for (int i = 0; i < c.length; i++)
                        assertEquals(2 * ref[i] + 0.5, c[i], 1e-4 * (1 + Math.abs(ref[i])), "shape " + m + "x" + n + "x" + k);
                }
    }

    @Test
    void javaFallbackMatchesReference() {
        Random r = new Random(2);
        int m = 13, n = 11, k = 19;
        float[] a = new float[m * k], b = new float[n * k], c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        JavaGemm.sgemm(false, true, m, n, k, 1f, Blas.seg(a, 0), k, Blas.seg(b, 0), k, 0f, Blas.seg(c, 0), n);
        double[] ref = reference(false, true, m, n, k, a, k, b, k);
        for (int i = 0; i < c.length; i++) assertEquals(ref[i], c[i], 1e-4);
    }

    @Test
    void dgemmMatchesReference() {
        Random r = new Random(3);
        int m = 7, n = 5, k = 9;
        double[] a = new double[m * k], b = new double[k * n], c = new double[m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = r.nextGaussian();
        Blas.dgemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                assertEquals(s, c[i * n + j], 1e-12);
            }
    }
}
