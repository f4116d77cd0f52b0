package wavlens.cli;

import static org.junit.jupiter.api.Assertions.*;
import static wavlens.cli.EngineCliTest.assertOneLineError;
import static wavlens.cli.EngineCliTest.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import wavlens.io.Json;
import wavlens.io.Npy;

/**
 * The other families through the command line: transcribe and embed from WAV files against the
 * reference outputs of tools/reference/families.py, finetune's refusal, and every unsupported
 * config or mismatched weight as one clear line.
 */
class FamilyCliTest {
    static final Path ROOT = Path.of("src/test/resources/families");

    @ParameterizedTest
    @ValueSource(strings = {"wavlm-stable-ctc", "wavlm-ctc-fp16", "data2vec-audio-ctc-bin", "conformer-rel-ctc", "conformer-rope-ctc-bf16"})
    void transcribeReproducesTheReferenceTranscripts(String name) throws Exception {
        Path model = ROOT.resolve(name);
        for (String input : new String[] {"synthetic", "speech"}) {
            Path wav = model.resolve("inputs/" + input + ".wav");
            EngineCliTest.Run r = run("transcribe", "--model", model.toString(), wav.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(wav + "\t" + Files.readString(model.resolve("expected/" + input + "/transcription.txt")), r.out().strip());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"wavlm-base", "data2vec-audio-base", "conformer-rel", "conformer-rope-noinv"})
    void embedWritesEveryLayerOfEachFamily(String name, @TempDir Path tmp) throws Exception {
        Path model = ROOT.resolve(name);
        EngineCliTest.Run r = run("embed", "--model", model.toString(), "--out", tmp.toString(), model.resolve("inputs/synthetic.wav").toString());
        assertEquals(0, r.code(), r.err());
        int layers = Json.read(model.resolve("config.json")).path("num_hidden_layers").asInt();
        for (int i = 0; i <= layers; i++) {
            // from the WAV (normalised by wavlens, within 1e-5 of the stored input values), so a slightly looser bound
            ReferenceCompare.close(model.resolve(String.format("expected/synthetic/hidden_states_%02d.npy", i)),
                    Npy.read(tmp.resolve("synthetic/layer_" + i + ".npy")).floats(), 5e-4);
        }
        ReferenceCompare.close(model.resolve("expected/synthetic/extract_features.npy"),
                Npy.read(tmp.resolve("synthetic/extract_features.npy")).floats(), 5e-4);
        assertFalse(Files.exists(tmp.resolve("synthetic/layer_" + (layers + 1) + ".npy")));
    }

    @Test
    void finetuneRefusesTheOtherFamiliesByName(@TempDir Path tmp) {
        EngineCliTest.Run r = run("finetune", "--pretrained", ROOT.resolve("wavlm-base").toString(), "--train", tmp.toString(),
                "--out", tmp.resolve("ft").toString());
        assertOneLineError(r, "config.json", "\"wavlm\" is not supported", "finetune");
    }

    /** A copy of a case whose config.json is edited. */
    static Path withConfig(Path tmp, String name, java.util.function.Consumer<ObjectNode> edit) throws Exception {
        Path src = ROOT.resolve(name), dst = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) if (Files.isRegularFile(f)) Files.copy(f, dst.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        ObjectNode cfg = (ObjectNode) Json.read(dst.resolve("config.json"));
        edit.accept(cfg);
        Files.writeString(dst.resolve("config.json"), Json.MAPPER.writeValueAsString(cfg));
        return dst;
    }

    static EngineCliTest.Run transcribe(Path model) {
        return run("transcribe", "--model", model.toString(), ROOT.resolve("wavlm-stable-ctc/inputs/synthetic.wav").toString());
    }

    @Test
    void unknownPositionEmbeddingTypeIsNamed(@TempDir Path tmp) throws Exception {
        Path m = withConfig(tmp, "conformer-rel-ctc", c -> c.put("position_embeddings_type", "alibi"));
        assertOneLineError(transcribe(m), "config.json", "position_embeddings_type \"alibi\" is not supported", "relative", "rotary");
    }

    @Test
    void unsupportedFeaturesAreNamed(@TempDir Path tmp) throws Exception {
        assertOneLineError(transcribe(withConfig(tmp.resolve("a"), "wavlm-stable-ctc", c -> c.put("add_adapter", true))),
                "config.json", "add_adapter", "not supported");
        assertOneLineError(transcribe(withConfig(tmp.resolve("b"), "wavlm-stable-ctc", c -> c.putArray("architectures").add("WavLMForXVector"))),
                "config.json", "WavLMForXVector", "x-vector", "not supported");
        assertOneLineError(transcribe(withConfig(tmp.resolve("c"), "conformer-rel-ctc", c -> c.put("conv_depthwise_kernel_size", 4))),
                "config.json", "conv_depthwise_kernel_size 4 must be odd");
        assertOneLineError(transcribe(withConfig(tmp.resolve("d"), "conformer-rope-ctc-bf16", c -> c.put("hidden_act", "gelu_new"))),
                "config.json", "activation \"gelu_new\" is not supported");
        assertOneLineError(transcribe(withConfig(tmp.resolve("e"), "wavlm-stable-ctc", c -> c.put("model_type", "unispeech-sat"))),
                "config.json", "model_type \"unispeech-sat\" is not supported", "wavlm");
    }

    @Test
    void weightsThatDisagreeWithTheConfigAreNamed(@TempDir Path tmp) throws Exception {
        // WavLM: the bucket table's rows are num_buckets
        assertOneLineError(transcribe(withConfig(tmp.resolve("a"), "wavlm-stable-ctc", c -> c.put("num_buckets", 16))),
                "model.safetensors", "wavlm.encoder.layers.0.attention.rel_attn_embed.weight", "[15, 3]", "[16, 3]");
        // data2vec-audio: one conv more than the checkpoint has
        assertOneLineError(transcribe(withConfig(tmp.resolve("b"), "data2vec-audio-ctc-bin", c -> c.put("num_conv_pos_embeddings", 3))),
                "missing tensor data2vec_audio.encoder.pos_conv_embed.layers.2.conv.weight");
        // conformer: a relative-position config over a rotary checkpoint lacks linear_pos
        assertOneLineError(transcribe(withConfig(tmp.resolve("c"), "conformer-rope-ctc-bf16", c -> c.put("position_embeddings_type", "relative"))),
                "missing tensor wav2vec2_conformer.encoder.layers.0.self_attn.linear_pos.weight");
        // and the depthwise kernel is the checkpoint's
        assertOneLineError(transcribe(withConfig(tmp.resolve("d"), "conformer-rel-ctc", c -> c.put("conv_depthwise_kernel_size", 7))),
                "conv_module.depthwise_conv.weight", "[32, 1, 5]", "[32, 1, 7]");
    }
}
