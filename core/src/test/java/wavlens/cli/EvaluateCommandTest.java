package wavlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static wavlens.cli.EngineCliTest.assertOneLineError;
import static wavlens.cli.EngineCliTest.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.Csv;
import wavlens.io.Json;

/**
 * wavlens evaluate on ctc-bin, whose greedy transcript of synthetic.wav the testdata gives
 * ("daäd dodhdadödodododödödadhadodaod dhd", 38 characters, 3 words): scored against references
 * with known edits, the error rates are counted by hand.
 */
class EvaluateCommandTest {
    static final Path CTC_BIN = EngineCliTest.ROOT.resolve("ctc-bin");

    @Test
    void errorRatesPerSpeakerAndOverallAreTheHandCountedOnes(@TempDir Path tmp) throws Exception {
        Path[] wav = new Path[3];
        for (int i = 0; i < wav.length; i++) wav[i] = Files.copy(CTC_BIN.resolve("inputs/synthetic.wav"), tmp.resolve("u" + i + ".wav"));
        Path manifest = tmp.resolve("corpus.tsv");
        Files.writeString(manifest, String.join("\n",
                "path\ttranscript\tspeaker",
                // spelled in the model's letters (lower case, the full stop dropped) it is the transcript: 0 edits of 38
                wav[0] + "\tDaäd dodhdadödodododödödadhadodaod DHD.\tanna",
                // the last word is missing from the reference: " dhd" are 4 insertions against 34 characters, 1 of 2 words
                wav[1] + "\tdaäd dodhdadödodododödödadhadodaod\tbert",
                wav[2] + "\t\tbert") + "\n");
        Path out = tmp.resolve("eval");
        EngineCliTest.Run r = run("evaluate", "--model", CTC_BIN.toString(), "--corpus", manifest.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());

        JsonNode asr = Json.read(out.resolve("asr.json"));
        assertEquals(2, asr.get("utterances").asInt());
        assertEquals(1, asr.get("skipped_without_transcript").asInt());
        assertEquals(72, asr.get("reference_chars").asInt());
        assertEquals(4.0 / 72, asr.get("cer").asDouble(), 1e-6);
        assertEquals(1.0 / 5, asr.get("wer").asDouble(), 1e-6);
        assertEquals(0.0, asr.at("/speakers/anna/cer").asDouble());
        assertEquals(4.0 / 34, asr.at("/speakers/bert/cer").asDouble(), 1e-6);
        assertEquals(0.5, asr.at("/speakers/bert/wer").asDouble(), 1e-6);

        List<List<String>> speakers = Csv.read(out.resolve("speakers.csv"));
        assertEquals(List.of("bert", "1", "34", "4"), speakers.get(2).subList(0, 4));
        List<List<String>> transcripts = Csv.read(out.resolve("transcripts.csv"));
        assertEquals("daäd dodhdadödodododödödadhadodaod dhd", transcripts.get(1).get(2), "the reference as the model spells it");
        assertEquals("daäd dodhdadödodododödödadhadodaod dhd", transcripts.get(1).get(3));
        assertEquals(0.0, Double.parseDouble(transcripts.get(1).get(4)));
        assertEquals(4.0 / 34, Double.parseDouble(transcripts.get(2).get(4)), 1e-6);
        assertTrue(Files.exists(out.resolve("letter_accuracy.csv")));
        assertTrue(r.out().contains("bert"), r.out());
    }

    @Test
    void nothingToScoreAndModelsWithoutAHeadAreOneLineErrors(@TempDir Path tmp) throws Exception {
        Path wav = CTC_BIN.resolve("inputs/synthetic.wav").toAbsolutePath();
        Path manifest = tmp.resolve("corpus.tsv");
        Files.writeString(manifest, wav + "\t\n");
        assertOneLineError(run("evaluate", "--model", CTC_BIN.toString(), "--corpus", manifest.toString()), manifest.toString(), "no utterance with a transcript");
        Files.writeString(manifest, wav + "\tdaäd\n");
        assertOneLineError(run("evaluate", "--model", EngineCliTest.ROOT.resolve("base-group").toString(), "--corpus", manifest.toString()),
                "no CTC head");
        assertOneLineError(run("evaluate", "--model", CTC_BIN.toString(), "--corpus", manifest.toString(), "--split", "test"), "split test");
    }
}
