package wavlens.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.corpus.synth.CorpusSynthesizer;
import wavlens.io.UserError;
import wavlens.io.Json;

/**
 * {@code wavlens corpus synth --out DIR}: a built-in Finnish corpus with exact word, phone and
 * letter alignments, synthesized with espeak-ng and Festival/Suopuhe (see {@link CorpusSynthesizer}).
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {
                "Synthesize a Finnish speech corpus with exact alignments: DIR/<split>/<speaker>/<utt>.wav|.TextGrid|.lab "
                        + "(16 kHz mono; TextGrid tiers words, phones, letters) and DIR/corpus.json.",
                "Splits pretraining / finetune-train / dev / test have disjoint sentences; dev and test use held-out voices, "
                        + "some voices appear only in test. The same seed and options give byte-identical files.",
                "Needs the Debian packages espeak-ng libespeak-ng1 festival festvox-suopuhe-mv festvox-suopuhe-lj "
                        + "(Festival ones not with --no-festival)."})
public final class CorpusSynthCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (new or empty)")
    Path out;

    @Option(names = "--utterances", paramLabel = "N", defaultValue = "600", description = "number of utterances (default ${DEFAULT-VALUE}; at least 4)")
    int utterances;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "seed for voices, splits, rates, pitches, noise (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--speed", paramLabel = "F", defaultValue = "1.0",
            description = "speed change like sox 'speed F': pitch and tempo change together, every time is divided by F exactly "
                    + "(F is rounded so that 22050*F is a whole number; the applied F is in corpus.json). 0.5-2, default ${DEFAULT-VALUE}")
    double speed;

    @Option(names = "--noise-snr", paramLabel = "DB",
            description = "add seeded noise at this signal-to-noise ratio in dB (signal power measured between the first and last word)")
    Double noiseSnrDb;

    @Option(names = "--noise-color", paramLabel = "COLOR", defaultValue = "white", description = "white or pink (default ${DEFAULT-VALUE})")
    String noiseColor;

    @Option(names = "--no-festival", description = "espeak-ng voices only (Festival need not be installed)")
    boolean noFestival;

    @Option(names = "--more-voices",
            description = "add 35 further espeak-ng variants as training voices (pretraining, finetune-train); "
                    + "dev and test keep the voices and sentences they have without it")
    boolean moreVoices;

    @Option(names = "--random-voices", paramLabel = "N", defaultValue = "0",
            description = "add N espeak-ng voices of random formant (F1-F3 each on its own), pitch and voicing settings "
                    + "as training voices (0-150; settings in corpus.json); dev and test keep their voices and sentences")
    int randomVoices;

    @Option(names = "--random-voice-settings", paramLabel = "KIND", defaultValue = "basic",
            description = "basic (F1-F3, pitch and voicing; the default) or all: the random voices also vary formants 0 and 4-8, "
                    + "every formant's strength and width, consonant noise, flutter, roughness, intonation, tone, stressed-syllable "
                    + "lengths, breath and echo (named espeak-random-all-NNN)")
    String randomVoiceSettings;

    @Option(names = "--random-voice-seed", paramLabel = "S",
            description = "draw the random voices from this seed instead of --seed: other voices, with the same held-out voices "
                    + "and sentences (names then carry it: espeak-random-s2-NNN)")
    Long randomVoiceSeed;

    @Option(names = "--mbrola",
            description = "add the installed MBROLA voices (recorded Estonian, Hungarian, Swedish, German, Dutch, French, Czech, Polish, "
                    + "Italian, Portuguese, Breton, American English, Hebrew, Malay, Turkish and Telugu speakers speaking espeak-ng's Finnish phones, each only sentences with sounds its language has; "
                    + "Debian packages mbrola, mbrola-ee1/hu1/sw1/sw2/de1-de7/nl2/nl3/fr1-fr4/fr6/cz1/pl1/it4/pt1/bz1/us1/it2/hb2/ma1/tr2/tl1) as training voices; "
                    + "dev and test keep their voices and sentences")
    boolean mbrola;

    @Option(names = "--festival-diphones",
            description = "add Festival's Italian and Czech diphone voices (two women, two men, recorded speakers of the same "
                    + "residual-LPC diphone synthesis as the Finnish Suopuhe voices; Debian packages festvox-italp16k, festvox-itapc16k, "
                    + "festvox-czech-dita, festvox-czech-ph) speaking espeak-ng's Finnish phones as the MBROLA voices do, as training voices")
    boolean festivalDiphones;

    @Option(names = "--mbrola-formants", split = ",", paramLabel = "LO,HI", defaultValue = "1,1",
            description = "with --mbrola: scale each utterance's formants by a random factor in [LO, HI] (vocal tract "
                    + "length perturbation, 0.7-1.4; default ${DEFAULT-VALUE}: as recorded)")
    double[] mbrolaFormants;

    @Option(names = "--training-text", paramLabel = "FILE",
            description = "more sentences for the training splits only (UTF-8, one a line, Finnish letters and , . ? ! : ;); "
                    + "dev and test keep the built-in held-out sentences")
    Path trainingText;

    @Option(names = "--training-voices", split = ",", paramLabel = "NAME",
            description = "only these training voices speak pretraining and finetune-train, e.g. festival-mv or espeak-random-all-* "
                    + "(names as in corpus.json; dev and test keep their voices and sentences)")
    List<String> trainingVoices;

    @Option(names = "--json", description = "end with one line of JSON (counts, time)")
    boolean json;

    @Override
    public Integer call() {
        if (!randomVoiceSettings.equals("basic") && !randomVoiceSettings.equals("all")) {
            throw new UserError("--random-voice-settings must be basic or all, not " + randomVoiceSettings);
        }
        CorpusSynthesizer.Summary summary = CorpusSynthesizer.run(new CorpusSynthesizer.Options(out, utterances, seed, speed, noiseSnrDb, noiseColor,
                !noFestival, moreVoices, randomVoices, randomVoiceSettings.equals("all"), randomVoiceSeed, mbrola, mbrolaFormants, trainingText, trainingVoices, System.err, festivalDiphones));
        System.out.printf(Locale.ROOT, "%d utterances (%s), %d dropped and replaced, %.1f s of audio in %.1f s (%.1f utterances/s) -> %s%n",
                summary.utterances(), summary.perSplit(), summary.dropped(), summary.audioSeconds(), summary.seconds(),
                summary.utterances() / summary.seconds(), out.resolve("corpus.json"));
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("utterances", summary.utterances());
            line.put("perSplit", summary.perSplit());
            line.put("dropped", summary.dropped());
            line.put("audioSeconds", summary.audioSeconds());
            line.put("seconds", summary.seconds());
            line.put("corpus", out.resolve("corpus.json").toString());
            System.out.println(Json.oneLine(line));
        }
        return 0;
    }

    /** Runs the command on its own (the determinism test starts fresh processes this way). */
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new CorpusSynthCommand());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            System.err.println("wavlens: " + ex.getMessage());
            return ex instanceof wavlens.io.UserError ? 2 : 1;
        });
        System.exit(cli.execute(args));
    }
}
