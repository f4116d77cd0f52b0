package wavlens.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * {@code wavlens bench spark}: what Spark costs. Extraction: the same corpus, model and options
 * through single-machine {@code wavlens extract} and {@code wavlens spark extract --master local[N]}
 * on the same cores, each as its own process (the launcher, the JVM, Spark's start-up and the job
 * commit all count), with the in-process time each prints and each process tree's peak resident
 * memory; the ratio spark / single is the overhead (goal: under 15 %).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {SparkBenchKmeansCommand.class}, description = {
        "Benchmarks of the Spark commands against their single-machine counterparts, measured in the same run:",
        "extraction throughput of `spark extract --master local[N]` against `wavlens extract` (whole process, peak memory);",
        "`bench spark kmeans`: spark kmeans against wavlens kmeans and MLlib KMeans on the same data."})
public final class SparkBenchCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "demo:pretrained", description = "model folder or demo:NAME")
    String model;

    // Checked in call(), not by picocli: `bench spark kmeans` (a subcommand) needs no corpus.
    @Option(names = "--corpus", description = "an aligned corpus (e.g. from `wavlens corpus synth`); required for the extraction bench")
    Path corpus;

    @Option(names = "--cores", defaultValue = "2", description = "local[N] for Spark; the single-machine run uses the same machine")
    int cores;

    @Option(names = "--shard-utterances", defaultValue = "16", description = "utterances per Spark task")
    int shardUtterances;

    @Option(names = "--max-frames", defaultValue = "200", description = "per-label budget of both extractions")
    int maxFrames;

    @Option(names = "--json", description = "last line: one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (corpus == null) throw new UserError("give --corpus DIR (an aligned corpus) for the extraction bench, or run `bench spark kmeans`");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("extract", extractPart());
        if (json) System.out.println(Json.oneLine(r));
        return 0;
    }

    /** One measured process: wall seconds, the seconds it reported itself, its peak RSS, its last JSON line. */
    record Measured(double wallSeconds, double peakRssMb, JsonNode summary) {}

    Map<String, Object> extractPart() throws Exception {
        Path launcher = Path.of(System.getProperty("wavlens.home", "."), "wavlens");
        if (!Files.isExecutable(launcher)) throw UserError.inFile(launcher, "is not the wavlens launcher (set -Dwavlens.home)");
        Path tmp = Files.createTempDirectory("wavlens-bench-spark-");
        try {
            List<String> common = List.of("--model", model, "--corpus", corpus.toString(), "--max-frames", Integer.toString(maxFrames));
            List<String> single = new ArrayList<>(List.of(launcher.toString(), "extract", "--out", tmp.resolve("single").toString()));
            single.addAll(common);
            List<String> spark = new ArrayList<>(List.of(launcher.toString(), "spark", "extract", "--master", "local[" + cores + "]",
                    "--shard-utterances", Integer.toString(shardUtterances), "--conf", "spark.ui.enabled=false", "--out", tmp.resolve("spark").toString()));
            spark.addAll(common);
            // the Spark module is built already (this runs in it); the core jar too if the launcher had to
            run(List.of(launcher.toString(), "--version"));
            Measured a = run(single), b = run(spark);
            double audio = a.summary().path("audio_seconds").asDouble();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("utterances", a.summary().path("utterances").asInt());
            out.put("audio_seconds", audio);
            out.put("cores", cores);
            out.put("single_process_seconds", a.wallSeconds());
            out.put("single_command_seconds", a.summary().path("seconds").asDouble());
            out.put("single_model_seconds", a.summary().path("model_seconds").asDouble());
            out.put("single_peak_rss_mb", a.peakRssMb());
            out.put("spark_process_seconds", b.wallSeconds());
            out.put("spark_command_seconds", b.summary().path("seconds").asDouble());
            out.put("spark_peak_rss_mb", b.peakRssMb());
            out.put("process_ratio", b.wallSeconds() / a.wallSeconds());
            out.put("command_ratio", b.summary().path("seconds").asDouble() / a.summary().path("seconds").asDouble());
            System.out.printf("extract, %d utterances, %.0f s of audio, %d cores:%n", a.summary().path("utterances").asInt(), audio, cores);
            System.out.printf("  wavlens extract        process %6.1f s  (command %6.1f s, model %6.1f s)  peak RSS %6.0f MB  %5.1f× real time%n",
                    a.wallSeconds(), a.summary().path("seconds").asDouble(), a.summary().path("model_seconds").asDouble(), a.peakRssMb(), audio / a.wallSeconds());
            System.out.printf("  spark extract local[%d] process %6.1f s  (command %6.1f s)                  peak RSS %6.0f MB  %5.1f× real time%n",
                    cores, b.wallSeconds(), b.summary().path("seconds").asDouble(), b.peakRssMb(), audio / b.wallSeconds());
            System.out.printf("  spark / single: process %.3f, command %.3f (overhead %+.1f %% whole process)%n",
                    b.wallSeconds() / a.wallSeconds(), b.summary().path("seconds").asDouble() / a.summary().path("seconds").asDouble(),
                    100 * (b.wallSeconds() / a.wallSeconds() - 1));
            return out;
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Runs a command, sampling the peak resident memory (VmHWM) of its process tree every 50 ms. */
    static Measured run(List<String> cmd) throws IOException, InterruptedException {
        Path log = Files.createTempFile("wavlens-bench-", ".out");
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long peakKb = 0;
            while (!p.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                long kb = hwmKb(p.pid());
                for (ProcessHandle h : p.descendants().toList()) kb += hwmKb(h.pid());
                peakKb = Math.max(peakKb, kb);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            String out = Files.readString(log);
            if (p.exitValue() != 0) throw new UserError(String.join(" ", cmd) + " failed:\n" + out);
            String last = out.lines().filter(l -> l.startsWith("{")).reduce((x, y) -> y).orElse("{}");
            return new Measured(wall, peakKb / 1024.0, Json.MAPPER.readTree(last));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static long hwmKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            // the process ended between listing and reading
        }
        return 0;
    }
}
