package wavlens.projection;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Approximate k nearest neighbours by NN-descent (Dong, Moses & Li 2011, "Efficient k-nearest
 * neighbor graph construction for generic similarity measures", WWW): start from random
 * neighbour lists and repeatedly let each point introduce its neighbours (and reverse
 * neighbours) to one another — "a neighbour of a neighbour is likely a neighbour" — until almost
 * no list changes. Only pairs involving at least one newly added neighbour are compared (the
 * new/old flags of §2.3), and each point's candidate lists are capped at a random sample.
 *
 * <p>Single-threaded and driven by one seeded generator, so the graph is reproducible.
 */
final class NnDescent {
    private NnDescent() {}

    /** Stop when fewer than DELTA·n·k list entries changed in an iteration (the paper's δ = 0.001). */
    static final double DELTA = 0.001;

    static Knn.Neighbours build(float[] x, int n, int d, int k, long seed) {
        if (k < 1 || k > n - 1) throw new IllegalArgumentException("k must be in 1.." + (n - 1) + ", got " + k);
        SplittableRandom random = new SplittableRandom(seed);
        // Per point a max-heap of its k best so far: distance (squared), index, and whether it is new.
        double[] dist = new double[n * k];
        int[] index = new int[n * k];
        boolean[] fresh = new boolean[n * k];
        Arrays.fill(dist, Double.POSITIVE_INFINITY);
        Arrays.fill(index, -1);
        for (int i = 0; i < n; i++) {
            int added = 0;
            while (added < k) {
                int j = random.nextInt(n);
                if (j != i && push(dist, index, fresh, i, k, Knn.squaredDistance(x, d, i, j), j)) added++;
            }
        }

        int maxCandidates = Math.min(60, 2 * k);
        int[] newCandidates = new int[n * maxCandidates], oldCandidates = new int[n * maxCandidates];
        double[] newPriority = new double[n * maxCandidates], oldPriority = new double[n * maxCandidates];
        int[] newCount = new int[n], oldCount = new int[n];
        int maxIterations = Math.max(5, (int) Math.round(Math.log(n) / Math.log(2)));
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            // Candidate lists: each neighbour j of i goes to i's list and i goes to j's (reverse
            // neighbours); a random priority keeps a uniform sample when a list overflows.
            Arrays.fill(newCount, 0);
            Arrays.fill(oldCount, 0);
            for (int i = 0; i < n; i++)
                for (int c = 0; c < k; c++) {
                    int j = index[i * k + c];
                    if (j < 0) continue;
                    double priority = random.nextDouble();
                    if (fresh[i * k + c]) {
                        addCandidate(newCandidates, newPriority, newCount, maxCandidates, i, j, priority);
                        addCandidate(newCandidates, newPriority, newCount, maxCandidates, j, i, priority);
                    } else {
                        addCandidate(oldCandidates, oldPriority, oldCount, maxCandidates, i, j, priority);
                        addCandidate(oldCandidates, oldPriority, oldCount, maxCandidates, j, i, priority);
                    }
                }
            // Neighbours that made it into a new-candidate list have now been introduced: mark them old.
            for (int i = 0; i < n; i++)
                for (int c = 0; c < k; c++) {
                    if (!fresh[i * k + c]) continue;
                    int j = index[i * k + c];
                    for (int t = 0; t < newCount[i]; t++)
                        if (newCandidates[i * maxCandidates + t] == j) {
                            fresh[i * k + c] = false;
                            break;
                        }
                }
            // Local join: compare new×new and new×old pairs around every point.
            long updates = 0;
            for (int v = 0; v < n; v++) {
                for (int a = 0; a < newCount[v]; a++) {
                    int p = newCandidates[v * maxCandidates + a];
                    for (int b = a + 1; b < newCount[v]; b++) updates += join(x, d, dist, index, fresh, k, p, newCandidates[v * maxCandidates + b]);
                    for (int b = 0; b < oldCount[v]; b++) updates += join(x, d, dist, index, fresh, k, p, oldCandidates[v * maxCandidates + b]);
                }
            }
            if (updates <= DELTA * n * k) break;
        }

        // Sorted lists with Euclidean distances.
        int[] outIndex = new int[n * k];
        double[] outDist = new double[n * k];
        double[] rowDist = new double[k];
        int[] rowIndex = new int[k];
        for (int i = 0; i < n; i++) {
            System.arraycopy(dist, i * k, rowDist, 0, k);
            System.arraycopy(index, i * k, rowIndex, 0, k);
            Knn.sortByDistanceThenIndex(rowDist, rowIndex, k);
            for (int c = 0; c < k; c++) {
                outIndex[i * k + c] = rowIndex[c];
                outDist[i * k + c] = Math.sqrt(rowDist[c]);
            }
        }
        return new Knn.Neighbours(n, k, outIndex, outDist);
    }

    /** Offers p and q to each other's lists; returns how many lists changed (0–2). */
    private static int join(float[] x, int d, double[] dist, int[] index, boolean[] fresh, int k, int p, int q) {
        if (p == q) return 0;
        double pq = Knn.squaredDistance(x, d, p, q);
        int changed = 0;
        if (push(dist, index, fresh, p, k, pq, q)) changed++;
        if (push(dist, index, fresh, q, k, pq, p)) changed++;
        return changed;
    }

    /** Inserts (value, id) into row's max-heap if it beats the worst entry and is not there yet. */
    private static boolean push(double[] dist, int[] index, boolean[] fresh, int row, int k, double value, int id) {
        int base = row * k;
        if (value >= dist[base]) return false;
        for (int c = 0; c < k; c++) if (index[base + c] == id) return false;
        // Replace the root and sift down.
        int c = 0;
        while (true) {
            int child = 2 * c + 1;
            if (child >= k) break;
            if (child + 1 < k && dist[base + child + 1] > dist[base + child]) child++;
            if (dist[base + child] <= value) break;
            dist[base + c] = dist[base + child];
            index[base + c] = index[base + child];
            fresh[base + c] = fresh[base + child];
            c = child;
        }
        dist[base + c] = value;
        index[base + c] = id;
        fresh[base + c] = true;
        return true;
    }

    /** Keeps the capacity entries of smallest priority in row's candidate list. */
    private static void addCandidate(int[] list, double[] priority, int[] count, int capacity, int row, int id, double p) {
        int base = row * capacity;
        for (int t = 0; t < count[row]; t++) if (list[base + t] == id) return;
        if (count[row] < capacity) {
            list[base + count[row]] = id;
            priority[base + count[row]++] = p;
            return;
        }
        int worst = 0;
        for (int t = 1; t < capacity; t++) if (priority[base + t] > priority[base + worst]) worst = t;
        if (p < priority[base + worst]) {
            list[base + worst] = id;
            priority[base + worst] = p;
        }
    }
}
