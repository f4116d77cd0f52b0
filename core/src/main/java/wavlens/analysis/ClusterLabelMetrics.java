package wavlens.analysis;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * How well a clustering agrees with reference labels (clusters of layer features vs letters or
 * phones): information-theoretic measures (NMI, AMI, homogeneity/completeness/V), pair-counting
 * measures (ARI, Rand, Fowlkes–Mallows), purity measures (incl. HuBERT's phone purity, cluster
 * purity and PNMI), and per-label measures.
 *
 * <p>Definitions and every edge-case convention follow scikit-learn 1.2.1 (see
 * shared/testdata/metrics/README.md); natural logarithms (nats) throughout, 0·ln 0 = 0. Notation:
 * N items, n_ij = contingency count (label i, cluster j), a_i row sums, b_j column sums,
 * U = the true labelling, V = the clustering.
 */
public final class ClusterLabelMetrics {
    private ClusterLabelMetrics() {}

    /** The mean that normalises MI in NMI and AMI; sklearn's default is ARITHMETIC. */
    public enum Mean { ARITHMETIC, GEOMETRIC, MIN, MAX }

    /** 2^-52, the double epsilon sklearn uses to keep AMI's denominator away from 0. */
    private static final double EPS = Math.ulp(1.0);

    /** Every measure at once (E[MI] is computed once and shared by the four AMI variants). */
    public record Scores(double entropyTrue, double entropyPred, double mutualInfo, double expectedMutualInfo,
                         double nmiArithmetic, double nmiGeometric, double nmiMin, double nmiMax,
                         double amiArithmetic, double amiGeometric, double amiMin, double amiMax,
                         double ari, double randIndex, double homogeneity, double completeness, double vMeasure,
                         double fowlkesMallows, double purity, double inversePurity,
                         double phonePurity, double clusterPurity, double pnmi,
                         long n, int numLabels, int numClusters) {
        /** JSON-friendly map; `nmi` and `ami` are the arithmetic-mean variants (sklearn's defaults). */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("n", n);
            m.put("n_labels", numLabels);
            m.put("n_clusters", numClusters);
            m.put("nmi", nmiArithmetic);
            m.put("nmi_geometric", nmiGeometric);
            m.put("nmi_min", nmiMin);
            m.put("nmi_max", nmiMax);
            m.put("ami", amiArithmetic);
            m.put("ami_geometric", amiGeometric);
            m.put("ami_min", amiMin);
            m.put("ami_max", amiMax);
            m.put("ari", ari);
            m.put("rand_index", randIndex);
            m.put("homogeneity", homogeneity);
            m.put("completeness", completeness);
            m.put("v_measure", vMeasure);
            m.put("fowlkes_mallows", fowlkesMallows);
            m.put("purity", purity);
            m.put("inverse_purity", inversePurity);
            m.put("phone_purity", phonePurity);
            m.put("cluster_purity", clusterPurity);
            m.put("pnmi", pnmi);
            m.put("mutual_info_nats", mutualInfo);
            m.put("expected_mutual_info_nats", expectedMutualInfo);
            m.put("entropy_labels_nats", entropyTrue);
            m.put("entropy_clusters_nats", entropyPred);
            return m;
        }
    }

    public static Scores score(long[] labels, long[] clusters) {
        return score(Contingency.of(labels, clusters));
    }

    public static Scores score(Contingency c) {
        double hu = entropyTrue(c), hv = entropyPred(c), mi = mutualInformation(c), emi = expectedMutualInformation(c);
        double h = homogeneity(c), comp = completeness(c);
        return new Scores(hu, hv, mi, emi,
                nmi(c, Mean.ARITHMETIC), nmi(c, Mean.GEOMETRIC), nmi(c, Mean.MIN), nmi(c, Mean.MAX),
                ami(c, Mean.ARITHMETIC, emi), ami(c, Mean.GEOMETRIC, emi), ami(c, Mean.MIN, emi), ami(c, Mean.MAX, emi),
                ari(c), randIndex(c), h, comp, vMeasure(h, comp),
                fowlkesMallows(c), purity(c), inversePurity(c),
                phonePurity(c), clusterPurity(c), pnmi(c),
                c.n(), c.rows(), c.cols());
    }

    // ------------------------------------------------------------------ information theory

    /** H(U) = −Σ_i (a_i/N) ln(a_i/N); 0 for a single label (and for no items). */
    public static double entropyTrue(Contingency c) {
        return entropy(c.labelSizes(), c.n());
    }

    /** H(V), the entropy of the cluster sizes. */
    public static double entropyPred(Contingency c) {
        return entropy(c.clusterSizes(), c.n());
    }

    static double entropy(long[] sizes, long n) {
        if (sizes.length <= 1) return 0.0;
        double logN = Math.log(n), h = 0;
        for (long s : sizes) h -= ((double) s / n) * (Math.log(s) - logN);
        return h;
    }

    /**
     * I(U;V) = Σ_ij (n_ij/N) ln(N n_ij / (a_i b_j)). Exactly 0 when either side has one label (a
     * float sum would leave ~1e-16 and turn NMI's 0/0 into noise); terms below 2^-52 are dropped and
     * the sum is clipped at 0, as sklearn does.
     */
    public static double mutualInformation(Contingency c) {
        if (c.rows() <= 1 || c.cols() <= 1) return 0.0;
        double n = c.n(), logN = Math.log(n), mi = 0;
        for (int k = 0; k < c.cells(); k++) {
            double nij = c.cellCount()[k];
            double outer = (double) c.labelSizes()[c.cellRow()[k]] * c.clusterSizes()[c.cellCol()[k]];
            double term = (nij / n) * (Math.log(nij) - logN) + (nij / n) * (-Math.log(outer) + logN + logN);
            if (Math.abs(term) >= EPS) mi += term;
        }
        return Math.max(mi, 0.0);
    }

    /** MI / mean(H(U), H(V)); 1 if both sides have one label (or N = 0), else 0 if MI = 0. */
    public static double nmi(Contingency c, Mean mean) {
        if (c.rows() == c.cols() && c.rows() <= 1) return 1.0;
        double mi = mutualInformation(c);
        if (mi == 0) return 0.0;
        return mi / mean(entropyTrue(c), entropyPred(c), mean);
    }

    static double mean(double x, double y, Mean mean) {
        return switch (mean) {
            case ARITHMETIC -> (x + y) / 2;
            case GEOMETRIC -> Math.sqrt(x * y);
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
        };
    }

    /**
     * E[MI] under the permutation model (hypergeometric cell counts with fixed margins), Vinh, Epps &amp;
     * Bailey 2010, JMLR 11, eq. 24a:
     * Σ_ij Σ_{k=max(1,a_i+b_j−N)}^{min(a_i,b_j)} (k/N) ln(N k/(a_i b_j)) ·
     * a_i! b_j! (N−a_i)! (N−b_j)! / (N! k! (a_i−k)! (b_j−k)! (N−a_i−b_j+k)!).
     * The factorial ratio is evaluated as exp of a sum of ln k! taken from one precomputed table.
     * 0 when either side has one label.
     */
    public static double expectedMutualInformation(Contingency c) {
        int rows = c.rows(), cols = c.cols();
        if (rows <= 1 || cols <= 1) return 0.0;
        long n = c.n();
        long[] a = c.labelSizes(), b = c.clusterSizes();
        LogFactorial lnFact = new LogFactorial(n);
        double logN = Math.log(n), lnFactN = lnFact.of(n);
        // Rows are independent: sum each row on its own (in parallel), then add the rows in order
        // so the result does not depend on thread timing.
        double[] rowSums = new double[rows];
        IntStream.range(0, rows).parallel().forEach(i -> {
            long ai = a[i];
            double logAi = Math.log(ai);
            double rowSum = 0;
            for (int j = 0; j < cols; j++) {
                long bj = b[j];
                double logAiBj = logAi + Math.log(bj);
                double constant = lnFact.of(ai) + lnFact.of(bj) + lnFact.of(n - ai) + lnFact.of(n - bj) - lnFactN;
                long kStart = Math.max(1, ai + bj - n), kEnd = Math.min(ai, bj);
                double cellSum = 0;
                for (long k = kStart; k <= kEnd; k++) {
                    double logProb = constant - lnFact.of(k) - lnFact.of(ai - k) - lnFact.of(bj - k) - lnFact.of(n - ai - bj + k);
                    cellSum += ((double) k / n) * (logN + Math.log(k) - logAiBj) * Math.exp(logProb);
                }
                rowSum += cellSum;
            }
            rowSums[i] = rowSum;
        });
        double emi = 0;
        for (double s : rowSums) emi += s;
        return emi;
    }

    /** AMI = (MI − E[MI]) / (mean(H(U),H(V)) − E[MI]); 1 if both sides have one label. */
    public static double ami(Contingency c, Mean mean) {
        return ami(c, mean, expectedMutualInformation(c));
    }

    static double ami(Contingency c, Mean mean, double emi) {
        if (c.rows() == c.cols() && c.rows() <= 1) return 1.0;
        double mi = mutualInformation(c);
        double denominator = mean(entropyTrue(c), entropyPred(c), mean) - emi;
        // sklearn keeps |denominator| ≥ eps so a 0/0 case cannot divide by zero.
        denominator = denominator < 0 ? Math.min(denominator, -EPS) : Math.max(denominator, EPS);
        return (mi - emi) / denominator;
    }

    /** MI / H(U); 1 if H(U) = 0. */
    public static double homogeneity(Contingency c) {
        double hu = entropyTrue(c);
        return hu == 0 ? 1.0 : mutualInformation(c) / hu;
    }

    /** MI / H(V); 1 if H(V) = 0. */
    public static double completeness(Contingency c) {
        double hv = entropyPred(c);
        return hv == 0 ? 1.0 : mutualInformation(c) / hv;
    }

    /** Harmonic mean of homogeneity and completeness (β = 1); 0 if both are 0. */
    public static double vMeasure(Contingency c) {
        return vMeasure(homogeneity(c), completeness(c));
    }

    static double vMeasure(double h, double c) {
        return h + c == 0 ? 0.0 : 2 * h * c / (h + c);
    }

    // ------------------------------------------------------------------ pair counting

    /**
     * Unordered pair counts: S = Σ C(n_ij,2) (same label, same cluster = TP), A = Σ C(a_i,2),
     * B = Σ C(b_j,2), T = C(N,2). Exact in BigInteger (N² overflows a long past ~3e9 items).
     */
    record Pairs(BigInteger tp, BigInteger fp, BigInteger fn, BigInteger tn) {}

    static Pairs pairs(Contingency c) {
        BigInteger s = BigInteger.ZERO, a = BigInteger.ZERO, b = BigInteger.ZERO;
        for (long x : c.cellCount()) s = s.add(choose2(x));
        for (long x : c.labelSizes()) a = a.add(choose2(x));
        for (long x : c.clusterSizes()) b = b.add(choose2(x));
        BigInteger t = choose2(c.n());
        return new Pairs(s, b.subtract(s), a.subtract(s), t.subtract(a).subtract(b).add(s));
    }

    private static BigInteger choose2(long x) {
        return BigInteger.valueOf(x).multiply(BigInteger.valueOf(x - 1)).shiftRight(1);
    }

    /**
     * Adjusted Rand index (Hubert &amp; Arabie 1985) in sklearn's form
     * 2(TP·TN − FN·FP) / ((TP+FN)(FN+TN) + (TP+FP)(FP+TN)); 1 if FN = FP = 0.
     */
    public static double ari(Contingency c) {
        Pairs p = pairs(c);
        if (p.fn.signum() == 0 && p.fp.signum() == 0) return 1.0;
        BigInteger num = p.tp.multiply(p.tn).subtract(p.fn.multiply(p.fp)).shiftLeft(1);
        BigInteger den = p.tp.add(p.fn).multiply(p.fn.add(p.tn)).add(p.tp.add(p.fp).multiply(p.fp.add(p.tn)));
        return ratio(num, den);
    }

    /** (TP + TN) / T; 1 if TP + TN = T or T = 0. */
    public static double randIndex(Contingency c) {
        Pairs p = pairs(c);
        BigInteger agree = p.tp.add(p.tn);
        BigInteger total = agree.add(p.fp).add(p.fn);
        if (agree.equals(total) || total.signum() == 0) return 1.0;
        return ratio(agree, total);
    }

    /** TP / sqrt((TP+FP)(TP+FN)), evaluated as sqrt(TP/(TP+FP))·sqrt(TP/(TP+FN)); 0 if TP = 0. */
    public static double fowlkesMallows(Contingency c) {
        Pairs p = pairs(c);
        if (p.tp.signum() == 0) return 0.0;
        return Math.sqrt(ratio(p.tp, p.tp.add(p.fp))) * Math.sqrt(ratio(p.tp, p.tp.add(p.fn)));
    }

    /** num/den rounded once (like Python's int / int). */
    private static double ratio(BigInteger num, BigInteger den) {
        return new BigDecimal(num).divide(new BigDecimal(den), MathContext.DECIMAL128).doubleValue();
    }

    // ------------------------------------------------------------------ purity

    /** (1/N) Σ_j max_i n_ij: each cluster votes for its majority label. */
    public static double purity(Contingency c) {
        long[] best = new long[c.cols()];
        for (int k = 0; k < c.cells(); k++) best[c.cellCol()[k]] = Math.max(best[c.cellCol()[k]], c.cellCount()[k]);
        long sum = 0;
        for (long x : best) sum += x;
        return (double) sum / c.n();
    }

    /** (1/N) Σ_i max_j n_ij: each label's share in its majority cluster. */
    public static double inversePurity(Contingency c) {
        long[] best = new long[c.rows()];
        for (int k = 0; k < c.cells(); k++) best[c.cellRow()[k]] = Math.max(best[c.cellRow()[k]], c.cellCount()[k]);
        long sum = 0;
        for (long x : best) sum += x;
        return (double) sum / c.n();
    }

    /**
     * HuBERT's "phone purity" (Hsu et al. 2021, sec. IV-C): E_{p(z)}[max_x p(x|z)] = Σ_j max_i p(i,j)
     * with p(i,j) = n_ij/N — the same number as {@link #purity}, summed over probabilities.
     */
    public static double phonePurity(Contingency c) {
        double[] best = new double[c.cols()];
        double n = c.n();
        for (int k = 0; k < c.cells(); k++) best[c.cellCol()[k]] = Math.max(best[c.cellCol()[k]], c.cellCount()[k] / n);
        double sum = 0;
        for (double x : best) sum += x;
        return sum;
    }

    /** HuBERT's "cluster purity": E_{p(x)}[max_z p(z|x)] = Σ_i max_j p(i,j) (= inverse purity). */
    public static double clusterPurity(Contingency c) {
        double[] best = new double[c.rows()];
        double n = c.n();
        for (int k = 0; k < c.cells(); k++) best[c.cellRow()[k]] = Math.max(best[c.cellRow()[k]], c.cellCount()[k] / n);
        double sum = 0;
        for (double x : best) sum += x;
        return sum;
    }

    /**
     * HuBERT's phone-normalised mutual information I(x;z)/H(x), x = label (phone), z = cluster; the
     * same quantity as homogeneity, computed exactly (fairseq's script adds 1e-8 inside the logs).
     * 1 if H(x) = 0.
     */
    public static double pnmi(Contingency c) {
        return homogeneity(c);
    }

    // ------------------------------------------------------------------ per label

    /**
     * Per-label view of the table (rows in ascending label id order).
     *
     * @param entropyNats       H_i = −Σ_j (n_ij/a_i) ln(n_ij/a_i): how spread label i is over clusters
     * @param entropyNormalized H_i / ln(number of clusters) in [0,1]; 0 when there is one cluster
     * @param purity            share of label i's items that sit in clusters where i is the majority
     *                          label; on a tie every tied label counts as majority
     * @param majorityCluster   the cluster id holding most of label i's items (smallest id on a tie)
     */
    public record PerLabel(long[] labelIds, long[] sizes, double[] entropyNats, double[] entropyNormalized,
                           double[] purity, long[] majorityCluster) {}

    public static PerLabel perLabel(Contingency c) {
        int rows = c.rows(), cols = c.cols();
        long[] clusterMax = new long[cols];
        for (int k = 0; k < c.cells(); k++) clusterMax[c.cellCol()[k]] = Math.max(clusterMax[c.cellCol()[k]], c.cellCount()[k]);
        double[] entropy = new double[rows], normalized = new double[rows], purity = new double[rows];
        long[] inMajority = new long[rows], bestCount = new long[rows];
        long[] majority = new long[rows];
        double logClusters = Math.log(cols);
        // Cells are sorted by row then column, so the first maximum seen is the smallest cluster id.
        for (int k = 0; k < c.cells(); k++) {
            int i = c.cellRow()[k], j = c.cellCol()[k];
            long nij = c.cellCount()[k];
            double p = (double) nij / c.labelSizes()[i];
            entropy[i] -= p * Math.log(p);
            if (nij == clusterMax[j]) inMajority[i] += nij;
            if (nij > bestCount[i]) {
                bestCount[i] = nij;
                majority[i] = c.clusterIds()[j];
            }
        }
        for (int i = 0; i < rows; i++) {
            if (c.labelSizes()[i] == bestCount[i]) entropy[i] = 0.0; // all in one cluster: exactly 0, not −0 or 1e-17
            normalized[i] = cols <= 1 ? 0.0 : entropy[i] / logClusters;
            purity[i] = (double) inMajority[i] / c.labelSizes()[i];
        }
        return new PerLabel(c.labelIds().clone(), c.labelSizes().clone(), entropy, normalized, purity, majority);
    }

    /** ln k! for 0 ≤ k ≤ N: a table when it fits (N ≤ 2^25), Stirling's series otherwise. */
    static final class LogFactorial {
        private static final int TABLE_LIMIT = 1 << 25;
        private static final int EXACT_LIMIT = 256;
        private final double[] table;

        LogFactorial(long maxK) {
            int size = (int) Math.min(maxK, TABLE_LIMIT) + 1;
            table = new double[size];
            for (int k = 1; k < size; k++) table[k] = k < EXACT_LIMIT ? table[k - 1] + Math.log(k) : stirling(k);
        }

        double of(long k) {
            return k < table.length ? table[(int) k] : stirling(k);
        }

        /**
         * ln k! = ln Γ(k+1) = (x−½) ln x − x + ½ ln 2π + 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷),
         * x = k+1 (Stirling/de Moivre series; for x ≥ 256 the next term is below 1e-21, so each value is
         * as accurate as the double it is stored in — unlike a running sum of logs, whose rounding
         * errors would add up over a million terms).
         */
        static double stirling(long k) {
            double x = k + 1.0;
            double inv = 1 / x, inv2 = inv * inv;
            double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
            return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series;
        }
    }
}
