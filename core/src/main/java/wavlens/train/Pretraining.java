package wavlens.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import wavlens.checkpoint.DType;
import wavlens.io.Json;
import wavlens.io.Progress;
import wavlens.io.UserError;
import wavlens.model.Preprocessor;
import wavlens.model.Shapes;
import wavlens.model.Wav2Vec2Config;

/**
 * wav2vec 2.0 pretraining from scratch (Baevski et al. 2020, §3; HF Wav2Vec2ForPreTraining): spans
 * of the transformer input are masked, and for every masked frame the model must pick the
 * quantized latent of that frame among K distractors from other masked frames of the same
 * utterance (contrastive loss, §3.2), while a diversity loss keeps the Gumbel-softmax codebooks
 * in use and a penalty keeps the conv features small (fairseq's feature_pen). Losses are summed
 * over masked frames and the gradients divided by their number, as fairseq normalises by
 * sample_size.
 */
public final class Pretraining {
    public record Options(String shape, Path init, Path corpus, Path out, long steps, double batchSeconds, double peakLr,
                          double warmup, double hold, float maskTimeProb, int maskTimeLength, int numNegatives, int crossNegatives, int codevectors, double gumbelStart,
                          double gumbelEnd, double featurePenalty, float featureGradMult, float dropout, double weightDecay,
                          double clip, long seed, int saveEvery, double maxSeconds, DType dtype, long stopAfter, int maxUtterances, int keepEvery) {

        /** The options of {@code wavlens pretrain} with its defaults (a tiny model from scratch); set what differs, then {@link Builder#build}. */
        public static Builder builder(Path corpus, Path out) {
            Builder b = new Builder();
            b.corpus = corpus;
            b.out = out;
            return b;
        }
    }

    /** Pretraining options by name; the defaults are {@code wavlens pretrain}'s. */
    public static final class Builder {
        private String shape = "tiny";
        private Path init, corpus, out;
        private long steps = 5000, seed = 0, stopAfter = 0;
        private double batchSeconds = 32, peakLr = 3e-4, warmup = 0.1, hold = 0.3, gumbelStart = 2, gumbelEnd = 0.5, featurePenalty = 0,
                weightDecay = 0.01, clip = 10, maxSeconds = 15;
        private float maskTimeProb = 0.65f, featureGradMult = 0.1f, dropout = 0.1f;
        private int maskTimeLength = 10, numNegatives = 100, crossNegatives = 0, codevectors = 0, saveEvery = 500, maxUtterances = 0, keepEvery = 0;
        private DType dtype = DType.F32;

        private Builder() {}

        public Builder shape(String v) { shape = v; return this; }
        /** Continue pretraining this checkpoint instead of starting from scratch (null: from scratch). */
        public Builder init(Path v) { init = v; return this; }
        public Builder steps(long v) { steps = v; return this; }
        public Builder batchSeconds(double v) { batchSeconds = v; return this; }
        public Builder peakLr(double v) { peakLr = v; return this; }
        public Builder warmup(double v) { warmup = v; return this; }
        public Builder hold(double v) { hold = v; return this; }
        public Builder maskTime(float prob, int length) { maskTimeProb = prob; maskTimeLength = length; return this; }
        public Builder negatives(int v) { numNegatives = v; return this; }
        public Builder crossNegatives(int v) { crossNegatives = v; return this; }
        /** Codevectors per quantizer group for a model from scratch; 0 = the shape's. */
        public Builder codevectors(int v) { codevectors = v; return this; }
        public Builder gumbel(double start, double end) { gumbelStart = start; gumbelEnd = end; return this; }
        public Builder featurePenalty(double v) { featurePenalty = v; return this; }
        public Builder featureGradMult(float v) { featureGradMult = v; return this; }
        public Builder dropout(float v) { dropout = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder clip(double v) { clip = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder saveEvery(int v) { saveEvery = v; return this; }
        public Builder keepEvery(int v) { keepEvery = v; return this; }
        public Builder maxSeconds(double v) { maxSeconds = v; return this; }
        public Builder dtype(DType v) { dtype = v; return this; }
        public Builder stopAfter(long v) { stopAfter = v; return this; }
        public Builder maxUtterances(int v) { maxUtterances = v; return this; }

        public Options build() {
            return new Options(shape, init, corpus, out, steps, batchSeconds, peakLr, warmup, hold, maskTimeProb, maskTimeLength, numNegatives,
                    crossNegatives, codevectors, gumbelStart, gumbelEnd, featurePenalty, featureGradMult, dropout, weightDecay, clip, seed, saveEvery,
                    maxSeconds, dtype, stopAfter, maxUtterances, keepEvery);
        }
    }

    public record Summary(long steps, double finalLoss, double finalContrastive, double finalPerplexity, double seconds, int utterances, boolean complete) {}

    private Pretraining() {}

    public static Summary run(Options o) {
        long start = System.nanoTime();
        ObjectNode configJson;
        TrainableModel model;
        Random init = new Random(o.seed());
        if (o.init() != null) {
            configJson = (ObjectNode) Json.read(o.init().resolve("config.json"));
        } else {
            configJson = Shapes.config(o.shape());
            if (o.codevectors() > 0) configJson.put("num_codevectors_per_group", o.codevectors());
        }
        if (o.init() != null && o.codevectors() > 0 && configJson.path("num_codevectors_per_group").asInt() != o.codevectors()) {
            throw UserError.inFile(o.init().resolve("config.json"), "has num_codevectors_per_group " + configJson.path("num_codevectors_per_group").asInt()
                    + "; --codevectors can only set it for a model from scratch");
        }
        configJson.putArray("architectures").add("Wav2Vec2ForPreTraining");
        configJson.put("mask_time_prob", o.maskTimeProb());
        configJson.put("mask_time_length", o.maskTimeLength());
        configJson.put("num_negatives", o.numNegatives());
        configJson.put("hidden_dropout", o.dropout());
        configJson.put("attention_dropout", o.dropout());
        configJson.put("activation_dropout", 0.0);
        configJson.put("feat_proj_dropout", o.dropout());
        configJson.put("layerdrop", 0.0);
        Wav2Vec2Config cfg = Wav2Vec2Config.parse(configJson, o.out().resolve("config.json"));
        if (o.init() != null) {
            model = TrainableModel.load(o.init()).withConfig(cfg);
            if (!model.params.has("quantizer.codevectors")) PretrainingHead.initialize(model.params, cfg, init);
            if (!model.params.has(TrainableModel.BASE + "masked_spec_embed")) {
                throw UserError.inFile(o.init(), "has no masked_spec_embed; pretraining needs it");
            }
            model.params.setTrainable("lm_head.", false);
        } else {
            model = TrainableModel.initialize(cfg, init);
            PretrainingHead.initialize(model.params, cfg, init);
        }
        PretrainingHead head = new PretrainingHead(model.params, cfg);
        Preprocessor preprocessor = Preprocessor.defaults(cfg);
        TrainingData data = TrainingData.load(o.corpus(), preprocessor, cfg, null, null, o.maxSeconds(), o.seed(), o.maxUtterances());
        FineTuning.report(data);

        ObjectNode settings = Json.MAPPER.createObjectNode();
        settings.put("kind", "pretrain");
        settings.put("shape", o.init() == null ? o.shape() : null);
        settings.put("init", o.init() == null ? null : o.init().toAbsolutePath().normalize().toString());
        settings.put("corpus", o.corpus().toAbsolutePath().normalize().toString());
        settings.put("utterances", data.items.size());
        settings.put("max_utterances", o.maxUtterances());
        settings.put("steps", o.steps());
        settings.put("batch_seconds", o.batchSeconds());
        settings.put("lr", o.peakLr());
        settings.put("warmup", o.warmup());
        settings.put("hold", o.hold());
        settings.put("mask_time_prob", o.maskTimeProb());
        settings.put("mask_time_length", o.maskTimeLength());
        settings.put("num_negatives", o.numNegatives());
        if (o.codevectors() > 0) settings.put("codevectors", o.codevectors());
        if (o.crossNegatives() > 0) settings.put("cross_negatives", o.crossNegatives());   // absent = 0, so older checkpoints still resume
        settings.put("gumbel_start", o.gumbelStart());
        settings.put("gumbel_end", o.gumbelEnd());
        settings.put("feature_penalty", o.featurePenalty());
        settings.put("feature_grad_mult", o.featureGradMult());
        settings.put("dropout", o.dropout());
        settings.put("weight_decay", o.weightDecay());
        settings.put("clip", o.clip());
        settings.put("seed", o.seed());
        settings.put("max_seconds", o.maxSeconds());

        AdamW opt = new AdamW(model.params, AdamW.Settings.wav2vec2(1e-6, o.weightDecay()));
        // linear warm-up from 0, a hold at the peak, then an exponential decay to 5 % of the peak
        LearningRate lr = new LearningRate(o.peakLr(), o.steps(), o.warmup(), o.hold(), 0.0, 0.05);
        try (TrainingRun run = new TrainingRun(o.out(), settings)) {
            run.modelFiles(dir -> {
                Json.write(dir.resolve("config.json"), configJson);
                FineTuning.writePreprocessor(dir, preprocessor, cfg);
            });
            run.keepEvery(o.keepEvery(), o.dtype());
            TrainingRun.Outcome outcome = run.loop("pretraining", model.params, opt, lr, o.clip(), data, o.seed(), o.batchSeconds(), o.steps(),
                    o.saveEvery(), o.stopAfter(), new TrainingRun.Update() {
                        @Override
                        public Map<String, Object> gradients(long step, int[] batch, Random rng) {
                            // Gumbel temperature: exponential from gumbelStart to gumbelEnd over the run (fairseq decays per update)
                            double tau = o.gumbelStart() * Math.pow(o.gumbelEnd() / o.gumbelStart(), step / (double) Math.max(1, o.steps() - 1));
                            StepResult r = step(model, head, data, batch, o, (float) tau, rng);
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("loss", TrainingRun.round(r.loss));
                            row.put("contrastive", TrainingRun.round(r.contrastive));
                            row.put("diversity", TrainingRun.round(r.diversity));
                            row.put("feature_penalty", TrainingRun.round(r.penalty));
                            row.put("perplexity", TrainingRun.round(r.perplexity));
                            row.put("accuracy", TrainingRun.round(r.accuracy));
                            row.put("masked", r.masked);
                            row.put("temperature", TrainingRun.round(tau));
                            return row;
                        }

                        @Override
                        public String status(Map<String, Object> row) {
                            return String.format(Locale.ROOT, "loss %.3f, acc %.2f, ppl %.0f", (Double) row.get("loss"), (Double) row.get("accuracy"),
                                    (Double) row.get("perplexity"));
                        }
                    });
            Map<String, Object> last = outcome.lastRow();
            double lastLoss = number(last, "loss"), lastContrastive = number(last, "contrastive"), lastPerplexity = number(last, "perplexity");
            if (!outcome.complete()) {
                return new Summary(outcome.step(), lastLoss, lastContrastive, lastPerplexity, (System.nanoTime() - start) / 1e9, data.items.size(), false);
            }
            Json.write(o.out().resolve("config.json"), configJson);
            model.params.save(o.out().resolve("model.safetensors"), o.dtype(), Map.of("format", "pt"));
            FineTuning.writePreprocessor(o.out(), preprocessor, cfg);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("settings", settings);
            summary.put("audio_seconds", TrainingRun.round(data.totalSeconds()));
            summary.put("final_loss", lastLoss);
            summary.put("final_contrastive_per_masked_frame", lastContrastive);
            summary.put("final_perplexity", lastPerplexity);
            Json.write(o.out().resolve("training.json"), summary);
            run.finish(model.params, opt);
            return new Summary(o.steps(), lastLoss, lastContrastive, lastPerplexity, (System.nanoTime() - start) / 1e9, data.items.size(), true);
        }
    }

    private static double number(Map<String, Object> row, String key) {
        Object v = row.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** One step's losses, per masked frame. */
    record StepResult(double loss, double contrastive, double diversity, double penalty, double perplexity, double accuracy, int masked) {}

    static StepResult step(TrainableModel model, PretrainingHead head, TrainingData data, int[] batch, Options o, float tau, Random rng) {
        Wav2Vec2Config cfg = model.cfg;
        float[][] audio = new float[batch.length][];
        int[] frames = new int[batch.length];
        for (int i = 0; i < batch.length; i++) {
            audio[i] = data.items.get(batch[i]).audio();
            frames[i] = cfg.framesFor(audio[i].length);
        }
        boolean[][] mask = TimeMask.sample(frames, o.maskTimeProb(), o.maskTimeLength(), 2, rng);
        int[][][] negatives = PretrainingHead.sampleNegatives(frames, mask, o.numNegatives(), rng);
        int[][][] cross = o.crossNegatives() > 0 ? PretrainingHead.sampleCrossNegatives(frames, mask, o.crossNegatives(), rng) : null;
        TrainableModel.Dropout dropout = new TrainableModel.Dropout(o.dropout(), o.dropout(), 0f, o.dropout(), 0f, rng);
        TrainableModel.Pass p = model.forward(audio, FineTuning.packed(mask), false, dropout);
        PretrainingHead.Result r = head.forward(p.extract, p.last, new PretrainingHead.Batch(p.rowOffset, p.frames, mask, negatives, cross, null), tau, rng);
        int m = Math.max(1, r.maskedFrames());
        model.params.zeroGrad();
        PretrainingHead.Grads g = head.backward(1f / m);
        // feature penalty (fairseq feature_pen): weight · mean(features²), scaled like the other losses by M / M
        double sq = 0;
        for (float f : p.features) sq += (double) f * f;
        double penalty = sq / p.features.length;
        float[] dFeatures = null;
        if (o.featurePenalty() > 0) {
            dFeatures = new float[p.features.length];
            float k = (float) (2 * o.featurePenalty() / p.features.length);
            for (int i = 0; i < dFeatures.length; i++) dFeatures[i] = k * p.features[i];
        }
        model.backward(p, null, g.dHidden(), g.dExtract(), dFeatures, o.featureGradMult(), false);
        double loss = r.loss() / m + o.featurePenalty() * penalty;
        return new StepResult(loss, r.contrastive() / m, r.diversity() / m, penalty, r.perplexity(), r.accuracy(), r.maskedFrames());
    }
}
