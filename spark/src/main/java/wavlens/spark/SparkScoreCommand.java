package wavlens.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.analysis.Contingency;
import wavlens.cli.ScoreCommand;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.store.FeatureStore;

/**
 * wavlens spark score: the cluster–label measures of wavlens score from a contingency table
 * counted by the executors, one task per store shard (labels from the shard's frames/rows.csv,
 * clusters from the matching entries of the assignments). The driver only merges the shards'
 * non-zero cells and prints through {@link ScoreCommand#print}, so the output is that of
 * `wavlens score --clusters ASSIGNMENTS --labels STORE/frames/rows.csv`.
 */
@Command(name = "score", mixinStandardHelpOptions = true, description = {
        "Compares a clustering of a feature store's frames with their labels (NMI, AMI, ARI, purity, PNMI, …)",
        "from a contingency table counted on the cluster; prints what `wavlens score` prints, the last line one JSON object."})
public final class SparkScoreCommand implements Callable<Integer> {
    @Option(names = "--master", description = "Spark master URL: local[2], spark://HOST:7077, yarn, k8s://… (default: spark-submit's)")
    String master;

    @Option(names = "--store", required = true, description = "feature store (single-file or sharded), a path every executor can read")
    String store;

    @Option(names = "--clusters", required = true, description = "cluster ids: a 1-D integer .npy in store-row order, or the folder spark kmeans / kmeans wrote")
    Path clusters;

    @Option(names = "--per-label", description = "also print each label's size, entropy over clusters and purity")
    boolean perLabel;

    /** A shard's label ids, in its row order. */
    record ShardLabels(int index, int[] labelIds) implements Serializable {}

    /** The non-zero cells one shard counted. */
    record Cells(long[] labels, long[] clusters, long[] counts) implements Serializable {}

    @Override
    public Integer call() {
        StoreSlices s = StoreSlices.open(store);
        Path ids = Files.isDirectory(clusters) ? clusters.resolve("assignments.npy") : clusters;
        if (!Files.exists(ids)) throw UserError.inFile(ids, "no such file" + (Files.isDirectory(clusters) ? " (not a folder that kmeans wrote)" : ""));
        Npy.Header h = Npy.header(ids);
        if (h.shape().length != 1) throw UserError.inFile(ids, "expected a 1-D array of ids, got shape " + java.util.Arrays.toString(h.shape()));
        String idsPath = ids.toAbsolutePath().toString();
        List<String> shards = s.shardPaths();
        Contingency table = Sessions.run(master, "wavlens spark score", sc -> {
            JavaRDD<ShardLabels> labels = sc.parallelize(indexed(shards), shards.size())
                    .map(e -> new ShardLabels(e.index(), FeatureStore.open(Path.of(e.dir())).frames().ints("label_id")))
                    .persist(StorageLevel.MEMORY_ONLY());
            // Rows per shard first (a count each), to know where each shard's entries start in the assignments.
            List<Integer> sizes = labels.map(l -> l.labelIds().length).collect();
            long[] first = new long[shards.size()];
            long total = 0;
            for (int i = 0; i < sizes.size(); i++) {
                first[i] = total;
                total += sizes.get(i);
            }
            if (total != h.rows()) {
                throw UserError.inFile(ids, "has " + h.rows() + " entries but the store " + s.root + " has " + total + " frame rows");
            }
            if (total == 0) throw UserError.inFile(s.root, "has no frame rows");
            Broadcast<long[]> firstB = sc.broadcast(first);
            List<Cells> cells = labels.map(l -> count(l.labelIds(), Npy.readLongs(Path.of(idsPath), firstB.value()[l.index()], l.labelIds().length))).collect();
            labels.unpersist(false);
            int size = 0;
            for (Cells c : cells) size += c.counts().length;
            long[] cl = new long[size], cc = new long[size], cn = new long[size];
            int at = 0;
            for (Cells c : cells) {
                System.arraycopy(c.labels(), 0, cl, at, c.counts().length);
                System.arraycopy(c.clusters(), 0, cc, at, c.counts().length);
                System.arraycopy(c.counts(), 0, cn, at, c.counts().length);
                at += c.counts().length;
            }
            return Contingency.ofCells(cl, cc, cn);
        });
        Map<Long, String> names = new HashMap<>();
        List<String> inventory = s.labels();
        for (long id : table.labelIds()) if (id >= 0 && id < inventory.size()) names.put(id, inventory.get((int) id));
        ScoreCommand.print(table, names, perLabel);
        return 0;
    }

    record Entry(int index, String dir) implements Serializable {}

    private static List<Entry> indexed(List<String> dirs) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < dirs.size(); i++) out.add(new Entry(i, dirs.get(i)));
        return out;
    }

    /** The non-zero cells of one shard's (label, cluster) pairs. */
    static Cells count(int[] labels, long[] clusters) {
        if (labels.length == 0) return new Cells(new long[0], new long[0], new long[0]);
        Contingency c = Contingency.of(toLongs(labels), clusters);
        long[] l = new long[c.cells()], k = new long[c.cells()];
        for (int t = 0; t < c.cells(); t++) {
            l[t] = c.labelIds()[c.cellRow()[t]];
            k[t] = c.clusterIds()[c.cellCol()[t]];
        }
        return new Cells(l, k, c.cellCount().clone());
    }

    private static long[] toLongs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
