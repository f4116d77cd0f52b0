package wavlens.corpus.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.audio.AudioFile;
import wavlens.corpus.TextGrid;
import wavlens.corpus.Tier;
import wavlens.io.Json;

class MbrolaTest {
    @TempDir
    Path tmp;

    /** espeak-ng 1.51's Finnish phones (shared/notes/finnish-synthesis.md and the letter aligner's rules). */
    private static final List<String> FINNISH_PHONES = List.of(
            "a", "e", "i", "I", "o", "u", "y", "&", "Y",
            "ai", "au", "ei", "eu", "ey", "ie", "iu", "iy", "oi", "ou", "ui", "uo", "yi", "yY", "&i", "&y", "Yi", "Yy",
            "p", "t", "k", "b", "d", "g", "q", "s", "s2", "f", "h", "S", "Z", "v", "j", "l", "r", "m", "n", "N", ";");

    /** What each voice's language lacks of Finnish's sounds (from the languages' phonologies, not from the tables). */
    private static final Map<String, String> LACKS = Map.ofEntries(Map.entry("fr1", "h"), Map.entry("fr2", "h"), Map.entry("fr3", "h"),
            Map.entry("fr4", "h"), Map.entry("fr6", "h"), Map.entry("cz1", "äöy"), Map.entry("pl1", "äöy"), Map.entry("it4", "äöyh"),
            Map.entry("pt1", "äöyh"), Map.entry("us1", "öy"), Map.entry("it2", "äöyh"), Map.entry("hb2", "äöy"), Map.entry("ma1", "äöy"),
            Map.entry("tr2", "ä"), Map.entry("tl1", "äöyf"));

    /** Voices whose language has no [ʒ] (espeak-ng's Z, the ž of loanwords): Italian, Malay, Telugu. */
    private static final Set<String> LACKS_ZH = Set.of("it2", "ma1", "tl1");

    /** Diphthongs a voice has as phonemes of their own (the hb2 database's README lists ai ei oi ui). */
    private static final Map<String, Set<String>> DIPHTHONG_PHONEMES = Map.of("hb2", Set.of("ai", "ei", "oi", "ui"));

    @Test
    void everyVoiceHasAPhonemeForEveryFinnishPhone() throws Exception {
        for (DiphoneVoices.Voice voice : DiphoneVoices.VOICES) {
            assertEquals(LACKS.getOrDefault(voice.name(), ""), voice.lacksLetters(), voice.name());
            for (String phone : FINNISH_PHONES) {
                if (lacks(voice, phone) || phone.equals("Z") && LACKS_ZH.contains(voice.name())) { // French: no h; Czech: no ä, ö, y
                    assertThrows(UnusableUtterance.class, () -> DiphoneVoices.phonemesOf(phone, voice), voice.name() + " lacks " + phone);
                    continue;
                }
                List<String> phonemes = DiphoneVoices.phonemesOf(phone, voice);
                boolean ownPhoneme = DIPHTHONG_PHONEMES.getOrDefault(voice.name(), Set.of()).contains(phone);
                assertEquals(phone.length() == 2 && !phone.equals("s2") && !ownPhoneme ? 2 : 1, phonemes.size(), voice.name() + " " + phone);
            }
            assertThrows(UnusableUtterance.class, () -> DiphoneVoices.phonemesOf("R", voice), "a phone of another language");
        }
    }

    /** Whether the phone (or a vowel of a diphthong) is a letter the voice lacks; espeak-ng writes ä as &, ö as Y. */
    private static boolean lacks(DiphoneVoices.Voice voice, String phone) {
        if (phone.equals("s2")) return false;
        for (char c : phone.toCharArray()) {
            char letter = c == '&' ? 'ä' : c == 'Y' ? 'ö' : c;
            if (voice.lacksLetters().indexOf(letter) >= 0) return true;
        }
        return false;
    }

    /**
     * Two words "ai ll" at 22050 Hz: 0.1 s lead-in, diphthong 0.2 s, pause 0.05 s, l l (a geminate
     * sonorant, two events) 0.1 s each, 0.1 s tail. Expected lines worked out by hand.
     */
    @Test
    void phoLinesKeepEspeakTimesSplitDiphthongsAndMergeGeminates() throws Exception {
        int rate = 22050;
        List<Synthesis.Phone> phones = List.of(
                new Synthesis.Phone("ai", 0, 0.100 * rate, 0.300 * rate),
                new Synthesis.Phone("l", 1, 0.350 * rate, 0.450 * rate),
                new Synthesis.Phone("l", 1, 0.450 * rate, 0.550 * rate));
        DiphoneVoices.Voice german = DiphoneVoices.VOICES.stream().filter(v -> v.name().equals("de1")).findFirst().orElseThrow();
        List<DiphoneVoices.PhoLine> lines = DiphoneVoices.phoLines(phones, rate, (int) (0.650 * rate), german, 200, new SplittableRandom(1));
        assertEquals(List.of("_ 100", "a: 100", "i: 100", "_ 50", "l 200", "_ 100"), phonemesAndDurations(lines));
        // Pitch: declination 1.15 -> 0.85 of the base over the utterance, +12 % on a word's first vowel,
        // times a per-word level in [0.95, 1.05].
        double aMiddle = 0.150 / 0.650, iMiddle = 0.250 / 0.650;
        double a = lines.get(1).pitchHz()[0], i = lines.get(2).pitchHz()[0];
        assertTrue(a >= 200 * (1.15 - 0.3 * aMiddle) * 0.95 * 1.12 - 0.1 && a <= 200 * (1.15 - 0.3 * aMiddle) * 1.05 * 1.12 + 0.1, "a " + a);
        assertEquals(a / i, 1.12 * (1.15 - 0.3 * aMiddle) / (1.15 - 0.3 * iMiddle), 0.01, "accent on the first vowel only");
        assertEquals(0, lines.get(0).pitchHz().length, "no pitch in a pause");
    }

    /**
     * hb2 has no vowel-to-vowel diphones but the diphthong ai as a phoneme: Finnish ai is one line of
     * it, which carries the word's accent as a vowel would; it2 says ai as her two stressed vowels.
     */
    @Test
    void aDiphthongPhonemeStandsForTheWholeDiphthong() throws Exception {
        int rate = 16000;
        List<Synthesis.Phone> phones = List.of(
                new Synthesis.Phone("k", 0, 0.100 * rate, 0.200 * rate),
                new Synthesis.Phone("ai", 0, 0.200 * rate, 0.400 * rate));
        DiphoneVoices.Voice hebrew = DiphoneVoices.VOICES.stream().filter(v -> v.name().equals("hb2")).findFirst().orElseThrow();
        List<DiphoneVoices.PhoLine> lines = DiphoneVoices.phoLines(phones, rate, (int) (0.500 * rate), hebrew, 200, new SplittableRandom(1));
        assertEquals(List.of("_ 100", "k 100", "ai 200", "_ 100"), phonemesAndDurations(lines));
        // accented: declination at the diphthong's middle (0.3 of 0.5 s) times 1.12, within the word's level
        double f0 = lines.get(2).pitchHz()[0], plain = 200 * (1.15 - 0.3 * 0.3 / 0.5);
        assertTrue(f0 >= plain * 0.95 * 1.12 - 0.1 && f0 <= plain * 1.05 * 1.12 + 0.1, "ai " + f0);

        DiphoneVoices.Voice italian = DiphoneVoices.VOICES.stream().filter(v -> v.name().equals("it2")).findFirst().orElseThrow();
        assertEquals(List.of("_ 100", "K 100", "A2 100", "I2 100", "_ 100"),
                phonemesAndDurations(DiphoneVoices.phoLines(phones, rate, (int) (0.500 * rate), italian, 200, new SplittableRandom(1))));
    }

    /** Each line as "phoneme milliseconds". */
    private static List<String> phonemesAndDurations(List<DiphoneVoices.PhoLine> lines) {
        List<String> out = new ArrayList<>();
        for (DiphoneVoices.PhoLine l : lines) out.add(l.phoneme() + " " + l.milliseconds());
        return out;
    }

    @Test
    void aMissingDiphoneGetsAStandIn() {
        // German has no h before a consonant: "h-t" missing, "C-t" there (Finnish h before t is [ç] after a front vowel).
        List<DiphoneVoices.PhoLine> lines = new ArrayList<>(List.of(
                new DiphoneVoices.PhoLine("E:", 80, new double[] {50}, new double[] {200}),
                new DiphoneVoices.PhoLine("h", 60, new double[] {50}, new double[] {200}),
                new DiphoneVoices.PhoLine("t", 70, new double[0], new double[0])));
        int remaining = DiphoneVoices.repair(lines, Set.of("h-t", "x-t"));
        assertEquals(0, remaining);
        assertEquals("C", lines.get(1).phoneme());
        assertEquals(60, lines.get(1).milliseconds());

        // Nothing stands in for t, and every stand-in for h is missing too: counted, left as it is.
        List<DiphoneVoices.PhoLine> stuck = new ArrayList<>(List.of(
                new DiphoneVoices.PhoLine("h", 60, new double[] {50}, new double[] {200}),
                new DiphoneVoices.PhoLine("t", 70, new double[0], new double[0])));
        assertEquals(1, DiphoneVoices.repair(stuck, Set.of("h-t", "C-t", "x-t")));
        assertEquals("h", stuck.get(0).phoneme());
    }

    /** A real MBROLA voice (CI installs mbrola and mbrola-sw2): the audio follows espeak-ng's timing. */
    @Test
    void anInstalledVoiceSpeaksAtEspeaksPhoneTimes() throws Exception {
        assumeTrue(EspeakNg.problem() == null && DiphoneVoices.problem() == null && !DiphoneVoices.installedVoices().isEmpty(),
                "needs espeak-ng, mbrola and an MBROLA voice (mbrola-sw2)");
        DiphoneVoices.Voice voice = DiphoneVoices.installedVoices().getFirst();
        String sentence = "Hirvi seisoi keskellä tietä.";
        Synthesis espeak = EspeakNg.instance().synthesize(sentence, "m1", 175, 50);
        Synthesis spoken = DiphoneVoices.speak(espeak, voice, voice.typicalF0(), 1, new SplittableRandom(3));

        // Same length (to the millisecond) and the same phones at the same times.
        double espeakSeconds = (double) espeak.samples().length / espeak.sampleRate();
        double seconds = (double) spoken.samples().length / spoken.sampleRate();
        assertEquals(espeakSeconds, seconds, 0.001, "duration");
        assertTrue(spoken.phones().getLast().end() > spoken.phones().getLast().start(), "the last phone keeps its time");
        assertEquals(espeak.phones().size(), spoken.phones().size());
        for (int k = 0; k < espeak.phones().size(); k++) {
            assertEquals(espeak.phones().get(k).name(), spoken.phones().get(k).name());
            assertEquals(espeak.phones().get(k).start() / espeak.sampleRate(), spoken.phones().get(k).start() / spoken.sampleRate(), 0.001);
        }
        // Speech where the phones are, near-silence in the lead-in before the first one.
        double lead = rms(spoken.samples(), 0, (int) spoken.phones().getFirst().start());
        double speech = rms(spoken.samples(), (int) spoken.phones().getFirst().start(), (int) spoken.phones().getLast().end());
        assertTrue(speech > 10 * lead, "speech rms " + speech + " vs lead-in " + lead);
        Alignment alignment = Alignment.of(sentence, spoken, LetterAligner.ESPEAK);
        assertEquals(4, alignment.words().size());
    }

    /**
     * Every installed voice has the diphones (or stand-ins) for Finnish's vowels, front rounded
     * ones and ä included, h before a consonant and the velar nasal: a sentence with all of them
     * is spoken, not rejected as unusable, and is not silent anywhere in its vowels.
     */
    @Test
    void everyInstalledVoiceSpeaksAllFinnishSounds() throws Exception {
        assumeTrue(EspeakNg.problem() == null && DiphoneVoices.problem() == null && !DiphoneVoices.installedVoices().isEmpty(),
                "needs espeak-ng, mbrola and an MBROLA voice (mbrola-sw2)");
        Synthesis espeak = EspeakNg.instance().synthesize("Yöllä äiti lähti hyvin kengät jalassa ulos, kuu paistoi.", "m1", 175, 50);
        Synthesis withoutH = EspeakNg.instance().synthesize("Yöllä äiti läksi kyllä kengät jalassa ulos, kuu paistoi.", "m1", 175, 50);
        // for voices without ö (Czech, Polish, American; Italian and Portuguese without h too): back vowels only
        Synthesis back = EspeakNg.instance().synthesize("Tuhka ja kangas olivat ulkona, kuu paistoi tien reunalla.", "m1", 175, 50);
        Synthesis backWithoutH = EspeakNg.instance().synthesize("Tuska ja kangas olivat ulkona, kuu paistoi tien reunalla.", "m1", 175, 50);
        // for Telugu (tl1), whose diphthongs are ai and au only (its README): no oi, ie or eu
        Synthesis backAiAu = EspeakNg.instance().synthesize("Tuhka ja kangas olivat ulkona, kuu paistaa kadulla.", "m1", 175, 50);
        for (DiphoneVoices.Voice voice : DiphoneVoices.installedVoices()) {
            assertEquals(voice.lacksLetters().isEmpty(), voice.canSay("yöllä lähti"), voice.name());
            boolean front = voice.canSay("äöy"), h = voice.canSay("h");
            Synthesis sentence = voice.name().equals("tl1") ? backAiAu : front ? (h ? espeak : withoutH) : (h ? back : backWithoutH);
            Synthesis spoken = DiphoneVoices.speak(sentence, voice, voice.typicalF0(), 1, new SplittableRandom(5));
            for (Synthesis.Phone ph : spoken.phones()) {
                if (!"aeiouy&Y".contains(ph.name().substring(0, 1))) continue;
                double level = rms(spoken.samples(), (int) ph.start(), (int) ph.end());
                assertTrue(level > 200, voice.name() + ": vowel " + ph.name() + " at " + ph.start() / spoken.sampleRate() + " s has rms " + level);
            }
        }
    }

    /**
     * Vocal tract length perturbation through MBROLA's -l: formants 20 % up moves the power-weighted
     * mean frequency of the speech up by about as much, at the same length and phone times.
     */
    @Test
    void formantScaleMovesTheSpectrumAndKeepsTheTiming() throws Exception {
        assumeTrue(EspeakNg.problem() == null && DiphoneVoices.problem() == null && !DiphoneVoices.installedVoices().isEmpty(),
                "needs espeak-ng, mbrola and an MBROLA voice (mbrola-sw2)");
        DiphoneVoices.Voice voice = DiphoneVoices.installedVoices().getFirst();
        Synthesis espeak = EspeakNg.instance().synthesize("Mustikkapiirakka on isän lempiruokaa.", "m1", 175, 50);
        Synthesis plain = DiphoneVoices.speak(espeak, voice, voice.typicalF0(), 1, new SplittableRandom(5));
        Synthesis raised = DiphoneVoices.speak(espeak, voice, voice.typicalF0(), 1.2, new SplittableRandom(5));
        assertEquals((double) plain.samples().length / plain.sampleRate(), (double) raised.samples().length / raised.sampleRate(), 0.001);
        for (int k = 0; k < plain.phones().size(); k++) {
            assertEquals(plain.phones().get(k).start() / plain.sampleRate(), raised.phones().get(k).start() / raised.sampleRate(), 0.001);
        }
        double ratio = meanFrequency(raised) / meanFrequency(plain);
        assertTrue(ratio > 1.12 && ratio < 1.28, "mean frequency ratio " + ratio);
    }

    /** Power-weighted mean frequency (Hz) of 512-sample Hann-windowed frames, by a plain DFT below 4 kHz. */
    private static double meanFrequency(Synthesis s) {
        int n = 512;
        double weighted = 0, power = 0;
        for (int from = 0; from + n <= s.samples().length; from += n) {
            for (int bin = 1; bin * (double) s.sampleRate() / n < 4000; bin++) {
                double re = 0, im = 0;
                for (int i = 0; i < n; i++) {
                    double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
                    double x = s.samples()[from + i] * w, phase = 2 * Math.PI * bin * i / n;
                    re += x * Math.cos(phase);
                    im -= x * Math.sin(phase);
                }
                double p = re * re + im * im, f = bin * (double) s.sampleRate() / n;
                weighted += p * f;
                power += p;
            }
        }
        return weighted / power;
    }

    /** --mbrola: the voices are training voices only; dev and test keep the plain corpus's voices and sentences. */
    @Test
    void mbrolaVoicesOnlyTrain() throws Exception {
        assumeTrue(EspeakNg.problem() == null && DiphoneVoices.problem() == null && !DiphoneVoices.installedVoices().isEmpty(),
                "needs espeak-ng, mbrola and an MBROLA voice (mbrola-sw2)");
        // with mbrola-fr2 and mbrola-pl1 (CI installs them) the French voice speaks too, only sentences without h, and the Polish one only sentences without ä, ö, y
        Path plain = tmp.resolve("plain"), withMbrola = tmp.resolve("mbrola");
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(plain, 60, 4).withFestival(false));
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(withMbrola, 60, 4).withFestival(false).withMbrola(true, CorpusSynthesizer.NO_FORMANT_SCALING));
        JsonNode p = Json.read(plain.resolve("corpus.json")), m = Json.read(withMbrola.resolve("corpus.json"));
        for (String split : List.of("dev", "test")) assertEquals(p.get("splits").get(split).get("speakers"), m.get("splits").get(split).get("speakers"));
        int spoken = 0;
        for (DiphoneVoices.Voice v : DiphoneVoices.installedVoices()) {
            JsonNode voice = m.get("voices").get("mbrola-" + v.name());
            assertNotNull(voice, v.name());
            assertEquals("training", voice.get("role").asText());
            spoken += voice.get("utterances").asInt();
        }
        assertTrue(spoken > 0);
        // a voice without h is not asked for h-sentences at all (skipped, not synthesized and dropped)
        for (JsonNode d : m.get("dropped")) assertFalse(d.get("reason").asText().contains("'h'"), d.toString());
        for (JsonNode u : m.get("utteranceList")) {
            if (!u.get("speaker").asText().startsWith("mbrola-")) continue;
            assertFalse(u.get("split").asText().equals("dev") || u.get("split").asText().equals("test"));
            DiphoneVoices.Voice voice = DiphoneVoices.VOICES.stream().filter(v -> u.get("speaker").asText().equals("mbrola-" + v.name())).findFirst().orElseThrow();
            assertTrue(voice.canSay(u.get("text").asText()), voice.name() + " lacks a letter of " + u.get("text").asText());
            Path stem = withMbrola.resolve(u.get("path").asText());
            assertEquals(16000, AudioFile.read(Path.of(stem + ".wav")).sampleRate());
            Tier letters = TextGrid.read(Path.of(stem + ".TextGrid"), new ArrayList<>()).tiers().get("letters");
            StringBuilder spelled = new StringBuilder();
            for (wavlens.corpus.Interval iv : letters.items()) spelled.append(iv.text());
            assertEquals(FinnishText.letters(u.get("text").asText()), spelled.toString());
            assertTrue(Files.size(Path.of(stem + ".wav")) > 44);
        }
    }

    /** Root mean square of x[from, to). */
    static double rms(short[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += (double) x[i] * x[i];
        return Math.sqrt(s / Math.max(1, to - from));
    }
}
