package wavlens.corpus.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.audio.AudioFile;
import wavlens.corpus.TextGrid;
import wavlens.io.Json;

/** Festival's Italian and Czech diphone voices speaking espeak-ng's Finnish phones (corpus synth --festival-diphones). */
class FestivalDiphonesTest {
    @TempDir
    Path tmp;

    /** What each voice's language lacks of Finnish's sounds: Italian has no h and neither language has ä, ö or y. */
    private static final Map<String, String> LACKS = Map.of("it-lp", "äöyh", "it-pc", "äöyh", "cs-dita", "äöy", "cs-ph", "äöy");

    @Test
    void aSegmentsUtteranceCarriesDurationsInSecondsAndPitchTargetsWithinThePhone() {
        List<DiphoneVoices.PhoLine> lines = List.of(new DiphoneVoices.PhoLine("_", 20, new double[0], new double[0]),
                new DiphoneVoices.PhoLine("s~", 80, new double[] {50}, new double[] {210.5}),
                new DiphoneVoices.PhoLine("a", 125, new double[] {20, 80}, new double[] {200, 180}));
        assertEquals("(Utterance Segments ((\"#\" 0.020)(\"s~\" 0.080 (0.0400 210.5))(\"a\" 0.125 (0.0250 200.0) (0.1000 180.0))))",
                DiphoneVoices.segments(lines));
    }

    /** Czech has no diphone from a vowel into i (it writes "aj"): the i of Finnish ai is the Czech voices' j there, and h before t their ch. */
    @Test
    void czechVoicesSayTheIOfADiphthongAsJAndHBeforeAConsonantAsCh() {
        DiphoneVoices.Voice dita = DiphoneVoices.FESTIVAL_VOICES.stream().filter(v -> v.name().equals("cs-dita")).findFirst().orElseThrow();
        double[] none = new double[0];
        List<DiphoneVoices.PhoLine> lines = new ArrayList<>(List.of(new DiphoneVoices.PhoLine("t", 60, none, none), new DiphoneVoices.PhoLine("a", 60, none, none),
                new DiphoneVoices.PhoLine("i", 60, none, none), new DiphoneVoices.PhoLine("h", 60, none, none), new DiphoneVoices.PhoLine("t", 60, none, none)));
        assertEquals(0, DiphoneVoices.repair(lines, java.util.Set.of("a-i", "i-h", "h-t"), DiphoneVoices.standIns(dita)));
        assertEquals(List.of("t", "a", "j", "ch", "t"), lines.stream().map(DiphoneVoices.PhoLine::phoneme).toList());
        // the MBROLA voices' stand-ins are not changed by the Festival ones
        assertEquals(List.of("C", "x"), DiphoneVoices.STAND_INS.get("h"));
        assertFalse(DiphoneVoices.STAND_INS.containsKey("i"));
    }

    @Test
    void theVoicesLackWhatTheirLanguagesLack() {
        assertEquals(4, DiphoneVoices.FESTIVAL_VOICES.size());
        for (DiphoneVoices.Voice voice : DiphoneVoices.FESTIVAL_VOICES) {
            assertTrue(voice.isFestival(), voice.name());
            assertEquals(LACKS.get(voice.name()), voice.lacksLetters(), voice.name());
            assertTrue(voice.canSay("Tuska ja kangas olivat ulkona."), voice.name());
            assertFalse(voice.canSay("Yöllä äiti lähti."), voice.name());
        }
    }

    /**
     * Every installed voice has a phoneme of its phone set for each Finnish phone it says, speaks at
     * espeak-ng's phone times (same length, same boundaries to the millisecond), and its vowels are
     * not silent anywhere.
     */
    @Test
    void everyInstalledVoiceSpeaksAtEspeaksPhoneTimes() throws Exception {
        assumeTrue(EspeakNg.problem() == null && Festival.problem() == null && !DiphoneVoices.installedFestivalVoices().isEmpty(),
                "needs espeak-ng, festival and festvox-italp16k / festvox-czech-dita");
        String withoutH = "Tuska ja kangas olivat ulkona, kuu paistoi tien reunalla.", withH = withoutH.replace("Tuska", "Tuhka");
        try (Festival festival = Festival.start()) {
            for (DiphoneVoices.Voice voice : DiphoneVoices.installedFestivalVoices()) {
                List<String> phoneSet = festival.phoneSet(voice.festivalFunction());
                for (String phoneme : voice.phonemes().values()) assertTrue(phoneSet.contains(phoneme), voice.name() + ": " + phoneme + " not in " + phoneSet);
                String sentence = voice.canSay("h") ? withH : withoutH;
                Synthesis espeak = EspeakNg.instance().synthesize(sentence, "m1", 175, 50);
                Synthesis spoken = DiphoneVoices.speak(espeak, voice, voice.typicalF0(), 1, new SplittableRandom(5), festival);
                assertEquals((double) espeak.samples().length / espeak.sampleRate(), (double) spoken.samples().length / spoken.sampleRate(), 0.001,
                        voice.name() + " duration");
                assertEquals(espeak.phones().size(), spoken.phones().size());
                for (int k = 0; k < espeak.phones().size(); k++) {
                    assertEquals(espeak.phones().get(k).start() / espeak.sampleRate(), spoken.phones().get(k).start() / spoken.sampleRate(), 0.001);
                }
                for (Synthesis.Phone ph : spoken.phones()) {
                    if (!"aeiouy&Y".contains(ph.name().substring(0, 1))) continue;
                    double level = MbrolaTest.rms(spoken.samples(), (int) ph.start(), (int) ph.end());
                    assertTrue(level > 200, voice.name() + ": vowel " + ph.name() + " at " + ph.start() / spoken.sampleRate() + " s has rms " + level);
                }
                assertEquals(9, Alignment.of(sentence, spoken, LetterAligner.ESPEAK).words().size());
            }
            // the Finnish voices still speak after the foreign ones (selecting a voice resets the others' settings)
            assertFalse(festival.synthesize("Kissa istuu.", "mv", 1, Festival.defaultF0Min("mv")).phones().isEmpty());
        }
    }

    /** --festival-diphones: the voices are training voices only, each saying only sentences its language can. */
    @Test
    void festivalDiphoneVoicesOnlyTrain() throws Exception {
        assumeTrue(EspeakNg.problem() == null && Festival.problem() == null && !DiphoneVoices.installedFestivalVoices().isEmpty(),
                "needs espeak-ng, festival and festvox-italp16k / festvox-czech-dita");
        Path plain = tmp.resolve("plain"), withVoices = tmp.resolve("diphones");
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(plain, 60, 4).withFestival(false));
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(withVoices, 60, 4).withFestival(false).withFestivalDiphones(true));
        JsonNode p = Json.read(plain.resolve("corpus.json")), m = Json.read(withVoices.resolve("corpus.json"));
        for (String split : List.of("dev", "test")) assertEquals(p.get("splits").get(split).get("speakers"), m.get("splits").get(split).get("speakers"));
        int spoken = 0;
        for (DiphoneVoices.Voice v : DiphoneVoices.installedFestivalVoices()) {
            JsonNode voice = m.get("voices").get("festival-" + v.name());
            assertNotNull(voice, v.name());
            assertEquals("training", voice.get("role").asText());
            assertEquals("festival-diphone", voice.get("engine").asText());
            spoken += voice.get("utterances").asInt();
        }
        assertTrue(spoken > 0);
        for (JsonNode u : m.get("utteranceList")) {
            String speaker = u.get("speaker").asText();
            DiphoneVoices.Voice voice = DiphoneVoices.FESTIVAL_VOICES.stream().filter(v -> speaker.equals("festival-" + v.name())).findFirst().orElse(null);
            if (voice == null) continue;
            assertFalse(u.get("split").asText().equals("dev") || u.get("split").asText().equals("test"));
            assertTrue(voice.canSay(u.get("text").asText()), voice.name() + " lacks a letter of " + u.get("text").asText());
            Path stem = withVoices.resolve(u.get("path").asText());
            assertEquals(16000, AudioFile.read(Path.of(stem + ".wav")).sampleRate());
            StringBuilder spelled = new StringBuilder();
            for (wavlens.corpus.Interval iv : TextGrid.read(Path.of(stem + ".TextGrid"), new ArrayList<>()).tiers().get("letters").items()) {
                spelled.append(iv.text());
            }
            assertEquals(FinnishText.letters(u.get("text").asText()), spelled.toString());
        }
    }
}
