package wavlens.corpus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * A FLEURS language folder as google/fleurs ships it, its audio archives unpacked
 * ({@code fi_fi/train.tsv}, {@code dev.tsv}, {@code test.tsv}, {@code audio/train/*.wav}, ...).
 * The TSVs have no header; their seven columns are named here id, file_name,
 * raw_transcription, transcription, words, num_samples, gender (so {@code --text-column
 * raw_transcription} picks the cased, punctuated text; the default is transcription, the
 * normalised one). id is the sentence's id: several speakers read each sentence and FLEURS
 * names no speaker, so utterances have none. Gender MALE/FEMALE/OTHER is normalised.
 */
final class Fleurs {
    private Fleurs() {}

    static final List<String> COLUMNS = List.of("id", "file_name", "raw_transcription", "transcription", "words", "num_samples", "gender");

    /** Split TSVs without a header whose rows have seven fields, beside an audio/ folder. */
    static boolean isFleurs(Path dir) {
        if (!Files.isDirectory(dir.resolve("audio"))) return false;
        for (String s : CommonVoice.SPLITS) {
            Path tsv = dir.resolve(s + ".tsv");
            if (!Files.isRegularFile(tsv)) continue;
            String first = Corpus.firstLine(tsv);
            if (first != null && first.split("\t", -1).length == 7 && first.split("\t")[0].strip().matches("\\d+")) return true;
        }
        return false;
    }

    static Corpus read(Path root, ToDoubleFunction<Path> audioSeconds) {
        List<Problem> problems = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Columns given = Columns.current();
        Columns.Resolved r = new Columns(given.text() == null ? "transcription" : given.text(), given.speaker(), given.gender(), given.age(), null)
                .resolve(COLUMNS, missing);
        for (String m : missing) problems.add(new Problem(root.toString(), m));
        List<Utterance> utterances = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String split : CommonVoice.SPLITS) {
            Path tsv = root.resolve(split + ".tsv");
            if (!Files.isRegularFile(tsv)) continue;
            Path audioDir = root.resolve("audio").resolve(split);
            Corpus.forEachLine(tsv, problems, (lineNo, line) -> {
                if (line.isBlank()) return true;
                String where = "line " + lineNo + ": ";
                String[] f = line.split("\t", -1);
                if (f.length != COLUMNS.size()) {
                    problems.add(new Problem(tsv.toString(), where + f.length + " fields, expected 7 (" + String.join(", ", COLUMNS) + ")"));
                    return true;
                }
                Map<String, String> row = new HashMap<>();
                for (int c = 0; c < f.length; c++) row.put(COLUMNS.get(c), f[c]);
                String file = f[1].strip();
                Path audio = audioDir.resolve(file);
                if (!Files.isRegularFile(audio)) {
                    problems.add(new Problem(tsv.toString(), where + "audio " + file + " not found in " + audioDir));
                    return true;
                }
                String id = split + "/" + (file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file);
                if (!seen.add(id)) {
                    problems.add(new Problem(tsv.toString(), where + file + " listed twice; used the first"));
                    return true;
                }
                String text = r.text() == null ? null : Columns.blankToNull(row.get(r.text()));
                utterances.add(new Utterance(id, audio, 0, -1, text,
                        r.speaker() == null ? null : Columns.blankToNull(row.get(r.speaker())),
                        r.gender() == null ? null : Columns.normaliseGender(row.get(r.gender())),
                        r.age() == null ? null : Columns.blankToNull(row.get(r.age())), null, tsv + ":" + lineNo, split, null, null));
                return true;
            });
        }
        return new Corpus(root, "fleurs", Corpus.withDurations(utterances, audioSeconds, problems), problems);
    }
}
