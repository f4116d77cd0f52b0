package wavlens.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wavlens.audio.AudioFile;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * {@code wavlens bench audio}: decoding speed of each audio format, as seconds of decoding per hour
 * of audio, next to ffmpeg decoding the same file in the same run (whole ffmpeg process, to raw PCM
 * on /dev/null). Without files, ffmpeg encodes a seeded speech-like test signal (harmonics of a
 * gliding pitch, formant-like bands and noise bursts, 48 kHz mono) into the formats corpora ship:
 * MP3 64 kbit/s (as Common Voice), Ogg Vorbis, Ogg Opus, WebM Opus, and FLAC and WAV as baselines.
 */
@Command(name = "audio", mixinStandardHelpOptions = true, description = {
        "Benchmark audio decoding (MP3, Ogg Vorbis, Ogg Opus, WebM Opus, FLAC, WAV): decode seconds per audio hour,",
        "wavlens (in this JVM) next to ffmpeg (whole process) on the same files."})
public final class BenchAudioCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", description = "audio files to time (default: a test signal encoded by ffmpeg into each format)")
    List<Path> files = new ArrayList<>();

    @Option(names = "--seconds", defaultValue = "120", description = "length of the generated test signal (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--repeats", defaultValue = "3", description = "timed decodes per file, the median is reported (default ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--json", description = "print one JSON document instead of the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || repeats < 1) throw new UserError("bench audio: --seconds and --repeats must be at least 1");
        boolean ffmpeg = hasFfmpeg();
        Path tmp = null;
        List<Path> inputs = files;
        if (inputs.isEmpty()) {
            if (!ffmpeg) throw new UserError("bench audio: ffmpeg is needed to encode the test signal (apt-get install ffmpeg), or give audio files");
            tmp = Files.createTempDirectory("wavlens-bench-audio");
            inputs = encodeTestSignal(tmp, seconds);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try {
            for (Path f : inputs) rows.add(time(f, ffmpeg));
        } finally {
            if (tmp != null) {
                try (var walk = Files.list(tmp)) {
                    for (Path p : walk.toList()) Files.deleteIfExists(p);
                }
                Files.deleteIfExists(tmp);
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cores", Runtime.getRuntime().availableProcessors());
        doc.put("ffmpeg", ffmpeg);
        doc.put("runs", rows);
        doc.put("peak_rss_mb", BenchAnalysisCommand.peakRssMb());
        if (json) {
            System.out.println(Json.oneLine(doc));
            return 0;
        }
        System.out.printf("%-16s %8s %14s %16s %16s %8s%n", "file", "audio s", "wavlens s/h", "+16 kHz s/h", "ffmpeg s/h", "ratio");
        for (Map<String, Object> r : rows) {
            Double ff = (Double) r.get("ffmpeg_seconds_per_hour");
            System.out.printf(Locale.ROOT, "%-16s %8.1f %14.1f %16.1f %16s %8s%n", r.get("file"), (Double) r.get("audio_seconds"),
                    (Double) r.get("decode_seconds_per_hour"), (Double) r.get("decode_16k_seconds_per_hour"),
                    ff == null ? "-" : String.format(Locale.ROOT, "%.1f", ff),
                    ff == null ? "-" : String.format(Locale.ROOT, "%.2f", (Double) r.get("decode_seconds_per_hour") / ff));
        }
        System.out.printf(Locale.ROOT, "s/h = seconds of decoding per hour of audio (median of %d); ratio = wavlens / ffmpeg (ffmpeg: whole process"
                + " incl. start-up, decoding to raw PCM); +16 kHz = decoding, mono mix and resampling to 16 kHz; peak RSS %.0f MB%n",
                repeats, BenchAnalysisCommand.peakRssMb());
        return 0;
    }

    private Map<String, Object> time(Path f, boolean ffmpeg) throws IOException, InterruptedException {
        AudioFile.read(f); // warm-up: class loading and JIT
        double[] decode = new double[repeats], to16k = new double[repeats];
        double audioSeconds = 0;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            var audio = AudioFile.read(f);
            long t1 = System.nanoTime();
            AudioFile.load16k(f);
            long t2 = System.nanoTime();
            decode[i] = (t1 - t0) / 1e9;
            to16k[i] = (t2 - t1) / 1e9;
            audioSeconds = audio.durationSeconds();
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("file", f.getFileName().toString());
        row.put("bytes", Files.size(f));
        row.put("audio_seconds", audioSeconds);
        row.put("decode_seconds_per_hour", median(decode) / audioSeconds * 3600);
        row.put("decode_16k_seconds_per_hour", median(to16k) / audioSeconds * 3600);
        if (ffmpeg) {
            double[] ff = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                run(List.of("ffmpeg", "-v", "error", "-nostdin", "-i", f.toString(), "-f", "f32le", "-y", "/dev/null"));
                ff[i] = (System.nanoTime() - t0) / 1e9;
            }
            row.put("ffmpeg_seconds_per_hour", median(ff) / audioSeconds * 3600);
        }
        return row;
    }

    /** A seeded speech-like signal as raw float32, encoded by ffmpeg into each format. */
    static List<Path> encodeTestSignal(Path dir, int seconds) throws IOException, InterruptedException {
        int rate = 48000, n = seconds * rate;
        ByteBuffer raw = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        java.util.Random random = new java.util.Random(1);
        double phase = 0;
        for (int i = 0; i < n; i++) {
            double t = i / (double) rate;
            double pitch = 120 + 40 * Math.sin(2 * Math.PI * 0.7 * t);          // gliding voice pitch
            phase += 2 * Math.PI * pitch / rate;
            double voiced = 0;
            for (int h = 1; h <= 20; h++) {
                double f = h * pitch;
                double formant = Math.exp(-Math.pow((f - 700) / 300, 2)) + 0.5 * Math.exp(-Math.pow((f - 1800) / 400, 2));
                voiced += formant * Math.sin(h * phase) / h;
            }
            double syllable = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);          // ~4 syllables a second
            double noise = (t % 1.0) > 0.8 ? 0.1 * random.nextGaussian() : 0;     // a fricative each second
            raw.putFloat((float) (0.3 * syllable * voiced + noise));
        }
        Path source = dir.resolve("signal.f32");
        Files.write(source, raw.array());
        String[][] formats = {
                {"speech.mp3", "-c:a", "libmp3lame", "-b:a", "64k"},
                {"speech.ogg", "-c:a", "libvorbis", "-q:a", "3"},
                {"speech.opus", "-c:a", "libopus", "-b:a", "32k"},
                {"speech.webm", "-c:a", "libopus", "-b:a", "32k"},
                {"speech.flac", "-c:a", "flac"},
                {"speech.wav", "-c:a", "pcm_s16le"},
        };
        List<Path> out = new ArrayList<>();
        for (String[] f : formats) {
            Path target = dir.resolve(f[0]);
            List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-nostdin", "-f", "f32le", "-ar", "48000", "-ac", "1",
                    "-i", source.toString()));
            cmd.addAll(Arrays.asList(f).subList(1, f.length));
            cmd.addAll(List.of("-y", target.toString()));
            run(cmd);
            out.add(target);
        }
        return out;
    }

    private static boolean hasFfmpeg() {
        try {
            run(List.of("ffmpeg", "-version"));
            return true;
        } catch (IOException | InterruptedException | UserError e) {
            return false;
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new UserError("bench audio: " + cmd.get(0) + " did not finish within 120 s");
        }
        if (p.exitValue() != 0) throw new UserError("bench audio: " + String.join(" ", cmd) + " failed with exit code " + p.exitValue());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
