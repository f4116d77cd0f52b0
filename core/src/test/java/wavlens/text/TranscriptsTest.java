package wavlens.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import wavlens.text.Levenshtein.Op;

class TranscriptsTest {

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
        assertEquals("äiti on", Transcripts.normalize("  A\u0308iti\tON \n"));
    }

    @Test
    void characterEditsCountTheNormalisedCodePointsWithTheSpaces() {
        // "Kissa  istuu" → "kisa istui": one s deleted, u→i (case and the double space are normalisation, not errors)
        assertEquals(2, Transcripts.characterEdits("Kissa  istuu", "kisa istui"));
        assertEquals(11, Transcripts.characters("Kissa  istuu").length);
        // words run together: the missing space is one deletion
        assertEquals(1, Transcripts.characterEdits("oli tänään", "olitänään"));
        // a decomposed ä (a + combining diaeresis) is one character after NFC
        assertEquals(0, Transcripts.characterEdits("tänään", "ta\u0308na\u0308a\u0308n"));
        assertEquals(3, Transcripts.characterEdits("abc", ""));
    }
}
