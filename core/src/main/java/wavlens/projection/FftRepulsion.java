package wavlens.projection;

/**
 * The repulsive half of the 2-D t-SNE gradient by polynomial interpolation on an equispaced grid
 * and FFT convolution — Linderman, Rachh, Hoskins, Steinerberger & Kluger 2019, "Fast
 * interpolation-based t-SNE for improved visualization of single-cell RNA-seq data", Nature
 * Methods 16 (FIt-SNE), with openTSNE's choices of charges and box sizes.
 *
 * <p>With the Cauchy kernel w_ij = 1/(1+‖y_i−y_j‖²) the gradient needs, for every i,
 * rep_i = Σ_j w_ij²·(y_i − y_j) and the normaliser Z = Σ_{i≠j} w_ij. Both follow from sums of the
 * squared kernel K(y,z) = w² against four charges q = (1, y_x, y_y, ‖y‖²):
 * <pre>
 *   φ_c(i) = Σ_j K(y_i, y_j)·q_c(j)
 *   rep_i  = y_i·φ_0(i) − (φ_1(i), φ_2(i))
 *   Σ_j w_ij = (1 + ‖y_i‖²)·φ_0 − 2·(y_ix·φ_1 + y_iy·φ_2) + φ_3      (since 1/w = 1 + ‖y_i‖² − 2y_i·y_j + ‖y_j‖²)
 *   Z = Σ_i Σ_j w_ij − n                                               (drop the i = j terms, w_ii = 1)
 * </pre>
 * The square bounding box of the points is cut into boxes of width ≤ 1; each box carries 3×3
 * equispaced interpolation nodes (Lagrange polynomials of degree 2 per axis). Charges are spread
 * to the nodes with the interpolation weights, the node-to-node sums are a 2-D Toeplitz product
 * done as a circular convolution by zero-padded FFT, and potentials are interpolated back.
 * Cost O(n + L² log L) with L the FFT side, instead of O(n²).
 */
final class FftRepulsion {
    /**
     * Interpolation nodes per box and axis (openTSNE n_interpolation_points = 3). Measured on a
     * converged 3,000-point embedding: 4–8 nodes on the same node spacing are no more accurate.
     */
    static final int NODES_PER_BOX = 3;
    /** Boxes at most this wide (openTSNE ints_in_interval = 1): the kernel varies on a scale of 1. */
    static final double MAX_BOX_WIDTH = 1.0;
    private final double maxBoxWidth;
    /**
     * Fewest boxes per axis. openTSNE uses 50 with FFTW's any-size transforms; our radix-2 FFT of
     * side 256 holds 42 boxes (2·3·42 − 1 ≤ 256), and 42 boxes still respect MAX_BOX_WIDTH for any
     * span up to 42, which covers the whole early-exaggeration phase at a quarter of the cost of 512.
     */
    static final int MIN_BOXES = 42;

    /**
     * Box widths are rounded up to a power of 1.02, so the kernel's spectrum (which depends only on
     * the FFT size and the node spacing) can be reused until the embedding's span moves by 2%.
     */
    static final double WIDTH_QUANTUM = 1.02;

    private Fft fft;
    private float[] kernelSpectrum;       // real (the kernel is real and even), transposed layout
    private double kernelBoxWidth = -1;   // box width the cached spectrum was made for
    private float[] gridA_re, gridA_im;   // charges 0 and 1 packed as one complex grid
    private float[] gridB_re, gridB_im;   // charges 2 and 3
    private float[] kernelRe, kernelIm;

    FftRepulsion() {
        this(MAX_BOX_WIDTH);
    }

    /** A finer grid than the default (tests use it to show the error shrinks like width³). */
    FftRepulsion(double maxBoxWidth) {
        this.maxBoxWidth = maxBoxWidth;
    }

    /** FFT side length used by the last call (for tests and diagnostics). */
    int lastFftSize;
    /** Boxes per axis used by the last call. */
    int lastBoxes;

    /**
     * Fills rep (n×2) with Σ_j w_ij²·(y_i − y_j) and returns Z = Σ_{i≠j} w_ij, for the n×2
     * row-major embedding y.
     */
    double repulsion(double[] y, int n, double[] rep) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < 2 * n; i++) {
            min = Math.min(min, y[i]);
            max = Math.max(max, y[i]);
        }
        double span = Math.max(max - min, 1e-12) * WIDTH_QUANTUM;
        int boxesNeeded = Math.max(MIN_BOXES, (int) Math.ceil(span / maxBoxWidth));
        int nodesNeeded = NODES_PER_BOX * boxesNeeded;
        // Circular convolution of m nodes with a kernel of offsets −(m−1)..(m−1) needs L ≥ 2m − 1.
        int size = Integer.highestOneBit(2 * nodesNeeded - 1);
        if (size < 2 * nodesNeeded - 1) size <<= 1;
        int boxes = (size + 1) / (2 * NODES_PER_BOX); // fill the FFT grid: more boxes cost nothing extra
        int m = NODES_PER_BOX * boxes;
        double boxWidth = Math.pow(WIDTH_QUANTUM, Math.ceil(Math.log(span / boxes / WIDTH_QUANTUM) / Math.log(WIDTH_QUANTUM)));
        double spacing = boxWidth / NODES_PER_BOX;
        prepare(size);
        lastFftSize = size;
        lastBoxes = boxes;

        // Interpolation: for each point and axis, its box and the 3 Lagrange weights at nodes
        // t_k = (k + ½)/3 of the box's unit interval.
        int[] baseX = new int[n], baseY = new int[n];
        double[] weightX = new double[NODES_PER_BOX * n], weightY = new double[NODES_PER_BOX * n];
        double centre = min + boxes * boxWidth / 2; // charges use coordinates about the grid centre (smaller ‖y‖², less cancellation)
        final double lo = min;
        Parallel.chunks(n, 2, (a, b) -> {
            for (int i = a; i < b; i++) {
                baseX[i] = NODES_PER_BOX * boxAndWeights(y[2 * i], lo, boxWidth, boxes, NODES_PER_BOX, weightX, NODES_PER_BOX * i);
                baseY[i] = NODES_PER_BOX * boxAndWeights(y[2 * i + 1], lo, boxWidth, boxes, NODES_PER_BOX, weightY, NODES_PER_BOX * i);
            }
        });

        // Spread charges to the nodes (serial: scatter with overlapping targets; O(36·n)).
        int stride = fft.stride();
        int cells = size * stride;
        java.util.Arrays.fill(gridA_re, 0, cells, 0);
        java.util.Arrays.fill(gridA_im, 0, cells, 0);
        java.util.Arrays.fill(gridB_re, 0, cells, 0);
        java.util.Arrays.fill(gridB_im, 0, cells, 0);
        for (int i = 0; i < n; i++) {
            double px = y[2 * i] - centre, py = y[2 * i + 1] - centre;
            double q1 = px, q2 = py, q3 = px * px + py * py;
            for (int ry = 0; ry < NODES_PER_BOX; ry++) {
                int row = (baseY[i] + ry) * stride + baseX[i];
                double wy = weightY[NODES_PER_BOX * i + ry];
                for (int rx = 0; rx < NODES_PER_BOX; rx++) {
                    double w = wy * weightX[NODES_PER_BOX * i + rx];
                    gridA_re[row + rx] += (float) w;
                    gridA_im[row + rx] += (float) (w * q1);
                    gridB_re[row + rx] += (float) (w * q2);
                    gridB_im[row + rx] += (float) (w * q3);
                }
            }
        }

        if (boxWidth != kernelBoxWidth) {
            kernelSpectrum(size, m, spacing);
            kernelBoxWidth = boxWidth;
        }

        fft.forward2dToTransposed(gridA_re, gridA_im, m);
        fft.forward2dToTransposed(gridB_re, gridB_im, m);
        Parallel.chunks(cells, 2, (a, b) -> {
            for (int t = a; t < b; t++) {
                float k = kernelSpectrum[t];
                gridA_re[t] *= k;
                gridA_im[t] *= k;
                gridB_re[t] *= k;
                gridB_im[t] *= k;
            }
        });
        fft.inverse2dFromTransposed(gridA_re, gridA_im, m);
        fft.inverse2dFromTransposed(gridB_re, gridB_im, m);

        // Interpolate potentials back to the points, then form rep_i and the per-point Z terms.
        double[] zTerms = new double[n];
        Parallel.chunks(n, 2, (a, b) -> {
            for (int i = a; i < b; i++) {
                double phi0 = 0, phi1 = 0, phi2 = 0, phi3 = 0;
                for (int ry = 0; ry < NODES_PER_BOX; ry++) {
                    int row = (baseY[i] + ry) * stride + baseX[i];
                    double wy = weightY[NODES_PER_BOX * i + ry];
                    for (int rx = 0; rx < NODES_PER_BOX; rx++) {
                        double w = wy * weightX[NODES_PER_BOX * i + rx];
                        phi0 += w * gridA_re[row + rx];
                        phi1 += w * gridA_im[row + rx];
                        phi2 += w * gridB_re[row + rx];
                        phi3 += w * gridB_im[row + rx];
                    }
                }
                double px = y[2 * i] - centre, py = y[2 * i + 1] - centre;
                rep[2 * i] = px * phi0 - phi1;
                rep[2 * i + 1] = py * phi0 - phi2;
                zTerms[i] = (1 + px * px + py * py) * phi0 - 2 * (px * phi1 + py * phi2) + phi3;
            }
        });
        double z = 0;
        for (int i = 0; i < n; i++) z += zTerms[i];
        return z - n;
    }

    /**
     * Box index of coordinate v and the Lagrange weights of the box's nodes t_k = (k+½)/nodes at
     * its position t ∈ [0,1] inside the box: ℓ_k(t) = Π_{l≠k} (t − t_l)/(t_k − t_l).
     */
    private static int boxAndWeights(double v, double min, double boxWidth, int boxes, int nodes, double[] weights, int at) {
        double u = (v - min) / boxWidth;
        int box = Math.min(boxes - 1, (int) u);
        double t = u - box;
        for (int k = 0; k < nodes; k++) {
            double tk = (k + 0.5) / nodes, w = 1;
            for (int l = 0; l < nodes; l++) {
                if (l == k) continue;
                double tl = (l + 0.5) / nodes;
                w *= (t - tl) / (tk - tl);
            }
            weights[at + k] = w;
        }
        return box;
    }

    /**
     * Spectrum of the kernel K(Δ) = 1/(1 + ‖Δ‖²)² at node offsets Δ = (dx, dy)·spacing with
     * |dx|, |dy| &lt; m, laid out circularly (negative offsets at the end) and zero elsewhere.
     */
    private void kernelSpectrum(int size, int m, double spacing) {
        int stride = fft.stride();
        java.util.Arrays.fill(kernelIm, 0f);
        Parallel.chunks(size, 2, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int dy = r < m ? r : (r > size - m ? r - size : Integer.MAX_VALUE);
                for (int c = 0; c < size; c++) {
                    int dx = c < m ? c : (c > size - m ? c - size : Integer.MAX_VALUE);
                    if (dy == Integer.MAX_VALUE || dx == Integer.MAX_VALUE) {
                        kernelRe[r * stride + c] = 0;
                    } else {
                        double d2 = (dx * spacing) * (dx * spacing) + (dy * spacing) * (dy * spacing);
                        double w = 1 / (1 + d2);
                        kernelRe[r * stride + c] = (float) (w * w);
                    }
                }
            }
        });
        fft.forward2dToTransposed(kernelRe, kernelIm, size);
        // A real even kernel has a real spectrum; its imaginary part is round-off and is dropped.
        System.arraycopy(kernelRe, 0, kernelSpectrum, 0, kernelRe.length);
    }

    private void prepare(int size) {
        if (fft != null && fft.length() == size) return;
        fft = new Fft(size);
        int cells = size * fft.stride();
        kernelSpectrum = new float[cells];
        kernelBoxWidth = -1;
        gridA_re = new float[cells];
        gridA_im = new float[cells];
        gridB_re = new float[cells];
        gridB_im = new float[cells];
        kernelRe = new float[cells];
        kernelIm = new float[cells];
    }

    /** The same sums by direct O(n²) loops: the exact-gradient path and the reference for tests. */
    static double exactRepulsion(double[] y, int n, double[] rep) {
        double[] zTerms = new double[n];
        Parallel.chunks(n, 4, (a, b) -> {
            for (int i = a; i < b; i++) {
                double yix = y[2 * i], yiy = y[2 * i + 1];
                double rx = 0, ry = 0, zi = 0;
                for (int j = 0; j < n; j++) {
                    if (j == i) continue;
                    double dx = yix - y[2 * j], dy = yiy - y[2 * j + 1];
                    double w = 1 / (1 + dx * dx + dy * dy);
                    zi += w;
                    rx += w * w * dx;
                    ry += w * w * dy;
                }
                rep[2 * i] = rx;
                rep[2 * i + 1] = ry;
                zTerms[i] = zi;
            }
        });
        double z = 0;
        for (int i = 0; i < n; i++) z += zTerms[i];
        return z;
    }
}
