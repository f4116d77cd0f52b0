package wavlens.corpus.synth;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import wavlens.audio.Resampler;
import wavlens.corpus.TextGrid;
import wavlens.corpus.Tier;
import wavlens.io.AtomicFiles;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * Makes a Finnish speech corpus with exact word, phone and letter alignments from the built-in
 * sentences, with espeak-ng (many voice variants) and Festival/Suopuhe as speakers.
 *
 * <p>Layout: {@code DIR/<split>/<speaker>/<utterance>.wav|.TextGrid|.lab} (16 kHz 16-bit mono,
 * TextGrid tiers words/phones/letters, the transcript), i.e. an MFA-style corpus per split, plus
 * {@code DIR/corpus.json} with the parameters, the splits, the voices and every utterance.
 *
 * <p>Splits: pretraining, finetune-train, dev and test hold disjoint sentences. The espeak-ng
 * variants are divided by the seed into training voices (pretraining and finetune-train), held-out
 * voices heard in dev and test, and voices heard only in test; Festival mv is a training voice and
 * Festival lj a test-only voice. With {@code moreVoices}, {@link EspeakNg#MORE_VARIANTS} join the
 * training voices after the dealing, so the held-out voices and the sentence splits stay the same.
 * With {@code randomVoices}, that many espeak-ng voices of random formant, pitch and voicing settings
 * ({@link #randomVariant}) join the training voices the same way; with {@code randomVoicesAllSettings}
 * their settings are drawn from every setting of a voice file ({@link #randomVariantAllSettings}).
 * With {@code mbrola}, the installed {@link DiphoneVoices#VOICES} (recorded speakers of other languages,
 * speaking espeak-ng's Finnish phones) join the training voices the same way; with
 * {@code festivalDiphones}, the installed {@link DiphoneVoices#FESTIVAL_VOICES} (Festival's Italian and
 * Czech diphone voices, speaking them the same way).
 * With {@code trainingVoices}, only those of the training voices speak the training splits (e.g.
 * Festival mv alone, to give the one natural-speech voice more text); dev and test keep their voices.
 *
 * <p>Everything is decided by the seed, and the synthesizers are called in a fixed order, so a
 * fresh process with the same seed and options writes byte-identical files. (espeak-ng carries
 * state from call to call, so a second corpus made in the same process differs slightly in the
 * audio, never in the alignments.)
 */
public final class CorpusSynthesizer {
    public static final int SAMPLE_RATE = 16000;
    public static final List<String> SPLITS = List.of("pretraining", "finetune-train", "dev", "test");
    /** Share of the sentences and of the utterances that goes to each split, in {@link #SPLITS} order. */
    static final double[] SPLIT_SHARE = {0.5, 0.3, 0.1, 0.1};
    /** espeak-ng variants heard in dev and test (and not in training), and heard only in test. */
    static final int HELD_OUT_VARIANTS = 4, TEST_ONLY_VARIANTS = 4;
    /** The espeak-ng variant whose phone timings the MBROLA voices speak (any variant gives the same phones). */
    static final String MBROLA_TIMING_VARIANT = "m1";
    /** How many further sentences to try when an utterance is unusable, before giving up on it. */
    static final int ATTEMPTS = 20;

    // Per-utterance variation (uniform ranges). espeak: rate in words per minute (default 175) and
    // pitch 0–99 (default 50); Festival: Duration_Stretch and the intonation's lowest F0 relative
    // to the voice's own; MBROLA: the base pitch relative to the voice's typical one.
    static final double MBROLA_F0_MIN = 0.85, MBROLA_F0_MAX = 1.2;
    static final int RATE_MIN = 140, RATE_MAX = 220, PITCH_MIN = 25, PITCH_MAX = 75;
    static final double STRETCH_MIN = 0.85, STRETCH_MAX = 1.15, F0_SCALE_MIN = 0.9, F0_SCALE_MAX = 1.2;

    /**
     * What to make; noiseSnrDb null for no noise; noiseColor "white" or "pink"; trainingVoices null
     * or empty for all; progress null for none. Start from {@link #of} (the defaults of
     * {@code corpus synth}) and change what differs with the {@code with…} methods.
     */
    public record Options(Path out, int utterances, long seed, double speed, Double noiseSnrDb, String noiseColor,
                          boolean festival, boolean moreVoices, int randomVoices, boolean randomVoicesAllSettings, Long randomVoiceSeed, boolean mbrola,
                          double[] mbrolaFormants, Path trainingText, List<String> trainingVoices, PrintStream progress, boolean festivalDiphones) {
        /** At normal speed, without noise, the espeak-ng and Festival voices, nothing added, no progress lines. */
        public static Options of(Path out, int utterances, long seed) {
            return new Options(out, utterances, seed, 1.0, null, "white", true, false, 0, false, null, false, NO_FORMANT_SCALING, null, null, null, false);
        }

        public Options withSpeed(double speed) {
            return new Options(out, utterances, seed, speed, noiseSnrDb, noiseColor, festival, moreVoices, randomVoices, randomVoicesAllSettings,
                    randomVoiceSeed, mbrola, mbrolaFormants, trainingText, trainingVoices, progress, festivalDiphones);
        }

        public Options withFestival(boolean festival) {
            return new Options(out, utterances, seed, speed, noiseSnrDb, noiseColor, festival, moreVoices, randomVoices, randomVoicesAllSettings,
                    randomVoiceSeed, mbrola, mbrolaFormants, trainingText, trainingVoices, progress, festivalDiphones);
        }

        public Options withMoreVoices(boolean moreVoices) {
            return new Options(out, utterances, seed, speed, noiseSnrDb, noiseColor, festival, moreVoices, randomVoices, randomVoicesAllSettings,
                    randomVoiceSeed, mbrola, mbrolaFormants, trainingText, trainingVoices, progress, festivalDiphones);
        }

        /** {@code count} random espeak-ng voices, drawn from every voice-file setting if {@code allSettings}; voiceSeed null: the corpus seed. */
        public Options withRandomVoices(int count, boolean allSettings, Long voiceSeed) {
            return new Options(out, utterances, seed, speed, noiseSnrDb, noiseColor, festival, moreVoices, count, allSettings,
                    voiceSeed, mbrola, mbrolaFormants, trainingText, trainingVoices, progress, festivalDiphones);
        }

        public Options withMbrola(boolean mbrola, double[] formants) {
            return new Options(out, utterances, seed, speed, noiseSnrDb, noiseColor, festival, moreVoices, randomVoices, randomVoicesAllSettings,
                    randomVoiceSeed, mbrola, formants, trainingText, trainingVoices, progress, festivalDiphones);
        }

        public Options withTrainingText(Path file) {
            return new Options(out, utterances, seed, speed, noiseSnrDb, noiseColor, festival, moreVoices, randomVoices, randomVoicesAllSettings,
                    randomVoiceSeed, mbrola, mbrolaFormants, file, trainingVoices, progress, festivalDiphones);
        }

        public Options withTrainingVoices(List<String> names) {
            return new Options(out, utterances, seed, speed, noiseSnrDb, noiseColor, festival, moreVoices, randomVoices, randomVoicesAllSettings,
                    randomVoiceSeed, mbrola, mbrolaFormants, trainingText, names, progress, festivalDiphones);
        }

        /** Festival's Italian and Czech diphone voices ({@link DiphoneVoices#FESTIVAL_VOICES}) as training voices. */
        public Options withFestivalDiphones(boolean festivalDiphones) {
            return new Options(out, utterances, seed, speed, noiseSnrDb, noiseColor, festival, moreVoices, randomVoices, randomVoicesAllSettings,
                    randomVoiceSeed, mbrola, mbrolaFormants, trainingText, trainingVoices, progress, festivalDiphones);
        }

        public Options withProgress(PrintStream progress) {
            return new Options(out, utterances, seed, speed, noiseSnrDb, noiseColor, festival, moreVoices, randomVoices, randomVoicesAllSettings,
                    randomVoiceSeed, mbrola, mbrolaFormants, trainingText, trainingVoices, progress, festivalDiphones);
        }
    }

    /** {@code mbrolaFormants} that leave the MBROLA voices as recorded. */
    public static final double[] NO_FORMANT_SCALING = {1, 1};

    /**
     * At most this many random voices: espeak-ng 1.51 lists at most 349 voices (N_VOICES_LIST), and
     * its 131 languages and our 66 variants leave room for about 150 more.
     */
    public static final int MAX_RANDOM_VOICES = 150;

    /** A speaker = synthesizer + voice; name is the folder name, e.g. espeak-m3, festival-mv. */
    public record Speaker(String name, String engine, String voice, String role) {}

    /** What was made: counts per split, drops, and the time it took. */
    public record Summary(int utterances, Map<String, Integer> perSplit, int dropped, double seconds, double audioSeconds) {}

    private record Utterance(String id, String split, Speaker speaker, String sentence, Map<String, Object> parameters, double seconds) {}

    private final Options options;
    private final int inputRate; // 22050 * speed, rounded: the rate the synthesizer's audio is read at
    private final Map<Integer, Resampler> resamplers = new HashMap<>();
    private EspeakNg espeak;
    private Festival festival;
    /** The variant files of the random voices, by variant name. */
    private final Map<String, List<String>> randomVariantLines = new LinkedHashMap<>();
    private List<String> trainingText; // the --training-text sentences, read before any synthesis
    private int trainingTextOverlap;   // of those, how many were built-in sentences and left out

    private CorpusSynthesizer(Options options) {
        this.options = options;
        this.inputRate = (int) Math.round(EspeakNg.SAMPLE_RATE * options.speed());
    }

    /** Makes the corpus; UserError for bad options, a non-empty output folder or missing synthesizers. */
    public static Summary run(Options options) {
        check(options);
        CorpusSynthesizer synthesizer = new CorpusSynthesizer(options);
        if (options.trainingText() != null) synthesizer.trainingText = Sentences.fromFile(options.trainingText());
        try {
            return synthesizer.make();
        } finally {
            if (synthesizer.festival != null) synthesizer.festival.close();
        }
    }

    private static void check(Options o) {
        if (o.randomVoices() < 0 || o.randomVoices() > MAX_RANDOM_VOICES) throw new UserError("--random-voices must be 0.." + MAX_RANDOM_VOICES + ", not " + o.randomVoices());
        if (o.randomVoicesAllSettings() && o.randomVoices() == 0) throw new UserError("--random-voice-settings all needs --random-voices N");
        if (o.randomVoiceSeed() != null && o.randomVoices() == 0) throw new UserError("--random-voice-seed needs --random-voices N");
        if (o.utterances() < SPLITS.size()) throw new UserError("--utterances must be at least " + SPLITS.size() + " (one per split)");
        if (!(o.speed() >= 0.5 && o.speed() <= 2.0)) throw new UserError("--speed must be between 0.5 and 2");
        if (o.noiseSnrDb() != null && !Double.isFinite(o.noiseSnrDb())) throw new UserError("--noise-snr must be a finite number of dB");
        if (!o.noiseColor().equals("white") && !o.noiseColor().equals("pink")) throw new UserError("--noise-color must be white or pink");
        String problem = EspeakNg.problem();
        if (problem != null) throw new UserError("espeak-ng: " + problem);
        if (o.festival()) {
            problem = Festival.problem();
            if (problem != null) throw new UserError("festival: " + problem + " (or pass --no-festival)");
        }
        double[] scale = o.mbrolaFormants();
        if (scale.length != 2 || !(scale[0] >= 0.7 && scale[0] <= scale[1] && scale[1] <= 1.4)) {
            throw new UserError("--mbrola-formants must be LO,HI with 0.7 <= LO <= HI <= 1.4");
        }
        if (!o.mbrola() && (scale[0] != 1 || scale[1] != 1)) throw new UserError("--mbrola-formants needs --mbrola");
        if (o.mbrola()) {
            problem = DiphoneVoices.problem();
            if (problem != null) throw new UserError("--mbrola: " + problem);
            if (DiphoneVoices.installedVoices().isEmpty()) {
                throw new UserError("--mbrola: none of the voices " + DiphoneVoices.VOICES.stream().map(DiphoneVoices.Voice::name).toList()
                        + " is installed in " + DiphoneVoices.VOICE_ROOT + "; apt-get install mbrola-de1 mbrola-sw2 ...");
            }
        }
        if (o.festivalDiphones()) {
            problem = Festival.problem();
            if (problem != null) throw new UserError("--festival-diphones: " + problem);
            if (DiphoneVoices.installedFestivalVoices().isEmpty()) {
                throw new UserError("--festival-diphones: none of the voices " + DiphoneVoices.FESTIVAL_VOICES.stream().map(v -> v.database().toString()).toList()
                        + " is installed; apt-get install festvox-italp16k festvox-itapc16k festvox-czech-dita festvox-czech-ph");
            }
        }
        if (Files.exists(o.out())) {
            if (!Files.isDirectory(o.out())) throw UserError.inFile(o.out(), "exists and is not a folder");
            try (var entries = Files.list(o.out())) {
                if (entries.findAny().isPresent()) throw UserError.inFile(o.out(), "folder is not empty; give a new or empty folder");
            } catch (IOException e) {
                throw UserError.inFile(o.out(), "cannot list: " + e.getMessage());
            }
        }
    }

    private Summary make() {
        long startNanos = System.nanoTime();
        espeak = EspeakNg.instance();
        Random random = new Random(options.seed());

        // Voices: the seed deals the espeak variants into roles.
        List<String> variants = new ArrayList<>();
        for (String v : EspeakNg.VARIANTS) if (espeak.hasVariant(v)) variants.add(v);
        if (variants.size() < HELD_OUT_VARIANTS + TEST_ONLY_VARIANTS + 2) {
            throw new UserError("espeak-ng: only " + variants.size() + " of the voice variants found in " + espeak.dataDirectory() + "; reinstall espeak-ng");
        }
        java.util.Collections.shuffle(variants, random);
        List<Speaker> train = new ArrayList<>(), heldOut = new ArrayList<>(), testOnly = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            if (i < HELD_OUT_VARIANTS) heldOut.add(new Speaker("espeak-" + variants.get(i), "espeak-ng", variants.get(i), "dev and test"));
            else if (i < HELD_OUT_VARIANTS + TEST_ONLY_VARIANTS) testOnly.add(new Speaker("espeak-" + variants.get(i), "espeak-ng", variants.get(i), "test only"));
            else train.add(new Speaker("espeak-" + variants.get(i), "espeak-ng", variants.get(i), "training"));
        }
        // Added after the dealing, without drawing from the seed's stream, so that the held-out voices
        // and the sentence splits are those of a corpus made without them.
        if (options.moreVoices()) {
            for (String v : EspeakNg.MORE_VARIANTS) {
                if (espeak.hasVariant(v)) train.add(new Speaker("espeak-" + v, "espeak-ng", v, "training"));
            }
        }
        // Random voices: a stream of their own, so the seed's stream (held-out voices, splits) is untouched.
        // --random-voice-seed gives other voices with the same held-out voices and splits; their names carry it.
        long voiceSeed = options.randomVoiceSeed() != null ? options.randomVoiceSeed() : options.seed();
        SplittableRandom voiceRandom = new SplittableRandom(voiceSeed * 0x2545F4914F6CDD1DL + 29);
        String kind = (options.randomVoicesAllSettings() ? "random-all" : "random") + (options.randomVoiceSeed() != null ? "-s" + voiceSeed : "");
        for (int i = 0; i < options.randomVoices(); i++) {
            String variant = String.format(Locale.ROOT, "wavlens-%s-%d-%03d", kind, voiceSeed, i);
            List<String> lines = options.randomVoicesAllSettings() ? randomVariantAllSettings(variant, voiceRandom) : randomVariant(variant, voiceRandom);
            espeak.addVariant(variant, lines);
            randomVariantLines.put(variant, lines);
            train.add(new Speaker(String.format(Locale.ROOT, "espeak-%s-%03d", kind, i), "espeak-ng", variant, "training"));
        }
        if (options.mbrola()) {
            for (DiphoneVoices.Voice v : DiphoneVoices.installedVoices()) train.add(new Speaker("mbrola-" + v.name(), "mbrola", v.name(), "training"));
        }
        if (options.festivalDiphones()) {
            for (DiphoneVoices.Voice v : DiphoneVoices.installedFestivalVoices()) train.add(new Speaker("festival-" + v.name(), "festival-diphone", v.name(), "training"));
        }
        if (options.festival()) {
            train.add(new Speaker("festival-mv", "festival", "mv", "training"));
            testOnly.add(new Speaker("festival-lj", "festival", "lj", "test only"));
        }
        if (options.trainingVoices() != null && !options.trainingVoices().isEmpty()) train = onlyThese(train, heldOut, testOnly);
        Map<String, List<Speaker>> speakersOf = new LinkedHashMap<>();
        speakersOf.put("pretraining", train);
        speakersOf.put("finetune-train", train);
        speakersOf.put("dev", heldOut);
        List<Speaker> test = new ArrayList<>(heldOut);
        test.addAll(testOnly);
        speakersOf.put("test", test);

        // Sentences: shuffled by the seed, then cut into disjoint splits.
        List<String> sentences = new ArrayList<>(Sentences.builtIn());
        java.util.Collections.shuffle(sentences, random);
        int[] sentenceCounts = shares(sentences.size());
        int[] utteranceCounts = shares(options.utterances());
        Map<String, List<String>> sentencesOf = new LinkedHashMap<>();
        int from = 0;
        for (int s = 0; s < SPLITS.size(); s++) {
            sentencesOf.put(SPLITS.get(s), sentences.subList(from, from + sentenceCounts[s]));
            from += sentenceCounts[s];
        }

        if (trainingText != null) addTrainingText(sentencesOf, sentences);

        List<Utterance> made = new ArrayList<>();
        List<Map<String, Object>> dropped = new ArrayList<>();
        int total = options.utterances(), done = 0;
        for (int s = 0; s < SPLITS.size(); s++) {
            String split = SPLITS.get(s);
            List<String> pool = sentencesOf.get(split);
            List<Speaker> speakers = new ArrayList<>(speakersOf.get(split));
            java.util.Collections.shuffle(speakers, random);
            int cursor = 0;
            for (int k = 0; k < utteranceCounts[s]; k++) {
                Speaker speaker = speakers.get(k % speakers.size());
                String id = String.format(Locale.ROOT, "%s-%05d", speaker.name(), made.size() + dropped.size());
                Utterance utterance = null;
                int skipped = 0;
                for (int attempt = 0; attempt < ATTEMPTS && utterance == null && skipped < pool.size(); attempt++) {
                    String sentence = pool.get(cursor++ % pool.size());
                    if (speaker.engine().equals("festival") && !Festival.canSpeak(sentence)) {
                        attempt--; // not an attempt: Festival cannot read š, ž, å
                        skipped++;
                        continue;
                    }
                    if (speaksThroughDiphoneVoice(speaker) && !diphoneVoice(speaker).canSay(sentence)) {
                        attempt--; // not an attempt: the French MBROLA voices have no h, the Czech ones no ä, ö, y, ...
                        skipped++;
                        continue;
                    }
                    SplittableRandom variation = new SplittableRandom(options.seed() * 1_000_003L + made.size() * 1_009L + dropped.size());
                    try {
                        utterance = makeOne(id, split, speaker, sentence, variation);
                    } catch (UnusableUtterance e) {
                        Map<String, Object> drop = new LinkedHashMap<>();
                        drop.put("split", split);
                        drop.put("speaker", speaker.name());
                        drop.put("sentence", sentence);
                        drop.put("reason", e.getMessage());
                        dropped.add(drop);
                    }
                }
                if (utterance == null) throw new IllegalStateException("no usable sentence for " + speaker.name() + " in " + split + " after " + ATTEMPTS + " attempts");
                made.add(utterance);
                done++;
                reportProgress(done, total, utterance, startNanos);
            }
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        writeDescription(speakersOf, sentencesOf, made, dropped);

        Map<String, Integer> perSplit = new LinkedHashMap<>();
        double audioSeconds = 0;
        for (String split : SPLITS) perSplit.put(split, 0);
        for (Utterance u : made) {
            perSplit.merge(u.split(), 1, Integer::sum);
            audioSeconds += u.seconds();
        }
        return new Summary(made.size(), perSplit, dropped.size(), seconds, audioSeconds);
    }

    /**
     * The user's sentences join the pretraining and finetune-train pools (in their share
     * proportions, 5 : 3), shuffled with a stream of their own so that the seed's own stream, and
     * with it the held-out voices and the dev/test sentences, stay those of a corpus made without
     * them. A line equal to a built-in sentence is left out, so dev and test stay unheard.
     */
    private void addTrainingText(Map<String, List<String>> sentencesOf, List<String> builtIn) {
        java.util.Set<String> known = new java.util.HashSet<>(builtIn);
        List<String> extra = new ArrayList<>();
        for (String sentence : trainingText) if (!known.contains(sentence)) extra.add(sentence);
        trainingTextOverlap = trainingText.size() - extra.size();
        Random random = new Random(options.seed() * 0x9E3779B97F4A7C15L + 17);
        java.util.Collections.shuffle(extra, random);
        int toPretraining = (int) Math.round(extra.size() * SPLIT_SHARE[0] / (SPLIT_SHARE[0] + SPLIT_SHARE[1]));
        for (String split : List.of("pretraining", "finetune-train")) {
            List<String> pool = new ArrayList<>(sentencesOf.get(split));
            pool.addAll(split.equals("pretraining") ? extra.subList(0, toPretraining) : extra.subList(toPretraining, extra.size()));
            java.util.Collections.shuffle(pool, random);
            sentencesOf.put(split, pool);
        }
    }

    /**
     * An espeak-ng voice variant of random settings, each uniform and independent: formants 1–3 at
     * 75–135 %, 70–135 % and 60–125 % of the Finnish voice's frequencies, base pitch 65–210 Hz with
     * its top 1.2–1.6 times higher, voicing 30–160 %. The ranges are about those the always-training
     * variants ({@link EspeakNg#MORE_VARIANTS}) span (leaving out kaukovalta's F1 at 40 % and the
     * near-zero F3 of Lee and Jacky); formants moving independently give vowel spaces no single
     * speed or pitch change gives.
     */
    static List<String> randomVariant(String name, SplittableRandom random) {
        int f1 = 75 + random.nextInt(61), f2 = 70 + random.nextInt(66), f3 = 60 + random.nextInt(66);
        int base = 65 + random.nextInt(146);
        int top = (int) Math.round(base * (1.2 + 0.4 * random.nextDouble()));
        int voicing = 30 + random.nextInt(131);
        return List.of("language variant", "name " + name,
                "formant 1 " + f1 + " 100 100", "formant 2 " + f2 + " 100 100", "formant 3 " + f3 + " 100 100",
                "pitch " + base + " " + top, "voicing " + voicing);
    }

    /**
     * A voice variant of random settings drawn from (nearly) every setting a voice file has, each
     * uniform and independent, about the ranges the variants shipped with espeak-ng span: all nine
     * formants' frequency, strength and width (formant 0 the low component below F1, 4–5 the voice
     * quality above F3, 6–8 weak high additions; F1–F3 frequencies as {@link #randomVariant}), base
     * pitch 65–210 Hz with its top 1.2–2.2 times higher, voicing 30–160 %, the strength of
     * unvoiced and voiced consonant noise 60–130 %, flutter 0–40, roughness 0–5, intonation 1–4, and
     * each with probability 1/2 a tone curve (amplitudes 80–220 at 600, 1200 and 2000 Hz), extra
     * stressed-syllable lengths (−20 to +30 each) and breath noise on formants 1–6 (0–60), and with
     * probability 1/4 an echo (5–60 ms, 5–25 %). The synthesizer stays espeak-ng's default one (no
     * {@code klatt}), so no random voice comes close to a held-out klatt variant.
     */
    static List<String> randomVariantAllSettings(String name, SplittableRandom random) {
        List<String> lines = new ArrayList<>(List.of("language variant", "name " + name));
        int[][] frequency = {{80, 130}, {75, 135}, {70, 135}, {60, 125}, {80, 125}, {80, 125}, {90, 150}, {90, 150}, {90, 150}};
        int[][] strength = {{0, 150}, {60, 150}, {60, 150}, {60, 150}, {40, 130}, {40, 130}, {0, 140}, {0, 140}, {0, 140}};
        int[][] width = {{80, 190}, {70, 160}, {70, 160}, {70, 160}, {80, 130}, {80, 130}, {80, 150}, {80, 150}, {80, 150}};
        for (int f = 0; f <= 8; f++) {
            lines.add("formant " + f + " " + uniform(random, frequency[f]) + " " + uniform(random, strength[f]) + " " + uniform(random, width[f]));
        }
        int base = 65 + random.nextInt(146);
        lines.add("pitch " + base + " " + (int) Math.round(base * (1.2 + random.nextDouble())));
        lines.add("voicing " + (30 + random.nextInt(131)));
        lines.add("consonants " + (60 + random.nextInt(71)) + " " + (60 + random.nextInt(71)));
        lines.add("flutter " + random.nextInt(41));
        lines.add("roughness " + random.nextInt(6));
        lines.add("intonation " + (1 + random.nextInt(4)));
        if (random.nextBoolean()) lines.add("tone 600 " + (80 + random.nextInt(141)) + " 1200 " + (80 + random.nextInt(141)) + " 2000 " + (80 + random.nextInt(141)));
        if (random.nextBoolean()) {
            StringBuilder add = new StringBuilder("stressAdd");
            for (int k = 0; k < 8; k++) add.append(' ').append(-20 + random.nextInt(51));
            lines.add(add.toString());
        }
        if (random.nextBoolean()) {
            StringBuilder breath = new StringBuilder("breath");
            for (int k = 0; k < 6; k++) breath.append(' ').append(random.nextInt(61));
            lines.add(breath.toString());
        }
        if (random.nextInt(4) == 0) lines.add("echo " + (5 + random.nextInt(56)) + " " + (5 + random.nextInt(21)));
        return List.copyOf(lines);
    }

    /** A whole number uniform in [range[0], range[1]]. */
    private static int uniform(SplittableRandom random, int[] range) {
        return range[0] + random.nextInt(range[1] - range[0] + 1);
    }

    /**
     * The training voices named in --training-voices, in their dealt order; a name ending in * stands
     * for every training voice it starts (espeak-random-all-*). A name that is not a training voice is an error.
     */
    private List<Speaker> onlyThese(List<Speaker> train, List<Speaker> heldOut, List<Speaker> testOnly) {
        List<String> trainNames = train.stream().map(Speaker::name).toList();
        for (String name : options.trainingVoices()) {
            if (trainNames.stream().anyMatch(n -> named(n, name))) continue;
            boolean held = heldOut.stream().anyMatch(sp -> sp.name().equals(name)) || testOnly.stream().anyMatch(sp -> sp.name().equals(name));
            throw new UserError("--training-voices: " + name + (held ? " is a held-out voice of this seed (dev/test)" : " is not a voice")
                    + "; the training voices are " + String.join(", ", trainNames.stream().sorted().toList()));
        }
        return new ArrayList<>(train.stream().filter(sp -> options.trainingVoices().stream().anyMatch(name -> named(sp.name(), name))).toList());
    }

    /** Whether a voice's name is the --training-voices name, or starts with it when it ends in *. */
    private static boolean named(String voice, String name) {
        return name.endsWith("*") ? voice.startsWith(name.substring(0, name.length() - 1)) : voice.equals(name);
    }

    /** Counts per split in SPLIT_SHARE proportions, at least one each, summing to n. */
    static int[] shares(int n) {
        int[] counts = new int[SPLITS.size()];
        int assigned = 0;
        for (int s = 1; s < counts.length; s++) {
            counts[s] = Math.max(1, (int) Math.round(SPLIT_SHARE[s] * n));
            assigned += counts[s];
        }
        counts[0] = n - assigned;
        return counts;
    }

    /** Whether the speaker says espeak-ng's phones at espeak-ng's times through a diphone voice (MBROLA or Festival's foreign ones). */
    private static boolean speaksThroughDiphoneVoice(Speaker speaker) {
        return speaker.engine().equals("mbrola") || speaker.engine().equals("festival-diphone");
    }

    /** The diphone voice of such a speaker. */
    private static DiphoneVoices.Voice diphoneVoice(Speaker speaker) {
        return java.util.stream.Stream.concat(DiphoneVoices.VOICES.stream(), DiphoneVoices.FESTIVAL_VOICES.stream())
                .filter(v -> v.name().equals(speaker.voice())).findFirst().orElseThrow();
    }

    /** Synthesizes, aligns, converts and writes one utterance. */
    private Utterance makeOne(String id, String split, Speaker speaker, String sentence, SplittableRandom variation) throws UnusableUtterance {
        Map<String, Object> parameters = new LinkedHashMap<>();
        Synthesis synthesis;
        Alignment alignment;
        if (speaker.engine().equals("espeak-ng")) {
            int rate = RATE_MIN + variation.nextInt(RATE_MAX - RATE_MIN + 1);
            int pitch = PITCH_MIN + variation.nextInt(PITCH_MAX - PITCH_MIN + 1);
            parameters.put("rate", rate);
            parameters.put("pitch", pitch);
            synthesis = espeak.synthesize(sentence, speaker.voice(), rate, pitch);
            alignment = Alignment.of(sentence, synthesis, LetterAligner.ESPEAK);
        } else if (speaksThroughDiphoneVoice(speaker)) {
            // espeak-ng's Finnish phones and durations (the variant does not change them), spoken by an
            // MBROLA voice or one of Festival's Italian or Czech diphone voices.
            int rate = RATE_MIN + variation.nextInt(RATE_MAX - RATE_MIN + 1);
            DiphoneVoices.Voice voice = diphoneVoice(speaker);
            double f0 = round3(voice.typicalF0() * (MBROLA_F0_MIN + (MBROLA_F0_MAX - MBROLA_F0_MIN) * variation.nextDouble()));
            parameters.put("rate", rate);
            parameters.put("f0", f0);
            double[] range = options.mbrolaFormants();
            double formantScale = 1;
            if (!voice.isFestival() && (range[0] != 1 || range[1] != 1)) { // drawn only when asked, so corpora without it are unchanged
                // in steps of 0.01: each scale is an output rate, and each rate a resampler to build
                formantScale = Math.round(100 * (range[0] + (range[1] - range[0]) * variation.nextDouble())) / 100.0;
                parameters.put("formantScale", formantScale);
            }
            if (voice.isFestival() && festival == null) festival = Festival.start();
            Synthesis phones = espeak.synthesize(sentence, MBROLA_TIMING_VARIANT, rate, 50);
            synthesis = DiphoneVoices.speak(phones, voice, f0, formantScale, variation, voice.isFestival() ? festival : null);
            alignment = Alignment.of(sentence, synthesis, LetterAligner.ESPEAK);
        } else {
            double stretch = round3(STRETCH_MIN + (STRETCH_MAX - STRETCH_MIN) * variation.nextDouble());
            double f0Min = round3(Festival.defaultF0Min(speaker.voice()) * (F0_SCALE_MIN + (F0_SCALE_MAX - F0_SCALE_MIN) * variation.nextDouble()));
            parameters.put("durationStretch", stretch);
            parameters.put("f0Min", f0Min);
            if (festival == null) festival = Festival.start();
            synthesis = festival.synthesize(sentence, speaker.voice(), stretch, f0Min);
            alignment = Alignment.of(sentence, synthesis, LetterAligner.FESTIVAL);
        }

        // sox-style "speed F": read the audio as if sampled at F times its rate, so every time is
        // divided by F exactly (F is rounded so that the reading rate is a whole number of Hz).
        int readRate = (int) Math.round(synthesis.sampleRate() * options.speed());
        double speed = (double) readRate / synthesis.sampleRate();
        float[] x = new float[synthesis.samples().length];
        for (int i = 0; i < x.length; i++) x[i] = synthesis.samples()[i] / 32768f;
        float[] y = resamplers.computeIfAbsent(readRate, r -> new Resampler(r, SAMPLE_RATE)).process(x);
        alignment = alignment.divideTimes(speed);
        double duration = (double) y.length / SAMPLE_RATE;

        if (options.noiseSnrDb() != null) {
            long noiseSeed = variation.nextLong();
            parameters.put("noiseSeed", noiseSeed);
            double speechStart = alignment.words().getFirst().start(), speechEnd = alignment.words().getLast().end();
            Noise.add(y, (int) (speechStart * SAMPLE_RATE), (int) Math.ceil(speechEnd * SAMPLE_RATE), options.noiseSnrDb(),
                    options.noiseColor(), noiseSeed);
        }
        short[] pcm = new short[y.length];
        for (int i = 0; i < y.length; i++) pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(y[i] * 32768.0)));

        Map<String, Tier> tiers = new LinkedHashMap<>();
        tiers.put("words", tier("words", Alignment.contiguous(alignment.words(), duration), duration));
        tiers.put("phones", tier("phones", Alignment.contiguous(alignment.phones(), duration), duration));
        tiers.put("letters", tier("letters", Alignment.contiguous(alignment.letters(), duration), duration));
        StringBuilder spelled = new StringBuilder();
        for (wavlens.corpus.Interval iv : tiers.get("letters").items()) spelled.append(iv.text());
        if (!spelled.toString().equals(FinnishText.letters(sentence))) {
            throw new IllegalStateException("letters tier spells '" + spelled + "' for '" + sentence + "'");
        }

        Path folder = options.out().resolve(split).resolve(speaker.name());
        AtomicFiles.writeBytes(folder.resolve(id + ".wav"), WavFile.pcm16Mono(pcm, SAMPLE_RATE));
        TextGrid.write(folder.resolve(id + ".TextGrid"), new wavlens.corpus.Alignment(id, 0, duration, tiers));
        AtomicFiles.writeString(folder.resolve(id + ".lab"), sentence + "\n");
        return new Utterance(id, split, speaker, sentence, parameters, duration);
    }

    private static Tier tier(String name, List<Interval> intervals, double duration) {
        List<wavlens.corpus.Interval> items = new ArrayList<>(intervals.size());
        for (Interval iv : intervals) items.add(new wavlens.corpus.Interval(iv.start(), iv.end(), iv.label()));
        return new Tier(name, false, 0, duration, items);
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private void reportProgress(int done, int total, Utterance u, long startNanos) {
        if (options.progress() == null) return;
        if (done % 25 != 0 && done != total && done != 1) return;
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double eta = elapsed / done * (total - done);
        options.progress().printf(Locale.ROOT, "corpus synth: utterance %d of %d (%s, %s), %.1f s elapsed, ETA %.0f s%n",
                done, total, u.split(), u.speaker().name(), elapsed, eta);
    }

    private void writeDescription(Map<String, List<Speaker>> speakersOf, Map<String, List<String>> sentencesOf,
                                  List<Utterance> made, List<Map<String, Object>> dropped) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", "wavlens corpus synth");
        root.put("seed", options.seed());
        root.put("utterancesRequested", options.utterances());
        root.put("utterances", made.size());
        root.put("sampleRate", SAMPLE_RATE);
        root.put("format", "16-bit PCM mono WAV; TextGrid (long text format, UTF-8) with tiers words, phones, letters; transcript in .lab");
        root.put("layout", "<split>/<speaker>/<utterance>.wav|.TextGrid|.lab");
        Map<String, Object> speed = new LinkedHashMap<>();
        speed.put("requested", options.speed());
        speed.put("applied", (double) inputRate / EspeakNg.SAMPLE_RATE);
        speed.put("note", "sox speed: audio read at 22050*speed Hz and resampled to 16000 Hz; all times divided by the applied speed");
        root.put("speed", speed);
        Map<String, Object> noise = new LinkedHashMap<>();
        noise.put("snrDb", options.noiseSnrDb());
        noise.put("color", options.noiseSnrDb() == null ? null : options.noiseColor());
        noise.put("note", "additive noise; SNR relative to the mean power between the first and last word; per-utterance seed in noiseSeed");
        root.put("noise", noise);
        root.put("sentenceSource", Sentences.RESOURCE);
        if (options.trainingText() != null) {
            Map<String, Object> text = new LinkedHashMap<>();
            text.put("file", options.trainingText().toAbsolutePath().toString());
            text.put("sentences", trainingText.size() - trainingTextOverlap);
            text.put("leftOutAsBuiltIn", trainingTextOverlap);
            text.put("note", "extra sentences in the pretraining and finetune-train pools only");
            root.put("trainingText", text);
        }
        root.put("moreVoices", options.moreVoices());
        root.put("randomVoices", options.randomVoices());
        if (options.randomVoicesAllSettings()) root.put("randomVoiceSettings", "all");
        if (options.randomVoiceSeed() != null) root.put("randomVoiceSeed", options.randomVoiceSeed());
        root.put("mbrola", options.mbrola());
        if (options.mbrola()) root.put("mbrolaFormants", options.mbrolaFormants());
        if (options.festivalDiphones()) root.put("festivalDiphones", true);
        if (options.trainingVoices() != null && !options.trainingVoices().isEmpty()) root.put("trainingVoices", options.trainingVoices());

        Map<String, Object> splits = new LinkedHashMap<>();
        for (String split : SPLITS) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("sentences", sentencesOf.get(split).size());
            s.put("utterances", made.stream().filter(u -> u.split().equals(split)).count());
            s.put("speakers", speakersOf.get(split).stream().map(Speaker::name).sorted().toList());
            splits.put(split, s);
        }
        root.put("splits", splits);

        Map<String, Object> voices = new LinkedHashMap<>();
        List<Speaker> all = new ArrayList<>();
        for (List<Speaker> list : speakersOf.values()) for (Speaker sp : list) if (!all.contains(sp)) all.add(sp);
        all.sort(java.util.Comparator.comparing(Speaker::name));
        for (Speaker sp : all) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("engine", sp.engine());
            v.put("voice", switch (sp.engine()) {
                case "espeak-ng" -> "fi+" + sp.voice();
                case "mbrola" -> sp.voice() + " (" + diphoneVoice(sp).speaker()
                        + ", MBROLA) speaking espeak-ng's Finnish phones and durations";
                case "festival-diphone" -> Path.of(diphoneVoice(sp).festivalFolder()).getFileName() + " (" + diphoneVoice(sp).speaker()
                        + ", Festival diphones) speaking espeak-ng's Finnish phones and durations";
                default -> sp.voice().equals("mv") ? "hy_fi_mv_diphone" : "suo_fi_lj_diphone";
            });
            v.put("role", sp.role());
            if (randomVariantLines.containsKey(sp.voice())) v.put("variantFile", randomVariantLines.get(sp.voice()));
            v.put("utterances", made.stream().filter(u -> u.speaker().equals(sp)).count());
            voices.put(sp.name(), v);
        }
        root.put("voices", voices);
        root.put("dropped", dropped);

        List<Map<String, Object>> list = new ArrayList<>();
        for (Utterance u : made) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", u.id());
            e.put("split", u.split());
            e.put("speaker", u.speaker().name());
            e.put("path", u.split() + "/" + u.speaker().name() + "/" + u.id());
            e.put("text", u.sentence());
            e.put("seconds", Math.round(u.seconds() * 1e6) / 1e6);
            e.putAll(u.parameters());
            list.add(e);
        }
        root.put("utteranceList", list);
        Json.write(options.out().resolve("corpus.json"), root);
    }
}
