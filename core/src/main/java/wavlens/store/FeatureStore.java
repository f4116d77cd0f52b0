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

/** Reads a feature store written by {@link Extractor} or {@link StoreImport}. */
public final class FeatureStore {
    /** The rows of one pool (frames or segments): the CSV as columns, plus the per-layer matrices on demand. */
    public static final class Rows {
        private final Path dir;
        private final List<String> header;
        private final List<List<String>> rows;
        private final Map<String, Integer> index = new HashMap<>();

        Rows(Path dir) {
            this.dir = dir;
            List<List<String>> all = Csv.read(dir.resolve("rows.csv"));
            this.header = all.get(0);
            this.rows = all.subList(1, all.size());
            for (int i = 0; i < header.size(); i++) index.put(header.get(i), i);
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
            return Files.exists(dir.resolve(StoreLayout.layerFile(layer)));
        }

        /** rows × dim features of a layer, as float32. */
        public float[] layer(int layer) {
            Path f = dir.resolve(StoreLayout.layerFile(layer));
            if (!Files.exists(f)) throw UserError.inFile(dir, "has no " + f.getFileName() + " (extract that layer)");
            Npy.Array a = Npy.read(f);
            if (a.shape().length != 2 || a.shape()[0] != rows.size()) {
                throw UserError.inFile(f, "has shape " + java.util.Arrays.toString(a.shape()) + " but rows.csv has " + rows.size() + " rows");
            }
            return a.asFloats();
        }

        public int dim(int layer) {
            return Npy.read(dir.resolve(StoreLayout.layerFile(layer))).shape()[1];
        }
    }

    private final StoreLayout layout;
    private final JsonNode json;

    private FeatureStore(Path root) {
        this.layout = new StoreLayout(root);
        if (!Files.exists(layout.storeJson())) throw UserError.inFile(root, "is not a feature store (no store.json); make one with `wavlens extract`");
        this.json = Json.read(layout.storeJson());
        if (!json.path("complete").asBoolean(false)) {
            throw UserError.inFile(root, "is an unfinished store: rerun the `wavlens extract` command that made it to finish it");
        }
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
        return new Rows(layout.framesDir());
    }

    public Rows segments() {
        return new Rows(layout.segmentsDir());
    }

    /** utterances.csv as header + rows. */
    public List<List<String>> utterances() {
        return Csv.read(layout.utterancesCsv());
    }
}
