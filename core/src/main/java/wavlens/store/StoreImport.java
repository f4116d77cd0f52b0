package wavlens.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import wavlens.corpus.LabelInventory;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;

/**
 * Brings features made elsewhere (e.g. with Python tools) into the store layout, so the analysis
 * runs on them: a rows CSV with at least the columns utt and label (frame, time, speaker, gender,
 * age, split and predicted are kept when present) and one rows × dim .npy per layer.
 */
public final class StoreImport {
    private StoreImport() {}

    /**
     * @param layers layer index → .npy file (row r of every file is row r of the CSV)
     * @param pool   "frames" or "segments": where the rows go in the store
     */
    public static int run(Path rowsCsv, Map<Integer, Path> layers, String pool, Path out) {
        if (layers.isEmpty()) throw new UserError("give at least one --layer I=FILE.npy");
        if (!pool.equals("frames") && !pool.equals("segments")) throw new UserError("--pool must be frames or segments, not " + pool);
        if (Files.exists(out.resolve("store.json"))) throw UserError.inFile(out, "already holds a store; choose a new folder");
        List<List<String>> rows = Csv.read(rowsCsv);
        List<String> header = rows.get(0);
        int utt = header.indexOf("utt"), label = header.indexOf("label");
        if (utt < 0 || label < 0) throw UserError.inFile(rowsCsv, "needs the columns utt and label (has " + String.join(", ", header) + ")");
        int n = rows.size() - 1;
        if (n == 0) throw UserError.inFile(rowsCsv, "has no data rows");
        // label ids: <sil> and <unk> first (as extraction numbers them), then the others in sorted order
        Map<String, Integer> ids = new LinkedHashMap<>();
        ids.put(LabelInventory.SILENCE, LabelInventory.SILENCE_ID);
        ids.put(LabelInventory.UNKNOWN, LabelInventory.UNKNOWN_ID);
        Map<String, Long> counts = new TreeMap<>();
        for (int r = 1; r <= n; r++) {
            List<String> row = rows.get(r);
            if (row.size() != header.size()) {
                throw UserError.inFile(rowsCsv, "line " + (r + 1) + " has " + row.size() + " fields, the header " + header.size());
            }
            String l = row.get(label).isEmpty() ? LabelInventory.SILENCE : row.get(label);
            counts.merge(l, 1L, Long::sum);
        }
        for (String l : counts.keySet()) ids.putIfAbsent(l, ids.size());
        Path dir = out.resolve(pool);
        int dim0 = -1;
        for (Map.Entry<Integer, Path> e : new TreeMap<>(layers).entrySet()) {
            Npy.Array a = Npy.read(e.getValue());
            if (a.shape().length != 2) throw UserError.inFile(e.getValue(), "expected a 2-D array (rows × features), found shape " + java.util.Arrays.toString(a.shape()));
            if (a.shape()[0] != n) {
                throw UserError.inFile(e.getValue(), "has " + a.shape()[0] + " rows but " + rowsCsv.getFileName() + " has " + n);
            }
            float[] v = a.asFloats();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) throw UserError.inFile(e.getValue(), "row " + i / a.shape()[1] + " holds " + v[i]);
            }
            if (e.getKey() >= 0) dim0 = a.shape()[1];
            Npy.writeFloats(dir.resolve(StoreLayout.layerFile(e.getKey())), v, a.shape());
        }
        List<String> outHeader = new ArrayList<>(List.of("row"));
        outHeader.addAll(header);
        if (!header.contains("label_id")) outHeader.add("label_id");
        List<List<?>> outRows = new ArrayList<>();
        for (int r = 1; r <= n; r++) {
            List<Object> row = new ArrayList<>();
            row.add(r - 1);
            row.addAll(rows.get(r));
            String l = rows.get(r).get(label).isEmpty() ? LabelInventory.SILENCE : rows.get(r).get(label);
            if (!header.contains("label_id")) row.add(ids.get(l));
            outRows.add(row);
        }
        Csv.write(dir.resolve("rows.csv"), outHeader, outRows);
        ObjectNode store = Json.MAPPER.createObjectNode();
        ObjectNode p = store.putObject("parameters");
        p.put("format", "wavlens-feature-store-1");
        p.put("model", "imported");
        p.put("imported_from", rowsCsv.toAbsolutePath().normalize().toString());
        p.put("hidden_size", dim0);
        ArrayNode ls = p.putArray("layers");
        new TreeMap<>(layers).keySet().stream().filter(i -> i >= 0).forEach(ls::add);
        ArrayNode inv = p.putArray("labels");
        ids.keySet().forEach(inv::add);
        store.put("complete", true);
        store.put(pool, n);
        ObjectNode c = store.putObject("label_" + (pool.equals("frames") ? "frame" : "segment") + "_counts");
        counts.forEach(c::put);
        Json.write(out.resolve("store.json"), store);
        return n;
    }
}
