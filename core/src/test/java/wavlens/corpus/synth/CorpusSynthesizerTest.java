package wavlens.corpus.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.audio.AudioFile;
import wavlens.corpus.TextGrid;
import wavlens.corpus.Tier;
import wavlens.io.Json;
import wavlens.io.UserError;

/** Small corpora (4–6 utterances) checked with the corpus package's independent TextGrid reader. */
class CorpusSynthesizerTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void needsEspeak() {
        assumeTrue(EspeakNg.problem() == null, "espeak-ng not installed: apt-get install espeak-ng libespeak-ng1");
    }

    private static CorpusSynthesizer.Options options(Path out, int n, long seed, double speed, boolean festival) {
        return CorpusSynthesizer.Options.of(out, n, seed).withSpeed(speed).withFestival(festival);
    }

    @Test
    void everyUtteranceIsAlignedLetterByLetter() throws Exception {
        boolean festival = Festival.problem() == null;
        Path out = tmp.resolve("corpus");
        CorpusSynthesizer.Summary summary = CorpusSynthesizer.run(options(out, 6, 11, 1.0, festival));
        assertEquals(6, summary.utterances());

        JsonNode corpus = Json.read(out.resolve("corpus.json"));
        assertEquals(6, corpus.get("utteranceList").size());
        for (JsonNode u : corpus.get("utteranceList")) {
            Path stem = out.resolve(u.get("path").asText());
            String transcript = Files.readString(Path.of(stem + ".lab")).strip();
            assertEquals(u.get("text").asText(), transcript);
            double audioSeconds = AudioFile.durationSeconds(Path.of(stem + ".wav"));
            assertEquals(16000, AudioFile.read(Path.of(stem + ".wav")).sampleRate());

            List<wavlens.corpus.Problem> warnings = new ArrayList<>();
            wavlens.corpus.Alignment grid = TextGrid.read(Path.of(stem + ".TextGrid"), warnings);
            assertEquals(List.of("words", "phones", "letters"), List.copyOf(grid.tiers().keySet()));
            assertEquals(0, grid.xmin());
            assertEquals(audioSeconds, grid.xmax(), 1e-9, "TextGrid ends where the audio ends");
            for (Tier tier : grid.tiers().values()) {
                double t = 0;
                for (wavlens.corpus.Interval iv : tier.items()) {
                    assertEquals(t, iv.start(), 1e-12, tier.name() + " contiguous");
                    assertTrue(iv.end() > iv.start(), tier.name() + " positive length");
                    t = iv.end();
                }
                assertEquals(audioSeconds, t, 1e-9, tier.name() + " reaches the audio end");
            }
            StringBuilder letters = new StringBuilder();
            for (wavlens.corpus.Interval iv : grid.tier("letters").items()) {
                assertTrue(iv.text().length() <= 1, "one letter per interval: " + iv.text());
                letters.append(iv.text());
            }
            assertEquals(FinnishText.letters(transcript), letters.toString(), "letters tier spells " + transcript);
            List<String> words = new ArrayList<>();
            for (wavlens.corpus.Interval iv : grid.tier("words").items()) if (!iv.text().isEmpty()) words.add(iv.text());
            assertEquals(FinnishText.words(transcript).stream().map(FinnishText.Word::text).toList(), words);
        }

        // Splits: disjoint sentences; dev/test voices never in training; some voices only in test.
        Set<String> trainSpeakers = new HashSet<>(), devSpeakers = new HashSet<>(), testSpeakers = new HashSet<>();
        corpus.get("splits").get("pretraining").get("speakers").forEach(s -> trainSpeakers.add(s.asText()));
        corpus.get("splits").get("dev").get("speakers").forEach(s -> devSpeakers.add(s.asText()));
        corpus.get("splits").get("test").get("speakers").forEach(s -> testSpeakers.add(s.asText()));
        for (String s : devSpeakers) assertFalse(trainSpeakers.contains(s), s);
        for (String s : testSpeakers) assertFalse(trainSpeakers.contains(s), s);
        assertTrue(testSpeakers.stream().anyMatch(s -> !devSpeakers.contains(s)), "test-only voices");
        TreeMap<String, String> splitOfSentence = new TreeMap<>();
        for (JsonNode u : corpus.get("utteranceList")) {
            String previous = splitOfSentence.put(u.get("text").asText(), u.get("split").asText());
            assertTrue(previous == null || previous.equals(u.get("split").asText()), "sentence in two splits");
        }
    }

    /**
     * Corpora made by fresh processes (espeak-ng's output depends on the calls before it in the
     * same process): the same seed twice gives byte-identical files, and --speed 1.25 divides
     * every letter boundary by the applied speed exactly.
     */
    @Test
    void freshProcessesAreByteIdenticalAndSpeedDividesTimesExactly() throws Exception {
        boolean festival = Festival.problem() == null;
        Path first = tmp.resolve("first"), second = tmp.resolve("second"), fast = tmp.resolve("fast");
        runInFreshProcess(first, festival, "1.0");
        runInFreshProcess(second, festival, "1.0");
        runInFreshProcess(fast, festival, "1.25");

        List<Path> files;
        try (Stream<Path> walk = Files.walk(first)) {
            files = walk.filter(Files::isRegularFile).map(first::relativize).sorted().toList();
        }
        assertTrue(files.size() >= 6 * 3 + 1);
        for (Path f : files) assertArrayEquals(Files.readAllBytes(first.resolve(f)), Files.readAllBytes(second.resolve(f)), f.toString());
        try (Stream<Path> walk = Files.walk(second)) {
            assertEquals(files.size(), walk.filter(Files::isRegularFile).count());
        }

        double applied = Json.read(fast.resolve("corpus.json")).get("speed").get("applied").asDouble();
        assertEquals(Math.round(22050 * 1.25) / 22050.0, applied, 1e-15);
        for (JsonNode u : Json.read(first.resolve("corpus.json")).get("utteranceList")) {
            String path = u.get("path").asText();
            for (String tierName : List.of("words", "phones", "letters")) {
                Tier a = TextGrid.read(first.resolve(path + ".TextGrid"), new ArrayList<>()).tier(tierName);
                Tier b = TextGrid.read(fast.resolve(path + ".TextGrid"), new ArrayList<>()).tier(tierName);
                assertEquals(a.items().size(), b.items().size());
                for (int i = 0; i < a.items().size() - 1; i++) { // the last one ends at the (rounded) audio end
                    assertEquals(a.items().get(i).end() / applied, b.items().get(i).end(), 1e-12, path + " " + tierName + " boundary " + i);
                }
            }
            // ceil(n * 16000 / (22050 * speed)) samples for n synthesized samples.
            double normalSeconds = AudioFile.durationSeconds(first.resolve(path + ".wav"));
            assertEquals(normalSeconds / applied, AudioFile.durationSeconds(fast.resolve(path + ".wav")), 2.0 / 16000);
        }
    }

    private static void runInFreshProcess(Path out, boolean festival, String speed) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "wavlens.cli.CorpusSynthCommand",
                "--out", out.toString(), "--utterances", "6", "--seed", "9", "--speed", speed, "--noise-snr", "20", "--noise-color", "pink"));
        if (!festival) command.add("--no-festival");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "synth process timed out");
        assertEquals(0, p.exitValue());
    }

    /**
     * --more-voices adds training voices only: a model trained on the training splits of such a
     * corpus never hears the voices or the sentences of the dev and test splits of the plain corpus
     * with the same seed (the demo models are measured that way).
     */
    @Test
    void moreVoicesAreTrainingVoicesAndKeepTheHeldOutVoicesAndSentences() throws Exception {
        Path plain = tmp.resolve("plain"), more = tmp.resolve("more");
        CorpusSynthesizer.run(options(plain, 60, 4, 1.0, false));
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(more, 60, 4).withFestival(false).withMoreVoices(true));
        JsonNode p = Json.read(plain.resolve("corpus.json")), m = Json.read(more.resolve("corpus.json"));

        Set<String> plainVoices = new HashSet<>(), extra = new HashSet<>();
        p.get("voices").fieldNames().forEachRemaining(plainVoices::add);
        m.get("voices").fieldNames().forEachRemaining(v -> { if (!plainVoices.contains(v)) extra.add(v); });
        assertEquals(EspeakNg.MORE_VARIANTS.stream().map(v -> "espeak-" + v).collect(java.util.stream.Collectors.toSet()), extra);
        for (String v : plainVoices) {
            assertEquals(p.get("voices").get(v).get("role").asText(), m.get("voices").get(v).get("role").asText(), v);
        }
        for (String v : extra) assertEquals("training", m.get("voices").get(v).get("role").asText(), v);

        assertHeldOutNeverHeard(p, m);
        assertTrue(m.get("utteranceList").findValuesAsText("speaker").stream().anyMatch(extra::contains), "the extra voices speak");
    }

    /**
     * --training-voices: only the named training voices speak the training splits; dev and test keep
     * the plain corpus's voices and sentences; a held-out voice cannot be named.
     */
    @Test
    void trainingVoicesRestrictTheTrainingSplitsOnly() throws Exception {
        Path plain = tmp.resolve("plain"), two = tmp.resolve("two");
        CorpusSynthesizer.run(options(plain, 60, 4, 1.0, false));
        JsonNode p = Json.read(plain.resolve("corpus.json"));
        List<String> chosen = new ArrayList<>(), heldOut = new ArrayList<>();
        p.get("voices").fields().forEachRemaining(e -> {
            String role = e.getValue().get("role").asText();
            if (role.equals("training") && chosen.size() < 2) chosen.add(e.getKey());
            if (!role.equals("training")) heldOut.add(e.getKey());
        });
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(two, 60, 4).withFestival(false).withTrainingVoices(chosen));
        JsonNode t = Json.read(two.resolve("corpus.json"));
        Set<String> trainingSpeakers = new HashSet<>();
        for (JsonNode u : t.get("utteranceList")) {
            String split = u.get("split").asText();
            if (split.equals("pretraining") || split.equals("finetune-train")) trainingSpeakers.add(u.get("speaker").asText());
        }
        assertEquals(new HashSet<>(chosen), trainingSpeakers);
        assertEquals(p.get("splits").get("dev").get("speakers"), t.get("splits").get("dev").get("speakers"));
        assertEquals(p.get("splits").get("test").get("speakers"), t.get("splits").get("test").get("speakers"));
        assertHeldOutNeverHeard(p, t);

        UserError e = assertThrows(UserError.class, () -> CorpusSynthesizer.run(CorpusSynthesizer.Options.of(tmp.resolve("bad"), 60, 4)
                .withFestival(false).withTrainingVoices(List.of(heldOut.getFirst()))));
        assertTrue(e.getMessage().contains(heldOut.getFirst() + " is a held-out voice"), e.getMessage());
    }

    /**
     * --random-voices: training voices of random settings, written into corpus.json, speaking the
     * training splits only; dev and test keep the plain corpus's voices and sentences.
     */
    @Test
    void randomVoicesAreTrainingVoicesOfTheirOwnSettings() throws Exception {
        Path plain = tmp.resolve("plain"), random = tmp.resolve("random");
        CorpusSynthesizer.run(options(plain, 60, 4, 1.0, false));
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(random, 60, 4).withFestival(false).withRandomVoices(3, false, null));
        JsonNode p = Json.read(plain.resolve("corpus.json")), r = Json.read(random.resolve("corpus.json"));
        Set<String> settings = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            JsonNode v = r.get("voices").get(String.format("espeak-random-%03d", i));
            org.junit.jupiter.api.Assertions.assertNotNull(v, "voice " + i);
            assertEquals("training", v.get("role").asText());
            assertTrue(v.get("utterances").asInt() > 0, "random voice " + i + " speaks");
            List<String> lines = new ArrayList<>();
            v.get("variantFile").forEach(l -> lines.add(l.asText()));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("formant 2 ")), lines.toString());
            settings.add(String.join("|", lines.subList(2, lines.size())));
        }
        assertEquals(3, settings.size(), "three different voices");
        assertEquals(p.get("splits").get("dev").get("speakers"), r.get("splits").get("dev").get("speakers"));
        assertEquals(p.get("splits").get("test").get("speakers"), r.get("splits").get("test").get("speakers"));
        assertHeldOutNeverHeard(p, r);

        // --random-voice-seed: three other voices under names of their own, the same held-out voices and splits
        Path other = tmp.resolve("other");
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(other, 60, 4).withFestival(false).withRandomVoices(3, false, 5L));
        JsonNode o = Json.read(other.resolve("corpus.json"));
        assertEquals(5, o.get("randomVoiceSeed").asInt());
        for (int i = 0; i < 3; i++) {
            JsonNode v = o.get("voices").get(String.format("espeak-random-s5-%03d", i));
            org.junit.jupiter.api.Assertions.assertNotNull(v, "voice s5-" + i);
            List<String> lines = new ArrayList<>();
            v.get("variantFile").forEach(l -> lines.add(l.asText()));
            assertTrue(settings.add(String.join("|", lines.subList(2, lines.size()))), "a voice of its own: " + lines);
        }
        assertEquals(p.get("splits").get("dev").get("speakers"), o.get("splits").get("dev").get("speakers"));
        assertEquals(p.get("splits").get("test").get("speakers"), o.get("splits").get("test").get("speakers"));
        assertHeldOutNeverHeard(p, o);
    }

    /** The random settings stay inside their documented ranges. */
    @Test
    void randomVariantSettingsStayInRange() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int i = 0; i < 500; i++) {
            List<String> lines = CorpusSynthesizer.randomVariant("x", random);
            int[] f = new int[4];
            for (String l : lines) {
                String[] w = l.split(" ");
                if (w[0].equals("formant")) f[Integer.parseInt(w[1])] = Integer.parseInt(w[2]);
                if (w[0].equals("pitch")) {
                    int base = Integer.parseInt(w[1]), top = Integer.parseInt(w[2]);
                    assertTrue(base >= 65 && base <= 210 && top >= base * 1.2 - 1 && top <= base * 1.6 + 1, l);
                }
                if (w[0].equals("voicing")) assertTrue(Integer.parseInt(w[1]) >= 30 && Integer.parseInt(w[1]) <= 160, l);
            }
            assertTrue(f[1] >= 75 && f[1] <= 135 && f[2] >= 70 && f[2] <= 135 && f[3] >= 60 && f[3] <= 125, lines.toString());
        }
    }

    /**
     * --random-voice-settings all with --training-voices espeak-random-all-*: the random voices, and
     * only they, speak the training splits, each from a voice file that sets more than formants,
     * pitch and voicing; dev and test keep the plain corpus's voices and sentences.
     */
    @Test
    void randomVoicesOfAllSettingsSpeakTheTrainingSplitsAloneByAWildcard() throws Exception {
        Path plain = tmp.resolve("plain"), all = tmp.resolve("all");
        CorpusSynthesizer.run(options(plain, 60, 4, 1.0, false));
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(all, 60, 4).withFestival(false)
                .withRandomVoices(3, true, null).withTrainingVoices(List.of("espeak-random-all-*")));
        JsonNode p = Json.read(plain.resolve("corpus.json")), r = Json.read(all.resolve("corpus.json"));
        Set<String> trainingSpeakers = new HashSet<>();
        for (JsonNode u : r.get("utteranceList")) {
            String split = u.get("split").asText();
            if (split.equals("pretraining") || split.equals("finetune-train")) trainingSpeakers.add(u.get("speaker").asText());
        }
        assertEquals(Set.of("espeak-random-all-000", "espeak-random-all-001", "espeak-random-all-002"), trainingSpeakers);
        for (String name : trainingSpeakers) {
            List<String> keys = new ArrayList<>();
            r.get("voices").get(name).get("variantFile").forEach(l -> keys.add(l.asText().split(" ")[0]));
            assertTrue(keys.containsAll(List.of("formant", "pitch", "voicing", "consonants", "flutter", "roughness", "intonation")), keys.toString());
        }
        assertEquals("all", r.get("randomVoiceSettings").asText());
        assertEquals(p.get("splits").get("dev").get("speakers"), r.get("splits").get("dev").get("speakers"));
        assertEquals(p.get("splits").get("test").get("speakers"), r.get("splits").get("test").get("speakers"));
        assertHeldOutNeverHeard(p, r);

        UserError e = assertThrows(UserError.class, () -> CorpusSynthesizer.run(CorpusSynthesizer.Options.of(tmp.resolve("none"), 60, 4)
                .withFestival(false).withRandomVoices(0, true, null)));
        assertTrue(e.getMessage().contains("needs --random-voices"), e.getMessage());
    }

    /** Every drawn setting stays in its documented range, no voice switches to the Klatt synthesizer, and the optional ones come about as often as stated. */
    @Test
    void allSettingsStayInRange() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(2);
        int[][] frequency = {{80, 130}, {75, 135}, {70, 135}, {60, 125}, {80, 125}, {80, 125}, {90, 150}, {90, 150}, {90, 150}};
        int[][] strength = {{0, 150}, {60, 150}, {60, 150}, {60, 150}, {40, 130}, {40, 130}, {0, 140}, {0, 140}, {0, 140}};
        int[][] width = {{80, 190}, {70, 160}, {70, 160}, {70, 160}, {80, 130}, {80, 130}, {80, 150}, {80, 150}, {80, 150}};
        java.util.Map<String, Integer> optional = new java.util.HashMap<>();
        int n = 2000;
        for (int i = 0; i < n; i++) {
            List<String> lines = CorpusSynthesizer.randomVariantAllSettings("x", random);
            Set<Integer> formants = new HashSet<>();
            for (String l : lines.subList(2, lines.size())) {
                String[] w = l.split(" ");
                int[] v = java.util.Arrays.stream(w).skip(1).mapToInt(Integer::parseInt).toArray();
                switch (w[0]) {
                    case "formant" -> {
                        formants.add(v[0]);
                        assertTrue(inRange(v[1], frequency[v[0]]) && inRange(v[2], strength[v[0]]) && inRange(v[3], width[v[0]]), l);
                    }
                    case "pitch" -> assertTrue(v[0] >= 65 && v[0] <= 210 && v[1] >= v[0] * 1.2 - 1 && v[1] <= v[0] * 2.2 + 1, l);
                    case "voicing" -> assertTrue(inRange(v[0], new int[] {30, 160}), l);
                    case "consonants" -> assertTrue(inRange(v[0], new int[] {60, 130}) && inRange(v[1], new int[] {60, 130}), l);
                    case "flutter" -> assertTrue(inRange(v[0], new int[] {0, 40}), l);
                    case "roughness" -> assertTrue(inRange(v[0], new int[] {0, 5}), l);
                    case "intonation" -> assertTrue(inRange(v[0], new int[] {1, 4}), l);
                    case "tone" -> assertTrue(v[0] == 600 && v[2] == 1200 && v[4] == 2000 && inRange(v[1], new int[] {80, 220})
                            && inRange(v[3], new int[] {80, 220}) && inRange(v[5], new int[] {80, 220}), l);
                    case "stressAdd" -> assertTrue(v.length == 8 && java.util.Arrays.stream(v).allMatch(x -> x >= -20 && x <= 30), l);
                    case "breath" -> assertTrue(v.length == 6 && java.util.Arrays.stream(v).allMatch(x -> x >= 0 && x <= 60), l);
                    case "echo" -> assertTrue(inRange(v[0], new int[] {5, 60}) && inRange(v[1], new int[] {5, 25}), l);
                    default -> throw new AssertionError("unexpected setting: " + l);
                }
                if (List.of("tone", "stressAdd", "breath", "echo").contains(w[0])) optional.merge(w[0], 1, Integer::sum);
            }
            assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8), formants, lines.toString());
        }
        // 1/2, 1/2, 1/2, 1/4: binomial standard deviations at n = 2000 are 22 and 19, so these bounds are over 4 of them
        for (String half : List.of("tone", "stressAdd", "breath")) assertTrue(Math.abs(optional.get(half) - n / 2) < 100, half + " " + optional.get(half));
        assertTrue(Math.abs(optional.get("echo") - n / 4) < 90, "echo " + optional.get("echo"));
    }

    private static boolean inRange(int v, int[] range) {
        return v >= range[0] && v <= range[1];
    }

    /** No dev/test sentence or voice of {@code plain} is in the training splits of {@code other}. */
    private static void assertHeldOutNeverHeard(JsonNode plain, JsonNode other) {
        Set<String> heardInTraining = new HashSet<>(), heldOut = new HashSet<>();
        for (JsonNode u : other.get("utteranceList")) {
            String split = u.get("split").asText();
            if (split.equals("pretraining") || split.equals("finetune-train")) {
                heardInTraining.add(u.get("text").asText());
                heardInTraining.add(u.get("speaker").asText());
            }
        }
        for (JsonNode u : plain.get("utteranceList")) {
            String split = u.get("split").asText();
            if (split.equals("dev") || split.equals("test")) {
                heldOut.add(u.get("text").asText());
                heldOut.add(u.get("speaker").asText());
            }
        }
        assertTrue(heldOut.size() > 4);
        for (String s : heldOut) assertFalse(heardInTraining.contains(s), s);
    }

    /**
     * --training-text: the user's sentences are spoken in the training splits only (a line equal to
     * a built-in sentence is left out); dev and test stay those of the plain corpus.
     */
    @Test
    void trainingTextJoinsTheTrainingSplitsOnly() throws Exception {
        String builtIn = Sentences.builtIn().getFirst();
        List<String> lines = new ArrayList<>(List.of("# one of the built-in sentences, left out:", builtIn));
        for (int i = 0; i < 40; i++) lines.add("Kissa " + "abcdefghijklmnopqrstuvy".charAt(i % 23) + "aa juoksi talo" + "no".repeat(i % 3 + 1) + " " + i % 7 + "sataa.");
        lines.replaceAll(l -> l.replaceAll("[0-9]", "k"));
        Path text = tmp.resolve("extra.txt");
        Files.write(text, lines);
        Path plain = tmp.resolve("plain"), more = tmp.resolve("text");
        CorpusSynthesizer.run(options(plain, 60, 4, 1.0, false));
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(more, 60, 4).withFestival(false).withTrainingText(text));
        JsonNode p = Json.read(plain.resolve("corpus.json")), t = Json.read(more.resolve("corpus.json"));
        assertEquals(1, t.get("trainingText").get("leftOutAsBuiltIn").asInt());
        assertEquals(40, t.get("trainingText").get("sentences").asInt());
        assertHeldOutNeverHeard(p, t);

        Set<String> extra = new HashSet<>(lines.subList(2, lines.size()));
        int spokenExtra = 0;
        for (JsonNode u : t.get("utteranceList")) {
            boolean isExtra = extra.contains(u.get("text").asText());
            String split = u.get("split").asText();
            if (isExtra) spokenExtra++;
            assertFalse(isExtra && (split.equals("dev") || split.equals("test")), "extra sentence in " + split);
        }
        assertTrue(spokenExtra >= 3, "extra sentences spoken: " + spokenExtra); // ~40 of the 308 training sentences, 48 utterances
        // dev and test sentences are the plain corpus's pool (the same held-out sentences).
        assertEquals(p.get("splits").get("dev").get("sentences"), t.get("splits").get("dev").get("sentences"));
        assertEquals(p.get("splits").get("test").get("sentences"), t.get("splits").get("test").get("sentences"));
    }

    @Test
    void aTrainingTextLineThatCannotBeSpokenIsAnErrorNamingFileAndLine() throws Exception {
        Path text = tmp.resolve("bad.txt");
        Files.write(text, List.of("Kissa juoksi.", "Bussi 42 tuli."));
        UserError e = assertThrows(UserError.class, () -> CorpusSynthesizer.run(
                CorpusSynthesizer.Options.of(tmp.resolve("x"), 6, 1).withFestival(false).withTrainingText(text)));
        assertTrue(e.getMessage().contains("bad.txt") && e.getMessage().contains("line 2") && e.getMessage().contains("'4'"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("x").resolve("corpus.json")));
        Path empty = tmp.resolve("empty.txt");
        Files.writeString(empty, "# nothing\n\n");
        UserError none = assertThrows(UserError.class, () -> CorpusSynthesizer.run(
                CorpusSynthesizer.Options.of(tmp.resolve("y"), 6, 1).withFestival(false).withTrainingText(empty)));
        assertTrue(none.getMessage().contains("empty.txt") && none.getMessage().contains("no sentences"), none.getMessage());
    }

    @Test
    void badOptionsAreUserErrors() throws Exception {
        assertThrows(UserError.class, () -> CorpusSynthesizer.run(options(tmp.resolve("a"), 3, 1, 1.0, false)));
        assertThrows(UserError.class, () -> CorpusSynthesizer.run(options(tmp.resolve("b"), 6, 1, 3.0, false)));
        Files.createDirectories(tmp.resolve("c"));
        Files.writeString(tmp.resolve("c").resolve("x.txt"), "someone's file");
        UserError notEmpty = assertThrows(UserError.class, () -> CorpusSynthesizer.run(options(tmp.resolve("c"), 6, 1, 1.0, false)));
        assertTrue(notEmpty.getMessage().contains("not empty"), notEmpty.getMessage());
    }
}
