package wavlens.experiment;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import wavlens.corpus.LetterTable;

/** Sentence selection on hand-made transcripts moves each letter the intended way. */
class SubsetDesignTest {
    static final LetterTable TABLE = LetterTable.finnish();

    /** Transcripts rich in some letters and poor in others, all one second long per 10 letters. */
    static List<SubsetDesign.Item> pool() {
        String[] sentences = {
                "tuli tuli taas", "tetta tutti tatu", "talo on tuolla", "mato matala", "sisko sanoo suosta", "sasu sisus",
                "kukka kaukana", "kissa kiipeaa", "kala ui", "ele elaa", "nenu nanu", "lelu lila", "sula susi",
                "kuka tuli taas", "sano se nyt", "no niin", "meni talolle", "linnut lentavat", "sade saapui", "kesa kului",
                "tytto tuli", "setelit sataa", "kello soi", "ilta tulee"};
        List<SubsetDesign.Item> items = new ArrayList<>();
        for (int i = 0; i < sentences.length; i++) {
            Map<String, Integer> c = new LinkedHashMap<>();
            for (String l : TABLE.letters(sentences[i], null)) c.merge(l, 1, Integer::sum);
            int n = c.values().stream().mapToInt(Integer::intValue).sum();
            items.add(new SubsetDesign.Item("u" + i, n / 10.0, c));
        }
        return items;
    }

    @Test
    void rolesAreBalancedAndEveryLetterVaries() {
        for (int variants = 2; variants <= 6; variants++) {
            for (int letter = 0; letter < 10; letter++) {
                int up = 0, down = 0;
                for (int v = 0; v < variants; v++) {
                    int r = SubsetDesign.role(letter, v, variants);
                    if (r > 0) up++;
                    if (r < 0) down++;
                }
                assertEquals(variants / 2, up, "boosted in half the variants");
                assertEquals(variants / 2, down, "suppressed in half the variants");
            }
        }
        // two variants: letters alternate, so each variant boosts half and suppresses half
        assertEquals(1, SubsetDesign.role(0, 0, 2));
        assertEquals(-1, SubsetDesign.role(1, 0, 2));
        assertEquals(-1, SubsetDesign.role(0, 1, 2));
    }

    @Test
    void selectionMovesLettersAsIntendedWithEqualAudio() {
        List<SubsetDesign.Item> pool = pool();
        List<String> letters = List.of("t", "s", "k", "l");
        List<SubsetDesign.Variant> variants = SubsetDesign.select(pool, letters, 2, 0.5, 7);
        assertEquals(2, variants.size());
        double poolSeconds = pool.stream().mapToDouble(SubsetDesign.Item::seconds).sum();
        double shortest = pool.stream().mapToDouble(SubsetDesign.Item::seconds).min().orElseThrow();
        List<Map<String, Long>> counts = new ArrayList<>();
        for (SubsetDesign.Variant v : variants) {
            assertTrue(v.seconds() <= 0.5 * poolSeconds + 1e-9, "within the budget");
            assertTrue(v.seconds() > 0.5 * poolSeconds - shortest, "the budget is filled up to one short utterance");
            counts.add(SubsetDesign.counts(v.items()));
        }
        // variant 1 boosts t and k (roles +1 for letters 0 and 2) and suppresses s and l; variant 2 the reverse
        for (int i = 0; i < letters.size(); i++) {
            double[] f = LetterFrequencyExperiment.relative(letters.get(i), counts);
            int role = variants.get(0).roles()[i];
            assertEquals(-role, variants.get(1).roles()[i]);
            if (role > 0) assertTrue(f[0] > f[1] * 1.2, letters.get(i) + " boosted in 1: " + f[0] + " vs " + f[1]);
            else assertTrue(f[1] > f[0] * 1.2, letters.get(i) + " boosted in 2: " + f[1] + " vs " + f[0]);
        }
        boolean[] moved = LetterFrequencyExperiment.movedAsIntended(letters, variants, counts);
        for (boolean b : moved) assertTrue(b);
        // deterministic: the same seed gives the same subsets
        List<SubsetDesign.Variant> again = SubsetDesign.select(pool, letters, 2, 0.5, 7);
        for (int v = 0; v < 2; v++) assertEquals(variants.get(v).items(), again.get(v).items());
    }

    @Test
    void defaultLettersSkipTheVeryCommonAndTheRare() {
        // 'a' is 30% of this pool, 'b' 0.5%: both left out; the rest ranked by frequency
        Map<String, Integer> c = new LinkedHashMap<>();
        c.put("a", 300);
        c.put("t", 90);
        c.put("e", 85);
        c.put("n", 80);
        c.put("s", 75);
        c.put("l", 70);
        c.put("k", 65);
        c.put("u", 60);
        c.put("o", 55);
        c.put("r", 50);
        c.put("m", 30);
        c.put("p", 20);
        c.put("h", 15);
        c.put("b", 5);
        List<String> letters = SubsetDesign.defaultLetters(List.of(new SubsetDesign.Item("x", 100, c)));
        assertEquals(List.of("t", "e", "n", "s", "l", "k", "u", "o", "r", "m"), letters);
    }
}
