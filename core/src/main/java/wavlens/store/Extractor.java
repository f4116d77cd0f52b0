package wavlens.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import wavlens.audio.Audio;
import wavlens.audio.AudioFile;
import wavlens.audio.Resampler;
import wavlens.corpus.ConvGeometry;
import wavlens.corpus.Corpus;
import wavlens.corpus.FrameLabeler;
import wavlens.corpus.Interval;
import wavlens.corpus.LabelInventory;
import wavlens.corpus.Problem;
import wavlens.corpus.Tier;
import wavlens.corpus.Utterance;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.Progress;
import wavlens.io.UserError;
import wavlens.model.Preprocessor;
import wavlens.model.Vocabulary;
import wavlens.model.Wav2Vec2;

/**
 * Runs a model over a corpus and writes a feature store ({@link StoreLayout}).
 *
 * <p>Labels: every frame takes the label of the chosen alignment tier at its centre time
 * ({@link FrameLabeler}). The label inventory and the per-label counts are made first, from the
 * alignments alone and in corpus order, so ids do not depend on which utterances a resumed run
 * still has to do.
 *
 * <p>Budget: with maxPerLabel = N, a frame of label l is kept with probability
 * min(1, N / count(l)), decided by a hash of (seed, utterance id, frame) — deterministic,
 * independent of processing order, and memory-bounded (≈ N frames per label are stored).
 * Segments (one mean vector per aligned interval) are sampled the same way.
 *
 * <p>Resuming: each finished utterance leaves a shard in parts/ whose done.json is written last;
 * a rerun with the same parameters skips those. The final per-layer arrays are assembled from
 * the shards by streaming, then the shards are removed.
 */
public final class Extractor {

    public enum Pool { FRAME, SEGMENT, BOTH }

    public record Options(Path model, Path corpus, Path out, String layers, int maxPerLabel, Pool pool, boolean half,
                          String tier, long seed, boolean excludeSilence, boolean excludeUnknown, boolean overwrite, int limit,
                          Wav2Vec2 labelModel, String split) {}

    /** What one run did, for the summary line. */
    public record Summary(int utterances, int processed, int resumed, int skipped, long frames, long segments, double audioSeconds,
                          double seconds, double modelSeconds, boolean complete) {}

    private final Options opt;
    private final StoreLayout layout;

    public Extractor(Options options) {
        this.opt = options;
        this.layout = new StoreLayout(options.out());
    }

    /** One utterance's labels, decided before any model runs; index = its part (and order) in the store, corpusIndex = its place in the corpus. */
    private record Planned(int index, int corpusIndex, Utterance utt, long samples, FrameLabeler.FrameLabels labels, Tier tier) {}

    /**
     * What the planning pass decided, from the alignments alone and in corpus order: which utterances
     * go into the store (and in which order), the label inventory, the per-label counts that set the
     * budget's keep probabilities, the problems so far and the store's parameters. A sharded
     * extraction makes this once on the driver and hands every shard a run of it ({@link ShardSpec}).
     */
    public static final class Plan {
        private final List<Planned> planned;
        private final List<String> inventory;
        private final long[] frameCounts, segmentCounts;
        private final List<Problem> problems;
        private final ObjectNode fingerprint;
        private final int corpusUtterances;
        private final int rate;

        private Plan(List<Planned> planned, List<String> inventory, long[] frameCounts, long[] segmentCounts, List<Problem> problems,
                     ObjectNode fingerprint, int corpusUtterances, int rate) {
            this.planned = planned;
            this.inventory = inventory;
            this.frameCounts = frameCounts;
            this.segmentCounts = segmentCounts;
            this.problems = problems;
            this.fingerprint = fingerprint;
            this.corpusUtterances = corpusUtterances;
            this.rate = rate;
        }

        public int size() { return planned.size(); }
        public List<String> inventory() { return inventory; }
        public List<Problem> problems() { return problems; }
        public ObjectNode fingerprint() { return fingerprint; }
        public int corpusUtterances() { return corpusUtterances; }
        public double audioSeconds() { return planned.stream().mapToDouble(p -> p.samples() / (double) rate).sum(); }

        /** The shard of the planned utterances [from, to): their corpus positions plus the global label statistics. */
        public ShardSpec shard(int from, int to) {
            int[] idx = new int[to - from];
            double seconds = 0;
            for (int i = from; i < to; i++) {
                idx[i - from] = planned.get(i).corpusIndex();
                seconds += planned.get(i).samples() / (double) rate;
            }
            return new ShardSpec(idx, inventory, frameCounts.clone(), segmentCounts.clone(), seconds);
        }
    }

    public Summary run(Wav2Vec2 model) {
        long start = System.nanoTime();
        Corpus corpus = Corpus.open(opt.corpus());
        Plan planned = plan(model, corpus);
        List<Planned> plan = planned.planned;
        List<Problem> problems = new ArrayList<>(planned.problems);
        ObjectNode fingerprint = planned.fingerprint;
        int rate = planned.rate;
        if (prepareStore(fingerprint)) {
            JsonNode store = Json.read(layout.storeJson());
            return new Summary(plan.size(), 0, plan.size(), corpus.utterances().size() - plan.size(), store.path("frames").asLong(),
                    store.path("segments").asLong(), plan.stream().mapToDouble(p -> p.samples() / (double) rate).sum(),
                    (System.nanoTime() - start) / 1e9, 0, true);
        }
        double totalAudio = planned.audioSeconds();
        Parts parts = extractParts(model, plan, planned.inventory, planned.frameCounts, planned.segmentCounts);

        // 3. Assemble the store from the shards, once every utterance has one.
        boolean allDone = plan.stream().allMatch(p -> Files.exists(layout.part(p.index()).resolve("done.json")));
        boolean[] keep = wavlens.model.LayerSpec.parse(opt.layers(), model.config().numLayers());
        long[] rows = allDone ? assemble(plan, keep, model, fingerprint, planned.inventory, planned.frameCounts, planned.segmentCounts, problems,
                extraKeys(corpus)) : new long[2];
        return new Summary(plan.size(), parts.processed(), parts.resumed(), corpus.utterances().size() - plan.size(), rows[0], rows[1], totalAudio,
                (System.nanoTime() - start) / 1e9, parts.modelSeconds(), allDone);
    }

    /**
     * Writes one shard of a sharded store: a complete single-file store at this extractor's --out
     * holding the spec's utterances (rows numbered from 0), labelled with the global inventory and
     * sampled with the global budget, so the shards concatenated are what {@link #run} writes.
     * Returns the shard's frame and segment row counts and its model seconds.
     */
    public ShardSummary extractShard(Wav2Vec2 model, Corpus corpus, ShardSpec spec) {
        if (opt.labelModel() != null) throw new UserError("--label-model is not supported in a sharded extraction (the labels would need a model pass on the driver)");
        Preprocessor pre = Preprocessor.read(model.directory(), model.config());
        int rate = pre.samplingRate();
        ConvGeometry geometry = new ConvGeometry(model.config().convKernel(), model.config().convStride());
        // the fixed global inventory gives every label the id the driver's growing one gave it
        FrameLabeler labeler = new FrameLabeler(geometry, rate, LabelInventory.fixed(spec.inventory()),
                FrameLabeler.Options.defaults().excluding(opt.excludeSilence(), opt.excludeUnknown()));
        List<Utterance> all = corpus.utterances();
        List<Planned> plan = new ArrayList<>();
        for (int ci : spec.corpusIndices()) {
            if (ci < 0 || ci >= all.size()) throw UserError.inFile(opt.corpus(), "has " + all.size() + " utterances, the job planned utterance " + ci + " (did the corpus change?)");
            Utterance u = all.get(ci);
            Tier tier = chooseTier(u);
            if (tier == null) throw UserError.inFile(u.audioPath(), "lost its alignment tier since the job was planned");
            long samples = u.sampleCount(rate);
            plan.add(new Planned(plan.size(), ci, u, samples, labeler.label(tier, samples), tier));
        }
        boolean[] keep = wavlens.model.LayerSpec.parse(opt.layers(), model.config().numLayers());
        ObjectNode fingerprint = fingerprint(model, keep, spec.inventory());
        Parts parts = extractParts(model, plan, spec.inventory(), spec.frameCounts(), spec.segmentCounts());
        long[] rows = assemble(plan, keep, model, fingerprint, spec.inventory(), spec.frameCounts(), spec.segmentCounts(), new ArrayList<>(),
                extraKeys(corpus));
        return new ShardSummary(plan.size(), rows[0], rows[1], parts.modelSeconds());
    }

    /** One written shard: utterances, frame rows, segment rows, seconds in the model. */
    public record ShardSummary(int utterances, long frames, long segments, double modelSeconds) implements java.io.Serializable {}

    private record Parts(int processed, int resumed, double modelSeconds) {}

    /** 1. Plan: labels for every utterance from its alignment (cheap), in corpus order. */
    public Plan plan(Wav2Vec2 model, Corpus corpus) {
        Preprocessor pre = Preprocessor.read(model.directory(), model.config());
        int rate = pre.samplingRate();
        boolean[] keep = wavlens.model.LayerSpec.parse(opt.layers(), model.config().numLayers());
        ConvGeometry geometry = new ConvGeometry(model.config().convKernel(), model.config().convStride());
        FrameLabeler labeler = new FrameLabeler(geometry, rate, LabelInventory.growing(),
                FrameLabeler.Options.defaults().excluding(opt.excludeSilence(), opt.excludeUnknown()));

        // 1. Plan: labels for every utterance from its alignment (cheap), in corpus order — or from
        //    a fine-tuned model's own frame predictions when no alignment is used.
        List<Problem> problems = new ArrayList<>(corpus.problems());
        List<Planned> plan = new ArrayList<>();
        PredictionLabels predictionLabels = opt.labelModel() == null ? null : new PredictionLabels(opt.labelModel());
        List<Utterance> utterances = corpus.utterances();
        try (Progress bar = Progress.start(predictionLabels == null ? "plan" : "label", utterances.size(), "utterances")) {
        for (int corpusIndex = 0; corpusIndex < utterances.size(); corpusIndex++) {
            Utterance u = utterances.get(corpusIndex);
            bar.step();
            if (opt.split() != null && !opt.split().equals(split(u))) continue;
            Tier tier;
            if (predictionLabels != null) {
                try {
                    tier = predictionLabels.tier(u, load(u, u.sampleCount(rate), pre), rate);
                } catch (UserError e) {
                    problems.add(new Problem(u.audioPath().toString(), e.getMessage() + ": skipped"));
                    continue;
                }
            } else {
                tier = chooseTier(u);
            }
            if (tier == null) {
                problems.add(new Problem(u.audioPath().toString(), u.alignment() == null ? "no alignment: skipped (frame labels need one)"
                        : "no tier named " + opt.tier() + " (has " + u.alignment().describeTiers() + "): skipped"));
                continue;
            }
            long samples = u.sampleCount(rate);
            if (samples < model.config().receptiveFieldSamples()) {
                problems.add(new Problem(u.audioPath().toString(), "shorter than one frame: skipped"));
                continue;
            }
            plan.add(new Planned(plan.size(), corpusIndex, u, samples, labeler.label(tier, samples), tier));
        }
        }
        if (plan.isEmpty()) throw UserError.inFile(opt.corpus(), "no utterance with audio and a usable alignment (see `wavlens corpus info`)");
        List<String> inventory = labeler.inventory().labels();
        long[] frameCounts = new long[inventory.size()];
        long[] segmentCounts = new long[inventory.size()];
        for (Planned p : plan) {
            for (int id : p.labels().ids()) if (id >= 0) frameCounts[id]++;
            for (Interval iv : p.tier().items()) {
                int id = segmentLabel(labeler, iv);
                if (id >= 0) segmentCounts[id]++;
            }
        }
        ObjectNode fingerprint = fingerprint(model, keep, inventory);
        return new Plan(List.copyOf(plan), inventory, frameCounts, segmentCounts, List.copyOf(problems), fingerprint, utterances.size(), rate);
    }

    /** 2. Extract, one utterance at a time, into parts/ (skipping finished parts); the next utterance's audio is decoded meanwhile. */
    private Parts extractParts(Wav2Vec2 model, List<Planned> plan, List<String> inventory, long[] frameCounts, long[] segmentCounts) {
        Preprocessor pre = Preprocessor.read(model.directory(), model.config());
        int rate = pre.samplingRate();
        boolean[] keep = wavlens.model.LayerSpec.parse(opt.layers(), model.config().numLayers());
        ConvGeometry geometry = new ConvGeometry(model.config().convKernel(), model.config().convStride());
        FrameLabeler labeler = new FrameLabeler(geometry, rate, LabelInventory.fixed(inventory),
                FrameLabeler.Options.defaults().excluding(opt.excludeSilence(), opt.excludeUnknown()));
        Vocabulary vocab = model.hasCtcHead() ? readVocabOrNull(model) : null;
        double[] keepFrame = keepProbabilities(frameCounts, opt.maxPerLabel());
        double[] keepSegment = keepProbabilities(segmentCounts, opt.maxPerLabel());
        double totalAudio = plan.stream().mapToDouble(p -> p.samples() / (double) rate).sum();
        int processed = 0, resumed = 0;
        double modelSeconds = 0;
        ExecutorService io = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wavlens-audio");
            t.setDaemon(true);
            return t;
        });
        ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wavlens-writer");
            t.setDaemon(true);
            return t;
        });
        CompletableFuture<Void> pendingWrite = null;
        try (Progress bar = Progress.start("extract", Math.round(totalAudio), "audio-s")) {
            CompletableFuture<float[]> next = null;
            for (int i = 0; i < plan.size(); i++) {
                Planned p = plan.get(i);
                if (opt.limit() > 0 && processed >= opt.limit()) break;
                if (Files.exists(layout.part(p.index()).resolve("done.json"))) {
                    resumed++;
                    bar.stepBy(Math.round(p.samples() / (double) rate));
                    continue;
                }
                float[] input;
                try {
                    input = (next != null ? next : loadAsync(io, p, pre)).join();
                } catch (java.util.concurrent.CompletionException e) {
                    if (!(e.getCause() instanceof UserError bad)) throw e;
                    // unreadable audio: recorded in the shard as skipped, the rest of the corpus goes on
                    markSkipped(p, bad.getMessage());
                    input = null;
                }
                next = null;
                for (int j = i + 1; j < plan.size(); j++) {
                    if (!Files.exists(layout.part(plan.get(j).index()).resolve("done.json"))) {
                        next = loadAsync(io, plan.get(j), pre);
                        break;
                    }
                }
                if (input == null) {
                    bar.stepBy(Math.round(p.samples() / (double) rate));
                    continue;
                }
                long t0 = System.nanoTime();
                Wav2Vec2.Output out = model.forward(input, new Wav2Vec2.Request(false, keep));
                modelSeconds += (System.nanoTime() - t0) / 1e9;
                // the shard is written while the model runs on the next utterance (one write in flight)
                if (pendingWrite != null) pendingWrite.join();
                pendingWrite = CompletableFuture.runAsync(() -> writeShard(p, out, keep, model, vocab, labeler, keepFrame, keepSegment), writer);
                processed++;
                bar.stepBy(Math.round(p.samples() / (double) rate));
            }
            if (pendingWrite != null) pendingWrite.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        } finally {
            io.shutdownNow();
            writer.shutdown();
        }

        return new Parts(processed, resumed, modelSeconds);
    }

    private CompletableFuture<float[]> loadAsync(ExecutorService io, Planned p, Preprocessor pre) {
        return CompletableFuture.supplyAsync(() -> load(p, pre), io);
    }

    private static float[] load(Planned p, Preprocessor pre) {
        return load(p.utt(), p.samples(), pre);
    }

    /** The utterance's samples at the model rate, normalised: whole file, or a Kaldi segment of it. */
    public static float[] load(Utterance utt, long samples, Preprocessor pre) {
        return pre.inputValues(samples(utt, samples, pre));
    }

    /** The utterance's samples at the model rate as read (not normalised): whole file, or a Kaldi segment of it. */
    public static float[] samples(Utterance utt, long samples, Preprocessor pre) {
        Audio audio = utt.readAudio();
        float[] x = audio.sampleRate() == pre.samplingRate() ? audio.samples()
                : Resampler.resample(audio.samples(), audio.sampleRate(), pre.samplingRate());
        int from = (int) Math.min(x.length, utt.startSample(pre.samplingRate()));
        int to = (int) Math.min(x.length, from + samples);
        float[] slice = Arrays.copyOfRange(x, from, from + (int) samples);   // zero-padded if the header rounded up
        if (to - from < samples - 1) {
            throw UserError.inFile(utt.audioPath(), "holds " + (to - from) + " samples for utterance " + utt.id()
                    + " but " + samples + " were expected");
        }
        return slice;
    }

    private Tier chooseTier(Utterance u) {
        if (u.alignment() == null) return null;
        if (opt.tier() != null) {
            Tier t = u.alignment().tiers().get(opt.tier());
            return t == null || t.pointTier() ? null : t;
        }
        Tier t = u.alignment().firstTier("letters", "phones", "words");
        return t == null || t.pointTier() ? null : t;
    }

    private static int segmentLabel(FrameLabeler labeler, Interval iv) {
        String c = labeler.canonical(iv.text());
        if (!labeler.inventory().contains(c)) return -1;
        int id = labeler.inventory().id(c);
        return id;
    }

    private static double[] keepProbabilities(long[] counts, int budget) {
        double[] p = new double[counts.length];
        for (int i = 0; i < counts.length; i++) p[i] = budget <= 0 || counts[i] <= budget ? 1.0 : (double) budget / counts[i];
        return p;
    }

    /** A uniform number in [0, 1) from (seed, utterance, position): SplitMix64's finaliser over the mixed key. */
    static double uniform(long seed, String utt, int position, int stream) {
        long z = seed * 0x9E3779B97F4A7C15L + utt.hashCode() * 0xC2B2AE3D27D4EB4FL + position * 0x165667B19E3779F9L + stream;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    private static Vocabulary readVocabOrNull(Wav2Vec2 model) {
        try {
            return Vocabulary.read(model.directory(), model.config());
        } catch (UserError e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ shards

    private void markSkipped(Planned p, String reason) {
        Path dir = layout.part(p.index());
        Csv.write(dir.resolve("frames.csv"), frameHeader(false), List.of());
        Csv.write(dir.resolve("segments.csv"), List.of("utt", "segment", "start", "end", "label", "label_id", "frames"), List.of());
        ObjectNode done = Json.MAPPER.createObjectNode();
        done.put("utt", p.utt().id());
        done.put("skipped", reason);
        Json.write(dir.resolve("done.json"), done);
    }

    private void writeShard(Planned p, Wav2Vec2.Output out, boolean[] keep, Wav2Vec2 model, Vocabulary vocab,
                            FrameLabeler labeler, double[] keepFrame, double[] keepSegment) {
        Path dir = layout.part(p.index());
        Utterance u = p.utt();
        int[] ids = p.labels().ids();
        int frames = Math.min(out.frames(), ids.length);
        int h = model.config().hiddenSize();
        int[] predicted = out.logits() == null ? null : Vocabulary.argmax(out.logits(), out.frames(), model.vocabSize());
        List<String> inventory = labeler.inventory().labels();
        ConvGeometry geometry = new ConvGeometry(model.config().convKernel(), model.config().convStride());
        int rate = (int) Math.round(p.samples() / Math.max(1e-9, u.durationSec()));
        Preprocessor pre = Preprocessor.read(model.directory(), model.config());
        rate = pre.samplingRate();

        // frames
        List<Integer> chosen = new ArrayList<>();
        if (opt.pool() != Pool.SEGMENT) {
            for (int t = 0; t < frames; t++) {
                int id = ids[t];
                if (id >= 0 && uniform(opt.seed(), u.id(), t, 0) < keepFrame[id]) chosen.add(t);
            }
        }
        List<List<?>> frameRows = new ArrayList<>();
        for (int t : chosen) {
            List<Object> r = new ArrayList<>(List.of(u.id(), t, round6(geometry.frameCentreSeconds(t, rate)), inventory.get(ids[t]), ids[t],
                    round6(p.labels().majorityFraction()[t])));
            if (predicted != null) r.add(vocab == null ? Integer.toString(predicted[t]) : tokenName(vocab, predicted[t]));
            frameRows.add(r);
        }
        // segments: mean of the frames whose centre lies in the interval
        List<List<?>> segRows = new ArrayList<>();
        List<int[]> segFrames = new ArrayList<>();
        if (opt.pool() != Pool.FRAME) {
            List<Interval> items = p.tier().items();
            for (int k = 0; k < items.size(); k++) {
                Interval iv = items.get(k);
                int id = segmentLabel(labeler, iv);
                if (id < 0 || (id == LabelInventory.SILENCE_ID && opt.excludeSilence()) || (id == LabelInventory.UNKNOWN_ID && opt.excludeUnknown())) continue;
                if (uniform(opt.seed(), u.id(), k, 1) >= keepSegment[id]) continue;
                int first = -1, last = -1;
                for (int t = 0; t < frames; t++) {
                    double c = geometry.frameCentreSeconds(t, rate);
                    if (c >= iv.start() && c < iv.end()) {
                        if (first < 0) first = t;
                        last = t;
                    }
                }
                if (first < 0) continue;   // shorter than a frame hop: no frame centre inside
                segRows.add(List.of(u.id(), k, round6(iv.start()), round6(iv.end()), inventory.get(id), id, last - first + 1));
                segFrames.add(new int[] {first, last});
            }
        }
        for (int l = -1; l < keep.length; l++) {
            float[] src;
            int dim;
            if (l < 0) {
                if (out.extractFeatures() == null) continue;
                src = out.extractFeatures();
                dim = model.config().convOutDim();
            } else {
                if (!keep[l]) continue;
                src = out.hiddenStates()[l];
                dim = h;
            }
            if (opt.pool() != Pool.SEGMENT) {
                float[] m = new float[chosen.size() * dim];
                for (int i = 0; i < chosen.size(); i++) System.arraycopy(src, chosen.get(i) * dim, m, i * dim, dim);
                Npy.writeFloats(dir.resolve("frames_" + StoreLayout.layerFile(l)), m, chosen.size(), dim);
            }
            if (opt.pool() != Pool.FRAME) {
                float[] m = new float[segFrames.size() * dim];
                for (int i = 0; i < segFrames.size(); i++) {
                    int a = segFrames.get(i)[0], b = segFrames.get(i)[1];
                    for (int t = a; t <= b; t++) for (int d = 0; d < dim; d++) m[i * dim + d] += src[t * dim + d];
                    for (int d = 0; d < dim; d++) m[i * dim + d] /= (b - a + 1);
                }
                Npy.writeFloats(dir.resolve("segments_" + StoreLayout.layerFile(l)), m, segFrames.size(), dim);
            }
        }
        Csv.write(dir.resolve("frames.csv"), frameHeader(predicted != null), frameRows);
        Csv.write(dir.resolve("segments.csv"), List.of("utt", "segment", "start", "end", "label", "label_id", "frames"), segRows);
        ObjectNode done = Json.MAPPER.createObjectNode();
        done.put("utt", u.id());
        done.put("frames", out.frames());
        done.put("stored_frames", chosen.size());
        done.put("stored_segments", segFrames.size());
        if (predicted != null && vocab != null) done.put("hypothesis", vocab.decode(predicted));
        // every frame's label and prediction (not only the sampled ones), for per-utterance analyses
        done.put("label_ids", joinInts(ids, out.frames()));
        if (predicted != null) done.put("predicted_ids", joinInts(predicted, predicted.length));
        Json.write(dir.resolve("done.json"), done);   // last: marks the shard complete
    }

    private static String joinInts(int[] v, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, v.length); i++) {
            if (i > 0) sb.append(' ');
            sb.append(v[i]);
        }
        return sb.toString();
    }

    private static List<String> frameHeader(boolean ctc) {
        List<String> h = new ArrayList<>(List.of("utt", "frame", "time", "label", "label_id", "majority_fraction"));
        if (ctc) h.add("predicted");
        return h;
    }

    /** A predicted token as text; the CTC blank is written "&lt;blank&gt;" so it cannot pass for a letter. */
    static String tokenName(Vocabulary vocab, int id) {
        if (id == vocab.blankId()) return "<blank>";
        String t = id < vocab.tokens().length ? vocab.tokens()[id] : null;
        if (t == null) return "<unk>";
        return t.equals(vocab.wordDelimiter()) ? "|" : t;
    }

    private static double round6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    // ------------------------------------------------------------------ store metadata

    private ObjectNode fingerprint(Wav2Vec2 model, boolean[] keep, List<String> inventory) {
        ObjectNode f = Json.MAPPER.createObjectNode();
        f.put("format", "wavlens-feature-store-1");
        f.put("model", model.directory().toAbsolutePath().normalize().toString());
        f.put("model_type", model.config().modelType());
        f.put("hidden_size", model.config().hiddenSize());
        f.put("num_layers", model.config().numLayers());
        f.put("ctc", model.hasCtcHead());
        f.put("corpus", opt.corpus().toAbsolutePath().normalize().toString());
        ArrayNode layers = f.putArray("layers");
        for (int i = 0; i < keep.length; i++) if (keep[i]) layers.add(i);
        f.put("max_per_label", opt.maxPerLabel());
        f.put("pool", opt.pool().name().toLowerCase());
        f.put("dtype", opt.half() ? "f16" : "f32");
        f.put("tier", opt.tier() == null ? "letters|phones|words" : opt.tier());
        f.put("seed", opt.seed());
        f.put("split", opt.split() == null ? "all" : opt.split());
        f.put("exclude_silence", opt.excludeSilence());
        f.put("exclude_unknown", opt.excludeUnknown());
        f.put("labels_from", opt.labelModel() == null ? "alignment" : "predictions of " + opt.labelModel().directory().toAbsolutePath().normalize());
        ArrayNode inv = f.putArray("labels");
        inventory.forEach(inv::add);
        return f;
    }

    /**
     * Creates the store, or checks that an existing one was made with the same parameters (then
     * resumes). Returns true when that store is already complete: nothing to do.
     */
    private boolean prepareStore(ObjectNode fingerprint) {
        Path json = layout.storeJson();
        if (Files.exists(json)) {
            JsonNode old = Json.read(json);
            JsonNode oldFingerprint = old.path("parameters");
            if (!Json.oneLine(oldFingerprint).equals(Json.oneLine(fingerprint))) {   // compare as text: 0 read back is an int, written a long
                if (!opt.overwrite()) {
                    throw UserError.inFile(opt.out(), "holds a store made with other parameters (" + differences(oldFingerprint, fingerprint)
                            + "); choose another --out or pass --overwrite");
                }
                deleteTree(opt.out());
            } else if (old.path("complete").asBoolean(false)) {
                if (!opt.overwrite()) return true;
                deleteTree(opt.out());
            } else {
                return false;   // same parameters, unfinished: resume from the shards
            }
        } else if (Files.isDirectory(opt.out())) {
            try (var s = Files.list(opt.out())) {
                if (s.findAny().isPresent()) throw UserError.inFile(opt.out(), "exists and is not a wavlens feature store; choose an empty or new folder");
            } catch (IOException e) {
                throw UserError.inFile(opt.out(), "cannot list: " + e.getMessage());
            }
        }
        ObjectNode store = Json.MAPPER.createObjectNode();
        store.set("parameters", fingerprint);
        store.put("complete", false);
        Json.write(json, store);
        return false;
    }

    private static String differences(JsonNode a, JsonNode b) {
        List<String> d = new ArrayList<>();
        b.fieldNames().forEachRemaining(k -> {
            if (a.get(k) == null || !b.get(k).toString().equals(a.get(k).toString())) d.add(k);
        });
        return d.isEmpty() ? "format" : String.join(", ", d);
    }

    private long[] assemble(List<Planned> plan, boolean[] keep, Wav2Vec2 model, ObjectNode fingerprint, List<String> inventory,
                            long[] frameCounts, long[] segmentCounts, List<Problem> problems, List<String> extraKeys) {
        List<List<String>> frameRows = new ArrayList<>(), segRows = new ArrayList<>();
        List<List<?>> uttRows = new ArrayList<>();
        boolean ctc = model.hasCtcHead();
        List<String> frameHeader = new ArrayList<>(frameHeader(ctc));
        frameHeader.addAll(List.of("speaker", "gender", "age", "split"));
        frameHeader.addAll(extraKeys);
        frameHeader.add(0, "row");
        List<String> segHeader = new ArrayList<>(List.of("row", "utt", "segment", "start", "end", "label", "label_id", "frames", "speaker", "gender", "age", "split"));
        segHeader.addAll(extraKeys);
        int[] frameRowsPer = new int[plan.size()], segRowsPer = new int[plan.size()];
        for (Planned p : plan) {
            Path dir = layout.part(p.index());
            JsonNode done = Json.read(dir.resolve("done.json"));
            Utterance u = p.utt();
            if (done.has("skipped")) problems.add(new Problem(u.audioPath().toString(), done.path("skipped").asText() + " (skipped)"));
            List<String> meta = new ArrayList<>(List.of(nz(u.speaker()), nz(u.gender()), nz(u.age()), split(u)));
            for (String k : extraKeys) meta.add(nz(u.extra().get(k)));
            List<List<String>> fr = Csv.read(dir.resolve("frames.csv"));
            for (List<String> r : fr.subList(1, fr.size())) {
                List<String> row = new ArrayList<>();
                row.add(Integer.toString(frameRows.size()));
                row.addAll(r);
                row.addAll(meta);
                frameRows.add(row);
            }
            frameRowsPer[p.index()] = fr.size() - 1;
            List<List<String>> sr = Csv.read(dir.resolve("segments.csv"));
            for (List<String> r : sr.subList(1, sr.size())) {
                List<String> row = new ArrayList<>();
                row.add(Integer.toString(segRows.size()));
                row.addAll(r);
                row.addAll(meta);
                segRows.add(row);
            }
            segRowsPer[p.index()] = sr.size() - 1;
            List<Object> uttRow = new ArrayList<>(Arrays.asList(u.id(), u.audioPath().toString(), round6(u.startSec()), round6(u.endSec()), nz(u.speaker()), nz(u.gender()),
                    nz(u.age()), split(u), done.path("frames").asInt(), nz(u.transcript()), done.path("hypothesis").asText(""),
                    done.has("skipped") ? "skipped" : "ok", done.path("label_ids").asText(""), done.path("predicted_ids").asText("")));
            for (String k : extraKeys) uttRow.add(nz(u.extra().get(k)));
            uttRows.add(uttRow);
        }
        for (int l = -1; l < keep.length; l++) {
            boolean present = l < 0 ? !model.config().modelType().equals("hubert") : keep[l];   // every family but HuBERT has extract_features
            if (!present) continue;
            int dim = l < 0 ? model.config().convOutDim() : model.config().hiddenSize();
            if (opt.pool() != Pool.SEGMENT) concatenate(plan, "frames_", l, dim, frameRows.size(), layout.framesDir());
            if (opt.pool() != Pool.FRAME) concatenate(plan, "segments_", l, dim, segRows.size(), layout.segmentsDir());
        }
        if (opt.pool() != Pool.SEGMENT) Csv.write(layout.framesDir().resolve("rows.csv"), frameHeader, frameRows);
        if (opt.pool() != Pool.FRAME) Csv.write(layout.segmentsDir().resolve("rows.csv"), segHeader, segRows);
        List<String> uttHeader = new ArrayList<>(List.of("utt", "audio", "start", "end", "speaker", "gender", "age", "split", "frames",
                "transcript", "hypothesis", "status", "label_ids", "predicted_ids"));
        uttHeader.addAll(extraKeys);
        Csv.write(layout.utterancesCsv(), uttHeader, uttRows);
        List<List<?>> probRows = new ArrayList<>();
        for (Problem pr : problems) probRows.add(List.of(pr.file(), pr.reason()));
        Csv.write(layout.problemsCsv(), List.of("file", "reason"), probRows);

        ObjectNode store = storeSummary(fingerprint, model.config(), plan.size(), frameRows.size(), segRows.size(), inventory, frameCounts, segmentCounts,
                problems.size());
        Json.write(layout.storeJson(), store);
        deleteTree(layout.partsDir());
        return new long[] {frameRows.size(), segRows.size()};
    }

    /**
     * The further metadata columns the corpus's layout gives (Common Voice's and HF datasets'
     * accent and locale, {@link Utterance#extra}), sorted: taken from the whole corpus, not the
     * utterances at hand, so every shard of a sharded store has the same columns as one extract.
     */
    static List<String> extraKeys(Corpus corpus) {
        java.util.TreeSet<String> keys = new java.util.TreeSet<>();
        for (Utterance u : corpus.utterances()) keys.addAll(u.extra().keySet());
        return List.copyOf(keys);
    }

    /** store.json of a finished single-file store (a sharded store's adds its layout and shards to this). */
    public static ObjectNode storeSummary(ObjectNode fingerprint, wavlens.model.Wav2Vec2Config config, int utterances, long frames, long segments,
                                          List<String> inventory, long[] frameCounts, long[] segmentCounts, long problems) {
        ObjectNode store = Json.MAPPER.createObjectNode();
        store.set("parameters", fingerprint);
        store.put("complete", true);
        store.put("utterances", utterances);
        store.put("frames", frames);
        store.put("segments", segments);
        store.put("hop_seconds", config.hopSamples() / 16000.0);
        store.put("receptive_field_seconds", config.receptiveFieldSamples() / 16000.0);
        store.put("frame_time", "centre of the frame's receptive field: (t·hop + rf/2) / sample_rate");
        ObjectNode counts = store.putObject("label_frame_counts");
        ObjectNode segCounts = store.putObject("label_segment_counts");
        for (int i = 0; i < inventory.size(); i++) {
            counts.put(inventory.get(i), frameCounts[i]);
            segCounts.put(inventory.get(i), segmentCounts[i]);
        }
        store.put("problems", problems);
        return store;
    }

    private void concatenate(List<Planned> plan, String prefix, int layer, int dim, int rows, Path dir) {
        String name = StoreLayout.layerFile(layer);
        try (Npy.RowWriter w = new Npy.RowWriter(dir.resolve(name), rows, dim, opt.half())) {
            for (Planned p : plan) {
                Path f = layout.part(p.index()).resolve(prefix + name);
                if (!Files.exists(f)) continue;   // a skipped utterance has no features
                float[] part = Npy.read(f).asFloats();
                w.write(part, 0, part.length);
            }
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** The split a synthetic-corpus utterance belongs to: its first path component when that names one. */
    public static String split(Utterance u) {
        if (u.split() != null) return u.split(); // the corpus says (Common Voice, LibriSpeech, Hugging Face, ...)
        String id = u.id();
        int slash = id.indexOf('/');
        String first = slash > 0 ? id.substring(0, slash) : "";
        return switch (first) {
            case "pretraining", "finetune-train", "dev", "test", "train" -> first;
            default -> "";
        };
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw UserError.inFile(p, "cannot delete: " + e.getMessage());
        }
    }

    public static Map<String, Object> summaryJson(Summary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("utterances", s.utterances());
        m.put("processed", s.processed());
        m.put("resumed", s.resumed());
        m.put("skipped", s.skipped());
        m.put("frames", s.frames());
        m.put("segments", s.segments());
        m.put("audio_seconds", s.audioSeconds());
        m.put("seconds", s.seconds());
        m.put("model_seconds", s.modelSeconds());
        m.put("complete", s.complete());
        return m;
    }
}
