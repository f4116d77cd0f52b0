package wavlens.corpus.synth;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import wavlens.audio.Audio;
import wavlens.audio.AudioFile;
import wavlens.io.UserError;

/**
 * Festival 2.5 with the Finnish Suopuhe diphone voices (Debian packages festival,
 * festvox-suopuhe-mv, festvox-suopuhe-lj), driven as one long-lived {@code festival --pipe}
 * process: a Scheme request per sentence prints the Segment timings of each word and saves the
 * wave; every request ends with (fflush nil) so the answer arrives at once (~15 ms a sentence).
 *
 * <p>Festival reads ISO-8859-1, where š and ž do not exist, and its Finnish front end reads å
 * inside a word as "unknown character"; sentences with these letters are not for Festival
 * ({@link #canSpeak}). When a voice lacks a diphone it says "UniSyn: using default diphone" and
 * puts silence where speech should be (voice lj does this often); such sentences are rejected.
 *
 * <p>The same process renders phones with given durations and pitch for Festival's diphone voices
 * of other languages ({@link DiphoneVoices#FESTIVAL_VOICES}, {@link #renderSegments}).
 */
public final class Festival implements AutoCloseable {
    /** Voices: mv (male, hy_fi_mv_diphone; no missing diphones seen) and lj (female, suo_fi_lj_diphone). */
    public static final List<String> VOICES = List.of("mv", "lj");

    /** The lowest F0 of each voice's Fujisaki intonation model (*f_min* in its Suopuhe definition). */
    public static double defaultF0Min(String voice) {
        return voice.equals("mv") ? 55.0 : 115.0;
    }

    private static final String INSTALL = "apt-get install festival festvox-suopuhe-mv festvox-suopuhe-lj";
    private static final String END_MARK = "WAVLENS-END";

    // Selecting a voice resets Duration_Stretch and the F0 settings, so they are set after it.
    private static final String SCHEME_SETUP = """
            (define (wavlens-say text voice stretch fmin wavfile)
              (if (equal? voice "mv") (voice_hy_fi_mv_diphone) (voice_suo_fi_lj_diphone))
              (Parameter.set 'Duration_Stretch stretch)
              (set! *f_min* fmin)
              (let ((u (utt.synth (eval (list 'Utterance 'Text text)))))
                (utt.save.wave u wavfile 'riff)
                (mapcar
                  (lambda (w)
                    (format t "W %s\\n" (item.name w))
                    (mapcar
                      (lambda (syl)
                        (mapcar (lambda (s) (format t "S %s %f %f\\n" (item.name s) (item.feat s "segment_start") (item.feat s "end")))
                                (item.daughters syl)))
                      (item.daughters (item.relation w 'SylStructure))))
                  (utt.relation.items u 'Word))))
            """;

    private final Process process;
    private final Writer toFestival;
    private final BufferedReader fromFestival;
    private final Path scratch;

    /** Null when the festival program and both Suopuhe voices are installed, else what to install. */
    public static String problem() {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "festival"))) found = true;
        }
        if (!found) return "the festival program is not on the PATH; install the Debian packages: " + INSTALL;
        for (String voice : List.of("hy_fi_mv_diphone", "suo_fi_lj_diphone")) {
            if (!Files.isDirectory(Path.of("/usr/share/festival/voices/finnish", voice))) {
                return "Festival voice " + voice + " is missing; install the Debian packages: " + INSTALL;
            }
        }
        return null;
    }

    /** Starts festival --pipe; UserError if it is not installed. */
    public static Festival start() {
        String problem = problem();
        if (problem != null) throw new UserError("festival: " + problem);
        try {
            return new Festival();
        } catch (IOException e) {
            throw new UserError("festival: cannot start (" + e.getMessage() + ")");
        }
    }

    private Festival() throws IOException {
        scratch = Files.createTempDirectory("wavlens-festival");
        process = new ProcessBuilder("festival", "--pipe").redirectErrorStream(true).start();
        toFestival = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.ISO_8859_1);
        fromFestival = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.ISO_8859_1));
        toFestival.write(SCHEME_SETUP);
        request("(voice_hy_fi_mv_diphone)");
        List<String> answer = readAnswer();
        for (String line : answer) {
            if (line.contains("ERROR")) throw new UserError("festival: setting up the Finnish voices failed: " + line + "; install " + INSTALL);
        }
    }

    /** True if the sentence can be written in ISO-8859-1 and read by Suopuhe (no š, ž, å). */
    public static boolean canSpeak(String sentence) {
        String lower = sentence.toLowerCase(Locale.ROOT);
        return lower.indexOf('š') < 0 && lower.indexOf('ž') < 0 && lower.indexOf('å') < 0;
    }

    /**
     * Speaks a sentence with voice mv or lj, durations stretched by durationStretch (1 = normal,
     * larger = slower) and the intonation's lowest F0 at f0Min Hz.
     */
    public Synthesis synthesize(String text, String voice, double durationStretch, double f0Min) throws UnusableUtterance {
        if (!canSpeak(text)) throw new IllegalArgumentException("Festival cannot speak š, ž or å: " + text);
        if (!VOICES.contains(voice)) throw new IllegalArgumentException("unknown Festival voice " + voice);
        Path wav = scratch.resolve("utterance.wav");
        String escaped = text.replace("\\", "\\\\").replace("\"", "\\\"");
        try {
            Files.deleteIfExists(wav);
            request(String.format(Locale.ROOT, "(wavlens-say \"%s\" \"%s\" %.4f %.3f \"%s\")",
                    escaped, voice, durationStretch, f0Min, wav.toString()));
            List<String> answer = readAnswer();

            List<FinnishText.Word> words = FinnishText.words(text);
            List<String> missingDiphones = new ArrayList<>();
            List<Synthesis.Phone> phones = new ArrayList<>();
            int word = -1;
            for (String line : answer) {
                String[] f = line.split(" ");
                if (line.startsWith("W ")) {
                    word++;
                    String spoken = line.substring(2);
                    if (word >= words.size() || !spoken.equalsIgnoreCase(words.get(word).text())) {
                        throw new UnusableUtterance("festival " + voice + ": word " + (word + 1) + " spoken as '" + spoken + "'");
                    }
                } else if (line.startsWith("S ") && f.length == 4) {
                    double start = Double.parseDouble(f[2]), end = Double.parseDouble(f[3]);
                    phones.add(new Synthesis.Phone(f[1], word, start, end));
                } else if (line.startsWith("UniSyn: using default diphone")) {
                    missingDiphones.add(line.substring(line.lastIndexOf(' ') + 1));
                } else if (!line.isBlank()) {
                    throw new UnusableUtterance("festival " + voice + ": " + line);
                }
            }
            if (!missingDiphones.isEmpty()) {
                throw new UnusableUtterance("festival " + voice + ": missing diphones " + missingDiphones + " (spoken as silence)");
            }
            if (word + 1 != words.size()) throw new UnusableUtterance("festival " + voice + ": spoke " + (word + 1) + " of " + words.size() + " words");
            Audio audio = AudioFile.read(wav); // 16-bit mono, samples scaled to [-1, 1)
            short[] samples = new short[audio.samples().length];
            for (int i = 0; i < samples.length; i++) samples[i] = (short) Math.round(audio.samples()[i] * 32768.0);
            // Segment times are in seconds; phones are kept in samples of the output rate.
            int rate = audio.sampleRate();
            List<Synthesis.Phone> inSamples = new ArrayList<>();
            for (Synthesis.Phone p : phones) inSamples.add(new Synthesis.Phone(p.name(), p.word(), p.start() * rate, p.end() * rate));
            return new Synthesis(samples, rate, inSamples);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** The phones of a voice's phone set; the voice is selected by its Scheme function (e.g. voice_lp_diphone). */
    public List<String> phoneSet(String voiceFunction) {
        try {
            request("(" + voiceFunction + ")\n(format t \"P %l\\n\" (mapcar car (car (cdr (assoc 'phones (PhoneSet.description '(phones)))))))");
            for (String line : readAnswer()) {
                if (line.startsWith("P (") && line.endsWith(")")) return List.of(line.substring(3, line.length() - 1).strip().split("\\s+"));
            }
            throw new UserError("festival: no phone set for " + voiceFunction + "; is its festvox package installed?");
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /**
     * Synthesises a Segments utterance (phones with durations and pitch targets, {@link
     * DiphoneVoices#segments}) with a voice, saves the wave to {@code wav} unless it is null, and returns
     * Festival's messages (e.g. "UniSyn: using default diphone #-# for X-Y" for a missing diphone).
     */
    public List<String> renderSegments(String voiceFunction, String segments, Path wav) {
        try {
            if (wav != null) Files.deleteIfExists(wav);
            request("(" + voiceFunction + ")\n(set! wavlens-utt (utt.synth " + segments + "))"
                    + (wav == null ? "" : "\n(utt.save.wave wavlens-utt \"" + wav + "\" 'riff)"));
            return readAnswer();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** Sends one Scheme form, then a marker form that runs even if the first one failed. */
    private void request(String scheme) throws IOException {
        toFestival.write(scheme + "\n(format t \"" + END_MARK + "\\n\")\n(fflush nil)\n");
        toFestival.flush();
    }

    private List<String> readAnswer() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line; (line = fromFestival.readLine()) != null; ) {
            if (line.equals(END_MARK)) return lines;
            lines.add(line);
        }
        throw new UserError("festival exited unexpectedly; its last output: " + String.join(" | ", lines));
    }

    /** The pipe to the festival process broke (it died or was killed): the corpus cannot go on. */
    private static UserError failed(IOException e) {
        return new UserError("festival: lost the festival process (" + e.getMessage() + ")");
    }

    @Override
    public void close() {
        try {
            toFestival.write("(quit)\n");
            toFestival.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
            try (var files = Files.list(scratch)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(scratch);
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
