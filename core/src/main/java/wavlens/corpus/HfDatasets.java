package wavlens.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import wavlens.io.Json;
import wavlens.io.UserError;

/**
 * Hugging Face datasets as the Hub serves them.
 * <ul>
 * <li><b>Parquet shards</b> ({@code data/train-00000-of-00003.parquet}, or
 *     {@code CONFIG/SPLIT/0000.parquet} as the Hub's Parquet conversion writes them; a single
 *     .parquet file works too): the audio column is a struct of {@code bytes} and {@code path}
 *     (the datasets Audio feature); its bytes are decoded one row at a time when the utterance
 *     is used. The split is the file name's first part before "-" (train, validation, test) or
 *     the parent folder's name when that is a split. Utterance ids are the audio path's stem
 *     (SPLIT/stem), or SHARD/ROW when it has none or repeats.
 * <li><b>audiofolder</b>: {@code metadata.csv} or {@code metadata.jsonl} with a
 *     {@code file_name} column (relative to the metadata file) plus text and metadata columns,
 *     in the corpus folder or in split folders (train/, validation/, test/...; the split is the
 *     folder's name).
 * </ul>
 * Text, speaker, gender and age columns: see {@link Columns}.
 */
final class HfDatasets {
    private HfDatasets() {}

    // ---------------------------------------------------------------- audiofolder

    /** metadata.csv / metadata.jsonl files of an audiofolder: in the folder, or one level down. */
    static List<Path> metadataFiles(Path root) {
        List<Path> out = new ArrayList<>();
        for (String n : new String[] {"metadata.csv", "metadata.jsonl"}) if (Files.isRegularFile(root.resolve(n))) out.add(root.resolve(n));
        if (!out.isEmpty()) return out;
        try (Stream<Path> list = Files.list(root)) {
            for (Path d : list.sorted().toList()) {
                if (!Files.isDirectory(d) || d.getFileName().toString().startsWith(".")) continue;
                for (String n : new String[] {"metadata.csv", "metadata.jsonl"}) if (Files.isRegularFile(d.resolve(n))) out.add(d.resolve(n));
            }
        } catch (IOException e) {
            throw UserError.inFile(root, "cannot list the folder: " + e.getMessage());
        }
        return out;
    }

    static Corpus readAudiofolder(Path root, ToDoubleFunction<Path> audioSeconds) {
        List<Problem> problems = new ArrayList<>();
        Columns columns = Columns.current();
        List<Utterance> utterances = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path meta : metadataFiles(root)) {
            Path base = meta.getParent();
            String split = base.equals(root) ? null : base.getFileName().toString();
            List<Map<String, String>> rows = new ArrayList<>();
            List<Integer> lines = new ArrayList<>();
            if (meta.getFileName().toString().endsWith(".csv")) Csv.read(meta, problems, rows, lines);
            else readJsonl(meta, problems, rows, lines);
            if (rows.isEmpty()) continue;
            Set<String> header = new java.util.LinkedHashSet<>();
            for (Map<String, String> r : rows) header.addAll(r.keySet());
            if (!header.contains("file_name")) {
                problems.add(new Problem(meta.toString(), "no 'file_name' column (columns: " + String.join(", ", header) + "); file not read"));
                continue;
            }
            List<String> missing = new ArrayList<>();
            Columns.Resolved r = columns.resolve(header, missing);
            for (String m : missing) problems.add(new Problem(meta.toString(), m));
            for (int i = 0; i < rows.size(); i++) {
                Map<String, String> row = rows.get(i);
                String where = "line " + lines.get(i) + ": ";
                String file = Columns.blankToNull(row.get("file_name"));
                if (file == null) {
                    problems.add(new Problem(meta.toString(), where + "no file_name"));
                    continue;
                }
                Path audio = base.resolve(file).normalize();
                if (!Files.isRegularFile(audio)) {
                    problems.add(new Problem(meta.toString(), where + "audio " + file + " not found"));
                    continue;
                }
                String rel = root.relativize(audio).toString().replace('\\', '/');
                String id = rel.contains(".") ? rel.substring(0, rel.lastIndexOf('.')) : rel;
                if (!seen.add(id)) {
                    problems.add(new Problem(meta.toString(), where + file + " listed twice; used the first"));
                    continue;
                }
                utterances.add(fromRow(id, audio, -1, row, r, meta + ":" + lines.get(i), split, null));
            }
        }
        return new Corpus(root, "audiofolder", Corpus.withDurations(utterances, audioSeconds, problems), problems);
    }

    private static Utterance fromRow(String id, Path audio, double seconds, Map<String, String> row, Columns.Resolved r, String where,
                                     String split, AudioSource source) {
        String text = r.text() == null ? null : Columns.blankToNull(row.get(r.text()));
        return new Utterance(id, audio, 0, seconds, text == null ? null : text.replaceAll("\\s+", " "),
                r.speaker() == null ? null : Columns.blankToNull(row.get(r.speaker())),
                r.gender() == null ? null : Columns.normaliseGender(row.get(r.gender())),
                r.age() == null ? null : Columns.blankToNull(row.get(r.age())), null, where, split, Columns.extra(r, row), source);
    }

    private static void readJsonl(Path file, List<Problem> problems, List<Map<String, String>> rows, List<Integer> lines) {
        Corpus.forEachLine(file, problems, (lineNo, line) -> {
            if (line.isBlank()) return true;
            try {
                JsonNode n = Json.MAPPER.readTree(line);
                if (!n.isObject()) {
                    problems.add(new Problem(file.toString(), "line " + lineNo + ": not a JSON object"));
                    return true;
                }
                Map<String, String> row = new LinkedHashMap<>();
                n.properties().forEach(e -> row.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
                rows.add(row);
                lines.add(lineNo);
            } catch (IOException e) {
                problems.add(new Problem(file.toString(), "line " + lineNo + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")"));
            }
            return true;
        });
    }

    // ---------------------------------------------------------------- Parquet

    /** .parquet files in the folder, data/ or deeper (at most three levels), sorted. */
    static List<Path> shards(Path root) {
        try (Stream<Path> walk = Files.walk(root, 4)) {
            return walk.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet") && Files.isRegularFile(p))
                    .filter(p -> !root.relativize(p).toString().startsWith(".")).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw UserError.inFile(root, "cannot list the folder: " + e.getMessage());
        }
    }

    static Corpus readParquet(Path root, List<Path> shards, ToDoubleFunction<Path> audioSeconds) {
        List<Problem> problems = new ArrayList<>();
        Columns columns = Columns.current();
        List<Utterance> utterances = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Path base = Files.isDirectory(root) ? root : root.toAbsolutePath().getParent();
        for (Path shard : shards) {
            ParquetShards.Schema schema;
            try {
                schema = ParquetShards.schema(shard);
            } catch (UserError e) {
                problems.add(new Problem(shard.toString(), Corpus.stripFile(e, shard)));
                continue;
            }
            String audioColumn = audioColumn(schema, columns.audio());
            if (audioColumn == null) {
                problems.add(new Problem(shard.toString(), (columns.audio() != null ? "--audio-column " + columns.audio() + " is not an audio struct"
                        : "no audio column (a struct of bytes and path)") + " among its columns " + String.join(", ", schema.columns())
                        + "; its " + schema.rows() + " rows not read"));
                continue;
            }
            List<String> missing = new ArrayList<>();
            List<String> header = schema.columns().stream().filter(c -> !schema.audioColumns().contains(c)).toList();
            Columns.Resolved r = columns.resolve(header, missing);
            for (String m : missing) problems.add(new Problem(shard.toString(), m));
            String split = splitOf(shard);
            String shardKey = stem(base.toAbsolutePath().normalize().relativize(shard.toAbsolutePath().normalize()).toString().replace('\\', '/'));
            try {
                ParquetShards.forEachRow(shard, schema, r.used(), audioColumn, true, row -> {
                    String where = "row " + (row.index() + 1) + ": ";
                    if (row.audioBytes() == null) {
                        problems.add(new Problem(shard.toString(), where + "no audio bytes in column " + audioColumn
                                + (row.audioPath() == null ? "" : " (path " + row.audioPath() + "; audio kept outside the shard is not read)")));
                        return;
                    }
                    String name = row.audioPath() == null ? null : Path.of(row.audioPath()).getFileName().toString();
                    String id = name == null ? null : (split == null ? "" : split + "/") + stem(name);
                    if (id == null || !seen.add(id)) {
                        id = shardKey + "/" + row.index();
                        seen.add(id);
                    }
                    AudioSource.ParquetCell cell = new AudioSource.ParquetCell(shard, row.index(), audioColumn, name == null ? "audio" : name);
                    double seconds;
                    try {
                        seconds = AudioSource.durationOfBytes(row.audioBytes(), extension(name), cell.describe());
                    } catch (UserError e) {
                        problems.add(new Problem(shard.toString(), where + Corpus.stripFile(e, cell.describe())));
                        return;
                    }
                    if (!(seconds > 0)) {
                        problems.add(new Problem(shard.toString(), where + "audio is empty (0 samples)"));
                        return;
                    }
                    utterances.add(fromRow(id, shard, seconds, row.values(), r, shard + ":row " + (row.index() + 1), split, cell));
                });
            } catch (UserError e) {
                problems.add(new Problem(shard.toString(), Corpus.stripFile(e, shard)));
            }
        }
        return new Corpus(root, "parquet", utterances, problems);
    }

    private static String audioColumn(ParquetShards.Schema schema, String given) {
        if (given != null) return schema.audioColumns().contains(given) ? given : null;
        for (String n : new String[] {"audio", "speech"}) if (schema.audioColumns().contains(n)) return n;
        return schema.audioColumns().isEmpty() ? null : schema.audioColumns().getFirst();
    }

    /** train-00000-of-00003.parquet → train; default/validation/0000.parquet → validation. */
    private static String splitOf(Path shard) {
        String name = shard.getFileName().toString();
        String first = name.split("[-.]")[0].toLowerCase(Locale.ROOT);
        if (isSplitName(first)) return first;
        Path parent = shard.getParent();
        String p = parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString().toLowerCase(Locale.ROOT);
        return isSplitName(p) ? p : null;
    }

    private static boolean isSplitName(String s) {
        return s.equals("train") || s.equals("validation") || s.equals("valid") || s.equals("dev") || s.equals("test") || s.startsWith("train_")
                || s.startsWith("test_") || s.startsWith("validation_") || s.equals("other") || s.equals("validated") || s.equals("invalidated");
    }

    private static String stem(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && name.indexOf('/', dot) < 0 ? name.substring(0, dot) : name;
    }

    private static String extension(String name) {
        if (name == null) return "audio";
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return ext.matches("[a-z0-9]{1,5}") ? ext : "audio";
    }
}
