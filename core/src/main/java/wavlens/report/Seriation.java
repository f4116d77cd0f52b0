package wavlens.report;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Orders the rows and columns of a heat map so its structure shows.
 *
 * <ul>
 * <li>{@link #byMajority}: for a category × cluster table (e.g. counts or P(letter | cluster), rows
 *     letters, columns clusters): each cluster goes under its majority row, in row order, and among
 *     clusters with the same majority the purer comes first (purity = largest entry / column sum).
 *     With the rows in their natural order this makes a block diagonal: the clusters of "a", then
 *     those of "b", ...; clusters that no letter dominates sit among the ones of their plurality
 *     letter but after the pure ones.</li>
 * <li>{@link #hierarchical}: average-linkage (UPGMA) agglomerative clustering of the row vectors
 *     under Euclidean distance, read off as the leaf order of the tree. When two groups merge, each
 *     may be reversed so that the two leaves that become neighbours are the closest of the four
 *     end-to-end choices (a cheap form of the optimal leaf ordering of Bar-Joseph et al. 2001).
 *     Use it for symmetric matrices (CKA layer × layer, a letter confusion matrix on its
 *     row-normalised rows) and apply the same order to rows and columns.</li>
 * </ul>
 * Ties are broken by the smaller index, so the orders are deterministic.
 */
public final class Seriation {
    private Seriation() {}

    /** Column order for a rows=categories × columns=clusters table, see the class comment. */
    public static int[] byMajority(double[][] table) {
        int rows = table.length, cols = rows == 0 ? 0 : table[0].length;
        int[] majority = new int[cols];
        double[] purity = new double[cols];
        for (int c = 0; c < cols; c++) {
            double sum = 0, best = Double.NEGATIVE_INFINITY;
            int arg = 0;
            for (int r = 0; r < rows; r++) {
                double v = table[r][c];
                sum += v;
                if (v > best) {
                    best = v;
                    arg = r;
                }
            }
            majority[c] = arg;
            purity[c] = sum > 0 ? best / sum : 0;
        }
        Integer[] order = new Integer[cols];
        for (int c = 0; c < cols; c++) order[c] = c;
        Arrays.sort(order, Comparator.<Integer>comparingInt(c -> majority[c])
                .thenComparing(c -> -purity[c])
                .thenComparingInt(c -> c));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /** Leaf order of an average-linkage clustering of the rows, see the class comment. */
    public static int[] hierarchical(double[][] rows) {
        int n = rows.length;
        if (n == 0) return new int[0];
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int k = 0; k < rows[i].length; k++) {
                    double diff = rows[i][k] - rows[j][k];
                    s += diff * diff;
                }
                d[i][j] = d[j][i] = Math.sqrt(s);
            }
        }
        // active groups: their leaf sequence and (UPGMA) the mean distance between groups
        double[][] between = new double[n][n];
        for (int i = 0; i < n; i++) between[i] = d[i].clone();
        boolean[] alive = new boolean[n];
        Arrays.fill(alive, true);
        int[][] sequence = new int[n][];
        for (int i = 0; i < n; i++) sequence[i] = new int[] {i};
        for (int merges = 0; merges < n - 1; merges++) {
            int a = -1, b = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (!alive[i]) continue;
                for (int j = i + 1; j < n; j++) {
                    if (alive[j] && between[i][j] < best) {
                        best = between[i][j];
                        a = i;
                        b = j;
                    }
                }
            }
            int[] merged = join(sequence[a], sequence[b], d);
            // UPGMA update: distance of the merged group is the size-weighted mean of its parts
            int sizeA = sequence[a].length, sizeB = sequence[b].length;
            for (int k = 0; k < n; k++) {
                if (!alive[k] || k == a || k == b) continue;
                double v = (sizeA * between[a][k] + sizeB * between[b][k]) / (sizeA + sizeB);
                between[a][k] = between[k][a] = v;
            }
            sequence[a] = merged;
            sequence[b] = null;
            alive[b] = false;
        }
        for (int i = 0; i < n; i++) if (alive[i]) return sequence[i];
        throw new IllegalStateException("no group left");
    }

    /** a followed by b, each possibly reversed, choosing the closest touching ends (first of ties). */
    private static int[] join(int[] a, int[] b, double[][] d) {
        int aFirst = a[0], aLast = a[a.length - 1], bFirst = b[0], bLast = b[b.length - 1];
        double[] cost = {d[aLast][bFirst], d[aLast][bLast], d[aFirst][bFirst], d[aFirst][bLast]};
        int choice = 0;
        for (int k = 1; k < 4; k++) if (cost[k] < cost[choice]) choice = k;
        int[] left = choice >= 2 ? reversed(a) : a;
        int[] right = choice == 1 || choice == 3 ? reversed(b) : b;
        int[] out = Arrays.copyOf(left, left.length + right.length);
        System.arraycopy(right, 0, out, left.length, right.length);
        return out;
    }

    private static int[] reversed(int[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
        return r;
    }

    /** Rows divided by their sums (zero rows stay zero): confusion counts → P(predicted | true). */
    public static double[][] rowNormalised(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            double s = 0;
            for (double v : m[i]) s += v;
            out[i] = new double[m[i].length];
            for (int j = 0; j < m[i].length; j++) out[i][j] = s > 0 ? m[i][j] / s : 0;
        }
        return out;
    }
}
