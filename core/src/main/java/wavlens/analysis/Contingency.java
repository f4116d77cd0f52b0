package wavlens.analysis;

import java.util.Arrays;
import wavlens.io.UserError;

/**
 * The contingency table of two labellings of the same N items: n_ij = number of items with true
 * label i (a "phone", a letter, a class — the rows) and cluster j (the columns).
 *
 * <p>Label ids are arbitrary integers (non-contiguous, up to 2e9 or beyond); only ids that occur
 * exist, so there are no empty rows or columns. The table is stored sparsely as its non-zero cells,
 * because every metric only needs those plus the row and column sums: a_i = Σ_j n_ij (labelSizes),
 * b_j = Σ_i n_ij (clusterSizes).
 *
 * @param labelIds     distinct true labels, ascending (row i ↔ labelIds[i])
 * @param clusterIds   distinct cluster ids, ascending (column j ↔ clusterIds[j])
 * @param labelSizes   a_i
 * @param clusterSizes b_j
 * @param cellRow      row of each non-zero cell (cells sorted by row, then column)
 * @param cellCol      column of each non-zero cell
 * @param cellCount    n_ij of each non-zero cell
 * @param n            N, the number of items
 */
public record Contingency(long[] labelIds, long[] clusterIds, long[] labelSizes, long[] clusterSizes,
                          int[] cellRow, int[] cellCol, long[] cellCount, long n) {

    public int rows() {
        return labelIds.length;
    }

    public int cols() {
        return clusterIds.length;
    }

    public int cells() {
        return cellCount.length;
    }

    public static Contingency of(int[] labels, int[] clusters) {
        return of(toLongs(labels), toLongs(clusters));
    }

    /** Builds the table; labels[t] and clusters[t] describe item t. Different lengths → UserError. */
    public static Contingency of(long[] labels, long[] clusters) {
        if (labels.length != clusters.length) {
            throw new UserError("labels and clusters have different lengths (" + labels.length + " vs " + clusters.length + ")");
        }
        if (labels.length == 0) throw new UserError("no items to compare (empty label arrays)");
        int n = labels.length;
        long[] labelIds = distinctSorted(labels);
        long[] clusterIds = distinctSorted(clusters);
        int[] row = indexInto(labelIds, labels);
        int[] col = indexInto(clusterIds, clusters);
        int rows = labelIds.length, cols = clusterIds.length;

        long[] labelSizes = new long[rows];
        long[] clusterSizes = new long[cols];
        for (int t = 0; t < n; t++) {
            labelSizes[row[t]]++;
            clusterSizes[col[t]]++;
        }

        // Count the cells: a dense rows×cols counter when it is not much bigger than the data
        // (the usual case: ~30 letters × a few hundred clusters), otherwise sort the cell keys.
        long denseSize = (long) rows * cols;
        int[] cellRow, cellCol;
        long[] cellCount;
        if (denseSize <= 4L * n + 65536 && denseSize <= (1 << 26)) {
            int[] counts = new int[(int) denseSize];
            for (int t = 0; t < n; t++) counts[row[t] * cols + col[t]]++;
            int nonZero = 0;
            for (int c : counts) if (c != 0) nonZero++;
            cellRow = new int[nonZero];
            cellCol = new int[nonZero];
            cellCount = new long[nonZero];
            int k = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    int c = counts[i * cols + j];
                    if (c == 0) continue;
                    cellRow[k] = i;
                    cellCol[k] = j;
                    cellCount[k] = c;
                    k++;
                }
            }
        } else {
            long[] keys = new long[n];
            for (int t = 0; t < n; t++) keys[t] = (long) row[t] * cols + col[t];
            Arrays.sort(keys);
            int nonZero = 0;
            for (int t = 0; t < n; t++) if (t == 0 || keys[t] != keys[t - 1]) nonZero++;
            cellRow = new int[nonZero];
            cellCol = new int[nonZero];
            cellCount = new long[nonZero];
            int k = -1;
            for (int t = 0; t < n; t++) {
                if (t == 0 || keys[t] != keys[t - 1]) {
                    k++;
                    cellRow[k] = (int) (keys[t] / cols);
                    cellCol[k] = (int) (keys[t] % cols);
                }
                cellCount[k]++;
            }
        }
        return new Contingency(labelIds, clusterIds, labelSizes, clusterSizes, cellRow, cellCol, cellCount, n);
    }

    /**
     * The table from its cells, as a distributed count reduces it: cell t says that cellCounts[t]
     * items have label cellLabels[t] and cluster cellClusters[t]. Cells may come in any order and a
     * (label, cluster) pair may repeat (its counts add up); the result is the table {@link #of}
     * builds from the items themselves.
     */
    public static Contingency ofCells(long[] cellLabels, long[] cellClusters, long[] cellCounts) {
        if (cellLabels.length != cellClusters.length || cellLabels.length != cellCounts.length) {
            throw new IllegalArgumentException("cell arrays of different lengths");
        }
        java.util.TreeMap<Long, java.util.TreeMap<Long, Long>> byLabel = new java.util.TreeMap<>();
        java.util.TreeSet<Long> clusterSet = new java.util.TreeSet<>();
        long n = 0;
        for (int t = 0; t < cellCounts.length; t++) {
            if (cellCounts[t] < 0) throw new IllegalArgumentException("negative cell count");
            if (cellCounts[t] == 0) continue;
            byLabel.computeIfAbsent(cellLabels[t], l -> new java.util.TreeMap<>()).merge(cellClusters[t], cellCounts[t], Long::sum);
            clusterSet.add(cellClusters[t]);
            n += cellCounts[t];
        }
        if (n == 0) throw new UserError("no items to compare (empty label arrays)");
        long[] labelIds = byLabel.keySet().stream().mapToLong(Long::longValue).toArray();
        long[] clusterIds = clusterSet.stream().mapToLong(Long::longValue).toArray();
        long[] labelSizes = new long[labelIds.length], clusterSizes = new long[clusterIds.length];
        int cells = 0;
        for (var row : byLabel.values()) cells += row.size();
        int[] cellRow = new int[cells], cellCol = new int[cells];
        long[] cellCount = new long[cells];
        int k = 0, i = 0;
        for (var row : byLabel.values()) {
            for (var cell : row.entrySet()) {
                int j = Arrays.binarySearch(clusterIds, cell.getKey());
                cellRow[k] = i;
                cellCol[k] = j;
                cellCount[k] = cell.getValue();
                labelSizes[i] += cell.getValue();
                clusterSizes[j] += cell.getValue();
                k++;
            }
            i++;
        }
        return new Contingency(labelIds, clusterIds, labelSizes, clusterSizes, cellRow, cellCol, cellCount, n);
    }

    /** The distinct values, ascending. */
    static long[] distinctSorted(long[] values) {
        if (values.length == 0) return new long[0];
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (long v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        long range = max - min + 1;
        if (range > 0 && range <= denseLimit(values.length)) {
            // Small id range: mark which ids occur (O(N), no sort).
            boolean[] seen = new boolean[(int) range];
            int count = 0;
            for (long v : values) {
                int slot = (int) (v - min);
                if (!seen[slot]) {
                    seen[slot] = true;
                    count++;
                }
            }
            long[] out = new long[count];
            int k = 0;
            for (int s = 0; s < range; s++) if (seen[s]) out[k++] = min + s;
            return out;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int count = 1;
        for (int t = 1; t < sorted.length; t++) if (sorted[t] != sorted[t - 1]) sorted[count++] = sorted[t];
        return Arrays.copyOf(sorted, count);
    }

    /** For each value, its position in the ascending distinct ids. */
    static int[] indexInto(long[] ids, long[] values) {
        int[] out = new int[values.length];
        if (ids.length == 0) return out;
        long min = ids[0];
        long range = ids[ids.length - 1] - min + 1;
        if (range > 0 && range <= denseLimit(values.length)) {
            int[] slotToIndex = new int[(int) range];
            for (int i = 0; i < ids.length; i++) slotToIndex[(int) (ids[i] - min)] = i;
            for (int t = 0; t < values.length; t++) out[t] = slotToIndex[(int) (values[t] - min)];
        } else {
            for (int t = 0; t < values.length; t++) out[t] = Arrays.binarySearch(ids, values[t]);
        }
        return out;
    }

    /** A lookup table indexed by id is used when it is at most ~4 entries per item. */
    private static long denseLimit(int n) {
        return Math.min(4L * n + 65536, 1L << 26);
    }

    private static long[] toLongs(int[] values) {
        long[] out = new long[values.length];
        for (int t = 0; t < values.length; t++) out[t] = values[t];
        return out;
    }
}
