package wavlens.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        @Option(names = "--shape", description = "base (wav2vec2-base) or large (wav2vec2-large-lv60 / XLS-R 300M); small and tiny too") String shape;
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

    @Option(names = "--family", defaultValue = "wav2vec2", description = {
            "with --shape: the model family at that shape, wav2vec2, hubert, wavlm, data2vec-audio or conformer;",
            "any but wav2vec2 is timed against wav2vec2 of the same shape in the same run (runs interleaved)"})
    String family;

    /** One timed model: its folder, label, and the forward-pass times of this run. */
    private record Timed(String label, Wav2Vec2 model, Path dir, double[] times) {}

    @Override
    public Integer call() throws IOException {
        if (runs < 1) throw new UserError("--runs must be at least 1");
        if (!Shapes.FAMILIES.containsKey(family)) {
            throw new UserError("--family " + family + " is not one of wav2vec2, hubert, wavlm, data2vec-audio, conformer");
        }
        if (source.shape == null && !family.equals("wav2vec2")) throw new UserError("--family needs --shape (a --model folder has its own family)");
        List<Path> tmps = new ArrayList<>();
        List<Timed> timed = new ArrayList<>();
        try {
            if (source.shape != null) {
                // the baseline first: wav2vec2 at the same shape, when another family is asked for
                for (String f : family.equals("wav2vec2") ? List.of("wav2vec2") : List.of("wav2vec2", family)) {
                    Path tmp = Files.createTempDirectory("wavlens-bench-");
                    tmps.add(tmp);
                    writeRandomCheckpoint(source.shape, f, tmp);
                    timed.add(new Timed("random " + source.shape + (f.equals("wav2vec2") && family.equals("wav2vec2") ? "" : " " + f),
                            Wav2Vec2.load(tmp), tmp, new double[runs]));
                }
            } else {
                Path dir = ModelPaths.resolve(source.model);
                timed.add(new Timed(dir.toString(), Wav2Vec2.load(dir), dir, new double[runs]));
            }
            System.gc();
            Wav2Vec2 first = timed.get(0).model();
            Preprocessor pre = Preprocessor.read(timed.get(0).dir(), first.config());
            float[] input = audio != null ? Speech.inputValues(audio, pre, first.config())
                    : Normalizer.normalize(syntheticSignal((int) Math.round(seconds * pre.samplingRate()), pre.samplingRate()));
            double audioSeconds = input.length / (double) pre.samplingRate();
            for (int i = 0; i < warmup; i++) for (Timed t : timed) t.model().forward(input, Wav2Vec2.Request.all(t.model().config()));
            long rssBeforeMb = statusKb("VmRSS:") / 1024;
            resetPeakRss();
            for (int i = 0; i < runs; i++) {
                for (Timed t : timed) {   // interleaved, so both see the same machine load
                    long t0 = System.nanoTime();
                    t.model().forward(input, Wav2Vec2.Request.all(t.model().config()));
                    t.times()[i] = (System.nanoTime() - t0) / 1e9;
                }
            }
            long peakMb = peakRssKb() / 1024;
            List<Map<String, Object>> results = new ArrayList<>();
            for (Timed t : timed) {
                double median = median(t.times());
                double gflop = t.model().flops(input.length) / 1e9;
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("model", t.label());
                r.put("model_type", t.model().config().modelType());
                r.put("audio_seconds", audioSeconds);
                r.put("runs", runs);
                r.put("threads", Runtime.getRuntime().availableProcessors());
                r.put("blas", Blas.available() ? "openblas" : "java-fallback");
                r.put("seconds_per_forward", median);
                r.put("seconds_per_audio_second", median / audioSeconds);
                r.put("gflop_per_forward", gflop);
                r.put("gflops", gflop / median);
                r.put("peak_rss_mb", peakMb);
                r.put("rss_after_warmup_mb", rssBeforeMb);
                results.add(r);
                System.out.printf("model %s, %.1f s of audio, %d runs (%s, %d cores)%n", r.get("model"), audioSeconds, runs, r.get("blas"), r.get("threads"));
                System.out.printf("median %.3f s per forward pass = %.3f s per audio second, %.1f GFLOP/s, peak RSS %d MB%n",
                        median, median / audioSeconds, gflop / median, peakMb);
            }
            Map<String, Object> out = results.get(0);
            if (timed.size() == 2) {
                Map<String, Object> base = results.get(0), other = results.get(1);
                double timeRatio = (double) other.get("seconds_per_forward") / (double) base.get("seconds_per_forward");
                double flopRatio = (double) other.get("gflop_per_forward") / (double) base.get("gflop_per_forward");
                double rateRatio = (double) other.get("gflops") / (double) base.get("gflops");
                System.out.printf("%s / wav2vec2 at shape %s: %.3f× the time per forward pass for %.3f× the work, %.3f× the GFLOP/s%n",
                        family, source.shape, timeRatio, flopRatio, rateRatio);
                out = new LinkedHashMap<>(other);
                out.put("baseline", base);
                out.put("time_ratio_to_wav2vec2", timeRatio);
                out.put("flop_ratio_to_wav2vec2", flopRatio);
                out.put("gflops_ratio_to_wav2vec2", rateRatio);
            }
            if (json) System.out.println(Json.oneLine(out));
        } finally {
            for (Timed t : timed) t.model().close();
            for (Path tmp : tmps) deleteTree(tmp);
        }
        return 0;
    }

    private static double median(double[] times) {
        double[] t = times.clone();
        Arrays.sort(t);
        int n = t.length;
        return n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    }

    static void writeRandomCheckpoint(String shape, Path dir) {
        writeRandomCheckpoint(shape, "wav2vec2", dir);
    }

    static void writeRandomCheckpoint(String shape, String family, Path dir) {
        var configNode = Shapes.config(shape, family);
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
