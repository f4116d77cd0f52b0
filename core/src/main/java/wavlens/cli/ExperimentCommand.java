package wavlens.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.experiment.LetterFrequencyExperiment;
import wavlens.io.Json;

/** Parent of the experiments: designs that train several models to test a claim of the analysis. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Controlled experiments that fine-tune several models to test a claim of the analysis (letter-frequency).",
        subcommands = {ExperimentCommand.LetterFrequency.class})
public final class ExperimentCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "letter-frequency", mixinStandardHelpOptions = true, description = {
            "Does a letter's accuracy after fine-tuning depend on its training frequency and on the pretrained model's clusters? "
                    + "Fine-tunes one model per variant from the same pretrained checkpoint, on subsets of equal audio of the corpus's "
                    + "finetune-train split (all utterances without splits) whose letter frequencies differ by sentence selection; scores "
                    + "every model on the test split; measures per-letter purity of the pretrained model's k-means clusters per layer; fits "
                    + "accuracy on log frequency and purity across all (model, letter) rows, and within letters.",
            "Writes OUT/experiment.json (with a verdict), CSV tables and figures; `wavlens analyze ... --experiment OUT` adds it to "
                    + "the report. Rerun the same command to resume: finished models are skipped, an interrupted one continues from its checkpoint."})
    public static final class LetterFrequency implements Callable<Integer> {
        @Option(names = "--pretrained", required = true, description = "pretrained HuggingFace wav2vec2 model folder, or demo:pretrained")
        String pretrained;

        @Option(names = "--corpus", required = true, description = "aligned corpus with transcripts (e.g. from `wavlens corpus synth`)")
        Path corpus;

        @Option(names = "--test", description = "test corpus (default: the corpus's test split)")
        Path test;

        @Option(names = "--out", required = true, description = "output folder")
        Path out;

        @Option(names = "--variants", defaultValue = "4", description = "fine-tuning subsets, one model each (default ${DEFAULT-VALUE})")
        int variants;

        @Option(names = "--subset-share", defaultValue = "0.6", description = "each subset's share of the fine-tuning audio (default ${DEFAULT-VALUE})")
        double subsetShare;

        @Option(names = "--letters", split = ",", description = "letters to manipulate, e.g. t,e,n,s,l,k (default: the 10 most frequent with a share of 1.5-10%%)")
        List<String> letters;

        @Option(names = "--seed", defaultValue = "0", description = "seed of subset tie-breaks, fine-tuning, clustering and bootstrap (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--layer", defaultValue = "best", description = "pretrained layer whose purity enters the fit: best (highest R²) or a layer, e.g. 6 or cnn (default ${DEFAULT-VALUE})")
        String layer;

        @Option(names = "--accuracy", defaultValue = "f1", description = "per-letter accuracy: f1, recall or precision (default ${DEFAULT-VALUE})")
        String accuracy;

        @Option(names = "--steps", defaultValue = "2000", description = "fine-tuning updates per model (default ${DEFAULT-VALUE})")
        long steps;

        @Option(names = "--lr", defaultValue = "5e-5", description = "peak learning rate (default ${DEFAULT-VALUE})")
        double lr;

        @Option(names = "--batch-seconds", defaultValue = "32", description = "audio per batch in seconds (default ${DEFAULT-VALUE})")
        double batchSeconds;

        @Option(names = "--mask-time-prob", defaultValue = "0.05", description = "share of frames masked during fine-tuning (default ${DEFAULT-VALUE})")
        float maskTimeProb;

        @Option(names = "--freeze-encoder-steps", defaultValue = "0", description = "train only the new head for this many first steps (default ${DEFAULT-VALUE})")
        long freezeEncoderSteps;

        @Option(names = "--eval-every", defaultValue = "500", description = "steps between dev CER measurements when there is a dev split (default ${DEFAULT-VALUE})")
        int evalEvery;

        @Option(names = "--max-seconds", defaultValue = "20", description = "skip training utterances longer than this (default ${DEFAULT-VALUE})")
        double maxSeconds;

        @Option(names = "--max-frames", defaultValue = "300", description = "frames per letter for the pretrained clusters (default ${DEFAULT-VALUE})")
        int maxFrames;

        @Option(names = "--k", defaultValue = "0", description = "clusters per layer (0 = as many as labels, as analyze does) (default ${DEFAULT-VALUE})")
        int k;

        @Option(names = "--bootstrap", defaultValue = "2000", description = "bootstrap resamples of the letters (default ${DEFAULT-VALUE})")
        int bootstrap;

        @Override
        public Integer call() {
            LetterFrequencyExperiment.Summary s = new LetterFrequencyExperiment(new LetterFrequencyExperiment.Options(ModelPaths.resolve(pretrained), corpus,
                    test, out, variants, subsetShare, letters, seed, layer, accuracy.toLowerCase(Locale.ROOT), steps, lr, batchSeconds, maskTimeProb,
                    freezeEncoderSteps, evalEvery, maxSeconds, maxFrames, k, bootstrap)).run();
            System.out.println(s.verdict());
            System.out.printf(Locale.ROOT, "%d models trained, %d reused, %.0f s -> %s%n", s.modelsTrained(), s.modelsReused(), s.seconds(), s.experimentJson());
            System.out.println(Json.oneLine(java.util.Map.of("experiment", s.experimentJson().toString(), "trained", s.modelsTrained(),
                    "reused", s.modelsReused(), "seconds", s.seconds())));
            return 0;
        }
    }
}
