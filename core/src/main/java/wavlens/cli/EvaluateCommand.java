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
import wavlens.analysis.accuracy.AsrScores;
import wavlens.corpus.Corpus;
import wavlens.corpus.LetterTable;
import wavlens.corpus.Utterance;
import wavlens.io.Csv;
import wavlens.io.Json;
import wavlens.io.Progress;
import wavlens.io.UserError;
import wavlens.model.CtcTranscriber;
import wavlens.store.Extractor;
import wavlens.text.Transcripts;

/**
 * A CTC model's greedy transcripts of a corpus scored against its transcripts: CER and WER over
 * all utterances and per speaker, which is how the demo models' quality is measured
 * (models/README.md). The references are spelled in the model's letters first, as fine-tuning
 * spells its targets: NFC, lower case, the letter table's folds, anything else dropped, words
 * separated by one space.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Greedy CTC transcripts of a corpus scored against its transcripts: CER and WER over all and per speaker.")
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "HuggingFace model folder (…ForCTC with vocab.json), or demo:finetuned")
    String model;

    @Option(names = "--corpus", required = true, description = "corpus folder, Kaldi data folder or TSV manifest, with transcripts")
    Path corpus;

    @Option(names = "--split", description = "only utterances of this split (the first folder of a synthesized corpus's ids: dev, test, …)")
    String split;

    @Option(names = "--letters", description = "letter table the references are spelled with (default: the built-in Finnish table)")
    Path letters;

    @Option(names = "--out", description = "also write asr.json, speakers.csv, letter_accuracy.csv and transcripts.csv to this folder")
    Path out;

    @picocli.CommandLine.Mixin
    CorpusColumnOptions columns = new CorpusColumnOptions();

    @Override
    public Integer call() throws Exception {
        return columns.call(this::run);
    }

    private Integer run() {
        LetterTable table = letters == null ? LetterTable.finnish() : LetterTable.read(letters);
        Corpus c = Corpus.open(corpus);
        List<Utterance> chosen = new ArrayList<>();
        int untranscribed = 0;
        for (Utterance u : c.utterances()) {
            if (split != null && !split.equals(Extractor.split(u))) continue;
            if (u.transcript() == null || u.transcript().isBlank()) untranscribed++;
            else chosen.add(u);
        }
        if (!c.problems().isEmpty()) {
            System.err.println("wavlens: " + c.problems().size() + " utterances of " + corpus + " cannot be used and are left out (first: "
                    + c.problems().getFirst() + "; wavlens corpus info lists them all)");
        }
        if (chosen.isEmpty()) {
            throw UserError.inFile(corpus, "has no utterance with a transcript" + (split == null ? "" : " in split " + split) + " to score");
        }

        AsrScores all = new AsrScores();
        Map<String, AsrScores> bySpeaker = new TreeMap<>();
        List<List<?>> transcripts = new ArrayList<>();
        long start = System.nanoTime();
        try (CtcTranscriber t = new CtcTranscriber(ModelPaths.resolve(model), "evaluate");
             Progress bar = Progress.start("evaluate", chosen.size(), "utt")) {
            for (Utterance u : chosen) {
                String hypothesis = t.transcribe(Extractor.load(u, u.sampleCount(t.preprocessor.samplingRate()), t.preprocessor));
                String reference = table.spelled(u.transcript());
                String speaker = u.speaker() == null || u.speaker().isEmpty() ? "(none)" : u.speaker();
                all.add(reference, hypothesis);
                bySpeaker.computeIfAbsent(speaker, s -> new AsrScores()).add(reference, hypothesis);
                transcripts.add(List.of(u.id(), speaker, reference, hypothesis, round(cer(reference, hypothesis))));
                bar.step();
            }
        }

        System.out.printf(Locale.ROOT, "%-28s %6s %8s %7s %7s%n", "speaker", "utt", "chars", "CER %", "WER %");
        List<List<?>> speakerRows = new ArrayList<>();
        Map<String, Object> perSpeaker = new LinkedHashMap<>();
        for (var e : bySpeaker.entrySet()) {
            AsrScores s = e.getValue();
            System.out.printf(Locale.ROOT, "%-28s %6d %8d %7.2f %7.2f%n", e.getKey(), s.utterances(), s.referenceChars(), 100 * s.cer(), 100 * s.wer());
            speakerRows.add(List.of(e.getKey(), s.utterances(), s.referenceChars(), s.characterEdits(), round(s.cer()), s.referenceWords(),
                    s.wordEdits(), round(s.wer())));
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("utterances", s.utterances());
            one.put("cer", round(s.cer()));
            one.put("wer", round(s.wer()));
            perSpeaker.put(e.getKey(), one);
        }
        System.out.printf(Locale.ROOT, "%-28s %6d %8d %7.2f %7.2f%n", "all", all.utterances(), all.referenceChars(), 100 * all.cer(), 100 * all.wer());

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("model", ModelPaths.resolve(model).toString());
        summary.put("corpus", corpus.toString());
        summary.put("split", split == null ? "all" : split);
        summary.put("utterances", all.utterances());
        summary.put("skipped_without_transcript", untranscribed);
        summary.put("problems", c.problems().size());
        summary.put("reference_chars", all.referenceChars());
        summary.put("cer", round(all.cer()));
        summary.put("wer", round(all.wer()));
        summary.put("speakers", perSpeaker);
        summary.put("seconds", round((System.nanoTime() - start) / 1e9));
        if (out != null) { // each file written atomically, its folder made as needed (AtomicFiles)
            Json.write(out.resolve("asr.json"), summary);
            Csv.write(out.resolve("speakers.csv"), List.of("speaker", "utterances", "reference_chars", "char_edits", "cer", "reference_words",
                    "word_edits", "wer"), speakerRows);
            List<List<?>> letterRows = new ArrayList<>();
            for (AsrScores.LetterScore ls : all.letterScores()) {
                letterRows.add(List.of(ls.letter(), ls.hits(), ls.misses(), ls.falseAlarms(), round(ls.precision()), round(ls.recall()),
                        round(ls.f1()), ls.support()));
            }
            Csv.write(out.resolve("letter_accuracy.csv"), List.of("letter", "hits", "misses", "false_alarms", "precision", "recall", "f1", "support"),
                    letterRows);
            Csv.write(out.resolve("transcripts.csv"), List.of("utt", "speaker", "reference", "hypothesis", "cer"), transcripts);
        }
        System.out.println(Json.oneLine(summary));
        return 0;
    }

    /** One utterance's CER as {@link AsrScores} counts it: character edits / reference characters, after their normalisation. */
    static double cer(String reference, String hypothesis) {
        int characters = Transcripts.characters(reference).length;
        return characters == 0 ? Double.NaN : (double) Transcripts.characterEdits(reference, hypothesis) / characters;
    }

    static double round(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 1e6) / 1e6;
    }
}
