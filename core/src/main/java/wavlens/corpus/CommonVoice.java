package wavlens.corpus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * A Common Voice release folder as it unpacks ({@code cv-corpus-N/LOCALE/}): {@code clips/} and
 * the TSVs {@code train.tsv}, {@code dev.tsv}, {@code test.tsv}, {@code validated.tsv},
 * {@code other.tsv}, {@code invalidated.tsv}, optionally {@code clip_durations.tsv}.
 * <ul>
 * <li>Splits: train, dev and test rows become utterances of that split; validated rows not in
 *     any of them get the split "validated" (they are validated clips the release left out of
 *     the splits). other.tsv (not yet validated) and invalidated.tsv (voted down) are not read:
 *     corpus info says how many clips each holds; give such a file itself as the corpus to read it.
 * <li>Columns, older and newer releases alike: client_id (the speaker), path (under clips/),
 *     sentence (releases with sentence_id have both), age (teens, twenties, ..., as the release
 *     bins it), gender (male/female, male_masculine/female_feminine, ... normalised by
 *     {@link Columns#normaliseGender}), accents or accent, locale; up_votes, down_votes, segment,
 *     variant, sentence_domain are not used.
 * <li>Durations: clip_durations.tsv (milliseconds) when present, else each clip's header.
 * </ul>
 * A single Common Voice TSV given as the corpus is read alone, its split named by the file.
 */
final class CommonVoice {
    private CommonVoice() {}

    static final List<String> SPLITS = List.of("train", "dev", "test");

    /** A folder with clips/ and any of the split TSVs. */
    static boolean isRelease(Path dir) {
        if (!Files.isDirectory(dir.resolve("clips"))) return false;
        for (String s : List.of("train", "dev", "test", "validated")) if (Files.isRegularFile(dir.resolve(s + ".tsv"))) return true;
        return false;
    }

    /** A TSV whose header names client_id and path (every release's first two columns). */
    static boolean isCommonVoiceTsv(Path file) {
        String header = Corpus.firstLine(file);
        if (header == null) return false;
        List<String> cols = Arrays.asList(header.split("\t"));
        return cols.contains("client_id") && cols.contains("path");
    }

    static Corpus read(Path root, ToDoubleFunction<Path> audioSeconds) {
        List<Problem> problems = new ArrayList<>();
        Columns columns = Columns.current();
        Map<String, Double> durations = clipDurations(root.resolve("clip_durations.tsv"), problems);
        List<Utterance> utterances = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String split : SPLITS) {
            Path tsv = root.resolve(split + ".tsv");
            if (Files.isRegularFile(tsv)) readTsv(tsv, root, split, columns, durations, audioSeconds, seen, utterances, problems);
        }
        Path validated = root.resolve("validated.tsv");
        if (Files.isRegularFile(validated)) readTsv(validated, root, "validated", columns, durations, audioSeconds, seen, utterances, problems);
        for (String unused : List.of("other", "invalidated")) {
            Path tsv = root.resolve(unused + ".tsv");
            if (!Files.isRegularFile(tsv)) continue;
            long rows = Math.max(0, Corpus.countLines(tsv) - 1);
            if (rows == 0) continue; // recent releases ship these files empty for small languages
            problems.add(new Problem(tsv.toString(), rows + " clips not used (" + (unused.equals("other") ? "not yet validated" : "voted invalid")
                    + "); give this file as the corpus to read them"));
        }
        return new Corpus(root, "commonvoice", utterances, problems);
    }

    /** One TSV given alone: its rows, split from its name (train/dev/test, else the name). */
    static Corpus readFile(Path tsv, ToDoubleFunction<Path> audioSeconds) {
        List<Problem> problems = new ArrayList<>();
        Path base = tsv.toAbsolutePath().getParent();
        String name = tsv.getFileName().toString();
        String split = name.substring(0, name.length() - 4);
        List<Utterance> utterances = new ArrayList<>();
        readTsv(tsv, base, split, Columns.current(), clipDurations(base.resolve("clip_durations.tsv"), problems), audioSeconds,
                new LinkedHashSet<>(), utterances, problems);
        return new Corpus(tsv, "commonvoice", utterances, problems);
    }

    private static void readTsv(Path tsv, Path root, String split, Columns columns, Map<String, Double> durations,
                                ToDoubleFunction<Path> audioSeconds, Set<String> seen, List<Utterance> out, List<Problem> problems) {
        Path clips = Files.isDirectory(root.resolve("clips")) ? root.resolve("clips") : root;
        List<Utterance> pending = new ArrayList<>(); // rows read; their clips are looked at below, in parallel
        String[][] header = {null};
        int[] pathCol = {-1};
        Columns.Resolved[] resolved = {null};
        Corpus.forEachLine(tsv, problems, (lineNo, line) -> {
            if (line.isEmpty()) return true;
            String[] f = line.split("\t", -1);
            if (header[0] == null) {
                header[0] = f;
                List<String> names = Arrays.asList(f);
                pathCol[0] = names.indexOf("path");
                List<String> missing = new ArrayList<>();
                resolved[0] = columns.resolve(names, missing);
                for (String m : missing) problems.add(new Problem(tsv.toString(), "line 1: " + m));
                if (pathCol[0] < 0) {
                    problems.add(new Problem(tsv.toString(), "line 1: no 'path' column (columns: " + String.join(", ", f) + "); file not read"));
                    return false;
                }
                return true;
            }
            String where = "line " + lineNo + ": ";
            Map<String, String> row = new HashMap<>();
            for (int c = 0; c < header[0].length && c < f.length; c++) row.put(header[0][c], f[c]);
            String clip = Columns.blankToNull(pathCol[0] < f.length ? f[pathCol[0]] : null);
            if (clip == null) {
                problems.add(new Problem(tsv.toString(), where + "no clip in the 'path' column"));
                return true;
            }
            String id = clip.contains(".") ? clip.substring(0, clip.lastIndexOf('.')) : clip;
            if (seen.contains(id)) {
                // validated.tsv repeats the split TSVs' clips: they keep their split
                if (!split.equals("validated")) problems.add(new Problem(tsv.toString(), where + "clip " + clip + " listed twice; used the first"));
                return true;
            }
            Path audio = clips.resolve(clip).normalize();
            seen.add(id);
            Columns.Resolved r = resolved[0];
            String text = r.text() == null ? null : Columns.blankToNull(row.get(r.text()));
            pending.add(new Utterance(id, audio, 0, durations.getOrDefault(clip, -1.0), text == null ? null : text.replaceAll("\\s+", " "),
                    r.speaker() == null ? null : Columns.blankToNull(row.get(r.speaker())),
                    r.gender() == null ? null : Columns.normaliseGender(row.get(r.gender())),
                    r.age() == null ? null : Columns.blankToNull(row.get(r.age())), null, tsv + ":" + lineNo,
                    split, Columns.extra(r, row), null));
            return true;
        });
        // a clip that is missing is named by its row; the others' durations come from clip_durations.tsv or their headers
        List<Path> unknown = new ArrayList<>();
        for (Utterance u : pending) if (u.endSec() < 0) unknown.add(u.audioPath());
        List<Corpus.Measured> measured = Corpus.durations(unknown, p -> {
            if (!Files.isRegularFile(p)) throw new wavlens.io.UserError(MISSING);
            return audioSeconds.applyAsDouble(p);
        });
        int next = 0;
        for (Utterance u : pending) {
            double seconds = u.endSec();
            if (seconds < 0) {
                Corpus.Measured m = measured.get(next++);
                if (m.problem() != null) {
                    seen.remove(u.id());
                    problems.add(m.problem().reason().equals(MISSING)
                            ? new Problem(tsv.toString(), "line " + u.transcriptSource().substring(tsv.toString().length() + 1) + ": clip "
                                    + clips.relativize(u.audioPath()) + " not found in " + clips)
                            : m.problem());
                    continue;
                }
                seconds = m.seconds();
            } else if (!Files.isRegularFile(u.audioPath())) {
                seen.remove(u.id());
                problems.add(new Problem(tsv.toString(), "line " + u.transcriptSource().substring(tsv.toString().length() + 1) + ": clip "
                        + clips.relativize(u.audioPath()) + " not found in " + clips));
                continue;
            }
            out.add(new Utterance(u.id(), u.audioPath(), 0, seconds, u.transcript(), u.speaker(), u.gender(), u.age(), null,
                    u.transcriptSource(), u.split(), u.extra(), null));
        }
    }

    private static final String MISSING = "\0missing";

    /** clip_durations.tsv: clip → seconds (the file gives milliseconds). */
    private static Map<String, Double> clipDurations(Path file, List<Problem> problems) {
        Map<String, Double> out = new HashMap<>();
        if (!Files.isRegularFile(file)) return out;
        Corpus.forEachLine(file, problems, (lineNo, line) -> {
            String[] f = line.split("\t");
            if (lineNo == 1 || f.length < 2) return true;
            try {
                double ms = Double.parseDouble(f[1].strip());
                if (ms > 0) out.put(f[0].strip(), ms / 1000.0);
            } catch (NumberFormatException e) {
                problems.add(new Problem(file.toString(), "line " + lineNo + ": duration '" + f[1] + "' is not a number"));
            }
            return true;
        });
        return out;
    }
}
