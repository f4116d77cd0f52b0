package wavlens.experiment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import wavlens.io.UserError;

/**
 * Fine-tuning subsets with controlled letter distributions, made by choosing sentences.
 *
 * <p>Letters (default rule, {@link #defaultLetters}): rank the letters of the pool by relative
 * frequency and keep those with a share of at most {@value #MAX_SHARE} (more common letters are in
 * nearly every sentence, so choosing sentences barely moves them, and moving them moves every other
 * letter) and at least {@value #MIN_SHARE} (rarer ones give too few test occurrences for a stable
 * accuracy, and a subset may lose them entirely); take the {@value #DEFAULT_LETTERS} most frequent
 * of those. If fewer than {@value #MIN_LETTERS} qualify (tiny corpora), the most frequent letters
 * under the upper bound are taken instead.
 *
 * <p>Roles ({@link #role}): letter i (in the chosen order) in variant v is boosted when
 * (i + v) mod V &lt; ⌊V/2⌋, suppressed when (i + v) mod V ≥ V − ⌊V/2⌋, left alone otherwise. Each
 * variant boosts about half the letters and suppresses the other half, and each letter is boosted
 * in some variants and suppressed in others, so its frequency varies across the models while the
 * set of letters each model sees stays the same.
 *
 * <p>Selection ({@link #select}): each utterance scores Σ_l role(l)·(c_l / n) / f_l, the summed
 * over-representation of the boosted letters minus that of the suppressed ones (c_l its count of
 * letter l, n its letters, f_l the letter's share in the pool; dividing by f_l gives rare and
 * common letters equal weight). Utterances are taken best score first (ties broken by a seeded
 * hash of the id) while they fit into the budget = share × the pool's audio, so every variant gets
 * the same amount of audio up to one short utterance.
 */
final class SubsetDesign {
    static final double MAX_SHARE = 0.10, MIN_SHARE = 0.015;
    static final int DEFAULT_LETTERS = 10, MIN_LETTERS = 4;

    /** One candidate utterance: its id, audio seconds, and how often each letter occurs in its transcript. */
    record Item(String id, double seconds, Map<String, Integer> counts) {
        int letters() {
            int n = 0;
            for (int c : counts.values()) n += c;
            return n;
        }
    }

    /** One variant's subset; roles[i] is +1 (boost), −1 (suppress) or 0 for letters[i]. */
    record Variant(int index, int[] roles, List<Item> items, double seconds) {}

    private SubsetDesign() {}

    /** Letter → count over the items, in first-seen order. */
    static Map<String, Long> counts(List<Item> items) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Item it : items) it.counts().forEach((l, c) -> out.merge(l, (long) c, Long::sum));
        return out;
    }

    static long total(Map<String, Long> counts) {
        long t = 0;
        for (long c : counts.values()) t += c;
        return t;
    }

    /** The default letters (class comment), most frequent first. */
    static List<String> defaultLetters(List<Item> pool) {
        Map<String, Long> counts = counts(pool);
        long total = total(counts);
        List<String> byFrequency = new ArrayList<>(counts.keySet());
        byFrequency.sort(Comparator.comparingLong((String l) -> -counts.get(l)).thenComparing(l -> l));
        List<String> chosen = new ArrayList<>(), belowTop = new ArrayList<>();
        for (String l : byFrequency) {
            double share = (double) counts.get(l) / total;
            if (share > MAX_SHARE) continue;
            belowTop.add(l);
            if (share >= MIN_SHARE && chosen.size() < DEFAULT_LETTERS) chosen.add(l);
        }
        if (chosen.size() < MIN_LETTERS) chosen = new ArrayList<>(belowTop.subList(0, Math.min(MIN_LETTERS, belowTop.size())));
        if (chosen.size() < 3) throw new UserError("the fine-tuning transcripts have only " + chosen.size() + " letters to manipulate; give --letters or a bigger corpus");
        return chosen;
    }

    /** +1 boost, −1 suppress, 0 neither: letter i in variant v of V (class comment). */
    static int role(int letter, int variant, int variants) {
        int r = (letter + variant) % variants, half = variants / 2;
        return r < half ? 1 : r >= variants - half ? -1 : 0;
    }

    static List<Variant> select(List<Item> pool, List<String> letters, int variants, double share, long seed) {
        Map<String, Long> counts = counts(pool);
        long total = total(counts);
        double[] poolShare = new double[letters.size()];
        for (int i = 0; i < letters.size(); i++) {
            poolShare[i] = total == 0 ? 0 : (double) counts.getOrDefault(letters.get(i), 0L) / total;
            if (poolShare[i] == 0) throw new UserError("letter '" + letters.get(i) + "' does not occur in the fine-tuning transcripts; choose other --letters");
        }
        double poolSeconds = 0;
        for (Item it : pool) poolSeconds += it.seconds();
        double budget = share * poolSeconds;
        // the same tie-break for every variant: a seeded hash of the id
        Map<String, Long> tieBreak = new LinkedHashMap<>();
        for (Item it : pool) tieBreak.put(it.id(), new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ it.id().hashCode()).nextLong());

        List<Variant> out = new ArrayList<>();
        for (int v = 0; v < variants; v++) {
            int[] roles = new int[letters.size()];
            for (int i = 0; i < roles.length; i++) roles[i] = role(i, v, variants);
            Map<String, Double> score = new LinkedHashMap<>();
            for (Item it : pool) score.put(it.id(), score(it, letters, roles, poolShare));
            List<Item> order = new ArrayList<>(pool);
            order.sort(Comparator.comparingDouble((Item it) -> -score.get(it.id())).thenComparingLong(it -> tieBreak.get(it.id())));
            List<Item> taken = new ArrayList<>();
            double seconds = 0;
            for (Item it : order) {
                if (seconds + it.seconds() > budget) continue;   // a shorter one further down may still fit
                taken.add(it);
                seconds += it.seconds();
            }
            if (taken.size() < 2) {
                throw new UserError(String.format(java.util.Locale.ROOT, "a subset of %.0f%% of the fine-tuning audio (%.1f s) holds fewer than 2 utterances; "
                        + "raise --subset-share or use a bigger corpus", 100 * share, budget));
            }
            out.add(new Variant(v, roles, List.copyOf(taken), seconds));
        }
        return out;
    }

    static double score(Item it, List<String> letters, int[] roles, double[] poolShare) {
        int n = it.letters();
        if (n == 0) return 0;
        double s = 0;
        for (int i = 0; i < letters.size(); i++) {
            if (roles[i] != 0) s += roles[i] * (it.counts().getOrDefault(letters.get(i), 0) / (double) n) / poolShare[i];
        }
        return s;
    }
}
