package wavlens.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.corpus.LetterTable;
import wavlens.model.Preprocessor;
import wavlens.model.Vocabulary;
import wavlens.model.Wav2Vec2Config;

/**
 * The dev CER that fine-tuning logs, on ctc-bin, whose greedy transcript of synthetic.wav the
 * testdata gives ("daäd dodhdadödodododödödadhadodaod dhd"): against references with known edits
 * it is the hand-counted ratio, the same number `wavlens evaluate` reports.
 */
class DevCerTest {
    static final Path CTC_BIN = Path.of("../../shared/testdata/wav2vec2/ctc-bin");
    static final String TRANSCRIPT = "daäd dodhdadödodododödödadhadodaod dhd";

    @Test
    void devCerIsCharacterEditsOverReferenceCharactersOverTheWholeSet(@TempDir Path tmp) throws Exception {
        Path[] wav = new Path[2];
        for (int i = 0; i < wav.length; i++) wav[i] = Files.copy(CTC_BIN.resolve("inputs/synthetic.wav"), tmp.resolve("u" + i + ".wav"));
        Path manifest = tmp.resolve("dev.tsv");
        Files.writeString(manifest, String.join("\n", "path\ttranscript",
                wav[0] + "\t" + TRANSCRIPT,                                  // 0 edits of 38
                wav[1] + "\tdaäd dodhdadödodododödödadhadodaod") + "\n");     // " dhd" inserted: 4 edits of 34

        TrainableModel model = TrainableModel.load(CTC_BIN);
        Wav2Vec2Config cfg = Wav2Vec2Config.read(CTC_BIN.resolve("config.json"));
        Preprocessor pre = Preprocessor.read(CTC_BIN, cfg);
        LetterTable table = LetterTable.finnish();
        TrainingData dev = TrainingData.load(manifest, pre, cfg, CtcVocabulary.of(table), table, 600, 1);
        assertEquals(2, dev.items.size(), dev.problems.toString());
        Vocabulary decoder = Vocabulary.read(CTC_BIN, cfg);

        // batches of one utterance and of both give the same transcripts (padding does not leak)
        assertEquals(List.of(TRANSCRIPT, TRANSCRIPT), FineTuning.transcribe(model, dev, decoder, 1e-3));
        assertEquals(List.of(TRANSCRIPT, TRANSCRIPT), FineTuning.transcribe(model, dev, decoder, 600));
        assertEquals(4.0 / 72, FineTuning.characterErrorRate(model, dev, decoder, 600), 1e-12);
    }
}
