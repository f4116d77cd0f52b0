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
import wavlens.cli.Main;
import wavlens.corpus.Alignment;
import wavlens.corpus.Interval;
import wavlens.corpus.TextGrid;
import wavlens.corpus.Tier;
import wavlens.io.Csv;
import wavlens.io.Json;

/**
 * `wavlens analyze` end to end on a WavLM pair (tools/reference/families.py's wavlm-pair-pretrained
 * as "pretrained", wavlm-pair-ctc as "fine-tuned": same shape) over a small hand-aligned corpus
 * of the reference's speech input; the transcripts the report scores are the reference's.
 */
class WavLmAnalysisTest {
    static final Path FAMILIES = Path.of("src/test/resources/families");

    static Path corpus(Path dir) throws Exception {
        String[] splits = {"finetune-train", "finetune-train", "finetune-train", "test", "test", "test"};
        String[] words = {"hyvää huomenta", "mitä kuuluu", "kiitos hyvää", "hyvää päivää", "mitä kuuluu", "hyvää huomenta"};
        double end = 9600 / 16000.0;
        for (int i = 0; i < splits.length; i++) {
            Path d = Files.createDirectories(dir.resolve(splits[i]).resolve("spk" + (i % 2)));
            Files.copy(FAMILIES.resolve("wavlm-pair-ctc/inputs/speech.wav"), d.resolve("u" + i + ".wav"));
            String letters = words[i].replace(" ", "");
            List<Interval> items = new ArrayList<>();
            double step = (end - 0.1) / letters.length();
            items.add(new Interval(0, 0.05, ""));
            for (int j = 0; j < letters.length(); j++) items.add(new Interval(0.05 + j * step, 0.05 + (j + 1) * step, letters.substring(j, j + 1)));
            items.add(new Interval(0.05 + letters.length() * step, end, ""));
            Tier tier = new Tier("letters", false, 0, end, items);
            TextGrid.write(d.resolve("u" + i + ".TextGrid"), new Alignment("u.TextGrid", 0, end, Map.of("letters", tier)));
            Files.writeString(d.resolve("u" + i + ".lab"), words[i]);
        }
        return dir;
    }

    @Test
    void analyzeRunsOnAWavLmPair(@TempDir Path tmp) throws Exception {
        Path corpus = corpus(tmp.resolve("corpus"));
        Path out = tmp.resolve("report");
        int code = Main.execute("analyze", "--pretrained", FAMILIES.resolve("wavlm-pair-pretrained").toString(),
                "--finetuned", FAMILIES.resolve("wavlm-pair-ctc").toString(), "--corpus", corpus.toString(),
                "--out", out.toString(), "--projection", "pca", "--map-points", "300", "--max-frames", "40",
                "--probe-iterations", "50", "--restarts", "2");
        assertEquals(0, code);
        for (String f : new String[] {"cluster_metrics_pretrained.csv", "cluster_metrics_finetuned.csv", "cka.csv", "weight_change.csv",
                "probe_pretrained.csv", "asr.json", "letter_accuracy.csv", "accuracy_relation.json", "fit.json", "maps_pretrained.csv"}) {
            assertTrue(Files.exists(out.resolve("tables").resolve(f)), f);
        }
        assertTrue(Files.readString(out.resolve("index.html")).contains("character error rate"));
        // every hidden state of both models: 3 layers (hidden_states 0..2) per model
        List<List<String>> clusters = Csv.read(out.resolve("tables/cluster_metrics_pretrained.csv"));
        int layerCol = clusters.get(0).indexOf("layer");
        assertTrue(clusters.stream().skip(1).map(r -> r.get(layerCol)).distinct().count() >= 3, clusters.toString());
        // the transcripts are the reference WavLM CTC model's transcription of the speech input
        List<List<String>> t = Csv.read(out.resolve("tables/transcripts.csv"));
        String expected = Files.readString(FAMILIES.resolve("wavlm-pair-ctc/expected/speech/transcription.txt"));
        assertEquals(expected, t.get(1).get(2));
        // the weights pair up by name under the wavlm. prefix: every block of the network is compared
        List<String> blocks = Csv.read(out.resolve("tables/weight_change.csv")).stream().skip(1).map(r -> r.get(0)).toList();
        assertTrue(blocks.containsAll(List.of("cnn", "projection", "positional_conv", "layer_1", "layer_2")), blocks.toString());
        JsonNode run = Json.read(out.resolve("run.json"));
        assertEquals(1, run.path("options").path("seed").asInt());
    }

    /**
     * A WavLM pretrained model against a fine-tuned conformer of another depth: every table sets
     * their layers side by side, so this is one line naming both folders, before any extraction.
     */
    @Test
    void aPairOfOtherShapesIsOneLine(@TempDir Path tmp) throws Exception {
        Path corpus = corpus(tmp.resolve("corpus"));
        Path pre = FAMILIES.resolve("wavlm-pair-pretrained"), ft = FAMILIES.resolve("conformer-rel-ctc");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute("analyze", "--pretrained", pre.toString(), "--finetuned", ft.toString(), "--corpus", corpus.toString(),
                    "--out", tmp.resolve("report").toString());
        } finally {
            System.setErr(old);
        }
        String e = err.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(2, code, e);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("wavlens: " + ft + ": has ") && e.contains(pre.toString()), e);
        assertFalse(Files.exists(Analysis.cacheOf(tmp.resolve("report")).resolve("store-pretrained")), "nothing extracted");
    }
}
