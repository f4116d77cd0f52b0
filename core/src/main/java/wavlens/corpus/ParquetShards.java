package wavlens.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hardwood.InputFile;
import dev.hardwood.reader.ParquetFileReader;
import dev.hardwood.reader.RowReader;
import dev.hardwood.row.PqStruct;
import dev.hardwood.schema.ColumnProjection;
import dev.hardwood.schema.SchemaNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * Reading Hugging Face datasets' Parquet shards (through Hardwood, see the pom): the top-level
 * columns, the audio column (a struct with a binary {@code bytes} and a string {@code path}, as
 * the {@code datasets} Audio feature stores it), and values as text. Integer columns that the
 * shard's "huggingface" metadata declares a ClassLabel are given as their label names (FLEURS'
 * gender 0/1/2 is male/female/other). Rows are read one at a time: a shard's audio is never held
 * in memory as a whole.
 */
final class ParquetShards {
    private ParquetShards() {}

    /** Hardwood logs its SIMD choice at INFO through java.util.logging on first use: not a line for wavlens' users. Held so it stays set. */
    private static final java.util.logging.Logger HARDWOOD_LOG = java.util.logging.Logger.getLogger("dev.hardwood");

    static {
        HARDWOOD_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    /** A shard's top-level columns: names, which of them are audio structs, class-label names. */
    record Schema(List<String> columns, List<String> audioColumns, Map<String, List<String>> classLabels, long rows) {}

    /** One row: the text value of every non-audio column (null when null), the audio's path and bytes. */
    record Row(long index, Map<String, String> values, String audioPath, byte[] audioBytes) {}

    interface RowConsumer {
        void accept(Row row);
    }

    static Schema schema(Path shard) {
        try (ParquetFileReader r = ParquetFileReader.open(InputFile.of(shard))) {
            List<String> columns = new ArrayList<>();
            List<String> audio = new ArrayList<>();
            for (SchemaNode node : r.getFileSchema().getRootNode().children()) {
                columns.add(node.name());
                if (node instanceof SchemaNode.GroupNode g && g.isStruct()) {
                    boolean bytes = false, path = false;
                    for (SchemaNode c : g.children()) {
                        if (c.name().equals("bytes")) bytes = true;
                        if (c.name().equals("path")) path = true;
                    }
                    if (bytes && path) audio.add(node.name());
                }
            }
            return new Schema(columns, audio, classLabels(r.getFileMetaData().keyValueMetadata()), r.getFileMetaData().numRows());
        } catch (IOException | RuntimeException e) {
            throw UserError.inFile(shard, "cannot read as Parquet: " + message(e));
        }
    }

    /** Every row in order, with the given non-audio columns and (when audioColumn is not null) the audio struct. */
    static void forEachRow(Path shard, Schema schema, List<String> columns, String audioColumn, boolean withBytes, RowConsumer consumer) {
        List<String> projected = new ArrayList<>(columns);
        if (audioColumn != null) projected.add(audioColumn);
        try (ParquetFileReader r = ParquetFileReader.open(InputFile.of(shard));
             RowReader rows = r.buildRowReader().projection(ColumnProjection.columns(projected.toArray(String[]::new))).build()) {
            long index = 0;
            while (rows.hasNext()) {
                rows.next();
                Map<String, String> values = new LinkedHashMap<>();
                for (String c : columns) values.put(c, text(rows, c, schema.classLabels().get(c)));
                String path = null;
                byte[] bytes = null;
                if (audioColumn != null && !rows.isNull(audioColumn)) {
                    PqStruct audio = rows.getStruct(audioColumn);
                    path = audio.isNull("path") ? null : audio.getString("path");
                    if (withBytes && !audio.isNull("bytes")) bytes = audio.getBinary("bytes");
                }
                consumer.accept(new Row(index++, values, path, bytes));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserError u) throw u;
            throw UserError.inFile(shard, "cannot read as Parquet: " + message(e));
        }
    }

    /** The audio bytes of one row (0-based). */
    static byte[] audioBytes(Path shard, long row, String audioColumn) {
        try (ParquetFileReader r = ParquetFileReader.open(InputFile.of(shard));
             RowReader rows = r.buildRowReader().projection(ColumnProjection.columns(audioColumn)).skip(row).head(1).build()) {
            if (!rows.hasNext()) throw UserError.inFile(shard, "has no row " + (row + 1));
            rows.next();
            if (rows.isNull(audioColumn) || rows.getStruct(audioColumn).isNull("bytes")) {
                throw UserError.inFile(shard, "row " + (row + 1) + ": column " + audioColumn + " holds no audio bytes");
            }
            return rows.getStruct(audioColumn).getBinary("bytes");
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserError u) throw u;
            throw UserError.inFile(shard, "cannot read row " + (row + 1) + " as Parquet: " + message(e));
        }
    }

    private static String text(RowReader rows, String column, List<String> labels) {
        if (rows.isNull(column)) return null;
        Object v = rows.getValue(column);
        if (v instanceof byte[] b) return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        if (labels != null && v instanceof Number n) {
            int i = n.intValue();
            return i >= 0 && i < labels.size() ? labels.get(i) : v.toString();
        }
        return v.toString();
    }

    /** ClassLabel names per column from the "huggingface" key-value metadata {"info": {"features": {...}}}. */
    private static Map<String, List<String>> classLabels(Map<String, String> keyValue) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String hf = keyValue == null ? null : keyValue.get("huggingface");
        if (hf == null) return out;
        try {
            JsonNode features = Json.MAPPER.readTree(hf).path("info").path("features");
            features.properties().forEach(e -> {
                JsonNode f = e.getValue();
                if ("ClassLabel".equals(f.path("_type").asText()) && f.path("names").isArray()) {
                    List<String> names = new ArrayList<>();
                    f.path("names").forEach(n -> names.add(n.asText()));
                    out.put(e.getKey(), names);
                }
            });
        } catch (IOException | RuntimeException e) {
            // metadata we cannot parse only loses the label names; the integers are kept
        }
        return out;
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
