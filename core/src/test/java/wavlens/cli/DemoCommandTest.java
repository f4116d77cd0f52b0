package wavlens.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
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
    }

    @Test
    void demoModelNamesWorkWhereverAModelFolderIsTaken() {
        EngineCliTest.Run bad = EngineCliTest.run("transcribe", "--model", "demo:nonesuch", "x.wav");
        EngineCliTest.assertOneLineError(bad, "nonesuch", "models/demo-nonesuch");
    }
}
