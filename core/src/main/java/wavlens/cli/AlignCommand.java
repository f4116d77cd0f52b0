package wavlens.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wavlens.corpus.Alignment;
import wavlens.corpus.Corpus;
import wavlens.corpus.CtcForcedAligner;
import wavlens.corpus.LetterTable;
import wavlens.corpus.Problem;
import wavlens.corpus.TextGrid;
import wavlens.corpus.Utterance;
import wavlens.io.AtomicFiles;
import wavlens.io.Json;
import wavlens.io.Progress;
import wavlens.io.UserError;
import wavlens.model.Preprocessor;
import wavlens.model.Vocabulary;
import wavlens.model.Wav2Vec2;

@Command(name = "align", mixinStandardHelpOptions = true, description = {
        "CTC forced alignment with a fine-tuned model: the most probable CTC path that spells each utterance's",
        "transcript. Writes a TextGrid (tiers words, letters) per utterance and OUT/manifest.tsv, so OUT is a corpus."})
public final class AlignCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "fine-tuned …ForCTC model folder, or demo:finetuned")
    String model;

    @Option(names = "--corpus", required = true, description = "corpus with transcripts")
    Path corpus;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Option(names = "--letters", description = "letter table (default: the built-in Finnish one)")
    Path letters;

    @picocli.CommandLine.Mixin
    CorpusColumnOptions columns = new CorpusColumnOptions();

    @Override
    public Integer call() throws Exception {
        return columns.call(this::run);
    }

    private Integer run() {
        Corpus c = Corpus.open(corpus);
        LetterTable table = letters == null ? LetterTable.finnish() : LetterTable.read(letters);
        List<Problem> problems = new ArrayList<>(c.problems());
        StringBuilder manifest = new StringBuilder("path\ttranscript\talignment\tspeaker\tgender\tage\tsplit\n");
        int aligned = 0;
        try (Wav2Vec2 m = Wav2Vec2.load(ModelPaths.resolve(model));
             Progress bar = Progress.start("align", c.utterances().size(), "utterances")) {
            if (!m.hasCtcHead()) throw new UserError(m.directory() + ": forced alignment needs a fine-tuned …ForCTC model (this one has no lm_head)");
            Vocabulary vocab = Vocabulary.read(m.directory(), m.config());
            Preprocessor pre = Preprocessor.read(m.directory(), m.config());
            for (Utterance u : c.utterances()) {
                bar.step();
                if (u.transcript() == null || u.transcript().isBlank()) {
                    problems.add(new Problem(u.audioPath().toString(), "no transcript: not aligned"));
                    continue;
                }
                Map<String, Integer> dropped = new LinkedHashMap<>();
                List<List<String>> words = table.words(u.transcript(), dropped);
                List<String> letterList = new ArrayList<>();
                List<String> wordTexts = new ArrayList<>();
                List<Integer> tokenIds = new ArrayList<>(), letterOfToken = new ArrayList<>();
                List<Integer> wordOf = new ArrayList<>();
                String missing = null;
                for (int w = 0; w < words.size(); w++) {
                    if (w > 0 && vocab.ids().containsKey(vocab.wordDelimiter())) {
                        tokenIds.add(vocab.ids().get(vocab.wordDelimiter()));
                        letterOfToken.add(-1);
                    }
                    wordTexts.add(String.join("", words.get(w)));
                    for (String letter : words.get(w)) {
                        Integer id = vocab.ids().get(letter);
                        if (id == null) {
                            missing = letter;
                            break;
                        }
                        tokenIds.add(id);
                        letterOfToken.add(letterList.size());
                        letterList.add(letter);
                        wordOf.add(w);
                    }
                }
                if (missing != null) {
                    problems.add(new Problem(u.transcriptSource() != null ? u.transcriptSource() : u.audioPath().toString(),
                            "utterance " + u.id() + ": letter '" + missing + "' is not in the model's vocabulary: not aligned"));
                    continue;
                }
                // the utterance's own stretch of audio (a Kaldi segment, a pipe's output, a Parquet cell's bytes)
                float[] slice;
                try {
                    slice = wavlens.store.Extractor.samples(u, u.sampleCount(pre.samplingRate()), pre);
                } catch (UserError e) {
                    problems.add(new Problem(u.audioPath().toString(), e.getMessage() + ": not aligned"));
                    continue;
                }
                if (slice.length < m.config().receptiveFieldSamples()) {
                    problems.add(new Problem(u.audioPath().toString(), "utterance " + u.id() + " is shorter than one frame: not aligned"));
                    continue;
                }
                Wav2Vec2.Output o = m.forward(pre.inputValues(slice), Wav2Vec2.Request.lastOnly(m.config()));
                float[] logp = CtcForcedAligner.logSoftmax(o.logits(), o.frames(), m.vocabSize());
                int[] tokens = tokenIds.stream().mapToInt(Integer::intValue).toArray();
                List<CtcForcedAligner.Span> spans = CtcForcedAligner.align(logp, o.frames(), m.vocabSize(), tokens, vocab.blankId());
                if (spans == null) {
                    problems.add(new Problem(u.audioPath().toString(), "utterance " + u.id() + ": " + o.frames()
                            + " frames are too few for " + tokens.length + " tokens: not aligned"));
                    continue;
                }
                List<CtcForcedAligner.Span> letterSpans = new ArrayList<>();
                for (CtcForcedAligner.Span sp : spans) {
                    int letter = letterOfToken.get(sp.token());
                    if (letter >= 0) letterSpans.add(new CtcForcedAligner.Span(letter, sp.firstFrame(), sp.lastFrame()));
                }
                double duration = slice.length / (double) pre.samplingRate();
                Alignment a = CtcForcedAligner.toAlignment(u.id() + ".TextGrid", letterSpans, letterList,
                        wordOf.stream().mapToInt(Integer::intValue).toArray(), wordTexts, m.config().hopSamples(), pre.samplingRate(), duration);
                Path grid = out.resolve(u.id() + ".TextGrid");
                TextGrid.write(grid, a);
                // a whole audio file is listed as it is; any other utterance's audio is written beside its TextGrid, so the
                // manifest is a corpus of its own (its alignment starts at 0 in that file)
                Path audioOut = u.audioPath().toAbsolutePath();
                boolean wholeFile = u.source() instanceof wavlens.corpus.AudioSource.File && u.startSec() == 0;
                if (!wholeFile) {
                    audioOut = out.resolve(u.id() + ".wav").toAbsolutePath();
                    AtomicFiles.writeBytes(audioOut, pcm16Wav(slice, pre.samplingRate()));
                }
                manifest.append(audioOut).append('\t').append(u.transcript().replace('\t', ' ').replace('\n', ' '))
                        .append('\t').append(grid.toAbsolutePath()).append('\t').append(field(u.speaker())).append('\t').append(field(u.gender()))
                        .append('\t').append(field(u.age())).append('\t').append(field(wavlens.store.Extractor.split(u))).append('\n');
                aligned++;
            }
        }
        AtomicFiles.writeString(out.resolve("manifest.tsv"), manifest.toString());
        List<Map<String, String>> probs = new ArrayList<>();
        for (Problem p : problems) probs.add(Map.of("file", p.file(), "reason", p.reason()));
        Json.write(out.resolve("problems.json"), probs);
        for (Problem p : problems) System.err.println("wavlens: " + p.file() + ": " + p.reason());
        System.out.printf("aligned %d of %d utterances -> %s (manifest.tsv is a corpus; %d problems)%n", aligned, c.utterances().size(), out, problems.size());
        return 0;
    }

    private static String field(String s) {
        return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ');
    }

    /** 16-bit PCM mono WAV (RIFF, fmt, data) of samples in [-1, 1]: x · 32768 rounded, as the readers divide by 32768 (16-bit input comes back exactly). */
    static byte[] pcm16Wav(float[] x, int rate) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + 2 * x.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + 2 * x.length).put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(rate).putInt(2 * rate).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(2 * x.length);
        for (float v : x) b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32768.0))));
        return b.array();
    }
}
