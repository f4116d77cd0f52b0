package wavlens.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.checkpoint.DType;
import wavlens.io.Json;
import wavlens.io.UserError;
import wavlens.train.Pretraining;

@Command(name = "pretrain", mixinStandardHelpOptions = true, description = {
        "wav2vec 2.0 pretraining: masked spans, contrastive loss over Gumbel-quantized targets with sampled negatives,",
        "codebook diversity loss and feature penalty, on the audio of a corpus (no transcripts needed). From scratch",
        "(--shape tiny|small|base) or continuing a checkpoint (--init DIR). Writes a HuggingFace Wav2Vec2ForPreTraining",
        "folder plus training_log.csv and training.json. Interrupt with Ctrl-C and rerun the same command to resume."})
public final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--shape", defaultValue = "tiny", description = "tiny (4.8 M parameters), small or base, for a model from scratch (default ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--init", description = "continue pretraining this checkpoint instead of starting from scratch")
    String init;

    @Option(names = "--corpus", required = true, description = "corpus with audio (folder, Kaldi data folder or TSV manifest)")
    Path corpus;

    @Option(names = "--out", required = true, description = "output model folder")
    Path out;

    @Option(names = "--steps", defaultValue = "5000", description = "updates; 0 writes the randomly initialised model (a baseline) (default ${DEFAULT-VALUE})")
    long steps;

    @Option(names = "--batch-seconds", defaultValue = "32", description = "audio per batch in seconds (default ${DEFAULT-VALUE})")
    double batchSeconds;

    @Option(names = "--lr", defaultValue = "3e-4", description = "peak learning rate (default ${DEFAULT-VALUE}; 1e-3 collapses the tiny post-LN model into constant outputs)")
    double lr;

    @Option(names = "--warmup", defaultValue = "0.1", description = "share of steps warming up (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--hold", defaultValue = "0.3", description = "share of steps at the peak rate before the decay (default ${DEFAULT-VALUE})")
    double hold;

    @Option(names = "--mask-time-prob", defaultValue = "0.65", description = "share of frames starting a masked span (default ${DEFAULT-VALUE})")
    float maskTimeProb;

    @Option(names = "--mask-time-length", defaultValue = "10", description = "frames per masked span (default ${DEFAULT-VALUE})")
    int maskTimeLength;

    @Option(names = "--negatives", defaultValue = "100", description = "distractors per masked frame (default ${DEFAULT-VALUE})")
    int negatives;

    @Option(names = "--cross-negatives", defaultValue = "0", description = {
            "extra distractors per masked frame drawn from every utterance of the batch (fairseq's cross_sample_negatives;",
            "default ${DEFAULT-VALUE}, as HF); they keep a small model on small batches from settling on indistinguishable targets"})
    int crossNegatives;

    @Option(names = "--codevectors", defaultValue = "0", description = {
            "codevectors per quantizer group (num_codevectors_per_group) for a model from scratch; 0 = the shape's (320).",
            "Fewer, coarser codes are easier to predict, which lets a tiny model on small batches get past the start (models/README.md)"})
    int codevectors;

    @Option(names = "--gumbel", defaultValue = "2,0.5", split = ",", description = "Gumbel-softmax temperature at the start and the end (default ${DEFAULT-VALUE})")
    double[] gumbel;

    @Option(names = "--feature-penalty", defaultValue = "0", description = "weight of mean(conv features²), fairseq's feature_pen (fairseq uses 10; HF has none; default ${DEFAULT-VALUE}: "
            + "in short runs it shrinks the conv output until its LayerNorm amplifies noise)")
    double featurePenalty;

    @Option(names = "--feature-grad-mult", defaultValue = "0.1", description = "scale of the feature encoder's gradient, fairseq's feature_grad_mult (default ${DEFAULT-VALUE})")
    float featureGradMult;

    @Option(names = "--dropout", defaultValue = "0.1", description = "hidden, attention and projection dropout (default ${DEFAULT-VALUE})")
    float dropout;

    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay (default ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--clip", defaultValue = "10", description = "gradient-norm clipping threshold; 0 = none (default ${DEFAULT-VALUE})")
    double clip;

    @Option(names = "--seed", defaultValue = "0", description = "seed of initialisation, data order, masks, negatives and noise (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--save-every", defaultValue = "500", description = "steps between checkpoints (also every 10 minutes) (default ${DEFAULT-VALUE})")
    int saveEvery;

    @Option(names = "--keep-every", defaultValue = "0", description = "also keep the model every this many steps as its own folder, "
            + "OUT/snapshots/step-NNNNNN (default: none)")
    int keepEvery;

    @Option(names = "--max-seconds", defaultValue = "15", description = "crop longer utterances to a random window of this length (default ${DEFAULT-VALUE})")
    double maxSeconds;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32 or f16 for the saved model (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--max-utterances", defaultValue = "0", description = "use at most N utterances of the corpus, chosen by the seed (default: all)")
    int maxUtterances;

    @Option(names = "--stop-after", defaultValue = "0", description = "stop (with a checkpoint) after this many steps in this run; rerun to go on (default: run to the end)")
    long stopAfter;

    /** The parsed options, checked. */
    Pretraining.Options options() {
        if (steps < 0) throw new UserError("--steps must be 0 (write the randomly initialised model, a baseline) or more");
        if (!(batchSeconds > 0) || !(lr > 0)) throw new UserError("--batch-seconds and --lr must be positive");
        if (!(maskTimeProb > 0 && maskTimeProb < 1)) throw new UserError("--mask-time-prob must be in (0, 1)");
        if (keepEvery < 0) throw new UserError("--keep-every must not be negative");
        if (negatives < 1) throw new UserError("--negatives must be at least 1");
        if (codevectors < 0 || codevectors == 1) throw new UserError("--codevectors must be 0 (the shape's) or at least 2");
        if (crossNegatives < 0) throw new UserError("--cross-negatives must be 0 or more");
        if (gumbel.length != 2 || !(gumbel[0] > 0) || !(gumbel[1] > 0)) throw new UserError("--gumbel takes START,END, both positive");
        if (dropout < 0 || dropout >= 1) throw new UserError("--dropout must be in [0, 1)");
        DType type = switch (dtype) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            default -> throw new UserError("--dtype must be f32 or f16, not " + dtype);
        };
        return Pretraining.Options.builder(corpus, out).shape(shape).init(init == null ? null : ModelPaths.resolve(init)).steps(steps)
                .batchSeconds(batchSeconds).peakLr(lr).warmup(warmup).hold(hold).maskTime(maskTimeProb, maskTimeLength).negatives(negatives)
                .crossNegatives(crossNegatives).codevectors(codevectors).gumbel(gumbel[0], gumbel[1]).featurePenalty(featurePenalty)
                .featureGradMult(featureGradMult).dropout(dropout).weightDecay(weightDecay).clip(clip).seed(seed).saveEvery(saveEvery)
                .keepEvery(keepEvery).maxSeconds(maxSeconds).dtype(type).stopAfter(stopAfter).maxUtterances(maxUtterances).build();
    }

    @Override
    public Integer call() {
        Pretraining.Summary s = Pretraining.run(options());
        if (!s.complete()) {
            System.out.printf(Locale.ROOT, "stopped at step %d of %d; rerun the same command to go on%n", s.steps(), steps);
            return 0;
        }
        System.out.printf(Locale.ROOT, "pretrained %d steps in %.0f s on %d utterances: final loss %.3f per masked frame "
                + "(contrastive %.3f), codebook perplexity %.1f -> %s%n", s.steps(), s.seconds(), s.utterances(), s.finalLoss(),
                s.finalContrastive(), s.finalPerplexity(), out);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("steps", s.steps());
        r.put("seconds", s.seconds());
        r.put("final_loss", s.finalLoss());
        r.put("final_contrastive", s.finalContrastive());
        r.put("final_perplexity", s.finalPerplexity());
        r.put("out", out.toString());
        System.out.println(Json.oneLine(r));
        return 0;
    }
}
