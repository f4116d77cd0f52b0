package wavlens.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import wavlens.checkpoint.DType;
import wavlens.corpus.LetterTable;
import wavlens.io.Json;
import wavlens.io.Progress;
import wavlens.model.Preprocessor;
import wavlens.model.Vocabulary;
import wavlens.model.Wav2Vec2Config;
import wavlens.text.Transcripts;

/**
 * CTC fine-tuning (Baevski et al. 2020, §4; HF Wav2Vec2ForCTC): a new linear head over the
 * corpus's letters on top of a pretrained model, trained with the CTC loss. As in the paper's
 * recipe the feature encoder stays frozen, only the head trains for the first
 * freezeEncoderSteps updates, the learning rate follows the tri-stage schedule, and time masks
 * (SpecAugment-style spans replaced by masked_spec_embed) regularise. The dev set's greedy CER is
 * measured as training goes.
 */
public final class FineTuning {
    public record Options(Path pretrained, List<Path> train, Path dev, Path out, long steps, double batchSeconds, double peakLr,
                          double warmup, double hold, boolean freezeFeatureEncoder, long freezeEncoderSteps,
                          float maskTimeProb, int maskTimeLength, float hiddenDropout, float attentionDropout,
                          float activationDropout, float finalDropout, double weightDecay, double clip, long seed,
                          int evalEvery, int saveEvery, double maxSeconds, DType dtype, LetterTable letters, long stopAfter,
                          double[] speeds, double eqDb, float maskFeatureProb, int maskFeatureLength, int keepEvery) {

        /** The options of {@code wavlens finetune} with its defaults; set what differs, then {@link Builder#build}. */
        public static Builder builder(Path pretrained, List<Path> train, Path out) {
            Builder b = new Builder();
            b.pretrained = pretrained;
            b.train = train;
            b.out = out;
            return b;
        }

        /** A builder holding these options, to change a few. */
        public Builder toBuilder() {
            Builder b = builder(pretrained, train, out).dev(dev).steps(steps).batchSeconds(batchSeconds).peakLr(peakLr).warmup(warmup).hold(hold)
                    .freezeFeatureEncoder(freezeFeatureEncoder).freezeEncoderSteps(freezeEncoderSteps).maskTime(maskTimeProb, maskTimeLength)
                    .maskFeature(maskFeatureProb, maskFeatureLength).weightDecay(weightDecay).clip(clip).seed(seed).evalEvery(evalEvery)
                    .saveEvery(saveEvery).keepEvery(keepEvery).maxSeconds(maxSeconds).dtype(dtype).letters(letters).stopAfter(stopAfter)
                    .speeds(speeds).eqDb(eqDb).finalDropout(finalDropout);
            b.hiddenDropout = hiddenDropout;
            b.attentionDropout = attentionDropout;
            b.activationDropout = activationDropout;
            return b;
        }
    }

    /** Fine-tuning options by name; the defaults are {@code wavlens finetune}'s. */
    public static final class Builder {
        private Path pretrained, dev, out;
        private List<Path> train;
        private long steps = 2000, freezeEncoderSteps = 0, seed = 0, stopAfter = 0;
        private double batchSeconds = 32, peakLr = 1e-4, warmup = 0.1, hold = 0.4, weightDecay = 0, clip = 5, maxSeconds = 20, eqDb = 0;
        private boolean freezeFeatureEncoder = true;
        private float maskTimeProb = 0.05f, maskFeatureProb = 0, hiddenDropout = 0.1f, attentionDropout = 0.1f, activationDropout = 0.1f,
                finalDropout = 0;
        private int maskTimeLength = 10, maskFeatureLength = 10, evalEvery = 200, saveEvery = 500, keepEvery = 0;
        private DType dtype = DType.F32;
        private LetterTable letters;
        private double[] speeds;

        private Builder() {}

        public Builder dev(Path v) { dev = v; return this; }
        public Builder steps(long v) { steps = v; return this; }
        public Builder batchSeconds(double v) { batchSeconds = v; return this; }
        public Builder peakLr(double v) { peakLr = v; return this; }
        public Builder warmup(double v) { warmup = v; return this; }
        public Builder hold(double v) { hold = v; return this; }
        public Builder freezeFeatureEncoder(boolean v) { freezeFeatureEncoder = v; return this; }
        public Builder freezeEncoderSteps(long v) { freezeEncoderSteps = v; return this; }
        public Builder maskTime(float prob, int length) { maskTimeProb = prob; maskTimeLength = length; return this; }
        public Builder maskFeature(float prob, int length) { maskFeatureProb = prob; maskFeatureLength = length; return this; }
        /** Hidden, attention and activation dropout alike (as {@code --dropout}). */
        public Builder dropout(float v) { hiddenDropout = attentionDropout = activationDropout = v; return this; }
        public Builder finalDropout(float v) { finalDropout = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder clip(double v) { clip = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder evalEvery(int v) { evalEvery = v; return this; }
        public Builder saveEvery(int v) { saveEvery = v; return this; }
        public Builder keepEvery(int v) { keepEvery = v; return this; }
        public Builder maxSeconds(double v) { maxSeconds = v; return this; }
        public Builder dtype(DType v) { dtype = v; return this; }
        public Builder letters(LetterTable v) { letters = v; return this; }
        public Builder stopAfter(long v) { stopAfter = v; return this; }
        public Builder speeds(double[] v) { speeds = v; return this; }
        public Builder eqDb(double v) { eqDb = v; return this; }

        public Options build() {
            return new Options(pretrained, train, dev, out, steps, batchSeconds, peakLr, warmup, hold, freezeFeatureEncoder, freezeEncoderSteps,
                    maskTimeProb, maskTimeLength, hiddenDropout, attentionDropout, activationDropout, finalDropout, weightDecay, clip, seed,
                    evalEvery, saveEvery, maxSeconds, dtype, letters == null ? LetterTable.finnish() : letters, stopAfter, speeds, eqDb,
                    maskFeatureProb, maskFeatureLength, keepEvery);
        }
    }

    public record Summary(long steps, double finalLoss, Double devCer, double seconds, int trainUtterances, int problems, boolean complete) {}

    private FineTuning() {}

    public static Summary run(Options o) {
        long start = System.nanoTime();
        TrainableModel pre = TrainableModel.load(o.pretrained());
        CtcVocabulary vocab = CtcVocabulary.of(o.letters());
        ObjectNode configJson = (ObjectNode) Json.read(o.pretrained().resolve("config.json"));
        configJson.putArray("architectures").add("Wav2Vec2ForCTC");
        configJson.put("vocab_size", vocab.size());
        configJson.put("pad_token_id", CtcVocabulary.BLANK);
        configJson.put("ctc_loss_reduction", "mean");
        configJson.put("ctc_zero_infinity", true);
        configJson.put("mask_time_prob", o.maskTimeProb());
        configJson.put("mask_time_length", o.maskTimeLength());
        configJson.put("mask_feature_prob", o.maskFeatureProb());
        configJson.put("mask_feature_length", o.maskFeatureLength());
        configJson.put("hidden_dropout", o.hiddenDropout());
        configJson.put("attention_dropout", o.attentionDropout());
        configJson.put("activation_dropout", o.activationDropout());
        configJson.put("final_dropout", o.finalDropout());
        configJson.put("feat_proj_dropout", 0.0);
        configJson.put("layerdrop", 0.0);
        Wav2Vec2Config cfg = Wav2Vec2Config.parse(configJson, o.out().resolve("config.json"));
        Preprocessor preprocessor = Preprocessor.read(o.pretrained(), cfg);

        Random init = new Random(o.seed());
        // a CTC model over the same letters (e.g. an earlier `finetune` output) keeps its head: training goes on from it
        boolean keepHead = pre.hasCtcHead() && sameVocabulary(o.pretrained(), vocab);
        if (pre.hasCtcHead()) {
            System.err.println("wavlens: " + o.pretrained() + (keepHead ? ": a CTC model over the same letters; training goes on from its head"
                    : ": its CTC head has other letters than the letter table; starting a new head"));
        }
        TrainableModel base = pre.without("quantizer.", "project_hid.", "project_q.").withConfig(cfg);
        TrainableModel model = keepHead ? base : base.withNewCtcHead(vocab.size(), init);
        if (o.maskTimeProb() > 0 && !model.params.has(TrainableModel.BASE + "masked_spec_embed")) {
            float[] embed = new float[cfg.hiddenSize()];
            for (int i = 0; i < embed.length; i++) embed[i] = init.nextFloat();   // HF: uniform_()
            model.params.add(TrainableModel.BASE + "masked_spec_embed", embed, cfg.hiddenSize()).decay = false;
        }

        TrainingData train = TrainingData.load(o.train(), preprocessor, cfg, vocab, o.letters(), o.maxSeconds(), o.seed());
        TrainingData dev = o.dev() == null ? null : TrainingData.load(o.dev(), preprocessor, cfg, vocab, o.letters(), o.maxSeconds(), o.seed());
        report(train);
        if (dev != null) report(dev);

        ObjectNode settings = Json.MAPPER.createObjectNode();
        settings.put("kind", "finetune");
        settings.put("pretrained", o.pretrained().toAbsolutePath().normalize().toString());
        if (o.train().size() == 1) settings.put("train", o.train().getFirst().toAbsolutePath().normalize().toString());
        else for (Path p : o.train()) settings.withArray("train").add(p.toAbsolutePath().normalize().toString());
        settings.put("train_utterances", train.items.size());
        settings.put("kept_ctc_head", keepHead);
        settings.put("steps", o.steps());
        settings.put("batch_seconds", o.batchSeconds());
        settings.put("lr", o.peakLr());
        settings.put("warmup", o.warmup());
        settings.put("hold", o.hold());
        settings.put("freeze_feature_encoder", o.freezeFeatureEncoder());
        settings.put("freeze_encoder_steps", o.freezeEncoderSteps());
        settings.put("mask_time_prob", o.maskTimeProb());
        settings.put("mask_time_length", o.maskTimeLength());
        settings.put("hidden_dropout", o.hiddenDropout());
        settings.put("attention_dropout", o.attentionDropout());
        settings.put("activation_dropout", o.activationDropout());
        settings.put("final_dropout", o.finalDropout());
        settings.put("weight_decay", o.weightDecay());
        settings.put("clip", o.clip());
        settings.put("seed", o.seed());
        settings.put("max_seconds", o.maxSeconds());
        settings.put("letters", o.letters().source());
        if (o.speeds() != null && o.speeds().length > 0) for (double v : o.speeds()) settings.withArray("speed_perturbation").add(v);
        if (o.eqDb() > 0) settings.put("eq_perturbation_db", o.eqDb());
        if (o.maskFeatureProb() > 0) {   // only when on, so runs from before the option still resume
            settings.put("mask_feature_prob", o.maskFeatureProb());
            settings.put("mask_feature_length", o.maskFeatureLength());
        }

        AdamW opt = new AdamW(model.params, AdamW.Settings.wav2vec2(1e-8, o.weightDecay()));
        LearningRate lr = new LearningRate(o.peakLr(), o.steps(), o.warmup(), o.hold(), 0.01, 0.05);
        Double[] devCer = {null};
        FeatureCache cache = new FeatureCache(model.cfg.convOutDim(), FEATURE_CACHE_BYTES);
        TrainingRun.Outcome outcome;
        try (TrainingRun run = new TrainingRun(o.out(), settings)) {
            run.modelFiles(dir -> {
                Json.write(dir.resolve("config.json"), configJson);
                vocab.write(dir);
                writePreprocessor(dir, preprocessor, cfg);
            });
            run.keepEvery(o.keepEvery(), o.dtype());
            outcome = run.loop("fine-tuning", model.params, opt, lr, o.clip(), train, o.seed(), o.batchSeconds(), o.steps(), o.saveEvery(),
                    o.stopAfter(), new TrainingRun.Update() {
                        @Override
                        public Map<String, Object> gradients(long step, int[] batch, Random rng) {
                            // the whole pretrained network waits while the new head settles (fairseq's freeze_finetune_updates)
                            boolean headOnly = step < o.freezeEncoderSteps();
                            for (Params.Tensor t : model.params.all()) t.trainable = !headOnly || t.name.startsWith("lm_head.");
                            if (o.freezeFeatureEncoder()) model.freezeFeatureEncoder(true);
                            return Map.of("loss", round(step(model, train, batch, o, rng, o.freezeFeatureEncoder() ? cache : null)));
                        }

                        @Override
                        public void afterStep(long stepsDone, Map<String, Object> row) {
                            if (dev != null && (stepsDone % o.evalEvery() == 0 || stepsDone == o.steps())) {
                                devCer[0] = characterErrorRate(model, dev, vocab.decoder(), o.batchSeconds());
                                row.put("dev_cer", round(devCer[0]));
                            }
                        }

                        @Override
                        public String status(Map<String, Object> row) {
                            return String.format(Locale.ROOT, "loss %.3f%s", (Double) row.get("loss"),
                                    devCer[0] == null ? "" : String.format(Locale.ROOT, ", dev CER %.1f%%", 100 * devCer[0]));
                        }
                    });
            double lastLoss = outcome.lastRow().isEmpty() ? Double.NaN : (Double) outcome.lastRow().get("loss");
            int problems = train.problems.size() + (dev == null ? 0 : dev.problems.size());
            if (!outcome.complete()) {
                return new Summary(outcome.step(), lastLoss, devCer[0], (System.nanoTime() - start) / 1e9, train.items.size(), problems, false);
            }
            // the fine-tuned model, in the HF layout
            Json.write(o.out().resolve("config.json"), configJson);
            model.params.save(o.out().resolve("model.safetensors"), o.dtype(), Map.of("format", "pt"));
            vocab.write(o.out());
            writePreprocessor(o.out(), preprocessor, cfg);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("settings", settings);
            summary.put("train_seconds_of_audio", round(train.totalSeconds()));
            summary.put("final_loss", lastLoss);
            summary.put("dev_cer", devCer[0]);
            summary.put("problems", problems);
            Json.write(o.out().resolve("training.json"), summary);
            run.finish(model.params, opt);
            return new Summary(o.steps(), lastLoss, devCer[0], (System.nanoTime() - start) / 1e9, train.items.size(), problems, true);
        }
    }

    /** Memory for conv features kept between epochs while the feature encoder is frozen (1 GB: ~1.5 h of audio at C = 256 … 512). */
    /** Whether a model folder's vocab.json maps exactly our tokens to our ids. */
    static boolean sameVocabulary(Path modelDir, CtcVocabulary vocab) {
        Path file = modelDir.resolve("vocab.json");
        if (!java.nio.file.Files.isRegularFile(file)) return false;
        Map<String, Integer> theirs = new LinkedHashMap<>();
        Json.read(file).properties().forEach(e -> theirs.put(e.getKey(), e.getValue().asInt(-1)));
        return theirs.equals(vocab.ids());
    }

    static final long FEATURE_CACHE_BYTES = 1L << 30;

    /**
     * The frozen feature encoder's output per training utterance, kept after its first epoch so
     * later epochs skip the conv stack (it never changes while frozen); bounded by a byte budget,
     * utterances past it are recomputed each time.
     */
    static final class FeatureCache {
        private final int channels;
        private final long budget;
        private final java.util.Map<Integer, float[]> features = new java.util.HashMap<>();
        private long bytes;

        FeatureCache(int channels, long budget) {
            this.channels = channels;
            this.budget = budget;
        }

        float[][] lookup(int[] batch) {
            float[][] r = new float[batch.length][];
            for (int i = 0; i < batch.length; i++) r[i] = features.get(batch[i]);
            return r;
        }

        void keep(int[] batch, TrainableModel.Pass p, boolean[] perturbed) {
            for (int i = 0; i < batch.length; i++) {
                if (perturbed[i] || features.containsKey(batch[i])) continue;
                long size = 4L * p.frames[i] * channels;
                if (bytes + size > budget) continue;
                features.put(batch[i], java.util.Arrays.copyOfRange(p.features, p.rowOffset[i] * channels, (p.rowOffset[i] + p.frames[i]) * channels));
                bytes += size;
            }
        }
    }

    /** Forward (with time masks and dropout), CTC loss, backward: gradients in the model's tensors; returns the loss. */
    static double step(TrainableModel model, TrainingData data, int[] batch, Options o, Random rng, FeatureCache cache) {
        Wav2Vec2Config cfg = model.cfg;
        float[][] audio = new float[batch.length][];
        int[][] targets = new int[batch.length][];
        int[] frames = new int[batch.length];
        boolean[] perturbed = new boolean[batch.length];
        for (int i = 0; i < batch.length; i++) {
            TrainingData.Item it = data.items.get(batch[i]);
            audio[i] = it.audio();
            targets[i] = it.target();
            if (o.speeds() != null && o.speeds().length > 0) {
                double speed = o.speeds()[rng.nextInt(o.speeds().length)];
                if (speed != 1) {
                    float[] faster = speedPerturbed(audio[i], speed);
                    // a faster copy may have too few frames for its letters; then the utterance plays as it is
                    if (cfg.framesFor(faster.length) >= CtcLoss.minFrames(it.target())) {
                        audio[i] = faster;
                        perturbed[i] = true;
                    }
                }
            }
            if (o.eqDb() > 0) {
                audio[i] = equalized(audio[i], o.eqDb(), rng);
                perturbed[i] = true;
            }
            frames[i] = cfg.framesFor(audio[i].length);
        }
        boolean[] mask = null;
        if (o.maskTimeProb() > 0) mask = packed(TimeMask.sample(frames, o.maskTimeProb(), o.maskTimeLength(), 2, rng));
        boolean[][] channelMask = null;
        if (o.maskFeatureProb() > 0) {
            // HF draws the channel masks as the time masks, over H "frames" per utterance, with mask_feature_min_masks = 0
            int[] channels = new int[batch.length];
            Arrays.fill(channels, cfg.hiddenSize());
            channelMask = TimeMask.sample(channels, o.maskFeatureProb(), o.maskFeatureLength(), 0, rng);
        }
        TrainableModel.Dropout dropout = new TrainableModel.Dropout(o.hiddenDropout(), o.attentionDropout(), o.activationDropout(),
                0f, o.finalDropout(), rng);
        float[][] cached = cache == null ? null : cache.lookup(batch);
        if (cached != null) for (int i = 0; i < batch.length; i++) if (perturbed[i]) cached[i] = null;   // cached features are of the original speed
        TrainableModel.Pass p = model.forward(audio, cached, mask, channelMask, false, dropout);
        if (cache != null) cache.keep(batch, p, perturbed);
        int vocab = model.vocabSize();
        float[] dLogits = new float[p.rows * vocab];
        CtcLoss.Result loss = CtcLoss.compute(p.logits, vocab, p.rowOffset, p.frames, targets, CtcVocabulary.BLANK,
                CtcLoss.Reduction.MEAN, true, dLogits);
        model.params.zeroGrad();
        model.backward(p, dLogits, null, null, false);
        return loss.loss();
    }

    /**
     * Speed perturbation as Kaldi's recipes do it with sox speed (Ko et al. 2015, "Audio augmentation
     * for speech recognition"): the 16 kHz samples are taken as if recorded at speed × 16 kHz and
     * resampled to 16 kHz, so the utterance is 1/speed as long and its pitch and formants are
     * speed times higher — a cheap stand-in for other voices.
     */
    static float[] speedPerturbed(float[] audio16k, double speed) {
        int from = (int) Math.round(16000 * speed);
        return SPEED_RESAMPLERS.computeIfAbsent(from, r -> new wavlens.audio.Resampler(r, 16000)).process(audio16k);
    }

    /** Peaking filters per utterance in --eq-perturb. */
    static final int EQ_BANDS = 3;

    /**
     * Random colouring, a stand-in for other microphones, rooms and vocal tracts that speed
     * perturbation does not give: EQ_BANDS peaking filters in a row, each at a centre frequency
     * drawn log-uniformly from 100 Hz to 7 kHz, Q from 0.7 to 2 and gain uniformly from -maxDb to
     * +maxDb. The result is scaled back to the input's RMS, so only the spectrum's shape changes.
     */
    static float[] equalized(float[] audio16k, double maxDb, Random rng) {
        float[] y = audio16k;
        for (int b = 0; b < EQ_BANDS; b++) {
            double hz = 100 * Math.pow(7000 / 100.0, rng.nextDouble());
            double q = 0.7 + 1.3 * rng.nextDouble();
            double db = maxDb * (2 * rng.nextDouble() - 1);
            y = new wavlens.audio.PeakingFilter(16000, hz, q, db).apply(y);
        }
        double before = rms(audio16k), after = rms(y);
        if (after > 0) for (int n = 0; n < y.length; n++) y[n] = (float) (y[n] * before / after);
        return y;
    }

    static double rms(float[] x) {
        double s = 0;
        for (float v : x) s += (double) v * v;
        return Math.sqrt(s / Math.max(1, x.length));
    }

    /** One resampler per speed (they are immutable; their filter tables cost a few ms to build). */
    private static final Map<Integer, wavlens.audio.Resampler> SPEED_RESAMPLERS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Per-utterance masks laid out as packed rows. */
    static boolean[] packed(boolean[][] perUtterance) {
        int rows = 0;
        for (boolean[] m : perUtterance) rows += m.length;
        boolean[] r = new boolean[rows];
        int off = 0;
        for (boolean[] m : perUtterance) {
            System.arraycopy(m, 0, r, off, m.length);
            off += m.length;
        }
        return r;
    }

    /** Greedy CTC transcripts of a data set with the model as it is (no dropout, no masks), one per item, in the data's order. */
    public static List<String> transcribe(TrainableModel model, TrainingData data, Vocabulary decoder, double batchSeconds) {
        List<String> transcripts = new ArrayList<>(data.items.size());
        List<Integer> batch = new ArrayList<>();
        double seconds = 0;
        for (int i = 0; i <= data.items.size(); i++) {
            boolean flush = i == data.items.size() || (!batch.isEmpty() && seconds + data.items.get(i).seconds() > batchSeconds);
            if (flush && !batch.isEmpty()) {
                float[][] audio = new float[batch.size()][];
                for (int j = 0; j < audio.length; j++) audio[j] = data.items.get(batch.get(j)).audio();
                TrainableModel.Pass p = model.forward(audio, null, false, TrainableModel.Dropout.NONE);
                int vocab = model.vocabSize();
                for (int j = 0; j < audio.length; j++) {
                    float[] rows = java.util.Arrays.copyOfRange(p.logits, p.rowOffset[j] * vocab, (p.rowOffset[j] + p.frames[j]) * vocab);
                    transcripts.add(decoder.decode(Vocabulary.argmax(rows, p.frames[j], vocab)));
                }
                batch.clear();
                seconds = 0;
            }
            if (i < data.items.size()) {
                batch.add(i);
                seconds += data.items.get(i).seconds();
            }
        }
        return transcripts;
    }

    /** Corpus-level greedy CER: Σ character edits / Σ reference characters, as the accuracy analysis counts it. */
    static double characterErrorRate(TrainableModel model, TrainingData data, Vocabulary decoder, double batchSeconds) {
        List<String> hypotheses = transcribe(model, data, decoder, batchSeconds);
        long edits = 0, characters = 0;
        for (int i = 0; i < hypotheses.size(); i++) {
            String reference = data.items.get(i).reference();
            edits += Transcripts.characterEdits(reference, hypotheses.get(i));
            characters += Transcripts.characters(reference).length;
        }
        return characters == 0 ? Double.NaN : (double) edits / characters;
    }

    static void report(TrainingData d) {
        System.err.printf(Locale.ROOT, "wavlens: %s: %d utterances, %.1f min of audio%s%n", d.source, d.items.size(), d.totalSeconds() / 60,
                d.problems.isEmpty() ? "" : ", " + d.problems.size() + " skipped (first: " + d.problems.getFirst() + ")");
    }

    /** preprocessor_config.json as Wav2Vec2FeatureExtractor saves it. */
    static void writePreprocessor(Path dir, Preprocessor pre, Wav2Vec2Config cfg) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("do_normalize", pre.doNormalize());
        p.put("feature_extractor_type", "Wav2Vec2FeatureExtractor");
        p.put("feature_size", 1);
        p.put("padding_side", "right");
        p.put("padding_value", 0.0);
        p.put("return_attention_mask", !cfg.groupNormEncoder());
        p.put("sampling_rate", pre.samplingRate());
        Json.write(dir.resolve("preprocessor_config.json"), p);
    }

    static double round(double x) {
        return TrainingRun.round(x);
    }
}
