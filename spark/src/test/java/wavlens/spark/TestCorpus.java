package wavlens.spark;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import wavlens.audio.AudioFile;
import wavlens.corpus.Alignment;
import wavlens.corpus.Interval;
import wavlens.corpus.TextGrid;
import wavlens.corpus.Tier;

/** A tiny aligned corpus and helpers for the Spark tests. */
final class TestCorpus {
    private TestCorpus() {}

    static final Path MODEL = Path.of("../../shared/testdata/wav2vec2/ctc-base");

    /**
     * Speakers s1…s{n} saying speech_fi.wav (the shared reference input) with a TextGrid a | b |
     * silence, every third one speeding through b (other label counts); plus "bad": a FLAC with an
     * intact header and garbled frames, which fails only when a worker decodes it.
     */
    static Path make(Path dir, int speakers) throws Exception {
        double end = 31508 / 16000.0;
        for (int i = 1; i <= speakers; i++) {
            Path d = Files.createDirectories(dir.resolve(String.format("s%02d", i)));
            Files.copy(MODEL.resolve("inputs/speech_fi.wav"), d.resolve("u.wav"));
            double b = i % 3 == 0 ? 0.7 : 1.0;
            Tier letters = new Tier("letters", false, 0, end, List.of(new Interval(0, 0.5, "a"), new Interval(0.5, b, "b"), new Interval(b, end, "")));
            TextGrid.write(d.resolve("u.TextGrid"), new Alignment("u.TextGrid", 0, end, Map.of("letters", letters)));
            Files.writeString(d.resolve("u.lab"), "ab");
        }
        Path d = Files.createDirectories(dir.resolve("bad"));
        byte[] flac = Files.readAllBytes(Path.of("../core/src/test/resources/audio/wasted16_16k.flac"));
        for (int i = 200; i < flac.length; i++) flac[i] = (byte) (i * 31 + 7);   // frames garbled, STREAMINFO kept
        Files.write(d.resolve("u.flac"), flac);
        double fe = AudioFile.durationSeconds(d.resolve("u.flac"));
        Tier t = new Tier("letters", false, 0, fe, List.of(new Interval(0, fe, "a")));
        TextGrid.write(d.resolve("u.TextGrid"), new Alignment("u.TextGrid", 0, fe, Map.of("letters", t)));
        return dir;
    }

    static Map<String, byte[]> files(Path root) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (var s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(f).toString(), Files.readAllBytes(f));
        }
        return out;
    }

    /** Runs a command line, returning its exit code and what it printed on stderr. */
    record Run(int code, String err) {}

    static Run capture(java.util.function.IntSupplier command) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            int code = command.getAsInt();
            return new Run(code, buf.toString());
        } finally {
            System.setErr(old);
        }
    }
}
