package wavlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.checkpoint.DType;
import wavlens.checkpoint.SafetensorsWriter;
import wavlens.checkpoint.Weights;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.model.Wav2Vec2;

/** wavlens average end to end: two models on either side of a reference model average back to it. */
class AverageCommandTest {
    static final Path CTC_BASE = EngineCliTest.ROOT.resolve("ctc-base");

    /**
     * ctc-base's weights W moved by random noise N both ways (W + N and W − N, each its own model
     * folder) average back to W: the average reproduces the reference logits and transcription of
     * ctc-base within the testdata README's tolerance, which either model alone is far outside of.
     */
    @Test
    void modelsEitherSideOfTheReferenceAverageBackToIt(@TempDir Path tmp) throws Exception {
        Path plus = tmp.resolve("plus"), minus = tmp.resolve("minus"), avg = tmp.resolve("avg");
        Map<String, float[]> up = new HashMap<>(), down = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        Random random = new Random(11);
        try (Weights w = Weights.open(CTC_BASE)) {
            for (String name : w.names()) {
                float[] x = w.floats(name);
                float[] a = new float[x.length], b = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    // W ± N rounded to float32 still average to within an ulp or so of W
                    float noise = (random.nextBoolean() ? 1 : -1) * (random.nextBoolean() ? 0x1p-5f : 0x1p-6f);
                    a[i] = x[i] + noise;
                    b[i] = x[i] - noise;
                }
                up.put(name, a);
                down.put(name, b);
                shapes.put(name, w.info(name).shape());
            }
        }
        for (Path dir : new Path[] {plus, minus}) {
            Files.createDirectories(dir);
            for (String f : new String[] {"config.json", "vocab.json", "preprocessor_config.json", "tokenizer_config.json"}) {
                Files.copy(CTC_BASE.resolve(f), dir.resolve(f));
            }
        }
        SafetensorsWriter.write(plus.resolve(Weights.SAFETENSORS), up, shapes, DType.F32, Map.of());
        SafetensorsWriter.write(minus.resolve(Weights.SAFETENSORS), down, shapes, DType.F32, Map.of());

        EngineCliTest.Run r = EngineCliTest.run("average", "--out", avg.toString(), plus.toString(), minus.toString());
        assertEquals(0, r.code(), r.err());
        var json = Json.MAPPER.readTree(r.out().strip().lines().reduce((x, y) -> y).orElseThrow());
        assertEquals("F32", json.get("dtype").asText());
        assertEquals(json.get("relative_distance_from_mean").get(0).asDouble(), json.get("relative_distance_from_mean").get(1).asDouble(), 1e-6,
                "W + N and W − N are equally far from W");

        Path exp = CTC_BASE.resolve("expected/speech_fi");
        float[] input = Npy.read(CTC_BASE.resolve("inputs/speech_fi_input_values.npy")).asFloats();
        try (Wav2Vec2 m = Wav2Vec2.load(avg); Wav2Vec2 off = Wav2Vec2.load(plus)) {
            assertTrue(worstRatioToTolerance(exp.resolve("logits.npy"), m.forward(input).logits()) <= 1, "the average is the reference model");
            assertTrue(worstRatioToTolerance(exp.resolve("logits.npy"), off.forward(input).logits()) > 10, "W + N alone is not");
        }
        EngineCliTest.Run t = EngineCliTest.run("transcribe", "--model", avg.toString(), CTC_BASE.resolve("inputs/speech_fi.wav").toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().strip().endsWith("\t" + Files.readString(exp.resolve("transcription.txt"))), t.out());
    }

    /**
     * A pytorch_model.bin checkpoint averaged with itself is itself, written as float32 safetensors:
     * ctc-bin's reference logits from the average, within the README's tolerance.
     */
    @Test
    void torchBinCheckpointsAverageToo(@TempDir Path tmp) throws Exception {
        Path bin = EngineCliTest.ROOT.resolve("ctc-bin"), avg = tmp.resolve("avg");
        EngineCliTest.Run r = EngineCliTest.run("average", "--out", avg.toString(), bin.toString(), bin.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(avg.resolve(Weights.SAFETENSORS)));
        float[] input = Npy.read(bin.resolve("inputs/synthetic_input_values.npy")).asFloats();
        try (Wav2Vec2 m = Wav2Vec2.load(avg)) {
            assertTrue(worstRatioToTolerance(bin.resolve("expected/synthetic/logits.npy"), m.forward(input).logits()) <= 1);
        }
    }

    /** max over elements of |actual − expected| / (1e-4 + 1e-4·|expected|), the testdata README's forward tolerance. */
    private static double worstRatioToTolerance(Path expected, float[] actual) {
        float[] e = Npy.read(expected).asFloats();
        assertEquals(e.length, actual.length);
        double worst = 0;
        for (int i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(actual[i] - e[i]) / (1e-4 + 1e-4 * Math.abs(e[i])));
        return worst;
    }

    @Test
    void badInputIsOneLine(@TempDir Path tmp) {
        EngineCliTest.assertOneLineError(EngineCliTest.run("average", "--out", tmp.resolve("o").toString(),
                CTC_BASE.toString(), EngineCliTest.ROOT.resolve("ctc-bin").toString()), "ctc-bin");
        EngineCliTest.assertOneLineError(EngineCliTest.run("average", "--out", tmp.resolve("o").toString(),
                CTC_BASE.toString(), tmp.resolve("nothing").toString()), "nothing", "no such model folder");
        EngineCliTest.assertOneLineError(EngineCliTest.run("average", "--out", tmp.resolve("o").toString(), "--dtype", "bf16",
                CTC_BASE.toString(), CTC_BASE.toString()), "--dtype");
    }
}
