package wavlens.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.ClusterLabelMetrics;
import wavlens.analysis.Contingency;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;

/** wavlens score: agreement of cluster ids with reference labels (NMI, AMI, ARI, purity, PNMI, …). */
@Command(name = "score", mixinStandardHelpOptions = true, description = {
        "Compares a clustering with reference labels (e.g. the letter or phone of each frame).",
        "Prints every measure; the last line is one JSON object (nmi and ami use the arithmetic mean, like scikit-learn)."})
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--labels", required = true, description = "reference labels, 1-D integer .npy")
    Path labels;

    @Option(names = "--clusters", required = true, description = "cluster ids, 1-D integer .npy of the same length")
    Path clusters;

    @Option(names = "--per-label", description = "also print each label's size, entropy over clusters and purity")
    boolean perLabel;

    @Override
    public Integer call() {
        long[] l = readIds(labels), c = readIds(clusters);
        if (l.length != c.length) {
            throw UserError.inFile(clusters, "has " + c.length + " items but " + labels + " has " + l.length);
        }
        if (l.length == 0) throw UserError.inFile(labels, "is empty");
        Contingency table = Contingency.of(l, c);
        Map<String, Object> scores = ClusterLabelMetrics.score(table).toMap();
        if (perLabel) {
            ClusterLabelMetrics.PerLabel p = ClusterLabelMetrics.perLabel(table);
            System.out.println("label\tsize\tentropy_nats\tentropy_norm\tpurity\tmajority_cluster");
            for (int i = 0; i < p.labelIds().length; i++) {
                System.out.printf("%d\t%d\t%.6f\t%.6f\t%.6f\t%d%n", p.labelIds()[i], p.sizes()[i], p.entropyNats()[i],
                        p.entropyNormalized()[i], p.purity()[i], p.majorityCluster()[i]);
            }
        }
        for (var e : scores.entrySet()) System.out.println(e.getKey() + "\t" + e.getValue());
        System.out.println(Json.oneLine(scores));
        return 0;
    }

    private static long[] readIds(Path file) {
        Npy.Array a = Npy.read(file);
        if (a.shape().length != 1) throw UserError.inFile(file, "expected a 1-D array of ids, got shape " + java.util.Arrays.toString(a.shape()));
        try {
            return a.asLongs();
        } catch (UserError e) {
            throw UserError.inFile(file, e.getMessage());
        }
    }
}
