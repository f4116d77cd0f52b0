package wavlens.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import wavlens.analysis.accuracy.AsrScores;
import wavlens.checkpoint.DType;
import wavlens.corpus.Corpus;
import wavlens.corpus.LetterTable;
import wavlens.corpus.Utterance;
import wavlens.io.AtomicFiles;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Progress;
import wavlens.io.UserError;
import wavlens.model.Preprocessor;
import wavlens.model.Wav2Vec2Config;
import wavlens.report.ScatterFit;
import wavlens.train.CtcVocabulary;
import wavlens.train.FineTuning;
import wavlens.train.TrainableModel;
import wavlens.train.TrainingData;

/**
 * The paper's claim under a controlled design: fine-tune several models from one pretrained
 * checkpoint on subsets of equal audio whose letter distributions differ on purpose
 * ({@link SubsetDesign}), score every model on the same test split, measure the pretrained
 * model's per-letter cluster purity once ({@link PretrainedClusters}), and fit accuracy on
 * training frequency and purity across all (model, letter) rows ({@link ControlledFit}). Since a
 * letter's frequency now varies across models while its purity does not, the within-letter
 * effect of frequency is free of letter identity — which one fine-tuned model cannot give.
 *
 * <p>OUT holds design.json (what must not change on a rerun), subsets.csv, frequencies.csv,
 * manipulation.csv, data/ (a manifest per subset and for test/dev), models/variant-N/ (HF model
 * folders from {@link FineTuning}), evaluation/variant-N.json, letter_clusters_pretrained.csv,
 * letter_accuracy.csv, rows.csv, fit_by_layer.csv, coefficients.csv, figures/ and experiment.json
 * with the verdict. A rerun skips finished models, resumes a half-trained one from its checkpoint
 * and reuses the clusters and evaluations.
 */
public final class LetterFrequencyExperiment {

    public record Options(Path pretrained, Path corpus, Path test, Path out, int variants, double subsetShare, List<String> letters,
                          long seed, String layer, String accuracy, long steps, double lr, double batchSeconds, float maskTimeProb,
                          long freezeEncoderSteps, int evalEvery, double maxSeconds, int maxFrames, int k, int bootstrap) {}

    public record Summary(Path experimentJson, String verdict, int modelsTrained, int modelsReused, double seconds) {}

    /** What the fit reads about one variant after training and evaluation. */
    private record Trained(SubsetDesign.Variant variant, Map<String, Long> counts, long letters, JsonNode evaluation, JsonNode training) {}

    private final Options o;
    private final LetterTable table = LetterTable.finnish();

    public LetterFrequencyExperiment(Options options) {
        this.o = options;
    }

    public Summary run() {
        long t0 = System.nanoTime();
        check();
        try {
            Files.createDirectories(o.out());
        } catch (IOException e) {
            throw UserError.inFile(o.out(), "cannot create: " + e.getMessage());
        }

        // 1. the pool, the test (and dev) sets, the subsets
        Corpus corpus = Corpus.open(o.corpus());
        if (corpus.layout().equals("kaldi") && Files.isRegularFile(corpus.root().resolve("segments"))) {
            throw UserError.inFile(corpus.root().resolve("segments"), "utterances are segments of recordings, but the subsets are written as "
                    + "manifests of whole audio files: cut the segments into files first");
        }
        boolean split = corpus.utterances().stream().anyMatch(u -> u.id().startsWith("finetune-train/"));
        List<Utterance> pool = new ArrayList<>(), test = new ArrayList<>(), dev = new ArrayList<>();
        for (Utterance u : corpus.utterances()) {
            if (u.transcript() == null || u.transcript().isBlank()) continue;
            if (!split || u.id().startsWith("finetune-train/")) pool.add(u);
            if (split && u.id().startsWith("test/")) test.add(u);
            if (split && u.id().startsWith("dev/")) dev.add(u);
        }
        if (o.test() != null) {
            test = Corpus.open(o.test()).utterances().stream().filter(u -> u.transcript() != null && !u.transcript().isBlank()).toList();
            if (test.isEmpty()) throw UserError.inFile(o.test(), "no utterance with a transcript to test the models on");
        } else if (test.isEmpty()) {
            throw UserError.inFile(o.corpus(), "has no test split (utterances under test/ with transcripts): give --test CORPUS");
        }
        if (pool.size() < 4) {
            throw UserError.inFile(o.corpus(), "only " + pool.size() + " fine-tuning utterances with transcripts"
                    + (split ? " in finetune-train/" : "") + ": too few to make subsets");
        }
        List<SubsetDesign.Item> items = new ArrayList<>();
        for (Utterance u : pool) items.add(new SubsetDesign.Item(u.id(), u.durationSec(), letterCounts(u.transcript())));
        List<String> letters = o.letters() == null ? SubsetDesign.defaultLetters(items) : checkedLetters(o.letters());
        List<SubsetDesign.Variant> variants = SubsetDesign.select(items, letters, o.variants(), o.subsetShare(), o.seed());
        checkDesign(letters, variants, split);
        Map<String, Utterance> byId = new LinkedHashMap<>();
        for (Utterance u : pool) byId.put(u.id(), u);
        Path data = o.out().resolve("data");
        for (SubsetDesign.Variant v : variants) writeManifest(data.resolve(name(v) + ".tsv"), v.items().stream().map(it -> byId.get(it.id())).toList());
        Path testManifest = data.resolve("test.tsv"), devManifest = dev.isEmpty() ? null : data.resolve("dev.tsv");
        writeManifest(testManifest, test);
        if (devManifest != null) writeManifest(devManifest, dev);
        List<Map<String, Long>> counts = new ArrayList<>();
        for (SubsetDesign.Variant v : variants) counts.add(SubsetDesign.counts(v.items()));
        writeDesignTables(letters, variants, counts, SubsetDesign.counts(items));
        System.err.print(manipulationLine(letters, variants, counts));

        // 2. the pretrained clusters first: cheap next to training, and a corpus without alignments fails here
        announce("pretrained clusters per layer");
        PretrainedClusters.Result clusters = PretrainedClusters.compute(o.pretrained(), o.corpus(), o.out().resolve("cache"),
                o.out().resolve("letter_clusters_pretrained.csv"), o.maxFrames(), o.k(), o.seed());
        if (!o.layer().equals("best") && !clusters.layers().contains(o.layer())) {
            throw new UserError("--layer " + o.layer() + ": the pretrained model's layers are " + String.join(", ", clusters.layers()) + " (or best)");
        }

        // 3. fine-tune every variant
        int trained = 0, reused = 0;
        for (SubsetDesign.Variant v : variants) {
            Path dir = modelDir(v);
            if (Files.exists(dir.resolve("training.json"))) {
                reused++;
                continue;
            }
            announce(String.format(Locale.ROOT, "fine-tuning %s of %d (%d utterances, %.1f min)", name(v), variants.size(), v.items().size(), v.seconds() / 60));
            FineTuning.run(FineTuning.Options.builder(o.pretrained(), List.of(data.resolve(name(v) + ".tsv")), dir).dev(devManifest)
                    .steps(o.steps()).batchSeconds(o.batchSeconds()).peakLr(o.lr()).freezeEncoderSteps(o.freezeEncoderSteps())
                    .maskTime(o.maskTimeProb(), 10).seed(o.seed()).evalEvery(o.evalEvery()).maxSeconds(o.maxSeconds()).letters(table).build());
            trained++;
        }

        // 4. evaluate every model on the same test set
        List<Trained> models = evaluate(variants, counts, testManifest);
        writeLetterAccuracy(models);

        // 5. the fit across models
        List<Map<String, Object>> excluded = new ArrayList<>();
        ControlledFit.Data panel = panel(letters, models, clusters, excluded);
        double[][] purity = new double[clusters.layers().size()][panel.letters().size()];
        for (int j = 0; j < purity.length; j++) for (int l = 0; l < panel.letters().size(); l++) purity[j][l] = clusters.purity().get(panel.letters().get(l))[j];
        ControlledFit.Result fit = ControlledFit.fit(panel, clusters.layers(), purity, o.layer(), o.bootstrap(), o.seed());

        // 6. outputs
        double[] ratios = ratios(letters, variants, counts);
        double[] cer = models.stream().mapToDouble(m -> m.evaluation().path("cer").asDouble()).toArray();
        String verdict = Verdict.of(fit, o.accuracy(), letters, ratios, movedAsIntended(letters, variants, counts), cer);
        writeFitTables(fit, purity);
        writeRankFit(fit, purity);
        writeFigures(fit);
        Map<String, Object> json = experimentJson(letters, variants, models, counts, ratios, fit, excluded, clusters, verdict);
        Json.write(o.out().resolve("experiment.json"), json);
        return new Summary(o.out().resolve("experiment.json"), verdict, trained, reused, (System.nanoTime() - t0) / 1e9);
    }

    private void check() {
        if (o.variants() < 2) throw new UserError("--variants must be at least 2 (frequencies have to differ between models)");
        if (!(o.subsetShare() > 0 && o.subsetShare() < 1)) throw new UserError("--subset-share must be between 0 and 1 (exclusive)");
        if (o.steps() < 1) throw new UserError("--steps must be at least 1");
        if (!(o.lr() > 0)) throw new UserError("--lr must be positive");
        if (!(o.batchSeconds() > 0)) throw new UserError("--batch-seconds must be positive");
        if (o.maskTimeProb() < 0 || o.maskTimeProb() >= 1) throw new UserError("--mask-time-prob must be in [0, 1)");
        if (o.evalEvery() < 1) throw new UserError("--eval-every must be at least 1");
        if (o.bootstrap() < 100) throw new UserError("--bootstrap must be at least 100");
        if (!List.of("f1", "recall", "precision").contains(o.accuracy())) throw new UserError("--accuracy must be f1, recall or precision, not " + o.accuracy());
        if (!Files.isRegularFile(o.pretrained().resolve("config.json"))) throw UserError.inFile(o.pretrained(), "no config.json: not a HuggingFace model folder");
    }

    private List<String> checkedLetters(List<String> given) {
        List<String> out = new ArrayList<>();
        for (String l : given) {
            String letter = l.strip().toLowerCase(Locale.ROOT);
            if (!table.alphabet().contains(letter)) throw new UserError("--letters: '" + l + "' is not a letter of " + table.source());
            if (out.contains(letter)) throw new UserError("--letters: '" + letter + "' is given twice");
            out.add(letter);
        }
        if (out.size() < 3) throw new UserError("--letters: give at least 3 letters (the fit needs 3 letters or more)");
        return out;
    }

    private Map<String, Integer> letterCounts(String transcript) {
        Map<String, Integer> c = new LinkedHashMap<>();
        for (String l : table.letters(transcript, null)) c.merge(l, 1, Integer::sum);
        return c;
    }

    static String name(SubsetDesign.Variant v) {
        return "variant-" + (v.index() + 1);
    }

    private Path modelDir(SubsetDesign.Variant v) {
        return o.out().resolve("models").resolve(name(v));
    }

    private static void announce(String what) {
        if (!Progress.quiet()) System.err.println("experiment: " + what);
    }

    // ------------------------------------------------------------------ design

    /**
     * design.json holds everything a model's training depends on; a rerun with other values would
     * mix models of two designs, so it is refused (analysis-only options may change freely).
     */
    private void checkDesign(List<String> letters, List<SubsetDesign.Variant> variants, boolean split) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("pretrained", o.pretrained().toAbsolutePath().normalize().toString());
        d.put("corpus", o.corpus().toAbsolutePath().normalize().toString());
        d.put("test", o.test() == null ? "test split of the corpus" : o.test().toAbsolutePath().normalize().toString());
        d.put("pool", split ? "finetune-train split" : "all utterances");
        d.put("variants", o.variants());
        d.put("subset_share", o.subsetShare());
        d.put("letters", letters);
        d.put("seed", o.seed());
        d.put("steps", o.steps());
        d.put("lr", o.lr());
        d.put("batch_seconds", o.batchSeconds());
        d.put("mask_time_prob", (double) o.maskTimeProb());
        d.put("freeze_encoder_steps", o.freezeEncoderSteps());
        d.put("max_seconds", o.maxSeconds());
        StringBuilder ids = new StringBuilder();
        for (SubsetDesign.Variant v : variants) for (SubsetDesign.Item it : v.items()) ids.append(v.index()).append(' ').append(it.id()).append('\n');
        d.put("subsets_sha256", sha256(ids.toString()));
        JsonNode now = Json.MAPPER.valueToTree(d);
        Path file = o.out().resolve("design.json");
        if (Files.exists(file)) {
            JsonNode was = Json.read(file);
            for (var e : now.properties()) {
                JsonNode old = was.get(e.getKey());
                if (old == null || !Json.oneLine(old).equals(Json.oneLine(e.getValue()))) {
                    throw UserError.inFile(o.out(), "holds an experiment with another design (" + e.getKey() + " was " + (old == null ? "not set" : old)
                            + ", now " + e.getValue() + "); rerun with the same options or give a new --out folder");
                }
            }
        } else {
            Json.write(file, now);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TSV manifest of whole audio files (absolute paths) that {@link Corpus#open} and {@link TrainingData#load} read. */
    static void writeManifest(Path file, List<Utterance> utterances) {
        StringBuilder sb = new StringBuilder("path\ttranscript\tspeaker\n");
        for (Utterance u : utterances) {
            sb.append(u.audioPath().toAbsolutePath().normalize()).append('\t').append(u.transcript().replaceAll("\\s+", " ").strip()).append('\t')
                    .append(u.speaker() == null ? "" : u.speaker()).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private void writeDesignTables(List<String> letters, List<SubsetDesign.Variant> variants, List<Map<String, Long>> counts, Map<String, Long> poolCounts) {
        List<List<?>> subsets = new ArrayList<>();
        for (SubsetDesign.Variant v : variants) for (SubsetDesign.Item it : v.items()) subsets.add(List.of(v.index() + 1, it.id(), it.seconds()));
        Csv.write(o.out().resolve("subsets.csv"), List.of("variant", "utt", "seconds"), subsets);

        List<List<?>> freq = new ArrayList<>();
        for (SubsetDesign.Variant v : variants) {
            Map<String, Long> c = counts.get(v.index());
            long total = SubsetDesign.total(c);
            for (String l : table.alphabet()) {
                if (!c.containsKey(l) && !poolCounts.containsKey(l)) continue;
                int i = letters.indexOf(l);
                String role = i < 0 ? "not manipulated" : v.roles()[i] > 0 ? "boosted" : v.roles()[i] < 0 ? "suppressed" : "neutral";
                freq.add(List.of(v.index() + 1, l, c.getOrDefault(l, 0L), (double) c.getOrDefault(l, 0L) / total, role));
            }
        }
        Csv.write(o.out().resolve("frequencies.csv"), List.of("variant", "letter", "count", "relative", "role"), freq);

        long poolTotal = SubsetDesign.total(poolCounts);
        double[] ratios = ratios(letters, variants, counts);
        boolean[] moved = movedAsIntended(letters, variants, counts);
        List<List<?>> manipulation = new ArrayList<>();
        for (int i = 0; i < letters.size(); i++) {
            double[] f = relative(letters.get(i), counts);
            List<Integer> boosted = new ArrayList<>(), suppressed = new ArrayList<>();
            for (SubsetDesign.Variant v : variants) {
                if (v.roles()[i] > 0) boosted.add(v.index() + 1);
                if (v.roles()[i] < 0) suppressed.add(v.index() + 1);
            }
            manipulation.add(List.of(letters.get(i), (double) poolCounts.getOrDefault(letters.get(i), 0L) / poolTotal, min(f), max(f),
                    Double.isFinite(ratios[i]) ? ratios[i] : "", join(boosted), join(suppressed), moved[i] ? "yes" : "no"));
        }
        Csv.write(o.out().resolve("manipulation.csv"), List.of("letter", "pool_relative", "min_relative", "max_relative", "max_min_ratio",
                "boosted_in", "suppressed_in", "moved_as_intended"), manipulation);
    }

    private static String join(List<Integer> v) {
        return String.join(" ", v.stream().map(String::valueOf).toList());
    }

    /** The letter's relative frequency in each variant's subset. */
    static double[] relative(String letter, List<Map<String, Long>> counts) {
        double[] f = new double[counts.size()];
        for (int v = 0; v < f.length; v++) f[v] = (double) counts.get(v).getOrDefault(letter, 0L) / Math.max(1, SubsetDesign.total(counts.get(v)));
        return f;
    }

    /** Per letter: max/min relative frequency across the variants (infinite when a subset lacks it). */
    static double[] ratios(List<String> letters, List<SubsetDesign.Variant> variants, List<Map<String, Long>> counts) {
        double[] r = new double[letters.size()];
        for (int i = 0; i < r.length; i++) {
            double[] f = relative(letters.get(i), counts);
            r[i] = min(f) > 0 ? max(f) / min(f) : Double.POSITIVE_INFINITY;
        }
        return r;
    }

    /** Per letter: is its mean frequency where it was boosted above its mean where it was suppressed? */
    static boolean[] movedAsIntended(List<String> letters, List<SubsetDesign.Variant> variants, List<Map<String, Long>> counts) {
        boolean[] out = new boolean[letters.size()];
        for (int i = 0; i < out.length; i++) {
            double[] f = relative(letters.get(i), counts);
            double up = 0, down = 0;
            int nUp = 0, nDown = 0;
            for (SubsetDesign.Variant v : variants) {
                if (v.roles()[i] > 0) {
                    up += f[v.index()];
                    nUp++;
                } else if (v.roles()[i] < 0) {
                    down += f[v.index()];
                    nDown++;
                }
            }
            out[i] = nUp > 0 && nDown > 0 && up / nUp > down / nDown;
        }
        return out;
    }

    private static String manipulationLine(List<String> letters, List<SubsetDesign.Variant> variants, List<Map<String, Long>> counts) {
        if (Progress.quiet()) return "";
        StringBuilder sb = new StringBuilder("experiment: letter frequency max/min across the variants:");
        double[] r = ratios(letters, variants, counts);
        for (int i = 0; i < letters.size(); i++) sb.append(String.format(Locale.ROOT, " %s %.2f", letters.get(i), r[i]));
        return sb.append('\n').toString();
    }

    static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) m = Math.min(m, x);
        return m;
    }

    static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) m = Math.max(m, x);
        return m;
    }

    // ------------------------------------------------------------------ evaluation

    /** Greedy CTC on the test set with each model; a model's scores are reused while its training.json is older than them. */
    private List<Trained> evaluate(List<SubsetDesign.Variant> variants, List<Map<String, Long>> counts, Path testManifest) {
        Wav2Vec2Config cfg = Wav2Vec2Config.read(o.pretrained().resolve("config.json"));
        Preprocessor pre = Preprocessor.read(o.pretrained(), cfg);
        CtcVocabulary vocab = CtcVocabulary.of(table);
        TrainingData test = null;
        List<Trained> out = new ArrayList<>();
        try (Progress bar = Progress.start("evaluating models on the test set", variants.size(), "model")) {
            for (SubsetDesign.Variant v : variants) {
                Path dir = modelDir(v), file = o.out().resolve("evaluation").resolve(name(v) + ".json"), trained = dir.resolve("training.json");
                if (!Files.exists(file) || modified(file) < modified(trained)) {
                    // long test utterances are kept: only training skips them (--max-seconds)
                    if (test == null) test = TrainingData.load(testManifest, pre, cfg, vocab, table, Math.max(o.maxSeconds(), 600), o.seed());
                    List<String> hypotheses = FineTuning.transcribe(TrainableModel.load(dir), test, vocab.decoder(), o.batchSeconds());
                    AsrScores scores = new AsrScores();
                    for (int i = 0; i < hypotheses.size(); i++) scores.add(test.items.get(i).reference(), hypotheses.get(i));
                    Map<String, Object> m = new LinkedHashMap<>(scores.toMap());
                    m.remove("confusion");
                    m.put("test_problems", test.problems.size());
                    Json.write(file, m);
                }
                out.add(new Trained(v, counts.get(v.index()), SubsetDesign.total(counts.get(v.index())), Json.read(file), Json.read(trained)));
                bar.step();
            }
        }
        return out;
    }

    /** Every letter's test scores per model, beside its frequency in that model's subset. */
    private void writeLetterAccuracy(List<Trained> models) {
        List<List<?>> rows = new ArrayList<>();
        for (Trained m : models) {
            for (JsonNode s : m.evaluation().path("letters")) {
                long count = m.counts().getOrDefault(s.path("letter").asText(), 0L);
                rows.add(List.of(m.variant().index() + 1, s.path("letter").asText(), s.path("hits").asLong(), s.path("misses").asLong(),
                        s.path("false_alarms").asLong(), s.path("precision").asDouble(), s.path("recall").asDouble(), s.path("f1").asDouble(),
                        s.path("hits").asLong() + s.path("misses").asLong(), count, (double) count / m.letters()));
            }
        }
        Csv.write(o.out().resolve("letter_accuracy.csv"), List.of("variant", "letter", "hits", "misses", "false_alarms", "precision", "recall", "f1",
                "support", "training_count", "training_relative"), rows);
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            throw UserError.inFile(p, "cannot read: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ the fit

    /**
     * The (variant, letter) rows: chosen letters that occur in the test set (else their accuracy is
     * undefined in every model) and have pretrained clusters at every layer. Training frequency
     * enters as ln((count + 0.5) / letters of the subset), so a letter a subset lacks entirely still
     * has a finite log frequency.
     */
    private ControlledFit.Data panel(List<String> letters, List<Trained> models, PretrainedClusters.Result clusters, List<Map<String, Object>> excluded) {
        List<String> kept = new ArrayList<>();
        for (String l : letters) {
            JsonNode s = letterScore(models.getFirst().evaluation(), l);
            String reason = null;
            if (s == null || s.path("hits").asLong() + s.path("misses").asLong() == 0) reason = "does not occur in the test set";
            else if (!clusters.purity().containsKey(l)) reason = "has no frames in the pretrained clusters (not in the alignments)";
            else if (java.util.Arrays.stream(clusters.purity().get(l)).anyMatch(Double::isNaN)) reason = "is missing from the clusters of some layer";
            if (reason == null) kept.add(l);
            else excluded.add(Map.of("letter", l, "reason", reason));
        }
        int n = kept.size() * models.size();
        int[] letterOf = new int[n], variantOf = new int[n];
        double[] accuracy = new double[n], frequency = new double[n], logFrequency = new double[n];
        int r = 0;
        for (Trained m : models) {
            for (int l = 0; l < kept.size(); l++) {
                letterOf[r] = l;
                variantOf[r] = m.variant().index();
                accuracy[r] = letterScore(m.evaluation(), kept.get(l)).path(o.accuracy()).asDouble();
                long count = m.counts().getOrDefault(kept.get(l), 0L);
                frequency[r] = (double) count / m.letters();
                logFrequency[r] = Math.log((count + 0.5) / m.letters());
                r++;
            }
        }
        return new ControlledFit.Data(List.copyOf(kept), models.size(), letterOf, variantOf, accuracy, frequency, logFrequency);
    }

    private static JsonNode letterScore(JsonNode evaluation, String letter) {
        for (JsonNode s : evaluation.path("letters")) if (s.path("letter").asText().equals(letter)) return s;
        return null;
    }

    /**
     * EXP/fit.json for `wavlens rank`: the pooled fit at the chosen layer with its standardisation
     * over the (variant, letter) rows and how the purity was measured ({@link PretrainedClusters}).
     * Its covariance is the OLS one over rows; the bootstrap over letters is not stored (its draws
     * have no intercept), so rank draws coefficients from N(b, covariance).
     */
    private void writeRankFit(ControlledFit.Result fit, double[][] purity) {
        ControlledFit.LayerFit f = fit.layer();
        if (f.ols() == null) return;
        ControlledFit.Data d = fit.data();
        double[] perRow = new double[d.rows()];
        for (int r = 0; r < perRow.length; r++) perRow[r] = purity[fit.chosen()][d.letterOf()[r]];
        wavlens.analysis.predict.Ols ols = f.ols();
        new wavlens.analysis.predict.AccuracyFit("experiment letter-frequency", o.accuracy(), List.of("log_frequency", "purity"),
                new double[] {wavlens.analysis.predict.AccuracyRegression.mean(d.logFrequency()), wavlens.analysis.predict.AccuracyRegression.mean(perRow)},
                new double[] {wavlens.analysis.predict.AccuracyRegression.sampleSd(d.logFrequency()), wavlens.analysis.predict.AccuracyRegression.sampleSd(perRow)},
                ols.coefficients(), ols.covariance(), ols.residualVariance(), ols.n() - ols.p() - 1, ols.r2(), d.letters(), null,
                PretrainedClusters.measurement(o.out().resolve("cache"), o.maxFrames(), o.k(), o.seed(), f.layer())).write(o.out().resolve("fit.json"));
    }

    private void writeFitTables(ControlledFit.Result fit, double[][] purity) {
        ControlledFit.Data d = fit.data();
        List<List<?>> rows = new ArrayList<>();
        for (int r = 0; r < d.rows(); r++) {
            rows.add(List.of(d.variantOf()[r] + 1, d.letters().get(d.letterOf()[r]), d.accuracy()[r], d.frequency()[r], d.logFrequency()[r],
                    purity[fit.chosen()][d.letterOf()[r]]));
        }
        Csv.write(o.out().resolve("rows.csv"), List.of("variant", "letter", o.accuracy(), "training_frequency", "log_frequency",
                "purity_layer_" + fit.layer().layer()), rows);

        List<List<?>> layers = new ArrayList<>();
        for (ControlledFit.LayerFit f : fit.layers()) {
            List<Object> row = new ArrayList<>(List.of(f.layer()));
            for (ControlledFit.Interval i : List.of(f.r2(), f.frequency(), f.purity(), f.lmgFrequency(), f.lmgPurity())) {
                row.add(i.estimate());
                row.add(i.low());
                row.add(i.high());
            }
            layers.add(row);
        }
        Csv.write(o.out().resolve("fit_by_layer.csv"), List.of("layer", "r2", "r2_ci_low", "r2_ci_high", "log_frequency", "log_frequency_ci_low",
                "log_frequency_ci_high", "purity", "purity_ci_low", "purity_ci_high", "lmg_log_frequency", "lmg_log_frequency_ci_low",
                "lmg_log_frequency_ci_high", "lmg_purity", "lmg_purity_ci_low", "lmg_purity_ci_high"), layers);

        ControlledFit.LayerFit f = fit.layer();
        ControlledFit.Within w = fit.within();
        String at = "layer " + f.layer();
        List<List<?>> coefficients = new ArrayList<>();
        coefficients.add(coefficient("log frequency, pooled (per sd)", f.frequency(), f.lmgFrequency(), "all rows, with purity at " + at));
        coefficients.add(coefficient("purity, pooled (per sd)", f.purity(), f.lmgPurity(), "all rows, " + at));
        coefficients.add(coefficient("R², pooled", f.r2(), null, at));
        coefficients.add(coefficient("log frequency, within letters (per sd)", w.perSd(), null, "letter fixed effects"));
        coefficients.add(coefficient("log frequency, within letters (per doubling)", w.perDoubling(), null, "letter fixed effects"));
        coefficients.add(coefficient("log frequency, within letters and models (per sd)", w.perSdTwoWay(), null, "letter and model fixed effects"));
        Csv.write(o.out().resolve("coefficients.csv"), List.of("term", "estimate", "ci_low", "ci_high", "lmg", "lmg_ci_low", "lmg_ci_high", "model"), coefficients);
    }

    private static List<?> coefficient(String term, ControlledFit.Interval i, ControlledFit.Interval lmg, String model) {
        List<Object> r = new ArrayList<>(List.of(term, i.estimate(), i.low(), i.high()));
        if (lmg == null) r.addAll(List.of("", "", ""));
        else r.addAll(List.of(lmg.estimate(), lmg.low(), lmg.high()));
        r.add(model);
        return r;
    }

    /** Accuracy against training frequency over all rows, and the same within letters (each letter's mean removed). */
    private void writeFigures(ControlledFit.Result fit) {
        ControlledFit.Data d = fit.data();
        int n = d.rows(), letters = d.letters().size();
        List<String> labels = new ArrayList<>();
        double[] f = new double[n], y = d.accuracy(), yMean = new double[letters], xMean = new double[letters], count = new double[letters];
        for (int r = 0; r < n; r++) {
            labels.add(d.letters().get(d.letterOf()[r]) + (d.variantOf()[r] + 1));
            f[r] = Math.exp(d.logFrequency()[r]);
            yMean[d.letterOf()[r]] += y[r];
            xMean[d.letterOf()[r]] += d.logFrequency()[r];
            count[d.letterOf()[r]]++;
        }
        double[] xw = new double[n], yw = new double[n];
        for (int r = 0; r < n; r++) {
            int l = d.letterOf()[r];
            xw[r] = d.logFrequency()[r] - xMean[l] / count[l];
            yw[r] = y[r] - yMean[l] / count[l];
        }
        Path figures = o.out().resolve("figures");
        ScatterFit.write(figures, "experiment-frequency", ScatterFit.Spec.of(labels, f, y, "frequency in the model's fine-tuning subset",
                "letter " + o.accuracy(), true));
        ScatterFit.write(figures, "experiment-within", ScatterFit.Spec.of(labels, xw, yw, "ln frequency − the letter's mean",
                o.accuracy() + " − the letter's mean", false));
    }

    private Map<String, Object> experimentJson(List<String> letters, List<SubsetDesign.Variant> variants, List<Trained> models,
                                               List<Map<String, Long>> counts, double[] ratios, ControlledFit.Result fit,
                                               List<Map<String, Object>> excluded, PretrainedClusters.Result clusters, String verdict) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment", "letter-frequency");
        m.put("verdict", verdict);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("pretrained", o.pretrained().toAbsolutePath().normalize().toString());
        s.put("corpus", o.corpus().toAbsolutePath().normalize().toString());
        s.put("test", o.test() == null ? null : o.test().toAbsolutePath().normalize().toString());
        s.put("variants", o.variants());
        s.put("subset_share", o.subsetShare());
        s.put("letters_given", o.letters());
        s.put("seed", o.seed());
        s.put("layer", o.layer());
        s.put("accuracy", o.accuracy());
        s.put("steps", o.steps());
        s.put("lr", o.lr());
        s.put("batch_seconds", o.batchSeconds());
        s.put("mask_time_prob", o.maskTimeProb());
        s.put("freeze_encoder_steps", o.freezeEncoderSteps());
        s.put("max_seconds", o.maxSeconds());
        s.put("max_frames", o.maxFrames());
        s.put("k", o.k());
        s.put("bootstrap", o.bootstrap());
        m.put("settings", s);
        m.put("letters", letters);
        m.put("letters_rule", o.letters() != null ? "given with --letters" : String.format(Locale.ROOT,
                "the %d most frequent letters of the fine-tuning transcripts with a share between %.1f%% and %.0f%%",
                SubsetDesign.DEFAULT_LETTERS, 100 * SubsetDesign.MIN_SHARE, 100 * SubsetDesign.MAX_SHARE));
        m.put("excluded_letters", excluded);

        List<Map<String, Object>> vs = new ArrayList<>();
        for (Trained t : models) {
            SubsetDesign.Variant v = t.variant();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("variant", v.index() + 1);
            r.put("model", modelDir(v).toAbsolutePath().normalize().toString());
            List<String> up = new ArrayList<>(), down = new ArrayList<>();
            for (int i = 0; i < letters.size(); i++) {
                if (v.roles()[i] > 0) up.add(letters.get(i));
                if (v.roles()[i] < 0) down.add(letters.get(i));
            }
            r.put("boosted", up);
            r.put("suppressed", down);
            r.put("utterances", v.items().size());
            r.put("seconds", v.seconds());
            r.put("training_letters", t.letters());
            r.put("final_loss", number(t.training().path("final_loss").asDouble(Double.NaN)));
            r.put("dev_cer", t.training().path("dev_cer").isNumber() ? t.training().path("dev_cer").asDouble() : null);
            r.put("test_cer", number(t.evaluation().path("cer").asDouble(Double.NaN)));
            r.put("test_wer", number(t.evaluation().path("wer").asDouble(Double.NaN)));
            r.put("test_utterances", t.evaluation().path("utterances").asLong());
            vs.add(r);
        }
        m.put("variants", vs);

        Map<String, Object> man = new LinkedHashMap<>();
        boolean[] moved = movedAsIntended(letters, variants, counts);
        List<Map<String, Object>> perLetter = new ArrayList<>();
        for (int i = 0; i < letters.size(); i++) {
            double[] f = relative(letters.get(i), counts);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("letter", letters.get(i));
            r.put("relative", f);
            r.put("max_min_ratio", number(ratios[i]));
            r.put("moved_as_intended", moved[i]);
            perLetter.add(r);
        }
        double[] sorted = ratios.clone();
        java.util.Arrays.sort(sorted);
        man.put("median_max_min_ratio", number(sorted[sorted.length / 2]));
        man.put("letters_moved_as_intended", java.util.stream.IntStream.range(0, moved.length).filter(i -> moved[i]).count());
        man.put("letters", perLetter);
        m.put("manipulation", man);

        Map<String, Object> fj = new LinkedHashMap<>();
        fj.put("accuracy_measure", o.accuracy());
        fj.put("letters", fit.data().letters());
        fj.put("rows", fit.data().rows());
        fj.put("log_frequency", "ln((count + 0.5) / letters of the subset)");
        fj.put("bootstrap_samples", fit.bootstrap());
        fj.put("bootstrap_unit", "letter (all of a drawn letter's rows together)");
        fj.put("bootstrap_redraws", fit.redraws());
        fj.put("confidence", ControlledFit.CONFIDENCE);
        fj.put("layers", clusters.layers());
        fj.put("layer", fit.layer().layer());
        fj.put("layer_chosen_as", fit.chosenAsBest() ? "best (highest pooled R²)" : "given with --layer");
        fj.put("pooled", layerJson(fit.layer()));
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("per_sd", interval(fit.within().perSd()));
        w.put("per_doubling", interval(fit.within().perDoubling()));
        w.put("per_sd_letter_and_model_effects", interval(fit.within().perSdTwoWay()));
        w.put("within_r2", number(fit.within().withinR2()));
        w.put("sd_of_log_frequency", fit.logFrequencySd());
        w.put("letter_share_of_variance", number(fit.within().letterShare()));
        fj.put("within_letter", w);
        List<Map<String, Object>> all = new ArrayList<>();
        for (ControlledFit.LayerFit f : fit.layers()) all.add(layerJson(f));
        fj.put("by_layer", all);
        m.put("fit", fj);
        return m;
    }

    private static Map<String, Object> layerJson(ControlledFit.LayerFit f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer", f.layer());
        m.put("r2", interval(f.r2()));
        m.put("log_frequency", interval(f.frequency()));
        m.put("purity", interval(f.purity()));
        m.put("lmg_log_frequency", interval(f.lmgFrequency()));
        m.put("lmg_purity", interval(f.lmgPurity()));
        if (f.ols() != null) {
            m.put("intercept", f.ols().coefficients()[0]);
            m.put("standard_errors", f.ols().standardErrors());
        }
        return m;
    }

    private static Map<String, Object> interval(ControlledFit.Interval i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("estimate", number(i.estimate()));
        m.put("ci", java.util.Arrays.asList(number(i.low()), number(i.high())));
        return m;
    }

    /** JSON has no NaN or infinity: null stands for "undefined". */
    static Double number(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
