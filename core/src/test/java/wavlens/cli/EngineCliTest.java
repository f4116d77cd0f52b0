package wavlens.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.Npy;

/** transcribe / embed end to end, and every bad input as one clear line with a non-zero exit. */
class EngineCliTest {
    static final Path ROOT = Path.of("../../shared/testdata/wav2vec2");

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

    /** A user-facing failure: non-zero exit, one line naming the thing, no stack trace. */
    static void assertOneLineError(Run r, String... mustContain) {
        assertNotEquals(0, r.code(), "exit code");
        String err = r.err().strip();
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
        assertEquals(1, err.lines().count(), "one line: " + err);
        for (String s : mustContain) assertTrue(err.contains(s), "error should mention " + s + ": " + err);
    }

    @Test
    void transcribesFromWavFilesExactlyAsTheReference() throws Exception {
        Path model = ROOT.resolve("ctc-base");
        Path wav = model.resolve("inputs/speech_fi.wav");
        Run r = run("transcribe", "--model", model.toString(), wav.toString());
        assertEquals(0, r.code(), r.err());
        String expected = Files.readString(model.resolve("expected/speech_fi/transcription.txt"));
        assertEquals(wav + "\t" + expected, r.out().strip());
    }

    @Test
    void embedWritesEveryLayerAsNpy(@TempDir Path tmp) {
        Path model = ROOT.resolve("ctc-large-fp16");
        Path wav = model.resolve("inputs/synthetic.wav");
        Run r = run("embed", "--model", model.toString(), "--out", tmp.toString(), "--conv-layers", wav.toString());
        assertEquals(0, r.code(), r.err());
        Path dir = tmp.resolve("synthetic");
        for (int i = 0; i <= 4; i++) {
            // from the WAV (normalised here), so within the README's 1e-5 input tolerance propagated: compare loosely but meaningfully
            Npy.Array got = Npy.read(dir.resolve("layer_" + i + ".npy"));
            assertArrayEquals(new int[] {64, 64}, got.shape());
            ReferenceCompare.close(model.resolve(String.format("expected/synthetic/hidden_states_%02d.npy", i)), got.floats(), 5e-4);
        }
        assertArrayEquals(new int[] {64, 34}, Npy.read(dir.resolve("logits.npy")).shape());
        assertArrayEquals(new int[] {64, 32}, Npy.read(dir.resolve("extract_features.npy")).shape());
        assertArrayEquals(new int[] {4159, 32}, Npy.read(dir.resolve("conv_0.npy")).shape());   // floor((20800 − 10)/5) + 1
        assertTrue(Files.exists(dir.resolve("conv_6.npy")));
    }

    @Test
    void embedSelectedLayersOnly(@TempDir Path tmp) {
        Path model = ROOT.resolve("base-group");
        Run r = run("embed", "--model", model.toString(), "--out", tmp.toString(), "--layers", "0,-1",
                model.resolve("inputs/synthetic.wav").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(tmp.resolve("synthetic/layer_0.npy")));
        assertTrue(Files.exists(tmp.resolve("synthetic/layer_3.npy")));
        assertFalse(Files.exists(tmp.resolve("synthetic/layer_1.npy")));
        assertFalse(Files.exists(tmp.resolve("synthetic/logits.npy")), "no CTC head, no logits");
    }

    @Test
    void badAudioFilesAreOneClearLine(@TempDir Path tmp) throws Exception {
        String model = ROOT.resolve("ctc-base").toString();
        Path empty = Files.write(tmp.resolve("empty.wav"), new byte[0]);
        Path text = Files.writeString(tmp.resolve("notes.wav"), "this is not audio at all, just text\n");
        byte[] wav = Files.readAllBytes(ROOT.resolve("ctc-base/inputs/speech_fi.wav"));
        Path truncated = Files.write(tmp.resolve("truncated.wav"), java.util.Arrays.copyOf(wav, 30));
        Path missing = tmp.resolve("missing.wav");
        for (Path bad : new Path[] {empty, text, truncated, missing}) {
            assertOneLineError(run("transcribe", "--model", model, bad.toString()), bad.getFileName().toString());
        }
        // a header followed by 100 samples: valid audio, but shorter than one frame's receptive field
        Path tiny = tmp.resolve("tiny.wav");
        Files.write(tiny, java.util.Arrays.copyOf(wav, 44 + 200));
        fixRiffSizes(tiny);
        assertOneLineError(run("transcribe", "--model", model, tiny.toString()), "tiny.wav", "too short");
    }

    /** Rewrites the RIFF and data chunk sizes of a canonical 44-byte-header WAV after truncation. */
    static void fixRiffSizes(Path f) throws Exception {
        byte[] b = Files.readAllBytes(f);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.putInt(4, b.length - 8);
        bb.putInt(40, b.length - 44);
        Files.write(f, b);
    }

    @Test
    void transcribeWithoutVocabOrHeadIsOneClearLine(@TempDir Path tmp) throws Exception {
        Path wav = ROOT.resolve("ctc-base/inputs/synthetic.wav");
        assertOneLineError(run("transcribe", "--model", ROOT.resolve("base-group").toString(), wav.toString()), "no CTC head");
        for (String f : new String[] {"config.json", "model.safetensors", "preprocessor_config.json", "tokenizer_config.json"}) {
            Files.copy(ROOT.resolve("ctc-base").resolve(f), tmp.resolve(f));
        }
        assertOneLineError(run("transcribe", "--model", tmp.toString(), wav.toString()), "vocab.json");
    }

    @Test
    void modelFolderProblemsAreOneClearLine(@TempDir Path tmp) throws Exception {
        Path wav = ROOT.resolve("ctc-base/inputs/synthetic.wav");
        assertOneLineError(run("embed", "--model", tmp.resolve("nope").toString(), "--out", tmp.toString(), wav.toString()), "nope");
        Files.writeString(tmp.resolve("config.json"), "{ not json");
        assertOneLineError(run("embed", "--model", tmp.toString(), "--out", tmp.resolve("o").toString(), wav.toString()), "config.json");
        Files.copy(ROOT.resolve("ctc-base/config.json"), tmp.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertOneLineError(run("embed", "--model", tmp.toString(), "--out", tmp.resolve("o").toString(), wav.toString()), tmp.toString());
        Files.write(tmp.resolve("model.safetensors"), java.util.Arrays.copyOf(Files.readAllBytes(ROOT.resolve("ctc-base/model.safetensors")), 5000));
        assertOneLineError(run("embed", "--model", tmp.toString(), "--out", tmp.resolve("o").toString(), wav.toString()), "model.safetensors");
    }

    @Test
    void badLayerSpecIsOneClearLine(@TempDir Path tmp) {
        Path model = ROOT.resolve("base-group");
        assertOneLineError(run("embed", "--model", model.toString(), "--out", tmp.toString(), "--layers", "0,9",
                model.resolve("inputs/synthetic.wav").toString()), "--layers", "9");
    }

    @Test
    void trainingOptionsOutOfRangeAreRefusedByName(@TempDir Path tmp) {
        String model = ROOT.resolve("base-group").toString(), corpus = tmp.toString(), out = tmp.resolve("out").toString();
        assertOneLineError(run("finetune", "--pretrained", model, "--train", corpus, "--out", out, "--mask-feature-prob", "1"), "--mask-feature-prob");
        assertOneLineError(run("finetune", "--pretrained", model, "--train", corpus, "--out", out, "--mask-feature-length", "0"), "--mask-feature-length");
        assertOneLineError(run("finetune", "--pretrained", model, "--train", corpus, "--out", out, "--keep-every", "-1"), "--keep-every");
        assertOneLineError(run("pretrain", "--corpus", corpus, "--out", out, "--keep-every", "-1"), "--keep-every");
    }
}
