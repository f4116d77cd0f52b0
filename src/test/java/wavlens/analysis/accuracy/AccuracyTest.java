package wavlens.analysis.accuracy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.analysis.accuracy.FrameErrors.Segment;
import wavlens.analysis.accuracy.Levenshtein.Op;
import wavlens.io.UserError;

class AccuracyTest {

    static int[] cp(String s) {
        return s.codePoints().toArray();
    }

    @Test
    void textbookDistances() {
        assertEquals(3, Levenshtein.distance(cp("kitten"), cp("sitting")));
        assertEquals(2, Levenshtein.distance(cp("flaw"), cp("lawn")));
        assertEquals(3, Levenshtein.distance(cp(""), cp("abc")));
        assertEquals(3, Levenshtein.distance(cp("abc"), cp("")));
        assertEquals(0, Levenshtein.distance(cp(""), cp("")));
        assertEquals(5, Levenshtein.distance(cp("intention"), cp("execution"))); // Jurafsky & Martin, unit costs
    }

    @Test
    void kittenSittingAlignment() {
        Levenshtein.Alignment a = Levenshtein.align(cp("kitten"), cp("sitting"));
        assertEquals(3, a.distance());
        assertEquals(2, a.substitutions());
        assertEquals(1, a.insertions());
        assertEquals(0, a.deletions());
        assertEquals(4, a.matches());
        // k→s, i, t, t, e→i, n, +g
        List<Op> ops = a.steps().stream().map(Levenshtein.Step::op).collect(Collectors.toList());
        assertEquals(List.of(Op.SUBSTITUTE, Op.MATCH, Op.MATCH, Op.MATCH, Op.SUBSTITUTE, Op.MATCH, Op.INSERT), ops);
        assertEquals(new Levenshtein.Step(Op.INSERT, -1, 6), a.steps().get(6));
    }

    @Test
    void alignmentDistanceAgreesWithTheTwoRowDistanceAndIsConsistent() {
        Random random = new Random(2);
        for (int trial = 0; trial < 300; trial++) {
            int[] ref = new int[random.nextInt(12)], hyp = new int[random.nextInt(12)];
            for (int i = 0; i < ref.length; i++) ref[i] = random.nextInt(3);
            for (int i = 0; i < hyp.length; i++) hyp[i] = random.nextInt(3);
            Levenshtein.Alignment a = Levenshtein.align(ref, hyp);
            assertEquals(Levenshtein.distance(ref, hyp), a.distance());
            // Every symbol of both sides appears exactly once, in order, and matches are equal symbols.
            int nextRef = 0, nextHyp = 0;
            for (Levenshtein.Step s : a.steps()) {
                if (s.refIndex() >= 0) assertEquals(nextRef++, s.refIndex());
                if (s.hypIndex() >= 0) assertEquals(nextHyp++, s.hypIndex());
                if (s.op() == Op.MATCH) assertEquals(ref[s.refIndex()], hyp[s.hypIndex()]);
                if (s.op() == Op.SUBSTITUTE) assertEquals(true, ref[s.refIndex()] != hyp[s.hypIndex()]);
            }
            assertEquals(ref.length, nextRef);
            assertEquals(hyp.length, nextHyp);
        }
    }

    @Test
    void normalisation() {
        assertEquals("äiti on", AsrScores.normalize("  A\u0308iti\tON \n"));
    }

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
