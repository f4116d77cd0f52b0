package wavlens.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.corpus.synth.EspeakNg;
import wavlens.io.Json;

/**
 * `wavlens demo` end to end on the shipped demo models (models/demo-*), on a small corpus: the
 * report is written, and the fine-tuned demo model transcribes the held-out test voices and
 * sentences, which it never heard, about as well as models/README.md says; the shipped experiment is in the report.
 */
class DemoCommandTest {
    @Test
    void writesTheReportAndTheShippedFineTunedModelTranscribesHeldOutSpeech(@TempDir Path tmp) throws Exception {
        assumeTrue(EspeakNg.problem() == null, "espeak-ng not installed: apt-get install espeak-ng libespeak-ng1");
        EngineCliTest.Run r = EngineCliTest.run("demo", "--out", tmp.toString(), "--utterances", "60", "--projection", "pca");
        assertEquals(0, r.code(), r.err());
        Path report = tmp.resolve("report");
        assertTrue(Files.size(report.resolve("index.html")) > 10_000);
        JsonNode asr = Json.read(report.resolve("tables/asr.json"));
        assertEquals("test split", asr.path("set").asText());
        assertTrue(asr.path("utterances").asInt() > 0);
        // models/README.md: the shipped model's greedy CER is 5.15 % on the dev split, 7.04 % on the test split (held-out voices and sentences); this guards
        // against a broken model or pipeline (a random head gives ~100 %), it is not the quality bar
        assertTrue(asr.path("cer").asDouble() < 0.5, "fine-tuned demo model CER on held-out speech: " + asr.path("cer").asDouble());
        // the shipped letter-frequency experiment (models/demo-experiment) is its own section, with its figures
        String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains("Letter frequency, controlled"), "the report has the experiment's section");
        assertTrue(Files.exists(report.resolve("figures/experiment-within.png")));
        // the stage cache is beside the report, not in it
        assertFalse(Files.exists(report.resolve("cache")));
        assertTrue(Files.isDirectory(tmp.resolve("report.cache/stages")));

        // issue 29's "done when": one rank command with the demo's fit.json, two candidates and the demo corpus prints a ranking
        EngineCliTest.Run ranked = EngineCliTest.run("rank", "--fit", report.resolve("tables/fit.json").toString(), "--corpus", tmp.resolve("corpus").toString(),
                "--target-corpus", tmp.resolve("corpus").toString(), "--candidate", "demo:pretrained", "--candidate", "demo:finetuned",
                "--cache", tmp.resolve("rank-cache").toString());
        assertEquals(0, ranked.code(), ranked.err());
        List<String> lines = ranked.out().lines().toList();
        assertTrue(lines.get(0).startsWith("predicted f1 after fine-tuning (fit: analyze, layer "), ranked.out());
        assertTrue(lines.get(2).matches(" {3}1 {2}demo:\\S+ +-?\\d\\.\\d{4} {2}\\[-?\\d\\.\\d{4}, -?\\d\\.\\d{4}\\] {2}vs 2nd: .*"), lines.get(2));
        assertTrue(lines.get(3).matches(" {3}2 {2}demo:\\S+ .*vs 1st: .*"), lines.get(3));
        assertTrue(ranked.err().contains("rank: candidate 2 of 2: demo:finetuned"), ranked.err());
    }

    @Test
    void demoModelNamesWorkWhereverAModelFolderIsTaken() {
        EngineCliTest.Run bad = EngineCliTest.run("transcribe", "--model", "demo:nonesuch", "x.wav");
        EngineCliTest.assertOneLineError(bad, "nonesuch", "models/demo-nonesuch");
    }
}
