package wavlens.spark;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.store.FeatureStore;
import wavlens.store.StoreLayout;

/**
 * A feature store as the Spark commands see it: its shards in store-row order (a single-file
 * store is the one-shard case), and row ranges of a layer cut from them for the executors.
 *
 * <p>The sharded layout (agreed with spark extract): STORE/store.json carries the parameters of a
 * single-file store plus {@code "layout": "sharded"} and {@code "shards": ["shards/part-00000", …]};
 * each shard folder is a complete single-file store whose rows are numbered from 0; global store
 * row = rows of the earlier shards + local row.
 *
 * <p>Executors read the files themselves (memory-mapped row ranges), so the store must be on a
 * file system every executor mounts at the same path (a local disk for local[N], NFS or similar on a
 * cluster); hdfs:// and s3a:// are not read by these commands.
 */
final class StoreSlices {
    /**
     * Rows [localStart, localStart + rows) of one shard's layer file; global rows start at globalStart.
     * The unit of work of one Spark partition.
     */
    record Slice(int index, String file, long localStart, int rows, long globalStart) implements Serializable {}

    final Path root;
    final FeatureStore store;
    final List<Path> shardDirs;

    private StoreSlices(Path root, FeatureStore store, List<Path> shardDirs) {
        this.root = root;
        this.store = store;
        this.shardDirs = shardDirs;
    }

    /** A store path or file:// URI; anything else is refused with one line. */
    static Path localPath(String arg) {
        if (arg.contains("://")) {
            URI uri = URI.create(arg);
            if (!"file".equals(uri.getScheme())) {
                throw UserError.inFile(arg, "only stores on a file system every executor mounts (a plain path or file://) are read by spark kmeans and spark score");
            }
            return Path.of(uri);
        }
        return Path.of(arg).toAbsolutePath().normalize();
    }

    /** The store as core's reader opens it (its completeness and shard checks), without reading its rows. */
    static StoreSlices open(String arg) {
        Path root = localPath(arg);
        FeatureStore store = FeatureStore.open(root);
        return new StoreSlices(root, store, store.sharded() ? store.shardRoots() : List.of(root));
    }

    /** The label inventory: id → label. */
    List<String> labels() {
        return store.labels();
    }

    List<Integer> layers() {
        return store.layers();
    }

    /** "12" → 12, "extract" → −1 (extract_features), checked against what the store holds. */
    int layer(String arg) {
        int layer;
        if (arg.equals("extract")) layer = -1;
        else {
            try {
                layer = Integer.parseInt(arg);
            } catch (NumberFormatException e) {
                throw new UserError("--layer must be a hidden_states index or extract, not \"" + arg + "\"");
            }
        }
        Path first = shardDirs.get(0).resolve("frames").resolve(StoreLayout.layerFile(layer));
        if (!Files.exists(first)) {
            throw UserError.inFile(root, "has no layer " + arg + " (stored layers: " + layers().stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse("none") + ")");
        }
        return layer;
    }

    /** The layer's files of every shard, with their shapes checked against each other. */
    record LayerFiles(List<Path> files, long[] shardRows, int dim, long rows) {}

    LayerFiles layerFiles(int layer) {
        List<Path> files = new ArrayList<>();
        long[] shardRows = new long[shardDirs.size()];
        int dim = -1;
        long rows = 0;
        for (int s = 0; s < shardDirs.size(); s++) {
            Path f = shardDirs.get(s).resolve("frames").resolve(StoreLayout.layerFile(layer));
            if (!Files.exists(f)) throw UserError.inFile(shardDirs.get(s), "has no " + f.getFileName() + " (every shard needs the layer)");
            Npy.Header h = Npy.header(f);
            if (h.shape().length != 2) throw UserError.inFile(f, "expected a rows × features matrix, got shape " + java.util.Arrays.toString(h.shape()));
            if (dim >= 0 && h.cols() != dim) throw UserError.inFile(f, "has " + h.cols() + " features per row, the first shard " + dim);
            dim = h.cols();
            files.add(f);
            shardRows[s] = h.rows();
            rows += h.rows();
        }
        return new LayerFiles(files, shardRows, dim, rows);
    }

    /**
     * Cuts the layer into row ranges of at most rowsPerSlice rows (each shard on its own, so a
     * slice never spans two files), in global row order.
     */
    static List<Slice> slices(LayerFiles layer, int rowsPerSlice) {
        List<Slice> out = new ArrayList<>();
        long global = 0;
        for (int s = 0; s < layer.files().size(); s++) {
            long rows = layer.shardRows()[s];
            int pieces = (int) Math.max(1, (rows + rowsPerSlice - 1) / rowsPerSlice);
            for (int p = 0; p < pieces; p++) {
                // even pieces: rows·p/pieces … rows·(p+1)/pieces
                long start = rows * p / pieces, end = rows * (p + 1) / pieces;
                if (end > start) out.add(new Slice(out.size(), layer.files().get(s).toString(), start, (int) (end - start), global + start));
            }
            global += rows;
        }
        return out;
    }

    /** Every shard's folder, in store-row order. */
    List<String> shardPaths() {
        return shardDirs.stream().map(Path::toString).toList();
    }
}
