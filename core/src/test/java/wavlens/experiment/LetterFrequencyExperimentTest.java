package wavlens.experiment;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.cli.Main;
import wavlens.corpus.synth.CorpusSynthesizer;
import wavlens.corpus.synth.EspeakNg;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.report.Report;

/**
 * `wavlens experiment letter-frequency` end to end on a tiny synthesized corpus with the tiny
 * shared checkpoint: 2 variants, 3 fine-tuning steps each. Checks files and structure, not
 * accuracy; then a rerun reuses both models, a changed design is refused, and the result becomes
 * a report section.
 */
class LetterFrequencyExperimentTest {
    static final Path PRETRAINED = Path.of("../../shared/testdata/wav2vec2/base-group");

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.execute(args), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static String[] args(Path corpus, Path out, String steps) {
        return new String[] {"experiment", "letter-frequency", "--pretrained", PRETRAINED.toString(), "--corpus", corpus.toString(),
                "--out", out.toString(), "--variants", "2", "--steps", steps, "--batch-seconds", "6", "--bootstrap", "200", "--max-frames", "60"};
    }

    @Test
    void smallExperimentEndToEnd(@TempDir Path tmp) throws Exception {
        assumeTrue(EspeakNg.problem() == null, "espeak-ng not installed");
        Path corpus = tmp.resolve("corpus"), out = tmp.resolve("exp");
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(corpus, 40, 3).withFestival(false));

        Run r = run(args(corpus, out, "3"));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("design.json", "subsets.csv", "frequencies.csv", "manipulation.csv", "letter_clusters_pretrained.csv",
                "letter_accuracy.csv", "rows.csv", "fit_by_layer.csv", "coefficients.csv", "experiment.json",
                "data/variant-1.tsv", "data/variant-2.tsv", "data/test.tsv", "evaluation/variant-1.json", "evaluation/variant-2.json",
                "models/variant-1/training.json", "models/variant-2/model.safetensors", "figures/experiment-frequency.png",
                "figures/experiment-within.svg")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }

        // subsets: two, of about equal audio, from the finetune-train split only
        List<List<String>> subsets = Csv.read(out.resolve("subsets.csv"));
        double[] seconds = new double[2];
        Set<String> variants = new HashSet<>();
        for (List<String> row : subsets.subList(1, subsets.size())) {
            assertTrue(row.get(1).startsWith("finetune-train/"), row.toString());
            variants.add(row.get(0));
            seconds[Integer.parseInt(row.get(0)) - 1] += Double.parseDouble(row.get(2));
        }
        assertEquals(Set.of("1", "2"), variants);
        assertEquals(seconds[0], seconds[1], 5.0, "equal audio up to about one utterance");

        JsonNode e = Json.read(out.resolve("experiment.json"));
        assertFalse(e.path("verdict").asText().isBlank());
        assertTrue(r.out().contains(e.path("verdict").asText()), "the verdict is printed");
        assertEquals(2, e.path("variants").size());
        int letters = e.path("letters").size();
        assertTrue(letters >= 3, e.path("letters").toString());
        for (JsonNode v : e.path("variants")) {
            assertTrue(v.path("test_cer").isNumber());
            assertEquals(letters, v.path("boosted").size() + v.path("suppressed").size(), "two variants: every letter boosted or suppressed");
        }
        assertEquals(letters, e.path("manipulation").path("letters").size());
        JsonNode fit = e.path("fit");
        assertEquals(2 * fit.path("letters").size(), fit.path("rows").asInt());
        assertEquals(fit.path("layers").size(), fit.path("by_layer").size());
        assertTrue(fit.path("layers").toString().contains(fit.path("layer").asText()));
        assertTrue(fit.path("within_letter").path("per_sd").path("ci").isArray());
        List<List<String>> freq = Csv.read(out.resolve("frequencies.csv"));
        assertEquals(List.of("variant", "letter", "count", "relative", "role"), freq.get(0));
        List<List<String>> rows = Csv.read(out.resolve("rows.csv"));
        assertEquals(fit.path("rows").asInt() + 1, rows.size());

        // fit.json feeds `wavlens rank`: the experiment's own pretrained model as the candidate is measured again as the
        // fit says, and its purity at the fit's layer is the experiment's (letter_clusters_pretrained.csv)
        JsonNode rankFit = Json.read(out.resolve("fit.json"));
        assertEquals("experiment letter-frequency", rankFit.path("source").asText());
        assertEquals(fit.path("layer").asText(), rankFit.at("/measurement/layer").asText());
        Path m = tmp.resolve("m.json");
        Run stats = run("letter-stats", "--model", PRETRAINED.toString(), "--corpus", corpus.toString(), "--fit", out.resolve("fit.json").toString(),
                "--out", m.toString(), "--cache", tmp.resolve("cache").toString());
        assertEquals(0, stats.code(), stats.err());
        List<List<String>> lc = Csv.read(out.resolve("letter_clusters_pretrained.csv"));
        int checked = 0;
        for (List<String> row : lc.subList(1, lc.size())) {
            if (!row.get(1).equals(fit.path("layer").asText())) continue;
            assertEquals(Double.parseDouble(row.get(4)), Json.read(m).at("/letters/" + row.get(2) + "/purity").asDouble(), 1e-12, row.get(2));
            checked++;
        }
        assertTrue(checked >= letters, "every label of the layer compared");
        Run ranked = run("rank", "--fit", out.resolve("fit.json").toString(), "--models", m.toString(), "--target-corpus", corpus.toString());
        assertEquals(0, ranked.code(), ranked.err());
        assertTrue(ranked.out().contains("fit: experiment letter-frequency"), ranked.out());

        // rerun: both models reused, nothing trained
        Run again = run(args(corpus, out, "3"));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("0 models trained, 2 reused"), again.out());

        // another design in the same folder: one clear line
        Run changed = run(args(corpus, out, "4"));
        assertEquals(2, changed.code());
        assertTrue(changed.err().strip().lines().count() == 1 && changed.err().contains("steps was 3, now 4"), changed.err());

        // a report section with the verdict, two figures and the tables copied into the report
        Path report = tmp.resolve("report");
        Report.Section s = ExperimentReport.section(out, report);
        assertEquals("Letter frequency, controlled", s.heading());
        assertEquals(e.path("verdict").asText(), s.reading());
        assertEquals(2, s.figures().size());
        assertTrue(Files.exists(report.resolve("figures/experiment-within.png")));
        assertTrue(Files.exists(report.resolve("tables/experiment/coefficients.csv")));
    }

    @Test
    void badInputIsOneLine(@TempDir Path tmp) {
        Run r = run("experiment", "letter-frequency", "--pretrained", PRETRAINED.toString(), "--corpus", tmp.resolve("missing").toString(),
                "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("missing: no such file or folder"), r.err());
        Run v = run("experiment", "letter-frequency", "--pretrained", PRETRAINED.toString(), "--corpus", tmp.toString(),
                "--out", tmp.resolve("o").toString(), "--variants", "1");
        assertTrue(v.err().contains("--variants must be at least 2"), v.err());
    }
}
