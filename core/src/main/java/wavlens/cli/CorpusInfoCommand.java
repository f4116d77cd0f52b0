package wavlens.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wavlens.corpus.Corpus;
import wavlens.corpus.FrameLabeler;
import wavlens.corpus.Interval;
import wavlens.corpus.LetterTable;
import wavlens.corpus.Problem;
import wavlens.corpus.Tier;
import wavlens.corpus.Utterance;
import wavlens.corpus.Vocabulary;
import wavlens.io.Json;

/**
 * {@code wavlens corpus info DIR}: what a corpus holds and what is wrong with it. Labels are
 * counted from the first of these that some utterance has: a "letters" tier, a "phones" tier
 * (one count per interval), else the transcripts' letters; the output says which.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Summarise a corpus (any layout: MFA-style folder, Kaldi data folder, TSV manifest, Common Voice, LibriSpeech, MLS, FLEURS, Hugging Face Parquet or audiofolder): utterances, audio length, speakers, splits and metadata, labels, problem files.")
public final class CorpusInfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "corpus folder, manifest or Common Voice .tsv, or .parquet shard")
    Path dir;

    @Option(names = "--json", description = "end with one line of JSON")
    boolean json;

    @Option(names = "--letters", paramLabel = "FILE", description = "letter table replacing the built-in Finnish one (format: see finnish-letters.tsv)")
    Path lettersFile;

    @Option(names = "--vocab", paramLabel = "VOCAB_JSON", description = "also report transcript characters missing from this CTC vocabulary (HF vocab.json)")
    Path vocabFile;

    @picocli.CommandLine.Mixin
    CorpusColumnOptions columns = new CorpusColumnOptions();

    @Override
    public Integer call() throws Exception {
        return columns.call(this::run);
    }

    private Integer run() {
        LetterTable table = lettersFile == null ? LetterTable.finnish() : LetterTable.read(lettersFile);
        Corpus corpus = Corpus.open(dir);
        List<Problem> problems = new ArrayList<>(corpus.problems());
        if (vocabFile != null) problems.addAll(Vocabulary.read(vocabFile).check(corpus.utterances(), table));

        // labels: letters tier, else phones tier, else transcript letters
        String source = null;
        Map<String, Long> labels = new TreeMap<>();
        int labelled = 0;
        for (String tierName : new String[] {"letters", "phones"}) {
            for (Utterance u : corpus.utterances()) {
                Tier tier = u.alignment() == null ? null : u.alignment().firstTier(tierName);
                if (tier == null || tier.pointTier()) continue;
                labelled++;
                for (Interval iv : tier.items()) {
                    labels.merge(FrameLabeler.canonical(iv.text(), FrameLabeler.Options.defaults()), 1L, Long::sum);
                }
            }
            if (labelled > 0) {
                source = tierName + " tier";
                break;
            }
        }
        Map<String, Integer> dropped = new TreeMap<>();
        if (source == null) {
            for (Utterance u : corpus.utterances()) {
                if (u.transcript() == null) continue;
                labelled++;
                for (String letter : table.letters(u.transcript(), dropped)) labels.merge(letter, 1L, Long::sum);
            }
            source = labelled > 0 ? "transcript letters (" + table.source() + ")" : "none (no alignments, no transcripts)";
        }
        Map<String, Long> byCount = new LinkedHashMap<>();
        labels.entrySet().stream()
                .sorted((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey()) : Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> byCount.put(e.getKey(), e.getValue()));

        List<String> speakers = corpus.speakers();
        double seconds = corpus.totalSeconds();
        System.out.println("corpus:     " + corpus.root() + " (" + corpus.layout() + " layout)");
        System.out.println("utterances: " + corpus.utterances().size());
        System.out.printf(Locale.ROOT, "audio:      %.3f s (%.2f h)%n", seconds, seconds / 3600);
        System.out.println("speakers:   " + speakers.size() + (speakers.isEmpty() ? "" : " (" + String.join(", ", speakers.subList(0, Math.min(20, speakers.size())))
                + (speakers.size() > 20 ? ", …" : "") + ")"));
        // metadata the layout gives: split, gender, age, accent, locale — counts of utterances per value
        Map<String, Map<String, Long>> metadata = new LinkedHashMap<>();
        for (String field : new String[] {"split", "gender", "age", "accent", "locale"}) {
            Map<String, Long> counts = new TreeMap<>();
            for (Utterance u : corpus.utterances()) {
                String v = switch (field) {
                    case "split" -> u.split() != null ? u.split() : null;
                    case "gender" -> u.gender();
                    case "age" -> u.age();
                    default -> u.extra().get(field);
                };
                if (v != null) counts.merge(v, 1L, Long::sum);
            }
            if (counts.isEmpty()) continue;
            metadata.put(field, counts);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-11s ", field + ":"));
            int shown = 0;
            for (var e : counts.entrySet()) {
                if (shown++ == 12) {
                    line.append(" … (").append(counts.size()).append(" values)");
                    break;
                }
                line.append(shown > 1 ? ", " : "").append(e.getKey()).append(' ').append(e.getValue());
            }
            System.out.println(line);
        }
        System.out.println("labels:     " + byCount.size() + " from " + source + ", " + labelled + " of " + corpus.utterances().size() + " utterances");
        for (var e : byCount.entrySet()) System.out.printf(Locale.ROOT, "  %-8s %d%n", e.getKey(), e.getValue());
        if (!dropped.isEmpty()) System.out.println("dropped from transcripts (not letters): " + LetterTable.describeDropped(dropped));
        System.out.println("problems:   " + problems.size());
        for (Problem p : problems) System.out.println("  " + p);

        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("corpus", corpus.root().toString());
            out.put("layout", corpus.layout());
            out.put("utterances", corpus.utterances().size());
            out.put("audio_seconds", seconds);
            out.put("speakers", speakers.size());
            out.put("speaker_names", speakers);
            out.put("metadata", metadata);
            out.put("label_source", source);
            out.put("labels", byCount);
            out.put("dropped_characters", dropped);
            List<Map<String, String>> problemList = new ArrayList<>();
            for (Problem p : problems) problemList.add(Map.of("file", p.file(), "reason", p.reason()));
            out.put("problems", problemList);
            System.out.println(Json.oneLine(out));
        }
        return 0;
    }
}
