package wavlens.projection;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Radix-2 complex FFT (iterative Cooley–Tukey, bit-reversal first) on separate real and imaginary
 * float32 arrays, and a 2-D form built from it. The t-SNE repulsion only needs power-of-two sizes,
 * so a plain radix-2 transform is enough; no library. Float32 because the 2-D transforms are
 * memory-bound (grids up to 1024² cells) and the interpolated gradient is only accurate to ~1e-3
 * anyway; butterflies are vectorised with the Vector API along contiguous runs.
 *
 * <p>Sign convention: forward X[k] = Σ_t x[t]·e^{−2πi·kt/n}; the inverse uses e^{+2πi·kt/n} and
 * divides by n, so inverse(forward(x)) = x.
 */
public final class Fft {
    private final int n;
    private final int logN;
    /**
     * Row stride of 2-D grids: n plus one 64-byte cache line. With a power-of-two stride, every
     * row of a column strip maps to the same cache sets and the column passes thrash the cache.
     */
    private final int stride;
    // Twiddles per stage, contiguous: for butterflies of half-width h, entry h + j holds
    // e^{−2πi·j/(2h)}, j < h (so a stage reads its factors in order, no strided lookups).
    private final float[] cos, sin, sinInverse;
    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    private final int[] bitReverse;

    /** Tables for transforms of length n (a power of two ≥ 1). */
    public Fft(int n) {
        if (n < 1 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("FFT length must be a power of two: " + n);
        this.n = n;
        this.logN = Integer.numberOfTrailingZeros(n);
        this.stride = n + 16;
        cos = new float[Math.max(2, n)];
        sin = new float[Math.max(2, n)];
        for (int h = 1; h < n; h <<= 1)
            for (int j = 0; j < h; j++) {
                double angle = -Math.PI * j / h;
                cos[h + j] = (float) Math.cos(angle);
                sin[h + j] = (float) Math.sin(angle);
            }
        sinInverse = new float[sin.length]; // conjugate twiddles for the inverse transform
        for (int i = 0; i < sin.length; i++) sinInverse[i] = -sin[i];
        bitReverse = new int[n];
        for (int i = 0; i < n; i++) bitReverse[i] = logN == 0 ? 0 : Integer.reverse(i) >>> (32 - logN);
    }

    public int length() {
        return n;
    }

    /** Row stride of the grids the 2-D routines take: grid arrays hold n·stride() floats, cell (r, c) at r·stride() + c. */
    public int stride() {
        return stride;
    }

    /**
     * In-place transform of re[off .. off+n), im[off .. off+n). The inverse is unnormalised here;
     * callers divide by n (the 2-D routines do it once at the end).
     */
    public void transform(float[] re, float[] im, int off, boolean inverse) {
        for (int i = 0; i < n; i++) {
            int j = bitReverse[i];
            if (j > i) {
                float t = re[off + i]; re[off + i] = re[off + j]; re[off + j] = t;
                t = im[off + i]; im[off + i] = im[off + j]; im[off + j] = t;
            }
        }
        // First stage: the twiddle is 1.
        for (int a = off; a < off + n - 1; a += 2) {
            float br = re[a + 1], bi = im[a + 1];
            re[a + 1] = re[a] - br;
            im[a + 1] = im[a] - bi;
            re[a] += br;
            im[a] += bi;
        }
        float[] sinTable = inverse ? sinInverse : sin;
        int lanes = LANES.length();
        for (int half = 2; half < n; half <<= 1) {
            for (int start = 0; start < n; start += 2 * half) {
                int j = 0;
                // Butterflies a = start+j, b = a+half: (x_a, x_b) ← (x_a + w·x_b, x_a − w·x_b), w = e^{∓2πi·j/(2·half)}.
                for (; j + lanes <= half; j += lanes) {
                    int a = off + start + j, b = a + half;
                    FloatVector wr = FloatVector.fromArray(LANES, cos, half + j);
                    FloatVector wi = FloatVector.fromArray(LANES, sinTable, half + j);
                    FloatVector rb = FloatVector.fromArray(LANES, re, b), ib = FloatVector.fromArray(LANES, im, b);
                    FloatVector br = rb.mul(wr).sub(ib.mul(wi));
                    FloatVector bi = rb.mul(wi).add(ib.mul(wr));
                    FloatVector ra = FloatVector.fromArray(LANES, re, a), ia = FloatVector.fromArray(LANES, im, a);
                    ra.sub(br).intoArray(re, b);
                    ia.sub(bi).intoArray(im, b);
                    ra.add(br).intoArray(re, a);
                    ia.add(bi).intoArray(im, a);
                }
                for (; j < half; j++) {
                    float wr = cos[half + j], wi = sinTable[half + j];
                    int a = off + start + j, b = a + half;
                    float br = re[b] * wr - im[b] * wi;
                    float bi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - br;
                    im[b] = im[a] - bi;
                    re[a] += br;
                    im[a] += bi;
                }
            }
        }
    }

    /**
     * The same transform down each column c0 ≤ c &lt; c1 of an n×n grid with row stride {@link #stride()} (along the row
     * index). Vectorised ACROSS columns: every butterfly combines two rows of a strip of LANES
     * adjacent columns, so all stages use full vectors and a strip (n rows × one cache line) stays
     * in cache. This replaces "transpose, transform rows, transpose back", whose power-of-two
     * strides thrash the cache.
     */
    public void transformColumns(float[] re, float[] im, int c0, int c1, boolean inverse) {
        int lanes = LANES.length();
        float[] sinTable = inverse ? sinInverse : sin;
        int c = c0;
        for (; c + lanes <= c1 || (c < c1 && c + lanes <= n); c += lanes) {
            for (int i = 0; i < n; i++) {
                int j = bitReverse[i];
                if (j > i) {
                    int a = i * stride + c, b = j * stride + c;
                    FloatVector ra = FloatVector.fromArray(LANES, re, a), rb = FloatVector.fromArray(LANES, re, b);
                    ra.intoArray(re, b);
                    rb.intoArray(re, a);
                    FloatVector ia = FloatVector.fromArray(LANES, im, a), ib = FloatVector.fromArray(LANES, im, b);
                    ia.intoArray(im, b);
                    ib.intoArray(im, a);
                }
            }
            for (int half = 1; half < n; half <<= 1) {
                for (int start = 0; start < n; start += 2 * half) {
                    for (int j = 0; j < half; j++) {
                        float wr = cos[half + j], wi = sinTable[half + j];
                        int a = (start + j) * stride + c, b = a + half * stride;
                        FloatVector rb = FloatVector.fromArray(LANES, re, b), ib = FloatVector.fromArray(LANES, im, b);
                        FloatVector br = rb.mul(wr).sub(ib.mul(wi));
                        FloatVector bi = rb.mul(wi).add(ib.mul(wr));
                        FloatVector ra = FloatVector.fromArray(LANES, re, a), ia = FloatVector.fromArray(LANES, im, a);
                        ra.sub(br).intoArray(re, b);
                        ia.sub(bi).intoArray(im, b);
                        ra.add(br).intoArray(re, a);
                        ia.add(bi).intoArray(im, a);
                    }
                }
            }
        }
        // Grids narrower than a vector (tiny test sizes): one column at a time through a buffer.
        float[] colRe = new float[n], colIm = new float[n];
        for (; c < c1; c++) {
            for (int i = 0; i < n; i++) {
                colRe[i] = re[i * stride + c];
                colIm[i] = im[i * stride + c];
            }
            transform(colRe, colIm, 0, inverse);
            for (int i = 0; i < n; i++) {
                re[i * stride + c] = colRe[i];
                im[i * stride + c] = colIm[i];
            }
        }
    }

    /** transformColumns over [c0, c1), split into vector-aligned pieces across the cores. */
    private void transformColumnsParallel(float[] re, float[] im, int c1, boolean inverse) {
        int lanes = LANES.length();
        int groups = (c1 + lanes - 1) / lanes;
        Parallel.chunks(groups, 2, (lo, hi) -> transformColumns(re, im, lo * lanes, Math.min(c1, hi * lanes), inverse));
    }

    /**
     * 2-D forward transform of an n×n grid (row stride {@link #stride()}) that is zero outside its top-left
     * nonZero×nonZero block (zero padding: the all-zero columns are not transformed). The result
     * is left TRANSPOSED — entry [u][v] holds frequency (row v, column u) — because an
     * element-wise product followed by {@link #inverse2dFromTransposed} does not care, and that
     * saves a transpose each way.
     */
    public void forward2dToTransposed(float[] re, float[] im, int nonZero) {
        transformColumnsParallel(re, im, nonZero, false); // along y, for the non-zero columns
        transposeSquare(re, n, stride);
        transposeSquare(im, n, stride);
        transformColumnsParallel(re, im, n, false);       // along x
    }

    /**
     * Inverse of {@link #forward2dToTransposed}: takes a transposed spectrum and returns the grid
     * in normal layout divided by n², correct in columns below {@code neededColumns} (every row).
     */
    public void inverse2dFromTransposed(float[] re, float[] im, int neededColumns) {
        transformColumnsParallel(re, im, n, true);        // along x
        transposeSquare(re, n, stride);
        transposeSquare(im, n, stride);
        transformColumnsParallel(re, im, neededColumns, true); // along y, only where the caller looks
        float scale = (float) (1.0 / ((double) n * n));
        Parallel.chunks(n, 2, (lo, hi) -> {
            for (int r = lo; r < hi; r++)
                for (int col = 0; col < neededColumns; col++) {
                    re[r * stride + col] *= scale;
                    im[r * stride + col] *= scale;
                }
        });
    }

    /** In-place transpose of an n×n matrix stored with row stride {@code stride}, in tiles for cache locality. */
    static void transposeSquare(float[] a, int n, int stride) {
        final int tile = 32;
        for (int i0 = 0; i0 < n; i0 += tile)
            for (int j0 = i0; j0 < n; j0 += tile)
                for (int i = i0; i < Math.min(i0 + tile, n); i++)
                    for (int j = Math.max(j0, i + 1); j < Math.min(j0 + tile, n); j++) {
                        float t = a[i * stride + j];
                        a[i * stride + j] = a[j * stride + i];
                        a[j * stride + i] = t;
                    }
    }
}
