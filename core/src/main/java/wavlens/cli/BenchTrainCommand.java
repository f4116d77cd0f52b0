package wavlens.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.io.Json;
import wavlens.io.UserError;
import wavlens.model.Shapes;
import wavlens.model.Wav2Vec2Config;
import wavlens.tensor.Blas;
import wavlens.train.AdamW;
import wavlens.train.CtcLoss;
import wavlens.train.PretrainingHead;
import wavlens.train.TimeMask;
import wavlens.train.TrainableModel;

@Command(name = "train", mixinStandardHelpOptions = true, description = {
        "Training speed: one step (forward, loss, backward, AdamW update) of a randomly initialised model on a batch",
        "of random audio, for the CTC loss (feature encoder trained too) and the pretraining loss. Prints the median",
        "seconds per step and audio-seconds per second. bench/train_vs_torch.py runs PyTorch on the same problem",
        "beside it and prints the ratios."})
public final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = "--shape", defaultValue = "tiny", description = "tiny, small or base (default ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--batch", defaultValue = "8", description = "utterances per step (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seconds", defaultValue = "4", description = "seconds of audio per utterance (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--steps", defaultValue = "5", description = "timed steps after two warm-up steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--only", description = "ctc or pretrain (default: both)")
    String only;

    @Option(names = "--json", description = "last line: one JSON object")
    boolean json;

    @Override
    public Integer call() {
        if (steps < 1) throw new UserError("--steps must be at least 1");
        if (only != null && !only.equals("ctc") && !only.equals("pretrain")) throw new UserError("--only must be ctc or pretrain");
        Wav2Vec2Config cfg = Wav2Vec2Config.parse(Shapes.config(shape), Path.of(shape + "/config.json"));
        Random rng = new Random(1);
        float[][] audio = new float[batch][];
        int samples = (int) Math.round(seconds * 16000);
        for (int b = 0; b < batch; b++) {
            audio[b] = new float[samples];
            for (int i = 0; i < samples; i++) audio[b][i] = (float) rng.nextGaussian();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("shape", shape);
        r.put("batch", batch);
        r.put("seconds_per_utterance", seconds);
        r.put("audio_seconds_per_step", batch * seconds);
        r.put("threads", Runtime.getRuntime().availableProcessors());
        r.put("blas", Blas.available() ? "openblas" : "java-fallback");
        BenchEngineCommand.resetPeakRss();
        if (only == null || only.equals("ctc")) {
            TrainableModel model = TrainableModel.initialize(cfg, new Random(2)).withNewCtcHead(32, new Random(3));
            r.put("parameters_ctc", model.params.count());
            AdamW opt = new AdamW(model.params, AdamW.Settings.wav2vec2(1e-8, 0.0));
            int[][] targets = new int[batch][];
            for (int b = 0; b < batch; b++) {
                targets[b] = new int[40];
                for (int j = 0; j < 40; j++) targets[b][j] = 1 + rng.nextInt(31);
            }
            double median = timeSteps(() -> {
                TrainableModel.Pass p = model.forward(audio, null, false, TrainableModel.Dropout.NONE);
                float[] dLogits = new float[p.logits.length];
                CtcLoss.compute(p.logits, 32, p.rowOffset, p.frames, targets, 0, CtcLoss.Reduction.SUM, true, dLogits);
                model.params.zeroGrad();
                model.backward(p, dLogits, null, null, false);
                AdamW.clipGradNorm(model.params, 1e9);
                opt.step(1e-4);
            });
            r.put("ctc_seconds_per_step", median);
            r.put("ctc_audio_seconds_per_second", batch * seconds / median);
            System.out.printf("CTC: %.3f s per step, %.1f audio-s/s (%s, %d × %.1f s, %d parameters)%n", median, batch * seconds / median,
                    shape, batch, seconds, model.params.count());
        }
        if (only == null || only.equals("pretrain")) {
            TrainableModel model = TrainableModel.initialize(cfg, new Random(2));
            PretrainingHead.initialize(model.params, cfg, new Random(3));
            PretrainingHead head = new PretrainingHead(model.params, cfg);
            r.put("parameters_pretrain", model.params.count());
            AdamW opt = new AdamW(model.params, AdamW.Settings.wav2vec2(1e-6, 0.01));
            int[] frames = new int[batch];
            java.util.Arrays.fill(frames, cfg.framesFor(samples));
            // masks and negatives are drawn outside the timed step, as HF's data collator does
            boolean[][] mask = TimeMask.sample(frames, 0.65f, 10, 2, new Random(4));
            int[][][] negatives = PretrainingHead.sampleNegatives(frames, mask, cfg.numNegatives(), new Random(5));
            boolean[] packed = new boolean[batch * frames[0]];
            for (int b = 0; b < batch; b++) System.arraycopy(mask[b], 0, packed, b * frames[0], frames[0]);
            Random noise = new Random(6);
            double median = timeSteps(() -> {
                TrainableModel.Pass p = model.forward(audio, packed, false, TrainableModel.Dropout.NONE);
                PretrainingHead.Result res = head.forward(p.extract, p.last, new PretrainingHead.Batch(p.rowOffset, p.frames, mask, negatives, null),
                        2f, noise);
                model.params.zeroGrad();
                PretrainingHead.Grads g = head.backward(1f / Math.max(1, res.maskedFrames()));
                model.backward(p, null, g.dHidden(), g.dExtract(), false);
                AdamW.clipGradNorm(model.params, 1e9);
                opt.step(1e-4);
            });
            r.put("pretrain_seconds_per_step", median);
            r.put("pretrain_audio_seconds_per_second", batch * seconds / median);
            System.out.printf("pretraining: %.3f s per step, %.1f audio-s/s (%s, %d × %.1f s, %d parameters, %d negatives)%n", median,
                    batch * seconds / median, shape, batch, seconds, model.params.count(), cfg.numNegatives());
        }
        r.put("peak_rss_mb", BenchEngineCommand.peakRssKb() / 1024);
        if (json) System.out.println(Json.oneLine(r));
        return 0;
    }

    private double timeSteps(Runnable step) {
        for (int i = 0; i < 2; i++) step.run();
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            step.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return steps % 2 == 1 ? t[steps / 2] : (t[steps / 2 - 1] + t[steps / 2]) / 2;
    }
}
