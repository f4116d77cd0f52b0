package wavlens.corpus.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Needs the Debian packages festival, festvox-suopuhe-mv, festvox-suopuhe-lj (skipped without them). */
class FestivalTest {
    @BeforeAll
    static void needsFestival() {
        assumeTrue(Festival.problem() == null, "festival not installed: apt-get install festival festvox-suopuhe-mv festvox-suopuhe-lj");
    }

    @Test
    void mvSpeaksAndAlignsRareLetters() throws Exception {
        String sentence = "Max ja Liza söivät pizzaa, kengät jalassa.";
        try (Festival festival = Festival.start()) {
            Synthesis syn = festival.synthesize(sentence, "mv", 1.1, 60);
            assertEquals(22050, syn.sampleRate());
            Alignment a = Alignment.of(sentence, syn, LetterAligner.FESTIVAL);
            StringBuilder spelled = new StringBuilder();
            for (Interval iv : a.letters()) spelled.append(iv.label());
            assertEquals(FinnishText.letters(sentence), spelled.toString());
            assertTrue(a.letters().getLast().end() <= syn.samples().length / 22050.0);
            // The x of Max covers Festival's k and s.
            Interval x = a.letters().get(2);
            assertEquals("x", x.label());
            assertEquals(a.phones().get(2).start(), x.start(), 1e-12);
            assertEquals(a.phones().get(3).end(), x.end(), 1e-12);
        }
    }

    @Test
    void ljMissingDiphonesAreDetected() {
        // lj lacks some diphones and says so; mv (no missing diphones known) speaks the same sentences.
        List<String> sentences = Sentences.builtIn().stream().filter(Festival::canSpeak).limit(40).toList();
        int ljMissing = 0, mvMissing = 0;
        try (Festival festival = Festival.start()) {
            for (String s : sentences) {
                try {
                    festival.synthesize(s, "lj", 1.0, Festival.defaultF0Min("lj"));
                } catch (UnusableUtterance e) {
                    assertTrue(e.getMessage().contains("missing diphones"), e.getMessage());
                    ljMissing++;
                }
                try {
                    festival.synthesize(s, "mv", 1.0, Festival.defaultF0Min("mv"));
                } catch (UnusableUtterance e) {
                    mvMissing++;
                }
            }
        }
        assertTrue(ljMissing > 0, "lj: no missing diphones reported in 40 sentences");
        assertEquals(0, mvMissing);
    }

    @Test
    void festivalCannotSpeakCaronsOrRingA() {
        assertFalse(Festival.canSpeak("Šakki on peli."));
        assertFalse(Festival.canSpeak("Budžetti."));
        assertFalse(Festival.canSpeak("Håkan kalasti."));
        assertTrue(Festival.canSpeak("Max söi pizzaa."));
    }
}
