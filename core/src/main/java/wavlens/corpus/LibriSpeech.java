package wavlens.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import wavlens.io.UserError;

/**
 * LibriSpeech and Multilingual LibriSpeech as they unpack.
 * <ul>
 * <li><b>LibriSpeech</b>: {@code SUBSET/SPEAKER/CHAPTER/SPEAKER-CHAPTER-NNNN.flac} with one
 *     {@code SPEAKER-CHAPTER.trans.txt} per chapter ("ID TRANSCRIPT" lines). The corpus is the
 *     {@code LibriSpeech/} folder (every subset, split = its name: dev-clean, test-other,
 *     train-clean-100, ...) or one subset folder. Gender comes from {@code SPEAKERS.TXT}
 *     ("ID | SEX | SUBSET | MINUTES | NAME", in the corpus folder or the one above).
 * <li><b>Multilingual LibriSpeech</b>: {@code SPLIT/transcripts.txt} ("SPEAKER_BOOK_NNNNNN
 *     TAB transcript") with audio in {@code SPLIT/audio/SPEAKER/BOOK/ID.flac} (or .opus in the
 *     Opus release); the corpus is the language folder ({@code mls_german/}: splits train, dev,
 *     test) or one split folder. Gender from {@code metainfo.txt} ("SPEAKER | GENDER |
 *     PARTITION | ..."). {@code segments.txt} gives each clip's place in the original LibriVox
 *     recording, which the clips themselves do not need: it is not read.
 * </ul>
 */
final class LibriSpeech {
    private LibriSpeech() {}

    /** Some SPEAKER/CHAPTER/*.trans.txt one or two levels down. */
    static boolean isLibriSpeech(Path dir) {
        return !transcriptFiles(dir, 4, 1).isEmpty();
    }

    static boolean isMls(Path dir) {
        if (Files.isRegularFile(dir.resolve("transcripts.txt")) && Files.isDirectory(dir.resolve("audio"))) return true;
        for (String s : CommonVoice.SPLITS) if (Files.isRegularFile(dir.resolve(s).resolve("transcripts.txt"))) return true;
        return false;
    }

    private static List<Path> transcriptFiles(Path dir, int depth, int limit) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir, depth)) {
            // detection (limit 1) stops at the first one found; reading sorts them all
            Stream<Path> found = walk.filter(p -> p.getFileName().toString().endsWith(".trans.txt"));
            var it = (limit > 0 ? found : found.sorted()).iterator();
            while (it.hasNext() && (limit <= 0 || out.size() < limit)) {
                Path p = it.next();
                int level = dir.relativize(p).getNameCount();
                if (level == 3 || level == 4) out.add(p);
            }
        } catch (IOException | UncheckedIOException e) {
            throw UserError.inFile(dir, "cannot list the folder: " + e.getMessage());
        }
        return out;
    }

    static Corpus readLibriSpeech(Path root, ToDoubleFunction<Path> audioSeconds) {
        List<Problem> problems = new ArrayList<>();
        Map<String, String> genders = speakerGenders(root, "SPEAKERS.TXT", problems);
        List<Utterance> utterances = new ArrayList<>();
        for (Path trans : transcriptFiles(root, 4, 0)) {
            Path chapter = trans.getParent();
            boolean subsets = root.relativize(trans).getNameCount() == 4;
            String split = subsets ? root.relativize(trans).getName(0).toString() : subsetName(root);
            Corpus.forEachLine(trans, problems, (lineNo, line) -> {
                if (line.isBlank()) return true;
                String[] kv = line.strip().split("\\s+", 2);
                String id = kv[0];
                Path audio = chapter.resolve(id + ".flac");
                if (!Files.isRegularFile(audio)) {
                    problems.add(new Problem(trans.toString(), "line " + lineNo + ": no audio " + audio.getFileName() + " beside it"));
                    return true;
                }
                String speaker = id.split("-")[0];
                utterances.add(new Utterance(split == null ? id : split + "/" + id, audio, 0, -1, kv.length > 1 ? kv[1].strip() : "",
                        speaker, genders.get(speaker), null, null, trans + ":" + lineNo, split, null, null));
                return true;
            });
        }
        return new Corpus(root, "librispeech", Corpus.withDurations(utterances, audioSeconds, problems), problems);
    }

    /** The folder's own name when it is a LibriSpeech subset (dev-clean, train-other-500, ...). */
    private static String subsetName(Path root) {
        Path name = root.toAbsolutePath().normalize().getFileName();
        String n = name == null ? "" : name.toString();
        return n.matches("(dev|test|train)-(clean|other)(-\\d+)?") ? n : null;
    }

    static Corpus readMls(Path root, ToDoubleFunction<Path> audioSeconds) {
        List<Problem> problems = new ArrayList<>();
        List<Path[]> splits = new ArrayList<>(); // {folder, name}
        if (Files.isRegularFile(root.resolve("transcripts.txt"))) {
            splits.add(new Path[] {root, root.toAbsolutePath().normalize().getFileName()});
        }
        for (String s : CommonVoice.SPLITS) if (Files.isRegularFile(root.resolve(s).resolve("transcripts.txt"))) splits.add(new Path[] {root.resolve(s), Path.of(s)});
        Map<String, String> genders = speakerGenders(root, "metainfo.txt", problems);
        List<Utterance> utterances = new ArrayList<>();
        for (Path[] sp : splits) {
            Path folder = sp[0];
            String split = sp[1] == null ? null : sp[1].toString();
            if (split != null && !CommonVoice.SPLITS.contains(split)) split = null;
            String splitName = split;
            Path transcripts = folder.resolve("transcripts.txt");
            Corpus.forEachLine(transcripts, problems, (lineNo, line) -> {
                if (line.isBlank()) return true;
                String where = "line " + lineNo + ": ";
                String[] kv = line.split("\t", 2);
                String id = kv[0].strip();
                String[] parts = id.split("_");
                if (parts.length != 3) {
                    problems.add(new Problem(transcripts.toString(), where + "id '" + id + "' is not SPEAKER_BOOK_NUMBER"));
                    return true;
                }
                Path dir = folder.resolve("audio").resolve(parts[0]).resolve(parts[1]);
                Path audio = null;
                for (String ext : new String[] {".flac", ".opus", ".wav"}) {
                    if (Files.isRegularFile(dir.resolve(id + ext))) {
                        audio = dir.resolve(id + ext);
                        break;
                    }
                }
                if (audio == null) {
                    problems.add(new Problem(transcripts.toString(), where + "no audio " + id + ".flac or .opus in " + dir));
                    return true;
                }
                utterances.add(new Utterance(splitName == null ? id : splitName + "/" + id, audio, 0, -1, kv.length > 1 ? kv[1].strip() : "",
                        parts[0], genders.get(parts[0]), null, null, transcripts + ":" + lineNo, splitName, null, null));
                return true;
            });
        }
        return new Corpus(root, "mls", Corpus.withDurations(utterances, audioSeconds, problems), problems);
    }

    /** "ID | SEX | ..." tables (LibriSpeech SPEAKERS.TXT, MLS metainfo.txt), in the corpus folder or the one above; ';' starts a comment. */
    private static Map<String, String> speakerGenders(Path root, String name, List<Problem> problems) {
        Map<String, String> out = new HashMap<>();
        Path file = root.resolve(name);
        if (!Files.isRegularFile(file) && root.toAbsolutePath().getParent() != null) file = root.toAbsolutePath().getParent().resolve(name);
        if (!Files.isRegularFile(file)) return out;
        Path f = file;
        Corpus.forEachLine(file, problems, (lineNo, line) -> {
            if (line.isBlank() || line.startsWith(";")) return true;
            String[] cols = line.split("\\|");
            if (cols.length < 2) return true;
            String id = cols[0].strip(), sex = cols[1].strip();
            if (id.equalsIgnoreCase("speaker") || id.equalsIgnoreCase("id")) return true; // MLS's header row
            if (!sex.isEmpty()) out.put(id, Columns.normaliseGender(sex.toLowerCase(Locale.ROOT)));
            return true;
        });
        if (out.isEmpty()) problems.add(new Problem(f.toString(), "no speaker genders read (expected 'ID | SEX | ...' lines)"));
        return out;
    }
}
