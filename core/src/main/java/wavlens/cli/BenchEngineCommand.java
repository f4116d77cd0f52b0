package wavlens.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.audio.Normalizer;
import wavlens.checkpoint.DType;
import wavlens.checkpoint.SafetensorsWriter;
import wavlens.io.Json;
import wavlens.io.UserError;
import wavlens.model.Preprocessor;
import wavlens.model.Shapes;
import wavlens.model.Speech;
import wavlens.model.Wav2Vec2;
import wavlens.model.Wav2Vec2Config;
import wavlens.tensor.Blas;

@Command(name = "engine", mixinStandardHelpOptions = true, description = {
        "Forward-pass speed: loads once, warms up, then reports the median seconds per forward pass (all layer outputs),",
        "seconds of compute per second of audio, GFLOP/s and peak resident memory. --shape builds a randomly",
        "initialised model of a published shape, so no download is needed."})
public final class BenchEngineCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--model", description = "HuggingFace model folder") String model;
        @Option(names = "--shape", description = "base (wav2vec2-base) or large (wav2vec2-large-lv60 / XLS-R 300M)") String shape;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--audio", description = "audio file to run on (default: a synthetic signal of --seconds)")
    Path audio;

    @Option(names = "--seconds", defaultValue = "10", description = "length of the synthetic signal")
    double seconds;

    @Option(names = "--runs", defaultValue = "5", description = "timed runs after one warm-up run")
    int runs;

    @Option(names = "--warmup", defaultValue = "2", description = "untimed warm-up runs")
    int warmup;

    @Option(names = "--json", description = "last line: one JSON object")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (runs < 1) throw new UserError("--runs must be at least 1");
        Path tmp = null;
        Path dir;
        if (source.shape != null) {
            tmp = Files.createTempDirectory("wavlens-bench-");
            writeRandomCheckpoint(source.shape, tmp);
            dir = tmp;
        } else {
            dir = ModelPaths.resolve(source.model);
        }
        System.gc();
        try (Wav2Vec2 m = Wav2Vec2.load(dir)) {
            Preprocessor pre = Preprocessor.read(dir, m.config());
            float[] input = audio != null ? Speech.inputValues(audio, pre, m.config())
                    : Normalizer.normalize(syntheticSignal((int) Math.round(seconds * pre.samplingRate()), pre.samplingRate()));
            double audioSeconds = input.length / (double) pre.samplingRate();
            Wav2Vec2.Request all = Wav2Vec2.Request.all(m.config());
            for (int i = 0; i < warmup; i++) m.forward(input, all);
            long rssBeforeMb = statusKb("VmRSS:") / 1024;
            resetPeakRss();
            double[] times = new double[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                m.forward(input, all);
                times[i] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(times);
            double median = runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
            double gflops = m.flops(input.length) / median / 1e9;
            long peakMb = peakRssKb() / 1024;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", source.shape != null ? "random " + source.shape : dir.toString());
            r.put("audio_seconds", audioSeconds);
            r.put("runs", runs);
            r.put("threads", Runtime.getRuntime().availableProcessors());
            r.put("blas", Blas.available() ? "openblas" : "java-fallback");
            r.put("seconds_per_forward", median);
            r.put("seconds_per_audio_second", median / audioSeconds);
            r.put("gflop_per_forward", m.flops(input.length) / 1e9);
            r.put("gflops", gflops);
            r.put("peak_rss_mb", peakMb);
            r.put("rss_after_warmup_mb", rssBeforeMb);
            System.out.printf("model %s, %.1f s of audio, %d runs (%s, %d cores)%n", r.get("model"), audioSeconds, runs, r.get("blas"), r.get("threads"));
            System.out.printf("median %.3f s per forward pass = %.3f s per audio second, %.1f GFLOP/s, peak RSS %d MB%n",
                    median, median / audioSeconds, gflops, peakMb);
            if (json) System.out.println(Json.oneLine(r));
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
        return 0;
    }

    static void writeRandomCheckpoint(String shape, Path dir) {
        var configNode = Shapes.config(shape);
        Json.write(dir.resolve("config.json"), configNode);
        Wav2Vec2Config cfg = Wav2Vec2Config.read(dir.resolve("config.json"));
        // tensor by tensor, so the bench's own heap holds no copy of the weights it then maps
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Shapes.randomShapes(cfg), DType.F32, Map.of("format", "pt"),
                name -> Shapes.randomTensor(cfg, name, 1));
    }

    /** A deterministic speech-like test signal: harmonics of a gliding F0 plus a little noise. */
    static float[] syntheticSignal(int n, int rate) {
        float[] x = new float[n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        double phase = 0;
        for (int i = 0; i < n; i++) {
            double t = (double) i / rate;
            double f0 = 120 + 40 * Math.sin(2 * Math.PI * 0.5 * t);
            phase += 2 * Math.PI * f0 / rate;
            double v = 0;
            for (int k = 1; k <= 10; k++) v += Math.sin(k * phase) / k;
            x[i] = (float) (0.1 * v + 0.01 * (r.nextDouble() - 0.5));
        }
        return x;
    }

    /** Resets the kernel's peak-RSS mark (VmHWM) so the bench reports the forward passes' peak. */
    static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException ignored) {
            // not Linux, or not permitted: the peak then covers the whole process
        }
    }

    static long peakRssKb() {
        return statusKb("VmHWM:");
    }

    /** A memory line of /proc/self/status in kB (-1 when not on Linux). */
    static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) return Long.parseLong(line.replaceAll("\\D", ""));
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return -1;
    }

    static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
