package wavlens.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.accuracy.LetterFrequencies;
import wavlens.analysis.predict.AccuracyFit;
import wavlens.analysis.predict.LetterStats;
import wavlens.analysis.predict.ModelRanking;
import wavlens.analysis.predict.RankValidation;
import wavlens.corpus.Corpus;
import wavlens.corpus.LetterTable;
import wavlens.corpus.Utterance;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * `wavlens rank`: which pretrained model should be fine-tuned for a target data set? Reads a fitted
 * letter-accuracy relation (FIT.json, format in {@link AccuracyFit}), measures each candidate's
 * per-letter cluster statistics on the corpus as the fit measured its own ({@link LetterStats},
 * cached) or reads them (--models, format in {@link LetterStats}), predicts each candidate's
 * per-letter and overall (target-letter-frequency-weighted) accuracy with 95% prediction intervals
 * ({@link ModelRanking}), prints the ranking and optionally writes it as JSON. With --validate, the
 * candidates' real accuracies after fine-tuning are set against the predictions ({@link RankValidation}).
 */
@Command(name = "rank", mixinStandardHelpOptions = true, description = {
        "Rank pretrained models for a target data set by predicted accuracy after fine-tuning, from a fitted",
        "letter-accuracy relation (--fit, the fit.json of `wavlens analyze` or `wavlens experiment letter-frequency`),",
        "each candidate's per-letter cluster statistics on --corpus (measured as the fit measured them) and the",
        "target transcripts' letter distribution."})
public final class RankCommand implements Callable<Integer> {
    @Option(names = "--fit", required = true, description = "FIT.json: the fitted relation") Path fit;
    @Option(names = "--candidate", description = "a pretrained model to rank (HF folder or demo:pretrained); repeat for more") List<String> candidates = new ArrayList<>();
    @Option(names = "--models", arity = "1..*", description = "letter statistics computed earlier or elsewhere (M.json of `wavlens letter-stats`)") List<Path> models = new ArrayList<>();
    @Option(names = "--corpus", description = "aligned corpus the candidates' cluster statistics are measured on (the fit's letters)") Path corpus;
    @Option(names = "--split", description = "measure on this split of --corpus only (default: the fit's, usually all)") String split;

    static final class Target {
        @Option(names = "--target-text", required = true, description = "UTF-8 transcripts of the target data set") Path text;
        @Option(names = "--target-corpus", required = true, description = "the target data set as a corpus (its transcripts)") Path corpus;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Target target;
    @Option(names = "--target-split", description = "with --target-corpus: the split whose transcripts count (default finetune-train when the corpus has one, else all)") String targetSplit;
    @Option(names = "--out", description = "write the ranking as JSON here") Path out;
    @Option(names = "--cache", description = "cache of the candidates' feature stores and statistics (default ~/.cache/wavlens, or $XDG_CACHE_HOME/wavlens)") Path cache;
    @Option(names = "--validate", description = "an `evaluate --out` folder of each candidate fine-tuned (in --candidate, then --models order): predicted against measured") List<Path> validate = new ArrayList<>();
    @Option(names = "--seed", defaultValue = "1", description = "seed of the prediction-interval draws (default ${DEFAULT-VALUE})") long seed;

    @Override
    public Integer call() {
        AccuracyFit relation = AccuracyFit.read(fit);
        if (candidates.isEmpty() && models.isEmpty()) throw new UserError("rank: give candidate models (--candidate DIR) or their statistics (--models M.json)");
        if (!candidates.isEmpty() && corpus == null) throw new UserError("rank: --candidate needs --corpus (the aligned corpus to measure the candidates on)");
        if (split != null && !split.equals(relation.measurement().split())) {
            System.err.printf("rank: warning: measuring on split %s, the fit's statistics were measured on %s%n", split, relation.measurement().split());
            AccuracyFit.Measurement m = relation.measurement();
            relation = new AccuracyFit(relation.source(), relation.accuracyMeasure(), relation.predictors(), relation.center(), relation.scale(),
                    relation.coefficients(), relation.covariance(), relation.residualVariance(), relation.residualDf(), relation.r2(),
                    relation.letters(), relation.bootstrapCoefficients(), new AccuracyFit.Measurement(m.layer(), m.inventory(), m.k(),
                    m.spherical(), m.restarts(), m.maxIter(), m.tol(), m.seed(), m.excludeSilence(), m.maxFrames(), m.extractionSeed(), split, m.tier()));
        }
        LetterFrequencies targetLetters = targetLetters();

        List<ModelRanking.ModelStats> stats = new ArrayList<>();
        Path cacheRoot = cache != null ? cache : defaultCache();
        for (int i = 0; i < candidates.size(); i++) {
            String spec = candidates.get(i);
            Path dir = ModelPaths.resolve(spec);
            String name = spec.startsWith("demo:") ? spec : dir.toAbsolutePath().normalize().getFileName().toString();
            System.err.printf("rank: candidate %d of %d: %s (layer %s, k = %d, %d frames per label)%n", i + 1, candidates.size(), name,
                    relation.layer(), relation.measurement().k(), relation.measurement().maxFrames());
            long t0 = System.nanoTime();
            LetterStats.Result r = LetterStats.compute(name, dir, corpus, relation, cacheRoot);
            System.err.printf(Locale.ROOT, "rank: %s: %s (%d frames, %.1f s)%n", name, r.reused() ? "statistics reused from the cache" : "statistics measured",
                    r.frames(), (System.nanoTime() - t0) / 1e9);
            stats.add(r.stats(relation.clusterMeasure(), dir));
        }
        for (Path m : models) stats.add(ModelRanking.ModelStats.read(m, relation));

        List<ModelRanking.Prediction> predictions = new ArrayList<>();
        for (ModelRanking.ModelStats s : stats) predictions.add(ModelRanking.predict(relation, s, targetLetters, seed, 0.95));
        ModelRanking.Prediction first = predictions.get(0);
        if (!first.unseen().isEmpty()) {
            System.err.printf(Locale.ROOT, "rank: warning: the target's letters %s (%.2f %% of its letters) are not among the fit's letters; "
                    + "left out: the predictions are over the other letters%n", String.join(" ", first.unseen()), 100 * first.unseenShare());
        }
        List<ModelRanking.Prediction> ranked = ModelRanking.rank(predictions);

        System.out.printf(Locale.ROOT, "predicted %s after fine-tuning (fit: %s, layer %s, %s, R² %.2f; target: %d letters, %d distinct)%n",
                relation.accuracyMeasure(), relation.source(), relation.layer(), relation.clusterMeasure(), relation.r2(),
                targetLetters.total(), targetLetters.counts().size());
        int width = 5;
        for (ModelRanking.Prediction p : ranked) width = Math.max(width, p.model().length());
        System.out.printf("%4s  %-" + width + "s  %9s  %-18s  %s%n", "rank", "model", "predicted", "95% interval", "letters driving the difference");
        List<List<ModelRanking.Driver>> drivers = new ArrayList<>();
        for (int r = 0; r < ranked.size(); r++) {
            ModelRanking.Prediction p = ranked.get(r);
            // the leader against the runner-up, everyone else against the leader
            int other = r == 0 ? 1 : 0;
            List<ModelRanking.Driver> d = ranked.size() > 1 ? ModelRanking.drivers(p, ranked.get(other), 3) : List.of();
            drivers.add(d);
            StringBuilder sb = new StringBuilder();
            if (!d.isEmpty()) sb.append("vs ").append(other + 1).append(other == 0 ? "st:" : "nd:");
            for (ModelRanking.Driver x : d) sb.append(String.format(Locale.ROOT, " %s %+.4f", x.letter(), x.contribution()));
            System.out.printf(Locale.ROOT, "%4d  %-" + width + "s  %9.4f  [%.4f, %.4f]  %s%n", r + 1, p.model(), p.overall(),
                    p.overallInterval()[0], p.overallInterval()[1], sb);
        }

        RankValidation.Result validation = null;
        if (!validate.isEmpty()) {
            validation = RankValidation.validate(relation, predictions, validate);
            System.out.printf("validation: predicted against measured %s after fine-tuning%n", relation.accuracyMeasure());
            System.out.printf("%-" + width + "s  %9s  %8s  %7s  %7s  %s%n", "model", "predicted", "measured", "error", "CER", "per-letter MAE");
            for (RankValidation.Check c : validation.checks()) {
                System.out.printf(Locale.ROOT, "%-" + width + "s  %9.4f  %8.4f  %+7.4f  %7.4f  %.4f (%d letters)%n", c.model(), c.predicted(),
                        c.measured(), c.predicted() - c.measured(), c.cer(), c.letterMae(), c.letters());
            }
            System.out.printf(Locale.ROOT, "rank correlation (Spearman) of predicted and measured overall: %.3f over %d candidates; "
                    + "mean absolute error %.4f; per letter: MAE %.4f, Spearman %.3f over %d (candidate, letter) pairs%n",
                    validation.spearman(), validation.checks().size(), validation.overallMae(), validation.letterMae(), validation.letterSpearman(),
                    validation.pairs());
        }
        if (out != null) {
            Map<String, Object> json = ModelRanking.toMap(relation, ranked);
            json.put("unseen_target_letters", first.unseen());
            List<Object> d = new ArrayList<>();
            for (List<ModelRanking.Driver> x : drivers) d.add(x.stream().map(v -> Map.of("letter", v.letter(), "contribution", v.contribution())).toList());
            json.put("drivers", d);
            if (validation != null) json.put("validation", validation.toMap());
            Json.write(out, json);
        }
        return 0;
    }

    /** The target's letters as the fit's models spell them (the letter table: lower case, folded, letters only). */
    LetterFrequencies targetLetters() {
        LetterTable table = LetterTable.finnish();
        List<String> texts = new ArrayList<>();
        Path source;
        if (target.text != null) {
            source = target.text;
            if (!Files.isRegularFile(source)) throw UserError.inFile(source, "no such file");
            try {
                texts.addAll(Files.readAllLines(source));
            } catch (java.nio.charset.CharacterCodingException e) {
                throw UserError.inFile(source, "not UTF-8 text");
            } catch (java.io.IOException e) {
                throw UserError.inFile(source, "cannot read: " + e.getMessage());
            }
        } else {
            source = target.corpus;
            List<Utterance> utts = Corpus.open(source).utterances();
            String s = targetSplit != null ? targetSplit : utts.stream().anyMatch(u -> u.id().startsWith("finetune-train/")) ? "finetune-train" : null;
            for (Utterance u : utts) if (u.transcript() != null && (s == null || u.id().startsWith(s + "/"))) texts.add(u.transcript());
            if (texts.isEmpty()) throw UserError.inFile(source, "no transcripts" + (s == null ? "" : " in split " + s));
        }
        Map<String, Integer> dropped = new TreeMap<>();
        List<String> spelled = new ArrayList<>();
        for (String t : texts) spelled.add(String.join("", table.letters(t, dropped)));
        Map<String, Integer> droppedLetters = new LinkedHashMap<>();
        dropped.forEach((c, n) -> {
            if (c.codePoints().allMatch(Character::isLetter)) droppedLetters.put(c, n);
        });
        if (!droppedLetters.isEmpty()) {
            System.err.println("rank: warning: " + source + ": characters outside the letter table, not counted: " + LetterTable.describeDropped(droppedLetters));
        }
        LetterFrequencies f = LetterFrequencies.of(spelled);
        if (f.total() == 0) throw UserError.inFile(source, "contains no letters (an empty target)");
        return f;
    }

    static Path defaultCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("wavlens");
    }
}
