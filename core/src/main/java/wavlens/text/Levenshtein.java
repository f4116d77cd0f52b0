package wavlens.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Levenshtein alignment of a reference and a hypothesis sequence (characters as code points, or
 * words as ids), unit costs for substitution, deletion and insertion, with a backtrace.
 *
 * <p>Of several optimal alignments the backtrace (walking from the end) prefers, in this order, a
 * match or substitution, then a deletion (reference symbol dropped), then an insertion. This only
 * decides WHICH symbols are blamed in ties; the distance is the same.
 */
public final class Levenshtein {
    private Levenshtein() {}

    public enum Op { MATCH, SUBSTITUTE, DELETE, INSERT }

    /** One alignment column; refIndex is −1 for an insertion, hypIndex −1 for a deletion. */
    public record Step(Op op, int refIndex, int hypIndex) {}

    /** The alignment columns in order, and the counts of each kind of edit. */
    public record Alignment(List<Step> steps, int matches, int substitutions, int deletions, int insertions) {
        public int distance() {
            return substitutions + deletions + insertions;
        }
    }

    /** Edit distance only (two rows of the table). */
    public static int distance(int[] ref, int[] hyp) {
        int[] previous = new int[hyp.length + 1], current = new int[hyp.length + 1];
        for (int j = 0; j <= hyp.length; j++) previous[j] = j;
        for (int i = 1; i <= ref.length; i++) {
            current[0] = i;
            for (int j = 1; j <= hyp.length; j++) {
                int diagonal = previous[j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1);
                current[j] = Math.min(diagonal, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[hyp.length];
    }

    /** Full alignment: D[i][j] = distance between ref[0..i) and hyp[0..j), then the backtrace. */
    public static Alignment align(int[] ref, int[] hyp) {
        int n = ref.length, m = hyp.length;
        int[][] cost = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) cost[i][0] = i;
        for (int j = 0; j <= m; j++) cost[0][j] = j;
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int diagonal = cost[i - 1][j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1);
                cost[i][j] = Math.min(diagonal, Math.min(cost[i - 1][j] + 1, cost[i][j - 1] + 1));
            }
        }
        List<Step> steps = new ArrayList<>(n + m);
        int matches = 0, substitutions = 0, deletions = 0, insertions = 0;
        int i = n, j = m;
        while (i > 0 || j > 0) {
            if (i > 0 && j > 0 && cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1)) {
                boolean same = ref[i - 1] == hyp[j - 1];
                steps.add(new Step(same ? Op.MATCH : Op.SUBSTITUTE, i - 1, j - 1));
                if (same) matches++;
                else substitutions++;
                i--;
                j--;
            } else if (i > 0 && cost[i][j] == cost[i - 1][j] + 1) {
                steps.add(new Step(Op.DELETE, i - 1, -1));
                deletions++;
                i--;
            } else {
                steps.add(new Step(Op.INSERT, -1, j - 1));
                insertions++;
                j--;
            }
        }
        Collections.reverse(steps);
        return new Alignment(steps, matches, substitutions, deletions, insertions);
    }
}
