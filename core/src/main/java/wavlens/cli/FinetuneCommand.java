package wavlens.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.checkpoint.DType;
import wavlens.corpus.LetterTable;
import wavlens.io.Json;
import wavlens.io.UserError;
import wavlens.train.FineTuning;

@Command(name = "finetune", mixinStandardHelpOptions = true, description = {
        "CTC fine-tuning: adds a CTC head over the letters of the letter table to a pretrained wav2vec2 model and",
        "trains it on a corpus with transcripts, reporting the dev set's greedy CER as it goes. Writes a HuggingFace",
        "model folder (config.json, model.safetensors, vocab.json, tokenizer and preprocessor configs) plus",
        "training_log.csv and training.json. Interrupt with Ctrl-C and rerun the same command to resume."})
public final class FinetuneCommand implements Callable<Integer> {
    @Option(names = "--pretrained", required = true, description = "pretrained HuggingFace model folder, or demo:pretrained; a CTC model over the same letters (e.g. an earlier finetune output) keeps its head and training goes on from it")
    String pretrained;

    @Option(names = "--train", required = true, description = "training corpus (folder, Kaldi data folder or TSV manifest) with transcripts; repeat to train on several")
    java.util.List<Path> train;

    @Option(names = "--dev", description = "dev corpus for the CER reported during training")
    Path dev;

    @Option(names = "--out", required = true, description = "output model folder")
    Path out;

    @Option(names = "--steps", defaultValue = "2000", description = "updates (default ${DEFAULT-VALUE})")
    long steps;

    @Option(names = "--batch-seconds", defaultValue = "32", description = "audio per batch in seconds (default ${DEFAULT-VALUE})")
    double batchSeconds;

    @Option(names = "--lr", defaultValue = "1e-4", description = "peak learning rate (default ${DEFAULT-VALUE}; 5e-4 and above collapse small post-LN models into constant outputs)")
    double lr;

    @Option(names = "--warmup", defaultValue = "0.1", description = "share of steps warming up (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--hold", defaultValue = "0.4", description = "share of steps at the peak rate before the decay (default ${DEFAULT-VALUE})")
    double hold;

    @Option(names = "--train-feature-encoder", description = "also train the conv feature encoder (frozen by default, as in the paper)")
    boolean trainFeatureEncoder;

    @Option(names = "--freeze-encoder-steps", defaultValue = "0", description = "train only the new head for this many first steps (default ${DEFAULT-VALUE})")
    long freezeEncoderSteps;

    @Option(names = "--mask-time-prob", defaultValue = "0.05", description = "share of frames masked with masked_spec_embed (default ${DEFAULT-VALUE})")
    float maskTimeProb;

    @Option(names = "--mask-time-length", defaultValue = "10", description = "frames per mask span (default ${DEFAULT-VALUE})")
    int maskTimeLength;

    @Option(names = "--mask-feature-prob", defaultValue = "0", description = "channel masking: share of the transformer input's channels "
            + "set to 0 in spans, per utterance (HF mask_feature_prob; default ${DEFAULT-VALUE})")
    float maskFeatureProb;

    @Option(names = "--mask-feature-length", defaultValue = "10", description = "channels per channel-mask span (default ${DEFAULT-VALUE})")
    int maskFeatureLength;

    @Option(names = "--dropout", defaultValue = "0.1", description = "hidden, attention and activation dropout (default ${DEFAULT-VALUE})")
    float dropout;

    @Option(names = "--final-dropout", defaultValue = "0.0", description = "dropout before the CTC head (default ${DEFAULT-VALUE})")
    float finalDropout;

    @Option(names = "--weight-decay", defaultValue = "0.0", description = "AdamW weight decay (default ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--clip", defaultValue = "5.0", description = "gradient-norm clipping threshold; 0 = none (default ${DEFAULT-VALUE})")
    double clip;

    @Option(names = "--seed", defaultValue = "0", description = "seed of initialisation, data order, masks and dropout (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--eval-every", defaultValue = "200", description = "steps between dev CER measurements (default ${DEFAULT-VALUE})")
    int evalEvery;

    @Option(names = "--save-every", defaultValue = "500", description = "steps between checkpoints (also every 10 minutes) (default ${DEFAULT-VALUE})")
    int saveEvery;

    @Option(names = "--keep-every", defaultValue = "0", description = "also keep the model every this many steps as its own folder, "
            + "OUT/snapshots/step-NNNNNN, e.g. for wavlens average (default: none)")
    int keepEvery;

    @Option(names = "--max-seconds", defaultValue = "20", description = "skip training utterances longer than this (default ${DEFAULT-VALUE})")
    double maxSeconds;

    @Option(names = "--speed-perturb", split = ",", description = "speed perturbation: every utterance of every batch plays at one of these speeds, "
            + "picked at random (pitch and formants move with it, as with sox speed), e.g. 0.9,1.0,1.1 (default: none)")
    double[] speeds;

    @Option(names = "--eq-perturb", defaultValue = "0", description = "random colouring: every utterance of every batch goes through three "
            + "peaking filters at random frequencies (100 Hz-7 kHz) with gains up to this many dB either way, loudness kept (default: none)")
    double eqDb;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32 or f16 for the saved model (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--letters", description = "letter table (default: the built-in Finnish table)")
    Path letters;

    @Option(names = "--stop-after", defaultValue = "0", description = "stop (with a checkpoint) after this many steps in this run; rerun to go on (default: run to the end)")
    long stopAfter;

    @Override
    public Integer call() {
        FineTuning.Summary s = FineTuning.run(options());
        if (!s.complete()) {
            System.out.printf(Locale.ROOT, "stopped at step %d of %d; rerun the same command to go on%n", s.steps(), steps);
            return 0;
        }
        System.out.printf(Locale.ROOT, "fine-tuned %d steps in %.0f s on %d utterances: final loss %.3f%s -> %s%n", s.steps(), s.seconds(),
                s.trainUtterances(), s.finalLoss(), s.devCer() == null ? "" : String.format(Locale.ROOT, ", dev CER %.2f%%", 100 * s.devCer()), out);
        java.util.Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("steps", s.steps());
        r.put("seconds", s.seconds());
        r.put("final_loss", s.finalLoss());
        r.put("dev_cer", s.devCer());
        r.put("out", out.toString());
        System.out.println(Json.oneLine(r));
        return 0;
    }

    /** The parsed options, checked. */
    FineTuning.Options options() {
        if (steps < 1) throw new UserError("--steps must be at least 1");
        if (!(batchSeconds > 0)) throw new UserError("--batch-seconds must be positive");
        if (!(lr > 0)) throw new UserError("--lr must be positive");
        if (maskTimeProb < 0 || maskTimeProb >= 1) throw new UserError("--mask-time-prob must be in [0, 1)");
        if (maskFeatureProb < 0 || maskFeatureProb >= 1) throw new UserError("--mask-feature-prob must be in [0, 1)");
        if (maskFeatureLength < 1) throw new UserError("--mask-feature-length must be at least 1");
        if (keepEvery < 0) throw new UserError("--keep-every must not be negative");
        if (dropout < 0 || dropout >= 1 || finalDropout < 0 || finalDropout >= 1) throw new UserError("dropout rates must be in [0, 1)");
        if (evalEvery < 1) throw new UserError("--eval-every must be at least 1");
        if (speeds != null) for (double v : speeds) if (!(v >= 0.5 && v <= 2)) throw new UserError("--speed-perturb: speeds must be between 0.5 and 2, not " + v);
        if (!(eqDb >= 0 && eqDb <= 24)) throw new UserError("--eq-perturb: the gain must be between 0 and 24 dB, not " + eqDb);
        DType type = switch (dtype) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            default -> throw new UserError("--dtype must be f32 or f16, not " + dtype);
        };
        LetterTable table = letters == null ? LetterTable.finnish() : LetterTable.read(letters);
        return FineTuning.Options.builder(ModelPaths.resolve(pretrained), train, out).dev(dev)
                .steps(steps).batchSeconds(batchSeconds).peakLr(lr).warmup(warmup).hold(hold)
                .freezeFeatureEncoder(!trainFeatureEncoder).freezeEncoderSteps(freezeEncoderSteps)
                .maskTime(maskTimeProb, maskTimeLength).maskFeature(maskFeatureProb, maskFeatureLength).dropout(dropout).finalDropout(finalDropout)
                .weightDecay(weightDecay).clip(clip).seed(seed).evalEvery(evalEvery).saveEvery(saveEvery).keepEvery(keepEvery)
                .maxSeconds(maxSeconds).dtype(type).letters(table).stopAfter(stopAfter).speeds(speeds).eqDb(eqDb).build();
    }
}
