package wavlens.corpus.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wavlens.io.UserError;

/** Needs the Debian packages espeak-ng and libespeak-ng1 (skipped without them). */
class EspeakNgTest {
    @BeforeAll
    static void needsEspeak() {
        assumeTrue(EspeakNg.problem() == null, "espeak-ng not installed: apt-get install espeak-ng libespeak-ng1");
    }

    /** The phones of word w and how they spell its letters, as "letters<-phones" per chunk. */
    private static List<String> spelling(String sentence, Synthesis syn, int w) {
        List<String> names = new ArrayList<>();
        for (Synthesis.Phone p : syn.phones()) if (p.word() == w) names.add(p.name());
        List<String> letters = FinnishText.words(sentence).get(w).letters();
        List<LetterAligner.Chunk> chunks = LetterAligner.ESPEAK.align(names, letters);
        assertTrue(chunks != null, "phones " + names + " for " + letters);
        List<String> out = new ArrayList<>();
        for (LetterAligner.Chunk c : chunks) {
            out.add(String.join("", letters.subList(c.letterStart(), c.letterEnd())) + "<-" + String.join(" ", names.subList(c.phoneStart(), c.phoneEnd())));
        }
        return out;
    }

    @Test
    void rareLettersGetTheExpectedEvents() {
        String sentence = "Max ja Liza söivät pizzaa, kengät jalassa; šakki ja budžetti.";
        Synthesis syn = EspeakNg.instance().synthesize(sentence, "m3", 175, 50);
        assertEquals(EspeakNg.SAMPLE_RATE, syn.sampleRate());
        assertEquals(List.of("m<-m", "a<-a", "x<-k s"), spelling(sentence, syn, 0));
        assertTrue(spelling(sentence, syn, 2).contains("z<-t s"));
        assertTrue(spelling(sentence, syn, 4).contains("zz<-t s"));
        assertTrue(spelling(sentence, syn, 4).contains("aa<-a"));
        List<String> kengat = spelling(sentence, syn, 5);
        assertTrue(kengat.contains("n<-N") && kengat.contains("g<-N"), kengat.toString());
        assertTrue(spelling(sentence, syn, 7).contains("š<-S"));
        assertTrue(spelling(sentence, syn, 7).contains("kk<-k"));
        assertTrue(spelling(sentence, syn, 9).contains("ž<-Z"));
        // Phones are in time order, inside the audio, and the last one ends where the audio ends.
        double t = 0;
        for (Synthesis.Phone p : syn.phones()) {
            assertTrue(p.start() >= t && p.end() > p.start(), p.toString());
            t = p.end();
        }
        assertTrue(t <= syn.samples().length);
    }

    @Test
    void everyCorrectedStopStartsAtTheStartOfItsSilentClosure() {
        String sentence = "Kapteeni pakkasi tavarat ja katsoi, kuinka kaupunki katosi taakse.";
        Synthesis syn = EspeakNg.instance().synthesize(sentence, "f1", 160, 40);
        short[] s = syn.samples();
        int checked = 0;
        for (int i = 1; i < syn.phones().size(); i++) {
            Synthesis.Phone stop = syn.phones().get(i), previous = syn.phones().get(i - 1);
            if (!List.of("p", "t", "k").contains(stop.name()) || previous.end() != stop.start()) continue;
            int start = (int) stop.start();
            // The closure: at least 2 ms of exact zeros from the stop's start, speech just before it.
            for (int k = start; k < start + StopClosures.MIN_CLOSURE_SAMPLES; k++) assertEquals(0, s[k], "sample " + k);
            assertNotEquals(0, s[start - 1], "speech before the closure of " + stop);
            checked++;
        }
        assertTrue(checked >= 10, "stops checked: " + checked);
    }

    @Test
    void everyBuiltInSentenceAligns() throws Exception {
        EspeakNg espeak = EspeakNg.instance();
        List<String> sentences = Sentences.builtIn();
        for (int i = 0; i < sentences.size(); i++) {
            String variant = EspeakNg.VARIANTS.get(i % EspeakNg.VARIANTS.size());
            Alignment a = Alignment.of(sentences.get(i), espeak.synthesize(sentences.get(i), variant, 120 + i % 150, i % 100), LetterAligner.ESPEAK);
            StringBuilder spelled = new StringBuilder();
            for (Interval iv : a.letters()) spelled.append(iv.label());
            assertEquals(FinnishText.letters(sentences.get(i)), spelled.toString());
        }
    }

    @Test
    void variantsAreChecked() {
        EspeakNg espeak = EspeakNg.instance();
        for (String v : EspeakNg.VARIANTS) assertTrue(espeak.hasVariant(v), v);
        assertFalse(espeak.hasVariant("no-such-variant"));
        assertThrows(UserError.class, () -> espeak.synthesize("Kala ui.", "no-such-variant", 175, 50));
    }

    /**
     * An added variant is what espeak speaks with: its second formant raised puts more energy above
     * 1.5 kHz than the same variant with it lowered, for the same text, rate and pitch.
     */
    @Test
    void addedVariantsChangeTheVoice() {
        EspeakNg espeak = EspeakNg.instance();
        String text = "Aamulla ulkona oli kylmä ja tuulinen sää.";
        double[] share = new double[2];
        int[] f2 = {70, 135};
        for (int v = 0; v < 2; v++) {
            String name = "wavlens-test-f2-" + f2[v];
            espeak.addVariant(name, List.of("language variant", "name " + name, "formant 2 " + f2[v] + " 100 100"));
            assertTrue(espeak.hasVariant(name));
            share[v] = highShare(espeak.synthesize(text, name, 175, 50).samples());
        }
        assertTrue(share[1] > share[0] * 1.2, "energy above 1.5 kHz: F2 at 70 % " + share[0] + ", at 135 % " + share[1]);
    }

    /** Fraction of the signal's energy left after a first difference (a crude high-pass, ~+6 dB/octave). */
    private static double highShare(short[] x) {
        double all = 0, high = 0;
        for (int i = 1; i < x.length; i++) {
            all += (double) x[i] * x[i];
            double d = x[i] - x[i - 1];
            high += d * d;
        }
        return high / all;
    }
}
