package wavlens.corpus.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SentencesTest {
    @Test
    void builtInSentencesCoverTheWholeAlphabet() {
        List<String> sentences = Sentences.builtIn();
        assertTrue(sentences.size() >= 300, "sentences: " + sentences.size());
        assertEquals(sentences.size(), new HashSet<>(sentences).size());
        Set<Character> seen = new HashSet<>();
        for (String s : sentences) {
            assertNull(FinnishText.problem(s), s);
            for (char c : FinnishText.letters(s).toCharArray()) seen.add(c);
        }
        for (char c : FinnishText.ALPHABET.toCharArray()) assertTrue(seen.contains(c), "letter " + c + " missing");
        // Long vowels and geminates occur.
        String all = String.join(" ", sentences).toLowerCase();
        for (String pair : new String[] {"aa", "ää", "ii", "uu", "yy", "öö", "kk", "tt", "pp", "ss", "ll", "nn", "mm", "rr"}) {
            assertTrue(all.contains(pair), pair);
        }
    }

    @Test
    void wordsAndLetters() {
        List<FinnishText.Word> words = FinnishText.words("Hääyö, Max!");
        assertEquals(2, words.size());
        assertEquals(new FinnishText.Word("Hääyö", 0, 5, List.of("h", "ä", "ä", "y", "ö")), words.get(0));
        assertEquals(7, words.get(1).start());
        assertEquals("hääyömax", FinnishText.letters("Hääyö, Max!"));
    }

    @Test
    void badSentenceFilesAreRejected() {
        assertThrows(IllegalStateException.class, () -> Sentences.parse("Kala ui.\nKala ui.\n", "x"));
        assertThrows(IllegalStateException.class, () -> Sentences.parse("Linja-auto tuli.\n", "x"));
        assertEquals(List.of("Kala ui."), Sentences.parse("# comment\n\nKala ui.\n", "x"));
    }

    @Test
    void selectorMakesChosenLettersRareOrCommon() {
        List<String> pool = Sentences.builtIn();
        Map<Character, Double> poolShare = SentenceSelector.letterDistribution(pool);

        // Weight 0: no chosen sentence has x, z or q (the pool has plenty without them).
        List<String> without = SentenceSelector.select(pool, Map.of('x', 0.0, 'z', 0.0, 'q', 0.0), 100, 1);
        assertEquals(100, new HashSet<>(without).size());
        for (String s : without) {
            String letters = FinnishText.letters(s);
            assertTrue(letters.indexOf('x') < 0 && letters.indexOf('z') < 0 && letters.indexOf('q') < 0, s);
        }

        // Weight 8 for f: its share in 60 chosen sentences is well above its pool share.
        List<String> rich = SentenceSelector.select(pool, Map.of('f', 8.0), 60, 1);
        double fShare = SentenceSelector.letterDistribution(rich).get('f');
        assertTrue(fShare > 3 * poolShare.get('f'), "f share " + fShare + " vs pool " + poolShare.get('f'));

        assertEquals(SentenceSelector.select(pool, Map.of('f', 8.0), 60, 1), rich, "same seed, same choice");
        assertTrue(!SentenceSelector.select(pool, Map.of('f', 8.0), 60, 2).equals(rich), "another seed, another choice");
    }
}
