package wavlens.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wavlens.io.Npy;
import wavlens.io.Progress;
import wavlens.io.UserError;
import wavlens.model.LayerSpec;
import wavlens.model.Preprocessor;
import wavlens.model.Speech;
import wavlens.model.Wav2Vec2;

@Command(name = "embed", mixinStandardHelpOptions = true, description = {
        "Writes every layer's frame representations as NumPy files: OUT/<stem>/layer_<i>.npy (i as in HF hidden_states),",
        "extract_features.npy, logits.npy for CTC models, and conv_<j>.npy with --conv-layers. float32, frames × features."})
public final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "HuggingFace model folder, or demo:pretrained / demo:finetuned")
    String model;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Option(names = "--layers", defaultValue = "all", description = "all, or a comma list of hidden_states indices (0 = transformer input, L = last)")
    String layers;

    @Option(names = "--conv-layers", description = "also write each feature-encoder conv layer's output as conv_<j>.npy")
    boolean convLayers;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32 or f16 for the written arrays")
    String dtype;

    @Parameters(arity = "1..*", paramLabel = "AUDIO", description = "WAV or FLAC files")
    List<Path> audio;

    @Override
    public Integer call() {
        if (!dtype.equals("f32") && !dtype.equals("f16")) throw new UserError("--dtype must be f32 or f16, not " + dtype);
        Map<String, Path> stems = new HashMap<>();
        for (Path f : audio) {
            String stem = stem(f);
            Path other = stems.put(stem, f);
            if (other != null && !other.equals(f)) {
                throw new UserError("two inputs share the name \"" + stem + "\" (" + other + ", " + f + "); their outputs would collide in " + out);
            }
        }
        try (Wav2Vec2 m = Wav2Vec2.load(ModelPaths.resolve(model))) {
            boolean[] keep = LayerSpec.parse(layers, m.config().numLayers());
            Wav2Vec2.Request request = new Wav2Vec2.Request(convLayers, keep);
            Preprocessor pre = Preprocessor.read(m.directory(), m.config());
            int h = m.config().hiddenSize();
            try (Progress bar = Progress.start("embed", audio.size(), "files")) {
                for (Path file : audio) {
                    Wav2Vec2.Output o = m.forward(Speech.inputValues(file, pre, m.config()), request);
                    Path dir = out.resolve(stem(file));
                    int t = o.frames();
                    for (int i = 0; i < keep.length; i++) if (keep[i]) write(dir.resolve("layer_" + i + ".npy"), o.hiddenStates()[i], t, h);
                    if (o.extractFeatures() != null) write(dir.resolve("extract_features.npy"), o.extractFeatures(), t, m.config().convOutDim());
                    if (o.logits() != null) write(dir.resolve("logits.npy"), o.logits(), t, m.vocabSize());
                    if (convLayers) {
                        for (int j = 0; j < o.convLayers().length; j++) {
                            int c = m.config().convDim()[j];
                            write(dir.resolve("conv_" + j + ".npy"), o.convLayers()[j], o.convLayers()[j].length / c, c);
                        }
                    }
                    bar.step();
                }
            }
        }
        return 0;
    }

    private void write(Path file, float[] data, int rows, int cols) {
        if (dtype.equals("f16")) Npy.writeHalfs(file, data, rows, cols);
        else Npy.writeFloats(file, data, rows, cols);
    }

    static String stem(Path f) {
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
