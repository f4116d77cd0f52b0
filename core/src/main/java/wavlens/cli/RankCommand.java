package wavlens.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.accuracy.LetterFrequencies;
import wavlens.analysis.predict.AccuracyFit;
import wavlens.analysis.predict.ModelRanking;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * `wavlens rank`: which pretrained model should be fine-tuned for a target data set? Reads a fitted
 * letter-accuracy relation (FIT.json, format in {@link AccuracyFit}), one cluster-statistics file per
 * candidate model (format in {@link ModelRanking}) and the target transcripts, predicts each model's
 * per-letter and overall (target-letter-frequency-weighted) accuracy with 95% prediction intervals,
 * prints the ranking and optionally writes it as JSON.
 */
@Command(name = "rank", mixinStandardHelpOptions = true, description = {
        "Rank pretrained models for a target data set by predicted accuracy after fine-tuning, from a fitted",
        "letter-accuracy relation (--fit), each model's per-letter cluster statistics (--models) and the",
        "target transcripts (--target-text)."})
public final class RankCommand implements Callable<Integer> {
    @Option(names = "--fit", required = true, description = "FIT.json: the fitted relation") Path fit;
    @Option(names = "--models", required = true, arity = "1..*", description = "per-model letter statistics JSON files") List<Path> models;
    @Option(names = "--target-text", required = true, description = "UTF-8 transcripts of the target data set") Path targetText;
    @Option(names = "--out", description = "write the ranking as JSON here") Path out;
    @Option(names = "--seed", defaultValue = "1", description = "seed of the prediction-interval draws (default ${DEFAULT-VALUE})") long seed;

    @Override
    public Integer call() {
        AccuracyFit relation = AccuracyFit.read(fit);
        LetterFrequencies target = LetterFrequencies.read(targetText);
        if (target.total() == 0) throw UserError.inFile(targetText, "contains no letters");
        List<ModelRanking.Prediction> predictions = new ArrayList<>();
        for (Path m : models) {
            ModelRanking.ModelStats stats = ModelRanking.ModelStats.read(m, relation.clusterMeasure());
            predictions.add(ModelRanking.predict(relation, stats, target, seed, 0.95));
        }
        List<ModelRanking.Prediction> ranked = ModelRanking.rank(predictions);

        System.out.printf("predicted %s after fine-tuning (fit: layer %d, %s; target: %d letters, %d distinct)%n",
                relation.accuracyMeasure(), relation.layer(), relation.clusterMeasure(), target.total(), target.counts().size());
        int width = 5;
        for (ModelRanking.Prediction p : ranked) width = Math.max(width, p.model().length());
        System.out.printf("%4s  %-" + width + "s  %9s  %s%n", "rank", "model", "predicted", "95% interval");
        for (int r = 0; r < ranked.size(); r++) {
            ModelRanking.Prediction p = ranked.get(r);
            System.out.printf("%4d  %-" + width + "s  %9.4f  [%.4f, %.4f]%n", r + 1, p.model(), p.overall(), p.overallInterval()[0], p.overallInterval()[1]);
        }
        if (out != null) Json.write(out, ModelRanking.toMap(relation, ranked));
        return 0;
    }
}
