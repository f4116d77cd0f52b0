package wavlens.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.stream.IntStream;

/**
 * Plain-Java GEMM used only when OpenBLAS is unavailable: correct for any strides, row-parallel,
 * with an i-k-j loop order so that the inner loop runs along contiguous rows when it can.
 */
final class JavaGemm {
    private JavaGemm() {}

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        // Copy B into a k×n heap array once so the inner loop is a contiguous axpy.
        float[] bk = new float[k * n];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
                bk[p * n + j] = b.getAtIndex(F, transB ? (long) j * ldb + p : (long) p * ldb + j);
        IntStream.range(0, m).parallel().forEach(i -> {
            float[] row = new float[n];
            for (int p = 0; p < k; p++) {
                float av = a.getAtIndex(F, transA ? (long) p * lda + i : (long) i * lda + p);
                if (av == 0) continue;
                int base = p * n;
                for (int j = 0; j < n; j++) row[j] += av * bk[base + j];
            }
            for (int j = 0; j < n; j++) {
                long idx = (long) i * ldc + j;
                float old = beta == 0 ? 0 : beta * c.getAtIndex(F, idx);
                c.setAtIndex(F, idx, old + alpha * row[j]);
            }
        });
    }

    static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                      double[] a, int aOff, int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        IntStream.range(0, m).parallel().forEach(i -> {
            double[] row = new double[n];
            for (int p = 0; p < k; p++) {
                double av = a[aOff + (transA ? p * lda + i : i * lda + p)];
                if (av == 0) continue;
                for (int j = 0; j < n; j++) row[j] += av * b[bOff + (transB ? j * ldb + p : p * ldb + j)];
            }
            for (int j = 0; j < n; j++) {
                int idx = cOff + i * ldc + j;
                c[idx] = (beta == 0 ? 0 : beta * c[idx]) + alpha * row[j];
            }
        });
    }
}
