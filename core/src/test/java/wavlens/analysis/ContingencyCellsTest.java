package wavlens.analysis;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Contingency.ofCells (the table a distributed count reduces to) against Contingency.of on the items themselves. */
class ContingencyCellsTest {
    @Test
    void cellsCountedInPiecesGiveTheTableOfTheItems() {
        SplittableRandom r = new SplittableRandom(4);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + r.nextInt(400), labels = 1 + r.nextInt(12), clusters = 1 + r.nextInt(30);
            long[] l = new long[n], c = new long[n];
            for (int t = 0; t < n; t++) {
                l[t] = r.nextInt(labels) * 7 - 3;          // sparse, negative ids too
                c[t] = r.nextInt(clusters) + (r.nextBoolean() ? 1_000_000_000L : 0);
            }
            // Count the items in 1–4 pieces, each piece's cells listed in a scrambled order, pairs repeating across pieces.
            int pieces = 1 + r.nextInt(4);
            java.util.List<long[]> cells = new java.util.ArrayList<>();
            for (int p = 0; p < pieces; p++) {
                java.util.Map<java.util.List<Long>, Long> counts = new java.util.HashMap<>();
                for (int t = p * n / pieces; t < (p + 1) * n / pieces; t++) counts.merge(java.util.List.of(l[t], c[t]), 1L, Long::sum);
                counts.forEach((k, v) -> cells.add(new long[] {k.get(0), k.get(1), v}));
            }
            java.util.Collections.shuffle(cells, new java.util.Random(trial));
            long[] cl = new long[cells.size()], cc = new long[cells.size()], cn = new long[cells.size()];
            for (int i = 0; i < cells.size(); i++) {
                cl[i] = cells.get(i)[0];
                cc[i] = cells.get(i)[1];
                cn[i] = cells.get(i)[2];
            }
            Contingency want = Contingency.of(l, c), got = Contingency.ofCells(cl, cc, cn);
            assertArrayEquals(want.labelIds(), got.labelIds());
            assertArrayEquals(want.clusterIds(), got.clusterIds());
            assertArrayEquals(want.labelSizes(), got.labelSizes());
            assertArrayEquals(want.clusterSizes(), got.clusterSizes());
            assertArrayEquals(want.cellRow(), got.cellRow());
            assertArrayEquals(want.cellCol(), got.cellCol());
            assertArrayEquals(want.cellCount(), got.cellCount());
            assertEquals(want.n(), got.n());
        }
    }

    @Test
    void noItemsIsAUserError() {
        assertThrows(wavlens.io.UserError.class, () -> Contingency.ofCells(new long[] {1}, new long[] {2}, new long[] {0}));
    }
}
