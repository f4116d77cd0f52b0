package wavlens.corpus.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Word/phone/letter intervals from hand-made phone timings (rate 100 Hz: sample k = k/100 s). */
class AlignmentTest {
    private static Synthesis.Phone ph(String name, int word, double start, double end) {
        return new Synthesis.Phone(name, word, start, end);
    }

    @Test
    void longPhonesAreSplitEvenlyAndTheGlideLendsItsTimeToThePreviousLetter() throws Exception {
        // "Max Cecilia": x (k 10-20, s 20-30) covers both phones; Cecilia's glide ';' (80-90) goes to i.
        Synthesis syn = new Synthesis(new short[100], 100, List.of(
                ph("m", 0, 0, 5), ph("a", 0, 5, 10), ph("k", 0, 10, 20), ph("s", 0, 20, 30),
                ph("s", 1, 40, 45), ph("e", 1, 45, 50), ph("s", 1, 50, 55), ph("I", 1, 55, 60),
                ph("l", 1, 60, 70), ph("i", 1, 70, 80), ph(";", 1, 80, 90), ph("a", 1, 90, 95)));
        Alignment a = Alignment.of("Max Cecilia.", syn, LetterAligner.ESPEAK);
        assertEquals(new Interval(0.10, 0.30, "x"), a.letters().get(2));
        assertEquals(new Interval(0.70, 0.90, "i"), a.letters().get(8));
        assertEquals(new Interval(0.90, 0.95, "a"), a.letters().get(9));
        assertEquals(List.of(new Interval(0.0, 0.30, "Max"), new Interval(0.40, 0.95, "Cecilia")), a.words());
        assertEquals(12, a.phones().size());

        // "pizzaa": one long 'a' event (30-50) over two letters: 10 each.
        Synthesis pizza = new Synthesis(new short[60], 100, List.of(
                ph("p", 0, 0, 10), ph("i", 0, 10, 20), ph("t", 0, 20, 25), ph("s", 0, 25, 30), ph("a", 0, 30, 50)));
        Alignment b = Alignment.of("pizzaa", pizza, LetterAligner.ESPEAK);
        assertEquals(List.of(new Interval(0.2, 0.25, "z"), new Interval(0.25, 0.30, "z"),
                new Interval(0.30, 0.40, "a"), new Interval(0.40, 0.50, "a")), b.letters().subList(2, 6));
    }

    @Test
    void boundaryGeminateJoinsTheNextWord() throws Exception {
        // "ole sähköä" spoken "oles sähköä": the extra s (30-40) joins the s of sähköä (40-50).
        Synthesis syn = new Synthesis(new short[200], 100, List.of(
                ph("o", 0, 0, 10), ph("l", 0, 10, 20), ph("e", 0, 20, 30), ph("s", 0, 30, 40),
                ph("s", 1, 40, 50), ph("&", 1, 50, 60), ph("h", 1, 60, 70), ph("k", 1, 70, 80), ph("Y", 1, 80, 90), ph("&", 1, 90, 100)));
        Alignment a = Alignment.of("ole sähköä", syn, LetterAligner.ESPEAK);
        assertEquals(new Interval(0.0, 0.30, "ole"), a.words().get(0));
        assertEquals(new Interval(0.30, 1.0, "sähköä"), a.words().get(1));
        assertEquals(new Interval(0.30, 0.50, "s"), a.letters().get(3));
    }

    @Test
    void unspellablePhonesAreReported() {
        Synthesis syn = new Synthesis(new short[100], 100, List.of(ph("k", 0, 0, 10), ph("a", 0, 10, 20)));
        assertThrows(UnusableUtterance.class, () -> Alignment.of("kissa", syn, LetterAligner.ESPEAK));
        Synthesis missingWord = new Synthesis(new short[100], 100, List.of(ph("j", 0, 0, 10), ph("a", 0, 10, 20)));
        assertThrows(UnusableUtterance.class, () -> Alignment.of("ja se", missingWord, LetterAligner.ESPEAK));
    }

    @Test
    void contiguousFillsSilenceAndClampsToTheEnd() throws Exception {
        List<Interval> tier = Alignment.contiguous(List.of(new Interval(0.1, 0.2, "a"), new Interval(0.3, 0.5000001, "b")), 0.5);
        assertEquals(List.of(new Interval(0, 0.1, ""), new Interval(0.1, 0.2, "a"), new Interval(0.2, 0.3, ""), new Interval(0.3, 0.5, "b")), tier);
        assertThrows(UnusableUtterance.class, () -> Alignment.contiguous(List.of(new Interval(0.1, 0.3, "a"), new Interval(0.2, 0.4, "b")), 1));
    }
}
