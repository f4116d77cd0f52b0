package wavlens.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import wavlens.audio.AudioFile;
import wavlens.io.UserError;

/**
 * A speech corpus on disk: utterances with audio, transcripts, speakers and alignments, plus every
 * problem found while reading it. {@link #open(Path)} recognises these layouts, and those of
 * {@link CommonVoice}, {@link LibriSpeech} (and MLS), {@link Fleurs} and {@link HfDatasets}:
 * <ol>
 * <li><b>manifest</b>: a file {@code *.tsv}, or a folder with {@code manifest.tsv}: one utterance per
 *     line, {@code path<TAB>transcript[<TAB>alignment]}; an optional header row (first field
 *     "path") names the columns, and then {@code speaker}, {@code gender}, {@code age}, {@code split},
 *     {@code accent}, {@code locale} columns are read too (align writes such a manifest). Paths are relative to the manifest's folder; the alignment is a TextGrid or a CTM
 *     whose key is the audio file's stem.
 * <li><b>kaldi</b>: a folder with {@code wav.scp} (plain paths, or piped commands ending in "|" that
 *     {@link AudioSource.Pipe} runs with a time limit), {@code reco2dur}/{@code utt2dur} for durations,
 *     {@code text}, optional {@code segments}, {@code utt2spk}, {@code spk2gender},
 *     {@code utt2gender}, {@code utt2age}, and CTM alignments: {@code alignment.ctm} or every
 *     {@code *.ctm} (a CTM whose name contains "phone" gives the "phones" tier, any other the
 *     "words" tier). Relative paths in wav.scp are tried against the data folder, then its parent
 *     and grandparent (Kaldi recipes write them relative to the recipe folder above data/x).
 * <li><b>folder</b> (Montreal Forced Aligner style), anything else: every {@code .wav}/{@code .flac}
 *     below the folder, with a same-stem {@code .TextGrid} and {@code .lab} or {@code .txt}
 *     transcript beside it; the speaker is the parent folder's name when the file is in a
 *     subfolder. Utterance ids are paths relative to the corpus without extension. A .TextGrid or
 *     .lab without audio is a problem; stray .txt files (notes, READMEs) are ignored.
 * </ol>
 * Durations come from the audio headers only. A file that cannot be used becomes a {@link Problem}
 * and the rest of the corpus still loads: an unreadable audio file drops its utterance; a broken
 * or ill-fitting alignment (see {@link TextGrid} for the rules, and {@link
 * Alignment#mismatchWithAudio}) leaves the utterance without an alignment. A TextGrid that ends
 * before its audio is kept with a problem noting it (the rest of the audio counts as silence).
 */
public record Corpus(Path root, String layout, List<Utterance> utterances, List<Problem> problems) {
    public Corpus {
        utterances = List.copyOf(utterances);
        problems = List.copyOf(problems);
    }

    public static Corpus open(Path path) {
        return open(path, AudioFile::durationSeconds);
    }

    /**
     * As {@link #open(Path)} with the audio duration (seconds) taken from {@code audioSeconds}.
     * The one place layouts are recognised, in this order: a .tsv file (a Common Voice TSV when
     * its header names client_id and path, else a manifest), a .parquet shard; a folder with
     * manifest.tsv, wav.scp (Kaldi), clips/ and split TSVs (Common Voice), split TSVs without a
     * header beside audio/ (FLEURS), metadata.csv/.jsonl (audiofolder), .parquet shards (Hugging
     * Face), transcripts.txt (Multilingual LibriSpeech), SPEAKER/CHAPTER/*.trans.txt
     * (LibriSpeech); anything else is read as an MFA-style folder.
     */
    public static Corpus open(Path path, ToDoubleFunction<Path> audioSeconds) {
        if (Files.isRegularFile(path)) {
            String lower = path.getFileName().toString().toLowerCase(Locale.ROOT);
            if (lower.endsWith(".tsv")) return CommonVoice.isCommonVoiceTsv(path) ? CommonVoice.readFile(path, audioSeconds) : readManifest(path, audioSeconds);
            if (lower.endsWith(".parquet")) return HfDatasets.readParquet(path, List.of(path), audioSeconds);
            throw UserError.inFile(path, "not a corpus: give a folder (MFA-style, Kaldi data folder, Common Voice, LibriSpeech, FLEURS, "
                    + "Hugging Face dataset) or a .tsv manifest or .parquet shard");
        }
        if (!Files.isDirectory(path)) throw UserError.inFile(path, "no such file or folder");
        if (Files.isRegularFile(path.resolve("manifest.tsv"))) return readManifest(path.resolve("manifest.tsv"), audioSeconds);
        if (Files.isRegularFile(path.resolve("wav.scp"))) return readKaldi(path, audioSeconds);
        if (CommonVoice.isRelease(path)) return CommonVoice.read(path, audioSeconds);
        if (Fleurs.isFleurs(path)) return Fleurs.read(path, audioSeconds);
        if (!HfDatasets.metadataFiles(path).isEmpty()) return HfDatasets.readAudiofolder(path, audioSeconds);
        List<Path> shards = HfDatasets.shards(path);
        if (!shards.isEmpty()) return HfDatasets.readParquet(path, shards, audioSeconds);
        if (LibriSpeech.isMls(path)) return LibriSpeech.readMls(path, audioSeconds);
        if (LibriSpeech.isLibriSpeech(path)) return LibriSpeech.readLibriSpeech(path, audioSeconds);
        return readFolder(path, audioSeconds);
    }

    public double totalSeconds() {
        double sum = 0;
        for (Utterance u : utterances) sum += u.durationSec();
        return sum;
    }

    /** Distinct speakers in order of first appearance (utterances without a speaker are not counted). */
    public List<String> speakers() {
        Set<String> out = new LinkedHashSet<>();
        for (Utterance u : utterances) if (u.speaker() != null) out.add(u.speaker());
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- folder (MFA)

    /**
     * Audio files the folder layout takes, in order of preference for one name. WAV and FLAC are
     * decoded today; a compressed clip the decoders do not read yet is one problem naming it and
     * its format (from {@link AudioFile}), never a silent skip.
     */
    static final List<String> AUDIO_EXTENSIONS = List.of("wav", "flac", "mp3", "ogg", "opus", "webm", "m4a");

    private static Corpus readFolder(Path root, ToDoubleFunction<Path> audioSeconds) {
        List<Problem> problems = new ArrayList<>();
        // folder + stem → the files with that stem, by lower-case extension
        Map<String, Map<String, Path>> groups = new TreeMap<>();
        // links followed: corpora are often assembled from linked folders (a loop is an IO error, reported below)
        try (Stream<Path> walk = Files.walk(root, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            for (Path p : walk.sorted().toList()) {
                if (!Files.isRegularFile(p) || isHidden(root, p)) continue;
                String name = p.getFileName().toString();
                int dot = name.lastIndexOf('.');
                if (dot <= 0) continue;
                String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
                String key = root.relativize(p).toString().replace('\\', '/');
                key = key.substring(0, key.length() - (name.length() - dot));
                groups.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(ext, p);
            }
        } catch (IOException | UncheckedIOException e) {
            throw UserError.inFile(root, "cannot list the folder: " + e.getMessage());
        }

        List<Utterance> utterances = new ArrayList<>();
        for (var group : groups.entrySet()) {
            String id = group.getKey();
            Map<String, Path> files = group.getValue();
            Path audio = null;
            for (String ext : AUDIO_EXTENSIONS) {
                if (files.containsKey(ext)) {
                    audio = files.get(ext);
                    break;
                }
            }
            Path textGrid = files.get("textgrid");
            Path lab = files.containsKey("lab") ? files.get("lab") : files.get("txt");
            if (audio == null) {
                if (textGrid != null) problems.add(new Problem(textGrid.toString(), "no audio file with the same name (.wav, .flac, ...)"));
                if (files.containsKey("lab")) problems.add(new Problem(files.get("lab").toString(), "no audio file with the same name (.wav, .flac, ...)"));
                continue;
            }
            for (String ext : AUDIO_EXTENSIONS) {
                if (files.containsKey(ext) && !files.get(ext).equals(audio)) {
                    problems.add(new Problem(files.get(ext).toString(), "both " + audio.getFileName() + " and ." + ext + " with this name; used the ."
                            + audio.getFileName().toString().substring(audio.getFileName().toString().lastIndexOf('.') + 1)));
                }
            }
            if (files.containsKey("lab") && files.containsKey("txt")) {
                problems.add(new Problem(files.get("txt").toString(), "both .lab and .txt with this name; used the .lab"));
            }
            Double duration = duration(audio, audioSeconds, problems);
            if (duration == null) continue;
            String transcript = lab == null ? null : readTranscript(lab, problems);
            Alignment alignment = textGrid == null ? null : readTextGrid(textGrid, duration, problems);
            Path parent = audio.getParent();
            String speaker = parent.equals(root) ? null : parent.getFileName().toString();
            utterances.add(new Utterance(id, audio, 0, duration, transcript, speaker, null, null, alignment,
                    lab == null ? audio.toString() : lab.toString()));
        }
        if (utterances.isEmpty() && problems.isEmpty()) {
            // nothing recognised: say what is there rather than report an empty corpus
            Map<String, Integer> byExt = new TreeMap<>();
            for (Map<String, Path> files : groups.values()) for (String ext : files.keySet()) byExt.merge("." + ext, 1, Integer::sum);
            problems.add(new Problem(root.toString(), "no corpus layout recognised and no audio files ("
                    + String.join(", ", AUDIO_EXTENSIONS.stream().map(e -> "." + e).toList()) + ") below it; found "
                    + (byExt.isEmpty() ? "no files" : byExt.toString().replace("{", "").replace("}", "").replace("=", ": ") + " files")
                    + " (layouts: MFA folder, Kaldi data folder, manifest.tsv, Common Voice, LibriSpeech, MLS, FLEURS, Hugging Face Parquet or audiofolder)"));
        }
        return new Corpus(root, "folder", utterances, problems);
    }

    private static boolean isHidden(Path root, Path p) {
        for (Path part : root.relativize(p)) if (part.toString().startsWith(".")) return true;
        return false;
    }

    // ---------------------------------------------------------------- Kaldi

    private static Corpus readKaldi(Path dir, ToDoubleFunction<Path> audioSeconds) {
        List<Problem> problems = new ArrayList<>();
        // wav.scp: recording → audio file
        Map<String, Path> recordings = new LinkedHashMap<>();
        Map<String, AudioSource> pipes = new HashMap<>();
        Path scp = dir.resolve("wav.scp");
        Set<String> listed = new LinkedHashSet<>(); // every utterance id the data folder names, usable or not
        Set<String> scpKeys = new LinkedHashSet<>();
        for (String[] f : table(scp, true, true, problems)) {
            listed.add(f[0]);
            scpKeys.add(f[0]);
            String rec = f[0], rest = f[1].strip();
            String lineRef = "line " + f[2];
            Path audio;
            if (rest.endsWith("|")) {
                // a piped command (sox/flac/ffmpeg/sph2pipe writing audio to stdout), run when the audio is needed
                AudioSource.Pipe pipe = new AudioSource.Pipe(rest.substring(0, rest.length() - 1).strip(), scp, Integer.parseInt(f[2]));
                pipes.put(rec, pipe);
                audio = scp;
            } else {
                audio = resolveKaldiPath(dir, rest);
                if (audio == null) {
                    problems.add(new Problem(scp.toString(), lineRef + ": recording " + rec + ": no such file " + rest
                            + " (tried relative to " + dir + " and the two folders above)"));
                    continue;
                }
            }
            if (recordings.put(rec, audio) != null) problems.add(new Problem(scp.toString(), lineRef + ": recording " + rec + " listed twice; used the last"));
        }
        // durations: reco2dur / utt2dur (Kaldi's own, seconds) when they list a recording, else its header (or its pipe's output)
        Map<String, String> reco2dur = keyValue(dir.resolve("reco2dur"), false, problems);
        Map<String, String> utt2dur = Files.isRegularFile(dir.resolve("segments")) ? Map.of() : keyValue(dir.resolve("utt2dur"), false, problems);
        Map<String, Double> recordingSeconds = new HashMap<>();
        for (var e : recordings.entrySet()) {
            String listedDur = reco2dur.containsKey(e.getKey()) ? reco2dur.get(e.getKey()) : utt2dur.get(e.getKey());
            Double d = null;
            if (listedDur != null) {
                try {
                    d = Double.parseDouble(listedDur);
                } catch (NumberFormatException ex) {
                    problems.add(new Problem(dir.resolve(reco2dur.containsKey(e.getKey()) ? "reco2dur" : "utt2dur").toString(),
                            e.getKey() + ": duration '" + listedDur + "' is not a number; the audio's own length used"));
                }
            }
            if (d == null && pipes.containsKey(e.getKey())) {
                AudioSource pipe = pipes.get(e.getKey());
                try {
                    d = pipe.durationSeconds();
                } catch (UserError ex) {
                    problems.add(new Problem(scp.toString(), stripFile(ex, scp) + " (recording " + e.getKey() + " left out)"));
                    continue;
                }
            }
            if (d == null) d = duration(e.getValue(), audioSeconds, problems);
            if (d != null) recordingSeconds.put(e.getKey(), d);
        }

        // utterances: segments, or one per recording
        record Segment(String utt, String rec, double start, double end) {}
        List<Segment> segments = new ArrayList<>();
        Path segFile = dir.resolve("segments");
        if (Files.isRegularFile(segFile)) {
            listed.clear();
            for (String[] f : table(segFile, true, false, problems)) {
                listed.add(f[0]);
                String where = "line " + f[2] + ": ";
                String[] v = f[1].strip().split("\\s+");
                if (v.length != 3) {
                    problems.add(new Problem(segFile.toString(), where + "expected 'utterance recording start end'"));
                    continue;
                }
                double start, end;
                try {
                    start = Double.parseDouble(v[1]);
                    end = Double.parseDouble(v[2]);
                } catch (NumberFormatException e) {
                    problems.add(new Problem(segFile.toString(), where + "start '" + v[1] + "' or end '" + v[2] + "' is not a number"));
                    continue;
                }
                Double recSec = recordingSeconds.get(v[0]);
                if (recSec == null) {
                    problems.add(new Problem(segFile.toString(), where + "segment " + f[0] + " left out: recording " + v[0]
                            + (scpKeys.contains(v[0]) ? " cannot be read (see above)" : " is not in wav.scp")));
                    continue;
                }
                if (end == -1) end = recSec; // Kaldi: -1 = to the end of the recording
                if (!(start >= 0) || !(end > start) || end > recSec + Alignment.AUDIO_END_TOLERANCE_SEC) {
                    problems.add(new Problem(segFile.toString(), where + "segment " + f[0] + " " + v[1] + "–" + v[2]
                            + " s is empty, negative or beyond the recording (" + TextGrid.num(recSec) + " s)"));
                    continue;
                }
                segments.add(new Segment(f[0], v[0], start, Math.min(end, recSec)));
            }
        } else {
            for (String rec : recordings.keySet()) {
                if (recordingSeconds.containsKey(rec)) segments.add(new Segment(rec, rec, 0, recordingSeconds.get(rec)));
            }
        }

        Map<String, String> text = keyValue(dir.resolve("text"), true, problems);
        Map<String, String> utt2spk = keyValue(dir.resolve("utt2spk"), false, problems);
        Map<String, String> spk2gender = keyValue(dir.resolve("spk2gender"), false, problems);
        Map<String, String> utt2gender = keyValue(dir.resolve("utt2gender"), false, problems);
        Map<String, String> utt2age = keyValue(dir.resolve("utt2age"), false, problems);

        // CTM alignments: tier name → contents
        Map<String, Ctm.Contents> ctms = new LinkedHashMap<>();
        Map<String, Path> ctmFiles = new LinkedHashMap<>();
        for (Path ctm : ctmFiles(dir)) {
            String stem = ctm.getFileName().toString().toLowerCase(Locale.ROOT);
            String tierName = stem.contains("phone") ? "phones" : "words";
            if (ctms.containsKey(tierName)) {
                problems.add(new Problem(ctm.toString(), "ignored: " + ctmFiles.get(tierName).getFileName() + " already gives the '" + tierName + "' tier"));
                continue;
            }
            try {
                ctms.put(tierName, Ctm.read(ctm, problems));
                ctmFiles.put(tierName, ctm);
            } catch (UserError e) {
                problems.add(new Problem(ctm.toString(), stripFile(e, ctm)));
            }
        }

        List<Utterance> utterances = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        Set<String> usedKeys = new LinkedHashSet<>();
        for (Segment s : segments) {
            if (!seen.add(s.utt())) {
                problems.add(new Problem(segFile.toString(), "utterance " + s.utt() + " listed twice; used the first"));
                continue;
            }
            // each CTM gives one tier; a tier that fails is reported and left out, the others stay
            Map<String, Tier> tiers = new LinkedHashMap<>();
            for (var ctm : ctms.entrySet()) {
                String source = ctmFiles.get(ctm.getKey()).toString();
                Ctm.Contents contents = ctm.getValue();
                // Kaldi writes CTMs per utterance; convert_ctm.pl rewrites them per recording
                boolean perUtterance = contents.byKey().containsKey(s.utt()) || contents.brokenKeys().contains(s.utt());
                String key = perUtterance ? s.utt() : s.rec();
                usedKeys.add(key);
                if (contents.brokenKeys().contains(key)) {
                    problems.add(new Problem(source, "utterance " + s.utt() + ": not aligned, its CTM lines above could not be read"));
                    continue;
                }
                List<Ctm.Entry> entries = contents.byKey().getOrDefault(key, List.of());
                if (!perUtterance) entries = Ctm.within(entries, s.start(), s.end());
                if (entries.isEmpty()) {
                    problems.add(new Problem(source, "utterance " + s.utt() + ": no entries (neither under its id nor within its segment of recording " + s.rec() + ")"));
                    continue;
                }
                try {
                    Alignment one = Ctm.toAlignment(source, entries, perUtterance ? 0 : s.start(), s.end() - s.start(), ctm.getKey(), problems);
                    tiers.putAll(one.tiers());
                } catch (UserError e) {
                    problems.add(new Problem(source, "utterance " + s.utt() + ": " + stripFile(e, source)));
                }
            }
            Alignment alignment = tiers.isEmpty() ? null
                    : new Alignment(String.join(", ", ctmFiles.values().stream().map(Path::toString).toList()), 0, s.end() - s.start(), tiers);
            String speaker = utt2spk.get(s.utt());
            String gender = utt2gender.containsKey(s.utt()) ? utt2gender.get(s.utt()) : speaker == null ? null : spk2gender.get(speaker);
            utterances.add(new Utterance(s.utt(), recordings.get(s.rec()), s.start(), s.end(), text.get(s.utt()),
                    speaker, gender == null ? null : Columns.normaliseGender(gender), utt2age.get(s.utt()), alignment, dir.resolve("text").toString(),
                    null, null, pipes.get(s.rec())));
        }
        for (String utt : text.keySet()) {
            if (!listed.contains(utt)) {
                problems.add(new Problem(dir.resolve("text").toString(), "utterance " + utt + " has a transcript but no audio (not in "
                        + (Files.isRegularFile(segFile) ? "segments" : "wav.scp") + ")"));
            }
        }
        for (var ctm : ctms.entrySet()) {
            for (String key : ctm.getValue().byKey().keySet()) {
                if (!usedKeys.contains(key) && !seen.contains(key) && !recordings.containsKey(key)) {
                    problems.add(new Problem(ctmFiles.get(ctm.getKey()).toString(), "entries for '" + key + "', which is neither an utterance nor a recording"));
                }
            }
        }
        return new Corpus(dir, "kaldi", utterances, problems);
    }

    private static List<Path> ctmFiles(Path dir) {
        Path main = dir.resolve("alignment.ctm");
        List<Path> out = new ArrayList<>();
        if (Files.isRegularFile(main)) out.add(main);
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.sorted().toList()) {
                if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".ctm") && Files.isRegularFile(p) && !p.equals(main)) out.add(p);
            }
        } catch (IOException e) {
            throw UserError.inFile(dir, "cannot list the folder: " + e.getMessage());
        }
        return out;
    }

    private static Path resolveKaldiPath(Path dir, String path) {
        Path p = Path.of(path);
        if (p.isAbsolute()) return Files.isRegularFile(p) ? p : null;
        Path base = dir.toAbsolutePath();
        for (int up = 0; up < 3 && base != null; up++, base = base.getParent()) {
            Path candidate = base.resolve(p).normalize();
            if (Files.isRegularFile(candidate)) return candidate;
        }
        return null;
    }

    /**
     * Lines of a Kaldi table file split as {key, rest, lineNumber}. A line without a value is a
     * problem when valueRequired (a "text" line may have an empty transcript).
     */
    private static List<String[]> table(Path file, boolean valueRequired, boolean fileRequired, List<Problem> problems) {
        List<String[]> rows = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            if (fileRequired) problems.add(new Problem(file.toString(), "missing"));
            return rows;
        }
        String content = readUtf8(file, problems);
        if (content == null) return rows;
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            String[] kv = line.split("\\s+", 2);
            if (valueRequired && kv.length < 2) {
                problems.add(new Problem(file.toString(), "line " + (i + 1) + ": only a key ('" + kv[0] + "'), no value"));
                continue;
            }
            rows.add(new String[] {kv[0], kv.length > 1 ? kv[1] : "", Integer.toString(i + 1)});
        }
        return rows;
    }

    /** key → value (rest of the line); "text" lines may have an empty transcript. */
    private static Map<String, String> keyValue(Path file, boolean isText, List<Problem> problems) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            if (isText) problems.add(new Problem(file.toString(), "missing: utterances have no transcripts"));
            return out;
        }
        for (String[] f : table(file, !isText, false, problems)) {
            if (out.put(f[0], f[1].strip()) != null) problems.add(new Problem(file.toString(), "line " + f[2] + ": " + f[0] + " listed twice; used the last"));
        }
        return out;
    }

    // ---------------------------------------------------------------- TSV manifest

    private static Corpus readManifest(Path manifest, ToDoubleFunction<Path> audioSeconds) {
        List<Problem> problems = new ArrayList<>();
        Path base = manifest.toAbsolutePath().getParent();
        String content = readUtf8(manifest, problems);
        if (content == null) return new Corpus(manifest, "manifest", List.of(), problems);
        String[] lines = content.split("\n", -1);
        // column index of each field; without a header the order is path, transcript, alignment
        Map<String, Integer> column = new HashMap<>(Map.of("path", 0, "transcript", 1, "alignment", 2));
        int first = 0;
        while (first < lines.length && (lines[first].isBlank() || lines[first].startsWith("#"))) first++;
        if (first < lines.length && lines[first].split("\t")[0].strip().equalsIgnoreCase("path")) {
            column.clear();
            String[] names = lines[first].split("\t");
            for (int c = 0; c < names.length; c++) {
                String name = names[c].strip().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "path", "audio", "wav" -> column.put("path", c);
                    case "transcript", "text", "sentence" -> column.put("transcript", c);
                    case "alignment", "textgrid", "ctm" -> column.put("alignment", c);
                    case "speaker", "gender", "age", "split", "accent", "locale" -> column.put(name, c);
                    default -> problems.add(new Problem(manifest.toString(), "line " + (first + 1) + ": column '" + names[c].strip() + "' is not used (known: path, transcript, alignment, speaker, gender, age, split, accent, locale)"));
                }
            }
            first++;
        }
        Map<Path, Ctm.Contents> ctmCache = new HashMap<>();
        List<Utterance> utterances = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (int i = first; i < lines.length; i++) {
            String line = lines[i].replace("\r", "");
            if (line.isBlank() || line.startsWith("#")) continue;
            String where = "line " + (i + 1) + ": ";
            String[] f = line.split("\t", -1);
            String pathField = field(f, column.get("path"));
            if (pathField == null || pathField.isBlank()) {
                problems.add(new Problem(manifest.toString(), where + "no audio path"));
                continue;
            }
            Path audio = base.resolve(pathField.strip()).normalize();
            if (!Files.isRegularFile(audio)) {
                problems.add(new Problem(manifest.toString(), where + "no such audio file " + pathField.strip()));
                continue;
            }
            String rel = base.relativize(audio).toString().replace('\\', '/');
            String id = rel.contains(".") ? rel.substring(0, rel.lastIndexOf('.')) : rel;
            if (!ids.add(id)) {
                problems.add(new Problem(manifest.toString(), where + pathField.strip() + " listed twice; used the first"));
                continue;
            }
            Double duration = duration(audio, audioSeconds, problems);
            if (duration == null) continue;
            String transcript = field(f, column.get("transcript"));
            transcript = transcript == null ? null : transcript.strip().replaceAll("\\s+", " ");
            String alignmentField = field(f, column.get("alignment"));
            Alignment alignment = null;
            if (alignmentField != null && !alignmentField.isBlank()) {
                Path ap = base.resolve(alignmentField.strip()).normalize();
                String lower = ap.getFileName().toString().toLowerCase(Locale.ROOT);
                if (!Files.isRegularFile(ap)) {
                    problems.add(new Problem(manifest.toString(), where + "no such alignment file " + alignmentField.strip()));
                } else if (lower.endsWith(".textgrid")) {
                    alignment = readTextGrid(ap, duration, problems);
                } else if (lower.endsWith(".ctm")) {
                    alignment = alignmentFromCtm(ap, audio, duration, ctmCache, problems);
                } else {
                    problems.add(new Problem(manifest.toString(), where + "alignment " + alignmentField.strip() + " is neither a .TextGrid nor a .ctm"));
                }
            }
            utterances.add(new Utterance(id, audio, 0, duration, transcript,
                    blankToNull(field(f, column.get("speaker"))), Columns.normaliseGender(field(f, column.get("gender"))),
                    blankToNull(field(f, column.get("age"))), alignment, manifest + ":" + (i + 1),
                    blankToNull(field(f, column.get("split"))), manifestExtra(f, column), null));
        }
        return new Corpus(manifest, "manifest", utterances, problems);
    }

    private static Alignment alignmentFromCtm(Path ctm, Path audio, double duration, Map<Path, Ctm.Contents> cache, List<Problem> problems) {
        Ctm.Contents contents;
        try {
            contents = cache.computeIfAbsent(ctm, p -> Ctm.read(p, problems));
        } catch (UserError e) {
            problems.add(new Problem(ctm.toString(), stripFile(e, ctm)));
            return null;
        }
        String name = audio.getFileName().toString();
        String key = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        if (contents.brokenKeys().contains(key)) {
            problems.add(new Problem(ctm.toString(), "utterance " + key + ": not aligned, its CTM lines above could not be read"));
            return null;
        }
        List<Ctm.Entry> entries = contents.byKey().get(key);
        if (entries == null) {
            problems.add(new Problem(ctm.toString(), "no entries for '" + key + "' (the CTM key must be the audio file's name without extension)"));
            return null;
        }
        try {
            return Ctm.toAlignment(ctm.toString(), entries, 0, duration, "words", problems);
        } catch (UserError e) {
            problems.add(new Problem(ctm.toString(), stripFile(e, ctm)));
            return null;
        }
    }

    private static Map<String, String> manifestExtra(String[] f, Map<String, Integer> column) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : new String[] {"accent", "locale"}) {
            String v = blankToNull(field(f, column.get(k)));
            if (v != null) out.put(k, v);
        }
        return out;
    }

    private static String field(String[] fields, Integer index) {
        return index == null || index >= fields.length ? null : fields[index];
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    // ---------------------------------------------------------------- shared

    /**
     * Utterances listed with endSec &lt; 0 (duration not known yet) get their audio header's
     * duration, read in parallel by {@link #durations}; one whose header cannot be read is left
     * out with its problem. Order is kept.
     */
    static List<Utterance> withDurations(List<Utterance> pending, ToDoubleFunction<Path> audioSeconds, List<Problem> problems) {
        List<Path> unknown = new ArrayList<>();
        for (Utterance u : pending) if (u.endSec() < 0) unknown.add(u.audioPath());
        List<Measured> measured = durations(unknown, audioSeconds);
        List<Utterance> out = new ArrayList<>(pending.size());
        int next = 0;
        for (Utterance u : pending) {
            if (u.endSec() >= 0) {
                out.add(u);
                continue;
            }
            Measured m = measured.get(next++);
            if (m.problem() != null) {
                problems.add(m.problem());
                continue;
            }
            out.add(new Utterance(u.id(), u.audioPath(), 0, m.seconds(), u.transcript(), u.speaker(), u.gender(), u.age(), u.alignment(),
                    u.transcriptSource(), u.split(), u.extra(), u.source()));
        }
        return out;
    }

    /** An audio file's duration or, when it has none to give, the problem saying why. */
    record Measured(Double seconds, Problem problem) {}

    /**
     * Durations of many audio files from their headers, eight at a time: reading a header is
     * a wait on the disk, not work for the CPU, so a 100k-clip corpus lists several times faster
     * in parallel. Results are in the order of {@code audio}; a missing file or an unreadable header
     * is a {@link Measured#problem}, worded as {@link #duration} words it.
     */
    static List<Measured> durations(List<Path> audio, ToDoubleFunction<Path> audioSeconds) {
        Measured[] out = new Measured[audio.size()];
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(Math.min(8, Math.max(1, audio.size())));
        // a progress bar for corpora large enough to take a while (Progress is not thread-safe: stepped under its lock)
        try (wavlens.io.Progress bar = audio.size() >= 2000 ? wavlens.io.Progress.start("audio headers", audio.size(), "files") : null) {
            pool.submit(() -> java.util.stream.IntStream.range(0, audio.size()).parallel().forEach(i -> {
                List<Problem> one = new ArrayList<>(1);
                Double d = duration(audio.get(i), audioSeconds, one);
                out[i] = new Measured(d, one.isEmpty() ? null : one.getFirst());
                if (bar != null) {
                    synchronized (bar) {
                        bar.step();
                    }
                }
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while reading audio headers");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdown();
        }
        return java.util.Arrays.asList(out);
    }

    static Double duration(Path audio, ToDoubleFunction<Path> audioSeconds, List<Problem> problems) {
        try {
            double d = audioSeconds.applyAsDouble(audio);
            if (d > 0) return d;
            problems.add(new Problem(audio.toString(), "audio is empty (0 samples)"));
        } catch (UserError e) {
            problems.add(new Problem(audio.toString(), stripFile(e, audio)));
        } catch (UncheckedIOException e) {
            problems.add(new Problem(audio.toString(), "cannot read: " + e.getCause().getMessage()));
        }
        return null;
    }

    private static Alignment readTextGrid(Path file, double audioSec, List<Problem> problems) {
        try {
            Alignment a = TextGrid.read(file, problems);
            String mismatch = a.mismatchWithAudio(audioSec);
            if (mismatch == null) {
                if (a.xmax() < audioSec - Alignment.AUDIO_END_TOLERANCE_SEC) {
                    problems.add(new Problem(file.toString(), String.format(Locale.ROOT,
                            "ends at %.3f s, the audio at %.3f s; the rest counts as silence", a.xmax(), audioSec)));
                }
                return a;
            }
            problems.add(new Problem(file.toString(), mismatch + "; alignment not used"));
        } catch (UserError e) {
            problems.add(new Problem(file.toString(), stripFile(e, file)));
        }
        return null;
    }

    private static String readTranscript(Path file, List<Problem> problems) {
        String text = readUtf8(file, problems);
        return text == null ? null : text.strip().replaceAll("\\s+", " ");
    }

    /** The file as UTF-8 text (a BOM is dropped), or null with a problem. */
    static String readUtf8(Path file, List<Problem> problems) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            problems.add(new Problem(file.toString(), "not valid UTF-8 text"));
        } catch (IOException e) {
            problems.add(new Problem(file.toString(), "cannot read: " + e.getMessage()));
        }
        return null;
    }

    /** The file's first line (BOM dropped, no line end), or null when empty or unreadable. */
    static String firstLine(Path file) {
        try (java.io.BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = r.readLine();
            return line == null ? null : line.startsWith("\uFEFF") ? line.substring(1) : line;
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    /** Lines in a text file (for "N clips not used" notes), -1 when unreadable. */
    static long countLines(Path file) {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.filter(l -> !l.isBlank()).count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    interface LineConsumer {
        /** One line (1-based number, without its line end); false stops reading. */
        boolean accept(int lineNumber, String line);
    }

    /**
     * Streams a UTF-8 text file line by line (a corpus list of any length is never held whole);
     * a BOM is dropped, "\r" at line ends too; invalid UTF-8 or an IO error is one problem naming
     * the file and line, and the lines before it are kept.
     */
    static void forEachLine(Path file, List<Problem> problems, LineConsumer consumer) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        int lineNo = 0;
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), decoder), 1 << 16)) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
                if (!consumer.accept(lineNo, line)) return;
            }
        } catch (CharacterCodingException e) {
            problems.add(new Problem(file.toString(), "line " + (lineNo + 1) + ": not valid UTF-8 text; the rest of the file not read"));
        } catch (IOException e) {
            problems.add(new Problem(file.toString(), "cannot read: " + e.getMessage()));
        }
    }

    /** A UserError's message without its leading "file: ", since a Problem names the file itself. */
    static String stripFile(UserError e, Object file) {
        String prefix = file + ": ";
        String m = e.getMessage();
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
