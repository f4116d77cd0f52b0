package wavlens.store;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.corpus.Alignment;
import wavlens.corpus.Interval;
import wavlens.corpus.TextGrid;
import wavlens.corpus.Tier;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.model.Wav2Vec2;

/**
 * The feature store against independent numbers: the shared reference hidden states of
 * ctc-base/speech_fi (98 frames), labelled by a hand-written TextGrid.
 */
class ExtractorTest {
    static final Path CASE = Path.of("../../shared/testdata/wav2vec2/ctc-base");

    /** A folder corpus: two copies of speech_fi.wav (two speakers) with a TextGrid a | b | silence. */
    static Path corpus(Path dir, boolean withCorruptThird) throws Exception {
        for (String spk : new String[] {"s1", "s2"}) {
            Path d = Files.createDirectories(dir.resolve(spk));
            Files.copy(CASE.resolve("inputs/speech_fi.wav"), d.resolve("u.wav"));
            double end = 31508 / 16000.0;
            Tier letters = new Tier("letters", false, 0, end, List.of(new Interval(0, 0.5, "a"), new Interval(0.5, 1.0, "b"), new Interval(1.0, end, "")));
            TextGrid.write(d.resolve("u.TextGrid"), new Alignment("u.TextGrid", 0, end, Map.of("letters", letters)));
            Files.writeString(d.resolve("u.lab"), "ab");
        }
        if (withCorruptThird) {
            Path d = Files.createDirectories(dir.resolve("s3"));
            byte[] wav = Files.readAllBytes(CASE.resolve("inputs/speech_fi.wav"));
            byte[] broken = java.util.Arrays.copyOf(wav, wav.length);
            Files.write(d.resolve("u.wav"), java.util.Arrays.copyOf(broken, 44 + 1000));   // header promises more than is there
            Files.copy(dir.resolve("s1/u.TextGrid"), d.resolve("u.TextGrid"));
        }
        return dir;
    }

    static Extractor.Options options(Path corpus, Path out, int maxPerLabel, int limit) {
        return new Extractor.Options(CASE, corpus, out, "all", maxPerLabel, Extractor.Pool.BOTH, false, null, 7, false, false, false, limit, null, null);
    }

    @Test
    void storedFramesAreTheReferenceHiddenStatesWithHandCheckedLabels(@TempDir Path tmp) throws Exception {
        Path corpus = corpus(tmp.resolve("corpus"), false);
        Path out = tmp.resolve("store");
        try (Wav2Vec2 m = Wav2Vec2.load(CASE)) {
            Extractor.Summary s = new Extractor(options(corpus, out, 0, 0)).run(m);
            assertTrue(s.complete());
            assertEquals(2 * 98, s.frames());
        }
        List<List<String>> rows = Csv.read(out.resolve("frames/rows.csv"));
        List<String> header = rows.get(0);
        int utt = header.indexOf("utt"), frame = header.indexOf("frame"), label = header.indexOf("label"), time = header.indexOf("time");
        float[] layer2 = Npy.read(out.resolve("frames/layer_2.npy")).asFloats();
        float[] expected = Npy.read(CASE.resolve("expected/speech_fi/hidden_states_02.npy")).asFloats();
        int h = 48;
        int aCount = 0, bCount = 0;
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            int t = Integer.parseInt(row.get(frame));
            // frame centre (320 t + 200) / 16000 s: 'a' before 0.5 s, 'b' before 1.0 s, then silence
            double centre = (320.0 * t + 200) / 16000;
            assertEquals(centre, Double.parseDouble(row.get(time)), 1e-6);
            String want = centre < 0.5 ? "a" : centre < 1.0 ? "b" : "<sil>";
            assertEquals(want, row.get(label), "frame " + t);
            if (row.get(utt).startsWith("s1")) {
                if (want.equals("a")) aCount++;
                if (want.equals("b")) bCount++;
            }
            for (int d = 0; d < h; d++) {
                float e = expected[t * h + d], a = layer2[(r - 1) * h + d];
                assertTrue(Math.abs(a - e) <= 5e-4 * (1 + Math.abs(e)), "row " + (r - 1) + " dim " + d + ": " + a + " vs " + e);
            }
        }
        assertEquals(25, aCount);   // centres 12.5 … 492.5 ms
        assertEquals(25, bCount);   // 512.5 … 992.5 ms
        // segments: the 'a' segment is the mean of frames 0..24 of hidden_states_02
        List<List<String>> seg = Csv.read(out.resolve("segments/rows.csv"));
        float[] segLayer = Npy.read(out.resolve("segments/layer_2.npy")).asFloats();
        int segLabel = seg.get(0).indexOf("label");
        assertEquals("a", seg.get(1).get(segLabel));
        for (int d = 0; d < h; d++) {
            double mean = 0;
            for (int t = 0; t < 25; t++) mean += expected[t * h + d];
            mean /= 25;
            assertEquals(mean, segLayer[d], 5e-4 * (1 + Math.abs(mean)));
        }
        JsonNode store = Json.read(out.resolve("store.json"));
        assertTrue(store.path("complete").asBoolean());
        assertEquals(50, store.path("label_frame_counts").path("a").asInt());
    }

    @Test
    void interruptedRunResumesToTheSameStoreAndBadAudioIsReportedNotFatal(@TempDir Path tmp) throws Exception {
        Path corpus = corpus(tmp.resolve("corpus"), true);
        Path whole = tmp.resolve("whole"), pieces = tmp.resolve("pieces");
        try (Wav2Vec2 m = Wav2Vec2.load(CASE)) {
            Extractor.Summary all = new Extractor(options(corpus, whole, 10, 0)).run(m);
            assertTrue(all.complete());
            Extractor.Summary first = new Extractor(options(corpus, pieces, 10, 1)).run(m);
            assertFalse(first.complete());
            assertFalse(Files.exists(pieces.resolve("frames/layer_0.npy")), "no final arrays before the last utterance");
            Extractor.Summary second = new Extractor(options(corpus, pieces, 10, 0)).run(m);
            assertTrue(second.complete());
            assertEquals(1, second.resumed());
        }
        assertEquals(Files.readString(whole.resolve("frames/rows.csv")), Files.readString(pieces.resolve("frames/rows.csv")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("frames/layer_3.npy")), Files.readAllBytes(pieces.resolve("frames/layer_3.npy")));
        // budget of 10 per label: about 10 of each of a, b, <sil> (Bernoulli sampling at 10/count)
        List<List<String>> rows = Csv.read(whole.resolve("frames/rows.csv"));
        assertTrue(rows.size() - 1 < 2 * 98, "subsampled");
        String problems = Files.readString(whole.resolve("problems.csv"));
        assertTrue(problems.contains("s3"), problems);
    }

    /** Without an alignment, frames take the CTC model's own argmax (reference predicted_ids), blank as <blank>. */
    @Test
    void labelsFromTheModelsOwnPredictions(@TempDir Path tmp) throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        Files.copy(CASE.resolve("inputs/speech_fi.wav"), corpus.resolve("u.wav"));
        Path out = tmp.resolve("store");
        try (Wav2Vec2 m = Wav2Vec2.load(CASE)) {
            Extractor.Options o = new Extractor.Options(CASE, corpus, out, "all", 0, Extractor.Pool.FRAME, false, null, 7, false, false, false, 0, m, null);
            assertTrue(new Extractor(o).run(m).complete());
        }
        int[] predicted = Npy.read(CASE.resolve("expected/speech_fi/predicted_ids.npy")).ints();
        JsonNode vocab = Json.read(CASE.resolve("vocab.json"));
        String[] tokens = new String[32];
        vocab.fields().forEachRemaining(e -> tokens[e.getValue().asInt()] = e.getKey());
        List<List<String>> rows = Csv.read(out.resolve("frames/rows.csv"));
        int label = rows.get(0).indexOf("label"), frame = rows.get(0).indexOf("frame");
        assertEquals(98, rows.size() - 1);
        for (List<String> r : rows.subList(1, rows.size())) {
            int t = Integer.parseInt(r.get(frame));
            String want = predicted[t] == 0 ? "<blank>" : tokens[predicted[t]].equals("[UNK]") ? "<unk>" : tokens[predicted[t]];
            assertEquals(want, r.get(label), "frame " + t);
        }
    }
}
