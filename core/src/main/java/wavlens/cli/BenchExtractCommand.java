package wavlens.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.corpus.Corpus;
import wavlens.corpus.Utterance;
import wavlens.io.Json;
import wavlens.model.Preprocessor;
import wavlens.model.Speech;
import wavlens.model.Wav2Vec2;
import wavlens.store.Extractor;

@Command(name = "extract", mixinStandardHelpOptions = true, description = {
        "Corpus throughput of `wavlens extract` as a ratio to the engine's own forward speed on the same audio:",
        "first the forward passes alone (audio decoded beforehand, untimed), then the whole pipeline (decode,",
        "resample, label, write) into a temporary store."})
public final class BenchExtractCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--model", description = "HuggingFace model folder") String model;
        @Option(names = "--shape", description = "base or large: a randomly initialised model of that shape") String shape;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--corpus", required = true, description = "an aligned corpus (e.g. from `wavlens corpus synth`)")
    Path corpus;

    @Option(names = "--max-frames", defaultValue = "200", description = "per-label budget of the extraction")
    int maxFrames;

    @Option(names = "--json", description = "last line: one JSON object")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Path tmp = Files.createTempDirectory("wavlens-bench-extract-");
        try {
            Path dir;
            if (source.shape != null) {
                dir = Files.createDirectories(tmp.resolve("model"));
                BenchEngineCommand.writeRandomCheckpoint(source.shape, dir);
            } else {
                dir = ModelPaths.resolve(source.model);
            }
            try (Wav2Vec2 m = Wav2Vec2.load(dir)) {
                Preprocessor pre = Preprocessor.read(dir, m.config());
                Corpus c = Corpus.open(corpus);
                List<float[]> inputs = new ArrayList<>();
                double audio = 0;
                for (Utterance u : c.utterances()) {
                    if (u.alignment() == null) continue;
                    float[] x = Speech.inputValues(u.audioPath(), pre, m.config());
                    inputs.add(x);
                    audio += x.length / (double) pre.samplingRate();
                }
                m.forward(inputs.get(0));   // warm-up
                long t0 = System.nanoTime();
                for (float[] x : inputs) m.forward(x);
                double engine = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                Extractor.Summary s = new Extractor(new Extractor.Options(dir, corpus, tmp.resolve("store"), "all", maxFrames, Extractor.Pool.BOTH,
                        false, null, 0, false, false, false, 0, null, null)).run(m);
                double pipeline = (System.nanoTime() - t0) / 1e9;
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("utterances", inputs.size());
                r.put("audio_seconds", audio);
                r.put("engine_seconds", engine);
                r.put("pipeline_seconds", pipeline);
                r.put("ratio", pipeline / engine);
                r.put("overhead_percent", 100 * (pipeline / engine - 1));
                r.put("frames", s.frames());
                System.out.printf("%d utterances, %.1f s of audio: forward passes alone %.2f s, whole extraction %.2f s -> ratio %.3f (%.1f%% pipeline overhead)%n",
                        inputs.size(), audio, engine, pipeline, pipeline / engine, 100 * (pipeline / engine - 1));
                if (json) System.out.println(Json.oneLine(r));
            }
        } finally {
            BenchEngineCommand.deleteTree(tmp);
        }
        return 0;
    }
}
