package wavlens.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

/**
 * The whole analysis on the shared tiny checkpoints (base-group as "pretrained", ctc-base as
 * "fine-tuned": the same architecture) over a small hand-aligned corpus, then the cache: an
 * unchanged rerun runs no stage, a changed --k reruns the clustering and what depends on it only.
 */
class AnalysisTest {
    static final Path SHARED = Path.of("../../shared/testdata/wav2vec2");

    /** Six utterances in finetune-train/ and test/ folders, letters tier "hyvää päivää"-like spans. */
    static Path corpus(Path dir) throws Exception {
        String[] splits = {"finetune-train", "finetune-train", "finetune-train", "test", "test", "test"};
        String[] words = {"hyvää huomenta", "mitä kuuluu", "kiitos hyvää", "hyvää päivää", "mitä kuuluu", "hyvää huomenta"};
        for (int i = 0; i < splits.length; i++) {
            Path d = Files.createDirectories(dir.resolve(splits[i]).resolve("spk" + (i % 2)));
            Files.copy(SHARED.resolve("ctc-base/inputs/speech_fi.wav"), d.resolve("u" + i + ".wav"));
            double end = 31508 / 16000.0;
            String letters = words[i].replace(" ", "");
            List<Interval> items = new ArrayList<>();
            double step = (end - 0.2) / letters.length();
            items.add(new Interval(0, 0.1, ""));
            for (int j = 0; j < letters.length(); j++) items.add(new Interval(0.1 + j * step, 0.1 + (j + 1) * step, letters.substring(j, j + 1)));
            items.add(new Interval(0.1 + letters.length() * step, end, ""));
            Tier tier = new Tier("letters", false, 0, end, items);
            TextGrid.write(d.resolve("u" + i + ".TextGrid"), new Alignment("u.TextGrid", 0, end, Map.of("letters", tier)));
            Files.writeString(d.resolve("u" + i + ".lab"), words[i]);
        }
        return dir;
    }

    static Analysis.Options options(Path corpus, Path out, int k) {
        return new Analysis.Options(SHARED.resolve("base-group"), SHARED.resolve("ctc-base"), corpus, null, "all", out, k, true, 2, 1, 40, 50,
                "pca", 300, false, "f1");
    }

    @Test
    void wholeMethodRunsAndRerunsOnlyWhatChanged(@TempDir Path tmp) throws Exception {
        Path corpus = corpus(tmp.resolve("corpus"));
        Path out = tmp.resolve("report");
        Analysis.Result first = new Analysis(options(corpus, out, 0)).run();
        assertEquals(0, first.stagesReused());
        for (String f : new String[] {"cluster_metrics_pretrained.csv", "cluster_metrics_finetuned.csv", "cka.csv", "weight_change.csv",
                "probe_pretrained.csv", "asr.json", "letter_accuracy.csv", "frame_mistakes.csv", "accuracy_relation.json", "fit.json",
                "cluster_recognizer.csv", "maps_pretrained.csv"}) {
            assertTrue(Files.exists(out.resolve("tables").resolve(f)), f);
        }
        assertTrue(Files.readString(out.resolve("index.html")).contains("character error rate"));
        JsonNode run = Json.read(out.resolve("run.json"));
        assertEquals(1, run.path("options").path("seed").asInt());

        // the transcripts the report scores are the reference ctc-base transcription of speech_fi
        List<List<String>> t = Csv.read(out.resolve("tables/transcripts.csv"));
        assertEquals(Files.readString(SHARED.resolve("ctc-base/expected/speech_fi/transcription.txt")), t.get(1).get(2));
        // CKA of a layer with itself across identical stores is 1; here the models differ, so values are in (0, 1]
        for (List<String> r : Csv.read(out.resolve("tables/cka.csv")).subList(1, 17)) {
            double v = Double.parseDouble(r.get(2));
            assertTrue(v > 0 && v <= 1 + 1e-9, r.toString());
        }

        Analysis.Result again = new Analysis(options(corpus, out, 0)).run();
        assertEquals(0, again.stagesRun(), "nothing changed, nothing recomputed");

        Analysis.Result changedK = new Analysis(options(corpus, out, 5)).run();
        // clusters (2 models), clusters vs metadata, the regression, the recogniser and the report depend on k; extraction, CKA, probes, maps do not
        assertEquals(6, changedK.stagesRun());
        List<List<String>> m = Csv.read(out.resolve("tables/cluster_metrics_pretrained.csv"));
        assertEquals("5", m.get(1).get(m.get(0).indexOf("k")));
    }
}
