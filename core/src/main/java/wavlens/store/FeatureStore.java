package wavlens.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;

/**
 * Reads a feature store written by {@link Extractor} or {@link StoreImport}, or a sharded one
 * ({@link ShardedStore}, from {@code wavlens spark extract}) as the concatenation of its shards:
 * global row = rows of the earlier shards + the shard's row.
 */
public final class FeatureStore {
    /** One shard's part of a layer: its NPY file and row count, to stream a layer too big to hold. */
    public record LayerPart(Path npy, int rows) {}

    /** The rows of one pool (frames or segments): the CSV as columns, plus the per-layer matrices on demand. */
    public static final class Rows {
        private final Path dir;
        private final List<Path> dirs;   // one per shard (one for a single-file store)
        private final int[] shardRows;
        private final List<String> header;
        private final List<List<String>> rows;
        private final Map<String, Integer> index = new HashMap<>();

        Rows(Path dir, List<Path> dirs) {
            this.dir = dir;
            this.dirs = dirs;
            this.shardRows = new int[dirs.size()];
            List<String> head = null;
            List<List<String>> all = new ArrayList<>();
            for (int s = 0; s < dirs.size(); s++) {
                List<List<String>> part = Csv.read(dirs.get(s).resolve("rows.csv"));
                if (head == null) head = part.get(0);
                else if (!head.equals(part.get(0))) throw UserError.inFile(dirs.get(s).resolve("rows.csv"), "has other columns than the first shard's");
                shardRows[s] = part.size() - 1;
                all.addAll(part.subList(1, part.size()));
            }
            this.header = head;
            this.rows = all;
            for (int i = 0; i < header.size(); i++) index.put(header.get(i), i);
            Integer r = index.get("row");
            if (r != null && dirs.size() > 1) {   // shards number their rows from 0: renumber globally
                for (int i = 0; i < rows.size(); i++) {
                    List<String> row = new ArrayList<>(rows.get(i));
                    row.set(r, Integer.toString(i));
                    rows.set(i, row);
                }
            }
        }

        /** rows.csv of the whole pool (global row numbers). */
        void writeCsv(Path file) {
            Csv.write(file, header, rows);
        }

        public int size() {
            return rows.size();
        }

        /** The column names of rows.csv, in file order. */
        public List<String> columns() {
            return header;
        }

        public boolean has(String column) {
            return index.containsKey(column);
        }

        public String[] strings(String column) {
            Integer c = index.get(column);
            if (c == null) throw UserError.inFile(dir.resolve("rows.csv"), "has no column " + column);
            String[] out = new String[rows.size()];
            for (int i = 0; i < out.length; i++) out[i] = rows.get(i).get(c);
            return out;
        }

        public int[] ints(String column) {
            String[] s = strings(column);
            int[] out = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                try {
                    out[i] = Integer.parseInt(s[i]);
                } catch (NumberFormatException e) {
                    throw UserError.inFile(dir.resolve("rows.csv"), "row " + i + ", column " + column + ": \"" + s[i] + "\" is not an integer");
                }
            }
            return out;
        }

        public double[] doubles(String column) {
            String[] s = strings(column);
            double[] out = new double[s.length];
            for (int i = 0; i < s.length; i++) out[i] = s[i].isEmpty() ? Double.NaN : Double.parseDouble(s[i]);
            return out;
        }

        /** Ids 0..u−1 for the distinct values of a column, in order of first appearance. */
        public int[] codes(String column) {
            String[] s = strings(column);
            Map<String, Integer> ids = new HashMap<>();
            int[] out = new int[s.length];
            for (int i = 0; i < s.length; i++) out[i] = ids.computeIfAbsent(s[i], k -> ids.size());
            return out;
        }

        public boolean hasLayer(int layer) {
            return Files.exists(dirs.get(0).resolve(StoreLayout.layerFile(layer)));
        }

        /** A layer shard by shard (one part for a single-file store), in row order. */
        public List<LayerPart> layerParts(int layer) {
            List<LayerPart> out = new ArrayList<>();
            for (int s = 0; s < dirs.size(); s++) out.add(new LayerPart(dirs.get(s).resolve(StoreLayout.layerFile(layer)), shardRows[s]));
            return out;
        }

        /** rows × dim features of a layer, as float32 (the shards' parts concatenated). */
        public float[] layer(int layer) {
            int dim = dim(layer);
            float[] out = new float[Math.multiplyExact(rows.size(), dim)];
            int at = 0;
            for (LayerPart part : layerParts(layer)) {
                Path f = part.npy();
                if (!Files.exists(f)) throw UserError.inFile(f.getParent(), "has no " + f.getFileName() + " (extract that layer)");
                Npy.Array a = Npy.read(f);
                if (a.shape().length != 2 || a.shape()[0] != part.rows() || a.shape()[1] != dim) {
                    throw UserError.inFile(f, "has shape " + java.util.Arrays.toString(a.shape()) + " but its rows.csv has " + part.rows() + " rows of " + dim);
                }
                float[] x = a.asFloats();
                System.arraycopy(x, 0, out, at, x.length);
                at += x.length;
            }
            return out;
        }

        public int dim(int layer) {
            Path f = dirs.get(0).resolve(StoreLayout.layerFile(layer));
            if (!Files.exists(f)) throw UserError.inFile(dirs.get(0), "has no " + f.getFileName() + " (extract that layer)");
            return Npy.read(f).shape()[1];
        }

        /** The layer as an NPY array (float32, rows × dim), for commands that take a matrix. */
        public Npy.Array layerArray(int layer) {
            int dim = dim(layer);
            return new Npy.Array(new int[] {rows.size(), dim}, "<f4", layer(layer), null, null, null, null);
        }
    }

    private final StoreLayout layout;
    private final JsonNode json;
    private final List<Path> shardRoots = new ArrayList<>();   // empty for a single-file store

    private FeatureStore(Path root) {
        this.layout = new StoreLayout(root);
        if (!Files.exists(layout.storeJson())) throw UserError.inFile(root, "is not a feature store (no store.json); make one with `wavlens extract`");
        this.json = Json.read(layout.storeJson());
        boolean sharded = ShardedStore.LAYOUT.equals(json.path("layout").asText());
        if (!json.path("complete").asBoolean(false)) {
            throw UserError.inFile(root, "is an unfinished store: rerun the `wavlens " + (sharded ? "spark " : "") + "extract` command that made it to finish it");
        }
        if (sharded) {
            for (JsonNode n : json.path("shards")) {
                Path shard = root.resolve(n.asText());
                if (!Files.exists(shard.resolve("store.json"))) throw UserError.inFile(shard, "is missing (store.json lists it as a shard)");
                shardRoots.add(shard);
            }
            if (shardRoots.isEmpty()) throw UserError.inFile(layout.storeJson(), "is a sharded store without shards");
        }
    }

    /**
     * A layer matrix named as a file of a store: an NPY file as it is, or STORE/frames/layer_I.npy
     * (or segments/) of a sharded store, which has no such file, as its shards concatenated.
     */
    public static Npy.Array readMatrix(Path file) {
        if (Files.exists(file)) return Npy.read(file);
        Path pool = file.toAbsolutePath().getParent();
        Path root = pool == null ? null : pool.getParent();
        String name = file.getFileName().toString();
        if (root != null && Files.exists(root.resolve("store.json")) && name.startsWith("layer_") && name.endsWith(".npy")
                && (pool.getFileName().toString().equals("frames") || pool.getFileName().toString().equals("segments"))) {
            FeatureStore store = open(root);
            if (store.sharded()) {
                String key = name.substring("layer_".length(), name.length() - ".npy".length());
                int layer;
                try {
                    layer = key.equals("extract") ? -1 : Integer.parseInt(key);
                } catch (NumberFormatException e) {
                    throw UserError.inFile(file, "is not a layer file name (layer_<i>.npy or layer_extract.npy)");
                }
                Rows rows = pool.getFileName().toString().equals("frames") ? store.frames() : store.segments();
                return rows.layerArray(layer);
            }
        }
        return Npy.read(file);   // its own "cannot read" line
    }

    public boolean sharded() {
        return !shardRoots.isEmpty();
    }

    /** The shards' folders in row order (empty for a single-file store). */
    public List<Path> shardRoots() {
        return List.copyOf(shardRoots);
    }

    private List<Path> poolDirs(String pool) {
        if (!sharded()) return List.of(layout.root().resolve(pool));
        List<Path> out = new ArrayList<>();
        for (Path s : shardRoots) out.add(s.resolve(pool));
        return out;
    }

    public static FeatureStore open(Path root) {
        return new FeatureStore(root);
    }

    public Path root() {
        return layout.root();
    }

    public JsonNode json() {
        return json;
    }

    /** The label inventory: id → label. */
    public List<String> labels() {
        List<String> out = new ArrayList<>();
        json.path("parameters").path("labels").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** hidden_states indices stored. */
    public List<Integer> layers() {
        List<Integer> out = new ArrayList<>();
        json.path("parameters").path("layers").forEach(n -> out.add(n.asInt()));
        return out;
    }

    public Rows frames() {
        return new Rows(layout.framesDir(), poolDirs("frames"));
    }

    public Rows segments() {
        return new Rows(layout.segmentsDir(), poolDirs("segments"));
    }

    /** utterances.csv as header + rows (the shards' in order). */
    public List<List<String>> utterances() {
        return concatenated("utterances.csv", false);
    }

    /** problems.csv as header + rows: a sharded store's planning problems, then each shard's. */
    public List<List<String>> problems() {
        return concatenated("problems.csv", true);
    }

    private List<List<String>> concatenated(String name, boolean includeRoot) {
        if (!sharded()) return Csv.read(layout.root().resolve(name));
        List<Path> files = new ArrayList<>();
        if (includeRoot) files.add(layout.root().resolve(name));
        for (Path s : shardRoots) files.add(s.resolve(name));
        List<List<String>> out = new ArrayList<>();
        for (Path f : files) {
            List<List<String>> part = Csv.read(f);
            if (out.isEmpty()) out.addAll(part);
            else out.addAll(part.subList(1, part.size()));
        }
        return out;
    }
}
