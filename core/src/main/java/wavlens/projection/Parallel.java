package wavlens.projection;

import java.util.stream.IntStream;

/**
 * Splits an index range [0, n) into contiguous chunks run on the common fork-join pool. Every use
 * in this package writes disjoint outputs per index, so results do not depend on the number of
 * chunks or threads (runs are bit-for-bit reproducible on any machine).
 */
final class Parallel {
    private Parallel() {}

    interface Range {
        void run(int lo, int hi);
    }

    static final int CORES = Runtime.getRuntime().availableProcessors();

    /** Runs body over [0, n) in about {@code chunksPerCore}·cores pieces. */
    static void chunks(int n, int chunksPerCore, Range body) {
        if (n <= 0) return;
        int pieces = Math.min(n, Math.max(1, chunksPerCore * CORES));
        if (pieces == 1 || CORES == 1) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, pieces).parallel()
                .forEach(p -> body.run((int) ((long) n * p / pieces), (int) ((long) n * (p + 1) / pieces)));
    }
}
