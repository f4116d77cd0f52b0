package wavlens.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.ClusterLabelMetrics;
import wavlens.analysis.Contingency;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.store.FeatureStore;

/** wavlens score: agreement of cluster ids with reference labels (NMI, AMI, ARI, purity, PNMI, …). */
@Command(name = "score", mixinStandardHelpOptions = true, description = {
        "Compares a clustering with reference labels (e.g. the letter or phone of each frame).",
        "Prints every measure; the last line is one JSON object (nmi and ami use the arithmetic mean, like scikit-learn)."})
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--labels", required = true, description = "reference labels: a 1-D integer .npy, a feature store (its frames), or a feature store's rows.csv "
            + "(STORE/frames/rows.csv or STORE/segments/rows.csv: its label_id column, and the store's label names for --per-label)")
    Path labels;

    @Option(names = "--clusters", required = true, description = "cluster ids, 1-D integer .npy of the same length")
    Path clusters;

    @Option(names = "--per-label", description = "also print each label's size, entropy over clusters and purity")
    boolean perLabel;

    @Override
    public Integer call() {
        Map<Long, String> names = new java.util.HashMap<>();
        Path labelFile = java.nio.file.Files.isDirectory(labels) ? labels.resolve("frames").resolve("rows.csv") : labels;   // a store: its frames
        long[] l = labelFile.getFileName().toString().endsWith(".csv") ? readStoreLabels(labelFile, names) : readIds(labelFile), c = readIds(clusters);
        if (l.length != c.length) {
            throw UserError.inFile(clusters, "has " + c.length + " items but " + labels + " has " + l.length);
        }
        if (l.length == 0) throw UserError.inFile(labels, "is empty");
        print(Contingency.of(l, c), names, perLabel);
        return 0;
    }

    /**
     * Prints the measures of a contingency table (and with perLabel each label's line, named from
     * names when given); the last line is one JSON object. spark score prints through this too, so
     * both commands say the same thing for the same table.
     */
    public static void print(Contingency table, Map<Long, String> names, boolean perLabel) {
        Map<String, Object> scores = ClusterLabelMetrics.score(table).toMap();
        if (perLabel) {
            ClusterLabelMetrics.PerLabel p = ClusterLabelMetrics.perLabel(table);
            System.out.println("label\tsize\tentropy_nats\tentropy_norm\tpurity\tmajority_cluster" + (names.isEmpty() ? "" : "\tname"));
            for (int i = 0; i < p.labelIds().length; i++) {
                System.out.printf(java.util.Locale.ROOT, "%d\t%d\t%.6f\t%.6f\t%.6f\t%d%s%n", p.labelIds()[i], p.sizes()[i], p.entropyNats()[i],
                        p.entropyNormalized()[i], p.purity()[i], p.majorityCluster()[i], names.isEmpty() ? "" : "\t" + names.get(p.labelIds()[i]));
            }
        }
        for (var e : scores.entrySet()) System.out.println(e.getKey() + "\t" + e.getValue());
        System.out.println(Json.oneLine(scores));
    }

    /**
     * The label_id column of a feature store's frames/rows.csv or segments/rows.csv (one row per
     * stored frame or segment, in the layer files' order), and the store's label names.
     */
    static long[] readStoreLabels(Path file, Map<Long, String> names) {
        Path pool = file.toAbsolutePath().getParent();
        FeatureStore store = FeatureStore.open(pool.getParent());
        FeatureStore.Rows rows = switch (pool.getFileName().toString()) {
            case "frames" -> store.frames();
            case "segments" -> store.segments();
            default -> throw UserError.inFile(file, "is not a feature store's frames/rows.csv or segments/rows.csv; give one, or a .npy of label ids");
        };
        List<String> inventory = store.labels();
        int[] ids = rows.ints("label_id");
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
            if (ids[i] >= 0 && ids[i] < inventory.size()) names.putIfAbsent(out[i], inventory.get(ids[i]));
        }
        return out;
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
