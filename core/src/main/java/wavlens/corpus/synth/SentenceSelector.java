package wavlens.corpus.synth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Chooses sentences so that their letters follow a wanted distribution — for experiments that
 * make chosen letters rare or common in a training set.
 *
 * <p>The target share of letter l is its share in the whole pool times its weight (default 1),
 * renormalised: weight 0 asks for sentences without l, weight 5 for five times its usual share.
 * Selection is greedy: at each step every remaining sentence is scored by the distance between
 * the letter distribution of (chosen + it) and the target,
 * D = sum over letters of (q_l - t_l)^2 / (t_l + 0.001) (a chi-square-like distance in which
 * a letter with target 0 costs much), and one of the {@value #CANDIDATES} best is taken at random
 * (seeded), so different seeds give different sets of the same quality.
 */
public final class SentenceSelector {
    private SentenceSelector() {}

    /** How many of the best-scoring sentences the seeded random choice picks from at each step. */
    static final int CANDIDATES = 3;

    /**
     * {@code count} distinct sentences from {@code sentences} (in the order chosen) whose letter
     * distribution approaches the pool's distribution reweighted by {@code targetLetterWeights}
     * (letters of {@link FinnishText#ALPHABET}; missing letters weigh 1).
     */
    public static List<String> select(List<String> sentences, Map<Character, Double> targetLetterWeights, int count, long seed) {
        if (count < 0 || count > sentences.size()) {
            throw new IllegalArgumentException("cannot choose " + count + " of " + sentences.size() + " sentences");
        }
        String alphabet = FinnishText.ALPHABET;
        int a = alphabet.length();
        for (Map.Entry<Character, Double> e : targetLetterWeights.entrySet()) {
            if (alphabet.indexOf(Character.toLowerCase(e.getKey())) < 0) throw new IllegalArgumentException("not a Finnish letter: " + e.getKey());
            if (!(e.getValue() >= 0) || Double.isInfinite(e.getValue())) throw new IllegalArgumentException("weight of " + e.getKey() + " must be finite and >= 0");
        }

        // Letter counts of each sentence, and the target distribution.
        int[][] counts = new int[sentences.size()][a];
        double[] target = new double[a];
        for (int s = 0; s < sentences.size(); s++) {
            for (char c : FinnishText.letters(sentences.get(s)).toCharArray()) counts[s][alphabet.indexOf(c)]++;
            for (int l = 0; l < a; l++) target[l] += counts[s][l];
        }
        double targetSum = 0;
        for (int l = 0; l < a; l++) {
            target[l] *= targetLetterWeights.getOrDefault(alphabet.charAt(l), 1.0);
            targetSum += target[l];
        }
        if (targetSum == 0) throw new IllegalArgumentException("every letter has weight 0");
        for (int l = 0; l < a; l++) target[l] /= targetSum;

        SplittableRandom random = new SplittableRandom(seed);
        boolean[] used = new boolean[sentences.size()];
        long[] chosenCounts = new long[a];
        long chosenTotal = 0;
        List<String> chosen = new ArrayList<>();
        for (int step = 0; step < count; step++) {
            // The CANDIDATES best sentences by distance (insertion into a small sorted list).
            int[] best = new int[CANDIDATES];
            double[] bestScore = new double[CANDIDATES];
            int found = 0;
            for (int s = 0; s < sentences.size(); s++) {
                if (used[s]) continue;
                long total = chosenTotal;
                for (int l = 0; l < a; l++) total += counts[s][l];
                double score = 0;
                for (int l = 0; l < a; l++) {
                    double q = total == 0 ? 0 : (double) (chosenCounts[l] + counts[s][l]) / total;
                    double d = q - target[l];
                    score += d * d / (target[l] + 0.001);
                }
                int pos = Math.min(found, CANDIDATES);
                while (pos > 0 && score < bestScore[pos - 1]) pos--;
                if (pos >= CANDIDATES) continue;
                for (int k = Math.min(found, CANDIDATES - 1); k > pos; k--) {
                    best[k] = best[k - 1];
                    bestScore[k] = bestScore[k - 1];
                }
                best[pos] = s;
                bestScore[pos] = score;
                found = Math.min(found + 1, CANDIDATES);
            }
            int pick = best[random.nextInt(found)];
            used[pick] = true;
            chosen.add(sentences.get(pick));
            for (int l = 0; l < a; l++) {
                chosenCounts[l] += counts[pick][l];
                chosenTotal += counts[pick][l];
            }
        }
        return chosen;
    }

    /** Share of each letter of {@link FinnishText#ALPHABET} among all letters of the sentences (alphabet order). */
    public static Map<Character, Double> letterDistribution(List<String> sentences) {
        String alphabet = FinnishText.ALPHABET;
        long[] counts = new long[alphabet.length()];
        long total = 0;
        for (String s : sentences) {
            for (char c : FinnishText.letters(s).toCharArray()) {
                counts[alphabet.indexOf(c)]++;
                total++;
            }
        }
        Map<Character, Double> shares = new LinkedHashMap<>();
        for (int l = 0; l < counts.length; l++) shares.put(alphabet.charAt(l), total == 0 ? 0.0 : (double) counts[l] / total);
        return shares;
    }
}
