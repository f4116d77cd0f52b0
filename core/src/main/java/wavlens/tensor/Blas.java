package wavlens.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Matrix products through the system OpenBLAS (Debian package libopenblas0-pthread), called with
 * Java's FFM API. The downcalls are "critical" with heap access, so Java float[] arrays and
 * memory-mapped weight files are handed to BLAS without copying.
 *
 * <p>Why OpenBLAS: its AVX-512 SGEMM kernels reach several times the FLOP rate a Java loop gets on
 * the same two cores (see `wavlens bench engine`); everything that is not a big product stays in
 * Java ({@link Ops}). When the library is missing, a plain Java fallback keeps every command
 * working (slowly) and {@link #available()} says so.
 *
 * <p>All matrices are row-major (CBLAS_ORDER = CblasRowMajor).
 */
public final class Blas {
    private Blas() {}

    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112, UPPER = 121;
    private static final MethodHandle SGEMM, DGEMM, SSYRK, SET_THREADS;
    private static final String LOAD_PROBLEM;

    static {
        MethodHandle sgemm = null, dgemm = null, ssyrk = null, setThreads = null;
        String problem = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup lib = openLibrary();
            var I = ValueLayout.JAVA_INT;
            var P = ValueLayout.ADDRESS;
            Linker.Option critical = Linker.Option.critical(true);
            sgemm = linker.downcallHandle(lib.find("cblas_sgemm").orElseThrow(),
                    FunctionDescriptor.ofVoid(I, I, I, I, I, I, ValueLayout.JAVA_FLOAT, P, I, P, I, ValueLayout.JAVA_FLOAT, P, I), critical);
            dgemm = linker.downcallHandle(lib.find("cblas_dgemm").orElseThrow(),
                    FunctionDescriptor.ofVoid(I, I, I, I, I, I, ValueLayout.JAVA_DOUBLE, P, I, P, I, ValueLayout.JAVA_DOUBLE, P, I), critical);
            ssyrk = linker.downcallHandle(lib.find("cblas_ssyrk").orElseThrow(),
                    FunctionDescriptor.ofVoid(I, I, I, I, I, ValueLayout.JAVA_FLOAT, P, I, ValueLayout.JAVA_FLOAT, P, I), critical);
            Optional<MemorySegment> st = lib.find("openblas_set_num_threads");
            if (st.isPresent()) setThreads = linker.downcallHandle(st.get(), FunctionDescriptor.ofVoid(I));
        } catch (Throwable t) {
            problem = "OpenBLAS not found (" + t.getMessage() + "); install the Debian package libopenblas0-pthread for full speed";
            sgemm = dgemm = ssyrk = setThreads = null;
        }
        SGEMM = sgemm;
        DGEMM = dgemm;
        SSYRK = ssyrk;
        SET_THREADS = setThreads;
        LOAD_PROBLEM = problem;
        if (problem == null && System.getenv("OPENBLAS_NUM_THREADS") == null) setThreads(Runtime.getRuntime().availableProcessors());
    }

    private static SymbolLookup openLibrary() {
        String[] candidates = {
                System.getProperty("wavlens.blas", ""),
                "libopenblas.so.0",
                "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
                "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
                "libopenblas.so",
                "libcblas.so.3",
        };
        RuntimeException last = null;
        for (String name : candidates) {
            if (name.isEmpty()) continue;
            try {
                return SymbolLookup.libraryLookup(name, Arena.global());
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last != null ? last : new IllegalStateException("no BLAS library");
    }

    /** True when the native OpenBLAS is in use; false when the Java fallback computes the products. */
    public static boolean available() {
        return SGEMM != null;
    }

    /** Why the native BLAS is not in use, or null. */
    public static String problem() {
        return LOAD_PROBLEM;
    }

    public static void setThreads(int n) {
        if (SET_THREADS == null) return;
        try {
            SET_THREADS.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A float[] region as a segment (heap segments are passed to BLAS without a copy). */
    public static MemorySegment seg(float[] a, int offset) {
        return MemorySegment.ofArray(a).asSlice(4L * offset);
    }

    public static MemorySegment seg(double[] a, int offset) {
        return MemorySegment.ofArray(a).asSlice(8L * offset);
    }

    /**
     * C = alpha · op(A) · op(B) + beta · C, row-major; op(X) = Xᵀ when trans is set.
     * A is m×k after op, B is k×n after op, C is m×n; ld* are row strides in elements.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        if (m == 0 || n == 0) return;
        if (SGEMM == null) {
            JavaGemm.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        try {
            SGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    /** float[] convenience form of {@link #sgemm(boolean, boolean, int, int, int, float, MemorySegment, int, MemorySegment, int, float, MemorySegment, int)}. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        sgemm(transA, transB, m, n, k, alpha, seg(a, aOff), lda, seg(b, bOff), ldb, beta, seg(c, cOff), ldc);
    }

    /** Double-precision GEMM, same conventions. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, int aOff, int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        if (DGEMM == null) {
            JavaGemm.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        try {
            DGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    seg(a, aOff), lda, seg(b, bOff), ldb, beta, seg(c, cOff), ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_dgemm failed", t);
        }
    }

    /**
     * Upper triangle of C = alpha · AᵀA + beta · C (row-major; A is k×n, C is n×n): half the work of
     * the equivalent sgemm, for Gram matrices. The strict lower triangle of C is left untouched
     * (the Java fallback fills it too).
     */
    public static void ssyrkUpperTransposed(int n, int k, float alpha, float[] a, int aOff, int lda, float beta, float[] c, int cOff, int ldc) {
        if (n == 0) return;
        if (SSYRK == null) {
            sgemm(true, false, n, n, k, alpha, a, aOff, lda, a, aOff, lda, beta, c, cOff, ldc);
            return;
        }
        try {
            SSYRK.invokeExact(ROW_MAJOR, UPPER, TRANS, n, k, alpha, seg(a, aOff), lda, beta, seg(c, cOff), ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_ssyrk failed", t);
        }
    }
}
