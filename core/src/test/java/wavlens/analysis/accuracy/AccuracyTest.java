package wavlens.analysis.accuracy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.analysis.accuracy.FrameErrors.Segment;
import wavlens.io.UserError;

class AccuracyTest {

    @Test
    void corpusRatesAndPerLetterCountsByHand() {
        AsrScores s = new AsrScores();
        // "kissa istuu" → "kisa istui": one s deleted, u→i: 2 char edits of 11; both words wrong.
        s.add("kissa istuu", "kisa istui");
        // "talo" → "talo on": 3 inserted characters (" on") of 4; 1 inserted word of 1.
        s.add("Talo", "talo on");
        assertEquals(5.0 / 15, s.cer(), 1e-15);
        assertEquals(3.0 / 3, s.wer(), 1e-15);
        assertEquals(15, s.referenceChars());
        assertEquals(3, s.referenceWords());

        Map<String, AsrScores.LetterScore> letters = s.letterScores().stream()
                .collect(Collectors.toMap(AsrScores.LetterScore::letter, x -> x));
        assertEquals(List.of("a", "i", "k", "l", "n", "o", "s", "t", "u"), List.copyOf(new java.util.TreeSet<>(letters.keySet())));
        check(letters.get("s"), 2, 1, 0, 1.0, 2.0 / 3, 0.8);
        check(letters.get("u"), 1, 1, 0, 1.0, 0.5, 2.0 / 3);
        check(letters.get("i"), 2, 0, 1, 2.0 / 3, 1.0, 0.8);
        check(letters.get("o"), 1, 0, 1, 0.5, 1.0, 2.0 / 3);
        check(letters.get("n"), 0, 0, 1, 0, 0, 0);
        check(letters.get("a"), 2, 0, 0, 1, 1, 1);
        check(letters.get("t"), 2, 0, 0, 1, 1, 1);

        AsrScores.Confusion c = s.confusion();
        assertEquals(List.of(" ", "a", "i", "k", "l", "n", "o", "s", "t", "u", AsrScores.EPSILON), c.symbols());
        int sp = 0, a = 1, i = 2, n = 5, o = 6, ss = 7, u = 9, eps = 10;
        assertEquals(1, c.counts()[u][i]);
        assertEquals(1, c.counts()[u][u]);
        assertEquals(1, c.counts()[ss][eps]);
        assertEquals(2, c.counts()[ss][ss]);
        assertEquals(1, c.counts()[eps][sp]);
        assertEquals(1, c.counts()[eps][o]);
        assertEquals(1, c.counts()[eps][n]);
        assertEquals(1, c.counts()[sp][sp]);
        assertEquals(2, c.counts()[a][a]);
        long total = 0;
        for (long[] row : c.counts()) for (long v : row) total += v;
        // One count per alignment column: 11 (every reference character of pair 1) + 4 matches + 3 insertions.
        assertEquals(11 + 4 + 3, total);
    }

    static void check(AsrScores.LetterScore s, long hits, long misses, long falseAlarms, double p, double r, double f1) {
        assertEquals(hits, s.hits(), s.letter());
        assertEquals(misses, s.misses(), s.letter());
        assertEquals(falseAlarms, s.falseAlarms(), s.letter());
        assertEquals(p, s.precision(), 1e-15, s.letter());
        assertEquals(r, s.recall(), 1e-15, s.letter());
        assertEquals(f1, s.f1(), 1e-15, s.letter());
    }

    @Test
    void frameMistakesFollowTheSegmentRule() {
        int blank = 0, delimiter = 4, a = 1, b = 2, c = 3;
        //               frame: 0  1  2  3  4  5  6  7  8  9
        int[] predicted = {0, 1, 0, 0, 0, 3, 0, 4, 2, 3};
        List<Segment> reference = List.of(
                new Segment(a, 0, 3),   // frames 0-2: 'a' emitted at 1 → blanks fine
                new Segment(b, 3, 5),   // frames 3-4: 'b' never emitted → both blank frames are mistakes
                new Segment(c, 5, 7),   // frames 5-6: 'c' emitted at 5
                new Segment(a, 8, 10)); // frames 8-9: 'a' never emitted; 'b', 'c' predicted → mistakes
        // frame 7 is a pause: the word delimiter there is fine
        boolean[] expected = {false, false, false, true, true, false, false, false, true, true};
        assertArrayEquals(expected, FrameErrors.mistakes(predicted, blank, delimiter, reference));

        // A wrong non-blank token inside a recognised segment is a mistake; an inserted letter in a pause too.
        int[] predicted2 = {1, 2, 1, 3};
        boolean[] expected2 = {false, true, false, true};
        assertArrayEquals(expected2, FrameErrors.mistakes(predicted2, blank, delimiter, List.of(new Segment(a, 0, 3))));

        assertThrows(IllegalArgumentException.class,
                () -> FrameErrors.mistakes(predicted2, blank, delimiter, List.of(new Segment(a, 0, 2), new Segment(b, 1, 3))));
    }

    @Test
    void segmentsFromPerFrameLetters() {
        List<Segment> s = FrameErrors.segmentsFromFrames(new int[]{-1, 5, 5, 6, -1, -1, 5});
        assertEquals(List.of(new Segment(5, 1, 3), new Segment(6, 3, 4), new Segment(5, 6, 7)), s);
    }

    @Test
    void letterFrequenciesNfcLowerCaseLettersOnly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.txt");
        // Decomposed Ä (A + combining diaeresis) and precomposed ä must count as the same letter.
        Files.writeString(file, "A\u0308iti, äiti!\n123 ÖÖ\n");
        LetterFrequencies f = LetterFrequencies.read(file);
        assertEquals(10, f.total());
        assertEquals(2, f.count("ä"));
        assertEquals(4, f.count("i"));
        assertEquals(2, f.count("t"));
        assertEquals(2, f.count("ö"));
        assertEquals(0.4, f.relative("i"), 1e-15);
        assertEquals(List.of("i", "t", "ä", "ö"), List.copyOf(f.counts().keySet()));
        assertThrows(UserError.class, () -> LetterFrequencies.read(dir.resolve("missing.txt")));
    }
}
