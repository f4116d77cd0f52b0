package wavlens.corpus;

import static org.junit.jupiter.api.Assertions.*;
import static wavlens.corpus.CorpusLayoutsTest.FLAC;
import static wavlens.corpus.CorpusLayoutsTest.SPEECH;
import static wavlens.corpus.CorpusLayoutsTest.SYNTHETIC;
import static wavlens.corpus.CorpusLayoutsTest.copy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.cli.Main;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Npy;

/**
 * {@code corpus info}, {@code extract}, {@code align} and {@code analyze} on every new layout,
 * through the command line. extract runs the tiny ctc-base checkpoint with its own predictions
 * as labels (these layouts carry no alignments); every stored frame of an utterance made of
 * speech_fi or synthetic (however the layout holds it: a file, a FLAC clip, a Parquet cell, a
 * Kaldi pipe's output) must equal PyTorch's hidden_states[2] of that input (the shared reference,
 * 98 and 64 frames), and the rows must carry the corpus's speaker, gender, age and split.
 */
class CorpusLayoutsCliTest {
    static final Path CASE = Path.of("../../shared/testdata/wav2vec2/ctc-base");
    static final Path SHARED = Path.of("../../shared/testdata/wav2vec2");

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static JsonNode lastJson(Run r) throws Exception {
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        return Json.MAPPER.readTree(lines[lines.length - 1]);
    }

    /** corpus info then extract; checks counts, seconds, metadata and the stored features against the reference. */
    static void infoAndExtract(Path corpus, Path store, int utterances, double seconds, Map<String, Map<String, Integer>> metadata,
                               Map<String, List<String>> rowMeta, String... extraArgs) throws Exception {
        String[] info = concat(new String[] {"corpus", "info", corpus.toString(), "--json"}, extraArgs);
        JsonNode json = lastJson(run(info));
        assertEquals(utterances, json.get("utterances").intValue(), json.toString());
        assertEquals(seconds, json.get("audio_seconds").doubleValue(), 1e-6);
        for (var field : metadata.entrySet()) {
            for (var value : field.getValue().entrySet()) {
                assertEquals(value.getValue().intValue(), json.path("metadata").path(field.getKey()).path(value.getKey()).asInt(), field + " in " + json);
            }
        }
        String[] extract = concat(new String[] {"extract", "--model", CASE.toString(), "--corpus", corpus.toString(), "--out", store.toString(),
                "--label-model", "self", "--layers", "2", "--pool", "frame"}, extraArgs);
        Run r = run(extract);
        assertEquals(0, r.code(), r.err());
        assertReferenceFrames(store, utterances);
        // every utterance's metadata as the corpus gives it: utt → speaker, gender, age, split
        List<List<String>> utts = Csv.read(store.resolve("utterances.csv"));
        List<String> h = utts.get(0);
        Map<String, List<String>> got = new HashMap<>();
        for (List<String> row : utts.subList(1, utts.size())) {
            got.put(row.get(h.indexOf("utt")), List.of(row.get(h.indexOf("speaker")), row.get(h.indexOf("gender")), row.get(h.indexOf("age")),
                    row.get(h.indexOf("split"))));
        }
        assertEquals(rowMeta, got);
    }

    /** Each utterance's frames in layer_2.npy are the reference hidden_states[2] of speech_fi (98 frames) or synthetic (64). */
    static void assertReferenceFrames(Path store, int utterances) throws Exception {
        List<List<String>> rows = Csv.read(store.resolve("frames/rows.csv"));
        int iUtt = rows.get(0).indexOf("utt"), iFrame = rows.get(0).indexOf("frame");
        Map<String, Integer> frames = new HashMap<>();
        for (List<String> row : rows.subList(1, rows.size())) frames.merge(row.get(iUtt), 1, Integer::sum);
        assertEquals(utterances, frames.size(), "every utterance stored: " + frames);
        float[] layer = Npy.read(store.resolve("frames/layer_2.npy")).asFloats();
        float[] speech = Npy.read(CASE.resolve("expected/speech_fi/hidden_states_02.npy")).asFloats();
        float[] synthetic = Npy.read(CASE.resolve("expected/synthetic/hidden_states_02.npy")).asFloats();
        int h = 48;
        for (int r = 1; r < rows.size(); r++) {
            int n = frames.get(rows.get(r).get(iUtt));
            assertTrue(n == 98 || n == 64, "frames of " + rows.get(r).get(iUtt) + ": " + n);
            float[] expected = n == 98 ? speech : synthetic;
            int t = Integer.parseInt(rows.get(r).get(iFrame));
            for (int d = 0; d < h; d++) {
                float e = expected[t * h + d], a = layer[(r - 1) * h + d];
                assertTrue(Math.abs(a - e) <= 5e-4 * (1 + Math.abs(e)), rows.get(r).get(iUtt) + " frame " + t + " dim " + d + ": " + a + " vs " + e);
            }
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static final double S = 31508 / 16000.0, Y = 20800 / 16000.0;

    @Test
    void commonVoice(@TempDir Path dir) throws Exception {
        Path root = CorpusLayoutsTest.commonVoice(dir);
        infoAndExtract(root, dir.resolve("store"), 4, 3 * S + Y,
                Map.of("split", Map.of("train", 2, "dev", 1, "validated", 1), "gender", Map.of("female", 2, "male", 1, "do_not_wish_to_say", 1),
                        "accent", Map.of("Savo", 2), "locale", Map.of("fi", 4)),
                Map.of("common_voice_fi_1", List.of("c0ffee01", "female", "twenties", "train"),
                        "common_voice_fi_2", List.of("c0ffee02", "male", "fourties", "train"),
                        "common_voice_fi_3", List.of("c0ffee01", "female", "twenties", "dev"),
                        "common_voice_fi_4", List.of("c0ffee04", "do_not_wish_to_say", "thirties", "validated")));
        // the release's accent and locale are store columns too (after split), for the report's colourings
        List<List<String>> rows = Csv.read(dir.resolve("store/frames/rows.csv"));
        List<String> header = rows.get(0);
        assertEquals(List.of("split", "accent", "locale"), header.subList(header.indexOf("split"), header.size()));
        Map<String, String> accentLocale = new HashMap<>();
        for (List<String> row : rows.subList(1, rows.size())) accentLocale.put(row.get(header.indexOf("utt")), row.get(header.indexOf("accent")) + "/" + row.get(header.indexOf("locale")));
        assertEquals("Savo/fi", accentLocale.get("common_voice_fi_1"));
        assertEquals(4, accentLocale.size());
        assertEquals(2, accentLocale.values().stream().filter("Savo/fi"::equals).count());
        List<String> uttHeader = Csv.read(dir.resolve("store/utterances.csv")).get(0);
        assertEquals(List.of("predicted_ids", "accent", "locale"), uttHeader.subList(uttHeader.size() - 3, uttHeader.size()));
        // --split picks the corpus's own split
        Run r = run("extract", "--model", CASE.toString(), "--corpus", root.toString(), "--out", dir.resolve("dev").toString(),
                "--label-model", "self", "--layers", "2", "--pool", "frame", "--split", "dev");
        assertEquals(0, r.code(), r.err());
        assertReferenceFrames(dir.resolve("dev"), 1);
    }

    /** MP3 clips as Common Voice ships them: extracted whole; the cut clip and the one that is no audio are named in problems.csv. */
    @Test
    void commonVoiceMp3(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("cv/fi");
        copy(CorpusLayoutsTest.MP3, root.resolve("clips/x1.mp3"));
        Files.write(root.resolve("clips/x2.mp3"), java.util.Arrays.copyOf(Files.readAllBytes(CorpusLayoutsTest.MP3), 1500));
        Files.writeString(root.resolve("clips/x3.mp3"), "<html>403 Forbidden</html>");
        String header = "client_id\tpath\tsentence\tup_votes\tdown_votes\tage\tgender\taccents\tlocale\tsegment\n";
        Files.writeString(root.resolve("test.tsv"), header + "a\tx1.mp3\thyvää\t2\t0\tteens\tfemale\t\tfi\t\n"
                + "b\tx2.mp3\tkiitos\t2\t0\t\t\t\tfi\t\n" + "c\tx3.mp3\tterve\t2\t0\t\t\t\tfi\t\n");
        Path store = dir.resolve("store");
        Run r = run("extract", "--model", CASE.toString(), "--corpus", root.toString(), "--out", store.toString(),
                "--label-model", "self", "--layers", "2", "--pool", "frame");
        assertEquals(0, r.code(), r.err());
        List<List<String>> rows = Csv.read(store.resolve("frames/rows.csv"));
        long x1 = rows.stream().skip(1).filter(row -> row.get(rows.get(0).indexOf("utt")).equals("x1")).count();
        // ffmpeg's 32832 samples (see CorpusLayoutsTest.commonVoiceMp3Clips) make (32832 - 400) / 320 + 1 = 102 frames; one codec frame = 1.8 frames
        assertEquals(102, x1, 2);
        String problems = Files.readString(store.resolve("problems.csv"));
        for (String clip : new String[] {"x2.mp3", "x3.mp3"}) assertTrue(problems.contains(root.resolve("clips").resolve(clip).toString()), clip + " in " + problems);
    }

    @Test
    void libriSpeechAndMls(@TempDir Path dir) throws Exception {
        Path ls = dir.resolve("LibriSpeech");
        copy(FLAC, ls.resolve("dev-clean/84/121123/84-121123-0000.flac"));
        Files.writeString(ls.resolve("dev-clean/84/121123/84-121123.trans.txt"), "84-121123-0000 GO DO YOU HEAR\n");
        Files.writeString(ls.resolve("SPEAKERS.TXT"), ";ID  |SEX| SUBSET           |MINUTES| NAME\n84   | F | dev-clean        |  8.02 | Christie Nowak\n");
        infoAndExtract(ls, dir.resolve("ls-store"), 1, S, Map.of("split", Map.of("dev-clean", 1)),
                Map.of("dev-clean/84-121123-0000", List.of("84", "female", "", "dev-clean")));

        Path mls = dir.resolve("mls_finnish");
        copy(FLAC, mls.resolve("test/audio/1234/567/1234_567_000001.flac"));
        Files.writeString(mls.resolve("test/transcripts.txt"), "1234_567_000001\thyvää huomenta\n");
        Files.writeString(mls.resolve("metainfo.txt"), "SPEAKER | GENDER | PARTITION | MINUTES | BOOK ID | TITLE | CHAPTER\n1234 | M | test | 1 | 567 | K | 1\n");
        infoAndExtract(mls, dir.resolve("mls-store"), 1, S, Map.of("split", Map.of("test", 1), "gender", Map.of("male", 1)),
                Map.of("test/1234_567_000001", List.of("1234", "male", "", "test")));
    }

    @Test
    void fleursAndAudiofolder(@TempDir Path dir) throws Exception {
        Path fleurs = dir.resolve("fi_fi");
        copy(SPEECH, fleurs.resolve("audio/test/1.wav"));
        copy(SYNTHETIC, fleurs.resolve("audio/train/2.wav"));
        Files.writeString(fleurs.resolve("test.tsv"), "17\t1.wav\tHyvää huomenta.\thyvää huomenta\th y v ä ä\t31508\tFEMALE\n");
        Files.writeString(fleurs.resolve("train.tsv"), "18\t2.wav\tKiitos.\tkiitos\tk i i t o s\t20800\tMALE\n");
        infoAndExtract(fleurs, dir.resolve("fleurs-store"), 2, S + Y, Map.of("split", Map.of("test", 1, "train", 1)),
                Map.of("test/1", List.of("", "female", "", "test"), "train/2", List.of("", "male", "", "train")));

        Path af = dir.resolve("audiofolder");
        copy(SPEECH, af.resolve("clips/a.wav"));
        Files.writeString(af.resolve("metadata.jsonl"), "{\"file_name\": \"clips/a.wav\", \"sentence\": \"terve\", \"who\": \"anna\", \"sex\": \"F\", \"age\": \"30\"}\n");
        // the speaker column has no usual name: given by flag
        infoAndExtract(af, dir.resolve("af-store"), 1, S, Map.of("gender", Map.of("female", 1)),
                Map.of("clips/a", List.of("anna", "female", "30", "")), "--speaker-column", "who");
    }

    @Test
    void parquetShardsThenAlignWritesTheirAudio(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("hf");
        copy(CorpusTest.FIXTURES.resolve("hf/data/train-00000-of-00001.parquet"), root.resolve("data/train-00000-of-00001.parquet"));
        copy(CorpusTest.FIXTURES.resolve("hf/data/test-00000-of-00001.parquet"), root.resolve("data/test-00000-of-00001.parquet"));
        infoAndExtract(root, dir.resolve("store"), 3, 2 * S + Y, Map.of("split", Map.of("train", 2, "test", 1), "gender", Map.of("female", 2, "male", 1)),
                Map.of("train/common_voice_fi_1", List.of("spk_a", "female", "twenties", "train"),
                        "train/common_voice_fi_2", List.of("spk_b", "male", "fourties", "train"),
                        "test/fi_3", List.of("spk_a", "female", "twenties", "test")));
        // align: the cells' audio is written beside the TextGrids, and the manifest is a corpus that extract reads again
        Path aligned = dir.resolve("aligned");
        Run a = run("align", "--model", CASE.toString(), "--corpus", root.toString(), "--out", aligned.toString());
        assertEquals(0, a.code(), a.err());
        Corpus back = Corpus.open(aligned.resolve("manifest.tsv"));
        assertEquals(3, back.utterances().size(), back.problems().toString());
        Utterance u = CorpusTest.byId(back, "train/common_voice_fi_1");
        assertEquals(aligned.resolve("train/common_voice_fi_1.wav").toAbsolutePath(), u.audioPath());
        assertEquals(List.of("spk_a", "female", "twenties", "train"), java.util.Arrays.asList(u.speaker(), u.gender(), u.age(), u.split()));
        assertNotNull(u.alignment(), "aligned");
        // 16-bit PCM of the decoded 16-bit cell: the reference's samples exactly
        assertArrayEquals(wavlens.audio.AudioFile.read(SPEECH).samples(), wavlens.audio.AudioFile.read(u.audioPath()).samples());
    }

    @Test
    void kaldiPipes(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("s5/data/test"));
        copy(SPEECH, dir.resolve("s5/audio/rec1.wav"));
        copy(FLAC, dir.resolve("s5/audio/rec2.flac"));
        Files.writeString(data.resolve("wav.scp"), "rec1 sox audio/rec1.wav -t wav - |\nrec2 sox audio/rec2.flac -t wav - |\nrec3 sox audio/gone.flac -t wav - |\n");
        Files.writeString(data.resolve("text"), "rec1 hyvää huomenta\nrec2 kiitos\nrec3 ei\n");
        Files.writeString(data.resolve("utt2spk"), "rec1 s1\nrec2 s2\nrec3 s2\n");
        Files.writeString(data.resolve("spk2gender"), "s1 f\ns2 m\n");
        infoAndExtract(data, dir.resolve("store"), 2, 2 * S, Map.of("gender", Map.of("female", 1, "male", 1)),
                Map.of("rec1", List.of("s1", "female", "", ""), "rec2", List.of("s2", "male", "", "")));
        String problems = Files.readString(dir.resolve("store/problems.csv"));
        assertTrue(problems.contains("line 3: piped command 'sox audio/gone.flac -t wav -' failed with exit code 2"), problems);
    }

    /**
     * A Common Voice folder through the whole method: align gives it letters (the aligned manifest
     * keeps the release's speakers, genders, ages and splits), analyze runs on that, and the store
     * it makes carries the Common Voice metadata row by row.
     */
    @Test
    void analyzeRunsOnAnAlignedCommonVoiceRelease(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("cv/fi");
        copy(SPEECH, root.resolve("clips/a.wav"));
        copy(SPEECH, root.resolve("clips/b.wav"));
        copy(SPEECH, root.resolve("clips/c.wav"));
        copy(SPEECH, root.resolve("clips/d.wav"));
        String header = "client_id\tpath\tsentence\tup_votes\tdown_votes\tage\tgender\taccent\tlocale\tsegment\n";
        Files.writeString(root.resolve("train.tsv"), header + "s1\ta.wav\thyvää huomenta\t2\t0\ttwenties\tfemale\t\tfi\t\n"
                + "s2\tb.wav\tmitä kuuluu\t2\t0\tthirties\tmale\t\tfi\t\n");
        Files.writeString(root.resolve("test.tsv"), header + "s3\tc.wav\tkiitos hyvää\t2\t0\tforties\tfemale\t\tfi\t\n"
                + "s4\td.wav\thyvää päivää\t2\t0\tfifties\tmale\t\tfi\t\n");
        Path aligned = dir.resolve("aligned");
        Run a = run("align", "--model", CASE.toString(), "--corpus", root.toString(), "--out", aligned.toString());
        assertEquals(0, a.code(), a.err());
        Path report = dir.resolve("report");
        Run r = run("analyze", "--pretrained", SHARED.resolve("base-group").toString(), "--finetuned", CASE.toString(),
                "--corpus", aligned.resolve("manifest.tsv").toString(), "--out", report.toString(), "--restarts", "1", "--max-frames", "40",
                "--probe-iterations", "20", "--projection", "pca", "--map-points", "200");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(report.resolve("index.html")));
        assertTrue(Files.exists(report.resolve("tables/cluster_metrics_pretrained.csv")));
        // the report's stores (in its stage cache beside it) hold the release's metadata per frame
        Path rows = null;
        try (var walk = Files.walk(wavlens.pipeline.Analysis.cacheOf(report))) {
            rows = walk.filter(p -> p.endsWith(Path.of("frames/rows.csv"))).findFirst().orElseThrow();
        }
        List<List<String>> table = Csv.read(rows);
        List<String> h = table.get(0);
        Map<String, String> genderOf = new HashMap<>();
        for (List<String> row : table.subList(1, table.size())) genderOf.put(row.get(h.indexOf("speaker")), row.get(h.indexOf("gender")) + "/" + row.get(h.indexOf("age")) + "/" + row.get(h.indexOf("split")));
        assertEquals("female/twenties/train", genderOf.get("s1"));
        assertEquals("male/fifties/test", genderOf.get("s4"));
    }
}
