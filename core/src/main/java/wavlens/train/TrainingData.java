package wavlens.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import wavlens.corpus.Corpus;
import wavlens.corpus.LetterTable;
import wavlens.corpus.Problem;
import wavlens.corpus.Utterance;
import wavlens.io.Progress;
import wavlens.io.UserError;
import wavlens.model.Preprocessor;
import wavlens.model.Wav2Vec2Config;
import wavlens.store.Extractor;

/**
 * A corpus in memory for training: every usable utterance as model input (16 kHz, normalised)
 * and, for CTC, its target ids. Utterances that cannot be used are listed as problems with the
 * reason, never silently dropped.
 */
public final class TrainingData {
    /** One utterance: input values, CTC target ids (null without a vocabulary), the reference text for CER. */
    public record Item(String id, String speaker, InputValues input, int[] target, String reference) {
        /** The model input (a new array). */
        public float[] audio() {
            return input.values();
        }

        public double seconds() {
            return input.length() / 16000.0;
        }
    }

    /**
     * An utterance's model input held in half the memory where that loses nothing: 16-bit PCM
     * samples (exactly s / 32768, as WAV files at the model rate give) with the normalisation's
     * mean and scale, from which {@link #values} recomputes {@code (float) ((x - mean) * scale)},
     * the very operations of {@link wavlens.audio.Normalizer}, so the input is bit-identical.
     * Other audio (resampled, mixed to mono) is kept as the input floats. 60 hours of training
     * audio take 7 GB instead of 14.
     */
    public record InputValues(short[] pcm, double mean, double scale, float[] floats) {
        static InputValues of(float[] samples, Preprocessor pre) {
            short[] pcm = new short[samples.length];
            for (int i = 0; i < samples.length; i++) {
                float s = samples[i] * 32768f; // exact: a power of two
                if (s != Math.rint(s) || s < Short.MIN_VALUE || s > Short.MAX_VALUE) return new InputValues(null, 0, 1, pre.inputValues(samples));
                pcm[i] = (short) s;
            }
            double[] meanScale = pre.meanAndScale(samples);
            return new InputValues(pcm, meanScale[0], meanScale[1], null);
        }

        public float[] values() {
            if (floats != null) return floats.clone();
            float[] y = new float[pcm.length];
            for (int i = 0; i < y.length; i++) y[i] = (float) ((pcm[i] / 32768f - mean) * scale);
            return y;
        }

        public int length() {
            return floats != null ? floats.length : pcm.length;
        }

        /** Samples [from, to) with the whole utterance's normalisation. */
        InputValues window(int from, int to) {
            return floats != null ? new InputValues(null, 0, 1, java.util.Arrays.copyOfRange(floats, from, to))
                    : new InputValues(java.util.Arrays.copyOfRange(pcm, from, to), mean, scale, null);
        }
    }

    /** Where the items come from, for messages: a corpus path, or several joined by " + ". */
    public final String source;
    public final List<Item> items;
    public final List<Problem> problems;

    private TrainingData(String source, List<Item> items, List<Problem> problems) {
        this.source = source;
        this.items = List.copyOf(items);
        this.problems = List.copyOf(problems);
    }

    /**
     * Loads a corpus (any layout {@link Corpus#open} reads). With a vocabulary, utterances need a
     * transcript and enough frames for their CTC target; longer than maxSeconds they are skipped
     * (CTC) or cut to maxSeconds (pretraining, vocab null; a seeded random window).
     */
    public static TrainingData load(Path corpusPath, Preprocessor pre, Wav2Vec2Config cfg, CtcVocabulary vocab, LetterTable table,
                                    double maxSeconds, long seed) {
        return load(corpusPath, pre, cfg, vocab, table, maxSeconds, seed, 0);
    }

    /** The same, with at most `limit` utterances (0 = all), chosen by the seed and kept in corpus order. */
    public static TrainingData load(Path corpusPath, Preprocessor pre, Wav2Vec2Config cfg, CtcVocabulary vocab, LetterTable table,
                                    double maxSeconds, long seed, int limit) {
        Corpus corpus = Corpus.open(corpusPath);
        List<Problem> problems = new ArrayList<>(corpus.problems());
        List<Item> items = new ArrayList<>();
        Random crop = new Random(seed);
        int maxSamples = (int) Math.round(maxSeconds * pre.samplingRate());
        List<Utterance> chosen = corpus.utterances();
        if (limit > 0 && limit < chosen.size()) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < chosen.size(); i++) order.add(i);
            Collections.shuffle(order, new Random(seed));
            java.util.Set<Integer> keep = new java.util.HashSet<>(order.subList(0, limit));
            List<Utterance> subset = new ArrayList<>();
            for (int i = 0; i < chosen.size(); i++) if (keep.contains(i)) subset.add(chosen.get(i));
            chosen = subset;
        }
        try (Progress progress = Progress.start("loading " + corpusPath.getFileName(), chosen.size(), "utt")) {
            for (Utterance u : chosen) {
                progress.step();
                String where = u.audioPath().toString();
                long samples = u.sampleCount(pre.samplingRate());
                if (samples < cfg.receptiveFieldSamples()) {
                    problems.add(new Problem(where, "utterance " + u.id() + " is shorter than one frame; skipped"));
                    continue;
                }
                int[] target = null;
                String reference = null;
                if (vocab != null) {
                    if (u.transcript() == null || u.transcript().isBlank()) {
                        problems.add(new Problem(where, "utterance " + u.id() + " has no transcript; skipped"));
                        continue;
                    }
                    if (samples > maxSamples) {
                        problems.add(new Problem(where, String.format("utterance %s is %.1f s long, over --max-seconds %.1f; skipped",
                                u.id(), samples / (double) pre.samplingRate(), maxSeconds)));
                        continue;
                    }
                    String ctc = table.ctcText(u.transcript(), null);
                    target = vocab.encode(ctc);
                    reference = ctc.replace(CtcVocabulary.DELIMITER, " ");
                    int frames = cfg.framesFor((int) samples);
                    if (frames < CtcLoss.minFrames(target)) {
                        problems.add(new Problem(where, "utterance " + u.id() + " has " + frames + " frames, too few for its "
                                + target.length + " target letters; skipped"));
                        continue;
                    }
                }
                InputValues audio;
                try {
                    audio = InputValues.of(Extractor.samples(u, samples, pre), pre);
                } catch (UserError e) {
                    problems.add(new Problem(where, e.getMessage()));
                    continue;
                }
                if (vocab == null && audio.length() > maxSamples) {
                    int start = crop.nextInt(audio.length() - maxSamples + 1);
                    audio = audio.window(start, start + maxSamples);
                }
                items.add(new Item(u.id(), u.speaker(), audio, target, reference));
            }
        }
        if (items.isEmpty()) {
            throw UserError.inFile(corpusPath, "no usable utterances" + (problems.isEmpty() ? "" : " (first problem: " + problems.getFirst() + ")"));
        }
        return new TrainingData(corpusPath.toString(), items, problems);
    }

    /**
     * Several corpora loaded as one (e.g. two splits of the built-in corpus): items in the order
     * given, problems of all. With more than one corpus, utterance ids get the corpus folder's name
     * as a prefix (with its parent's when two share a name) so that equal ids in different corpora stay apart.
     */
    public static TrainingData load(List<Path> corpora, Preprocessor pre, Wav2Vec2Config cfg, CtcVocabulary vocab, LetterTable table,
                                    double maxSeconds, long seed) {
        if (corpora.size() == 1) return load(corpora.getFirst(), pre, cfg, vocab, table, maxSeconds, seed);
        List<Item> items = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        // the folder's name, or parent/name when two corpora share a name (the same split of two corpora)
        List<Path> folders = corpora.stream().map(c -> c.toAbsolutePath().normalize()).toList();
        boolean shared = folders.stream().map(Path::getFileName).distinct().count() < folders.size();
        for (int c = 0; c < corpora.size(); c++) {
            Path corpus = corpora.get(c), folder = folders.get(c);
            TrainingData one = load(corpus, pre, cfg, vocab, table, maxSeconds, seed);
            String prefix = (shared && folder.getParent() != null ? folder.getParent().getFileName() + "/" : "") + folder.getFileName() + "/";
            for (Item i : one.items) items.add(new Item(prefix + i.id(), i.speaker(), i.input(), i.target(), i.reference()));
            problems.addAll(one.problems);
        }
        return new TrainingData(String.join(" + ", corpora.stream().map(Path::toString).toList()), items, problems);
    }

    public double totalSeconds() {
        double s = 0;
        for (Item i : items) s += i.seconds();
        return s;
    }

    /**
     * The batches of one epoch, as item indices: the items in a seeded random order, cut greedily
     * into batches of at most batchSeconds of audio (at least one item each). The same (seed,
     * epoch) always gives the same batches, so a resumed run continues where it stopped.
     */
    public List<int[]> epoch(long seed, int epoch, double batchSeconds) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) order.add(i);
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        List<int[]> batches = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        double seconds = 0;
        for (int i : order) {
            double s = items.get(i).seconds();
            if (!current.isEmpty() && seconds + s > batchSeconds) {
                batches.add(current.stream().mapToInt(Integer::intValue).toArray());
                current.clear();
                seconds = 0;
            }
            current.add(i);
            seconds += s;
        }
        if (!current.isEmpty()) batches.add(current.stream().mapToInt(Integer::intValue).toArray());
        return batches;
    }
}
