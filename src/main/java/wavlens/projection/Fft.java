package wavlens.projection;

/**
 * Radix-2 complex FFT (iterative Cooley–Tukey, bit-reversal first) on separate real and imaginary
 * arrays, and a 2-D form built from it. The t-SNE repulsion only needs power-of-two sizes, so a
 * plain radix-2 transform is enough; no library.
 *
 * <p>Sign convention: forward X[k] = Σ_t x[t]·e^{−2πi·kt/n}; the inverse uses e^{+2πi·kt/n} and
 * divides by n, so inverse(forward(x)) = x.
 */
public final class Fft {
    private final int n;
    private final int logN;
    private final double[] cos, sin; // twiddles e^{-2πi·j/n} for j < n/2
    private final int[] bitReverse;

    /** Tables for transforms of length n (a power of two ≥ 1). */
    public Fft(int n) {
        if (n < 1 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("FFT length must be a power of two: " + n);
        this.n = n;
        this.logN = Integer.numberOfTrailingZeros(n);
        cos = new double[Math.max(1, n / 2)];
        sin = new double[Math.max(1, n / 2)];
        for (int j = 0; j < n / 2; j++) {
            double angle = -2 * Math.PI * j / n;
            cos[j] = Math.cos(angle);
            sin[j] = Math.sin(angle);
        }
        bitReverse = new int[n];
        for (int i = 0; i < n; i++) bitReverse[i] = logN == 0 ? 0 : Integer.reverse(i) >>> (32 - logN);
    }

    public int length() {
        return n;
    }

    /**
     * In-place transform of re[off .. off+n), im[off .. off+n). The inverse is unnormalised here;
     * callers divide by n (the 2-D routines do it once at the end).
     */
    public void transform(double[] re, double[] im, int off, boolean inverse) {
        for (int i = 0; i < n; i++) {
            int j = bitReverse[i];
            if (j > i) {
                double t = re[off + i]; re[off + i] = re[off + j]; re[off + j] = t;
                t = im[off + i]; im[off + i] = im[off + j]; im[off + j] = t;
            }
        }
        double sign = inverse ? -1 : 1; // conjugate twiddles for the inverse
        for (int half = 1; half < n; half <<= 1) {
            int tableStep = n / (2 * half);
            for (int start = 0; start < n; start += 2 * half) {
                for (int j = 0; j < half; j++) {
                    double wr = cos[j * tableStep], wi = sign * sin[j * tableStep];
                    int a = off + start + j, b = a + half;
                    double br = re[b] * wr - im[b] * wi;
                    double bi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - br;
                    im[b] = im[a] - bi;
                    re[a] += br;
                    im[a] += bi;
                }
            }
        }
    }

    /**
     * 2-D forward transform of an n×n row-major grid whose rows at and after {@code nonZeroRows}
     * are zero (zero padding: their row transforms are zero and are skipped). The result is left
     * TRANSPOSED — entry [u][v] holds frequency (row v, column u) — because an element-wise product
     * followed by {@link #inverse2dFromTransposed} does not care, and it saves two transposes.
     */
    public void forward2dToTransposed(double[] re, double[] im, int nonZeroRows) {
        Parallel.chunks(nonZeroRows, 2, (lo, hi) -> { for (int r = lo; r < hi; r++) transform(re, im, r * n, false); });
        transposeSquare(re, n);
        transposeSquare(im, n);
        Parallel.chunks(n, 2, (lo, hi) -> { for (int r = lo; r < hi; r++) transform(re, im, r * n, false); });
    }

    /**
     * Inverse of {@link #forward2dToTransposed}: takes a transposed spectrum, returns the grid in
     * normal layout, divided by n². Only rows below {@code neededRows} of the result are computed.
     */
    public void inverse2dFromTransposed(double[] re, double[] im, int neededRows) {
        Parallel.chunks(n, 2, (lo, hi) -> { for (int r = lo; r < hi; r++) transform(re, im, r * n, true); });
        transposeSquare(re, n);
        transposeSquare(im, n);
        double scale = 1.0 / ((double) n * n);
        Parallel.chunks(neededRows, 2, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                transform(re, im, r * n, true);
                for (int c = 0; c < n; c++) {
                    re[r * n + c] *= scale;
                    im[r * n + c] *= scale;
                }
            }
        });
    }

    /** In-place transpose of an n×n row-major matrix, in 32×32 tiles for cache locality. */
    static void transposeSquare(double[] a, int n) {
        final int tile = 32;
        for (int i0 = 0; i0 < n; i0 += tile)
            for (int j0 = i0; j0 < n; j0 += tile)
                for (int i = i0; i < Math.min(i0 + tile, n); i++)
                    for (int j = Math.max(j0, i + 1); j < Math.min(j0 + tile, n); j++) {
                        double t = a[i * n + j];
                        a[i * n + j] = a[j * n + i];
                        a[j * n + i] = t;
                    }
    }
}
