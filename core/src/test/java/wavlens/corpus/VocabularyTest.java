package wavlens.corpus;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.UserError;

class VocabularyTest {
    static final Path VOCAB = Path.of("../../shared/testdata/wav2vec2/ctc-base/vocab.json");

    @Test
    void readsHfVocabulary() {
        Vocabulary v = Vocabulary.read(VOCAB);
        assertEquals(32, v.ids().size());
        assertEquals(0, v.ids().get("[PAD]"));
        assertEquals(2, v.ids().get("|"));
        assertEquals(31, v.ids().get("ö"));
    }

    @Test
    void reportsCharactersOutsideTheVocabulary() {
        Vocabulary v = Vocabulary.read(VOCAB);
        assertEquals(List.of(), v.missing("hyvää|huomenta"));
        assertEquals(List.of("š", "ž"), v.missing("šakki|žeš")); // each once, in order
        Utterance ok = new Utterance("a", Path.of("a.wav"), 0, 1, "Hyvää huomenta!", null, null, null, null, "a.lab");
        Utterance bad = new Utterance("b", Path.of("b.wav"), 0, 1, "Šakki on peli.", null, null, null, null, "b.lab");
        Utterance none = new Utterance("c", Path.of("c.wav"), 0, 1, null, null, null, null, null, "c.wav");
        List<Problem> problems = v.check(List.of(ok, bad, none), LetterTable.finnish());
        assertEquals(List.of(new Problem("b.lab", "utterance b: characters not in the vocabulary " + VOCAB + ": 'š'")), problems);
    }

    @Test
    void badVocabularyFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("vocab.json");
        Files.writeString(f, "[1, 2]");
        assertEquals(f + ": expected a JSON object {\"token\": id, ...}", assertThrows(UserError.class, () -> Vocabulary.read(f)).getMessage());
        Files.writeString(f, "{\"a\": \"x\"}");
        assertTrue(assertThrows(UserError.class, () -> Vocabulary.read(f)).getMessage().contains("token \"a\" has id \"x\""));
    }
}
