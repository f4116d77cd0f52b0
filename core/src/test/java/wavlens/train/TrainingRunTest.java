package wavlens.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.cli.Main;
import wavlens.corpus.LetterTable;
import wavlens.corpus.synth.CorpusSynthesizer;
import wavlens.io.UserError;
import wavlens.model.Wav2Vec2;

/**
 * Fine-tuning and pretraining end to end on a small synthesized corpus with the tiny shared
 * checkpoint: an interrupted run resumed from its checkpoint ends bit for bit where an
 * uninterrupted run ends, the written folder is a model the inference engine reads, and a resume
 * with other settings is refused with a clear message.
 */
class TrainingRunTest {
    static final Path PRETRAINED = Path.of("../../shared/testdata/wav2vec2/base-group");

    @TempDir
    static Path tmp;
    static Path corpus;

    @BeforeAll
    static void corpus() {
        corpus = tmp.resolve("corpus");
        System.setProperty("wavlens.quiet", "true");
        CorpusSynthesizer.run(CorpusSynthesizer.Options.of(corpus, 24, 3).withFestival(false));
    }

    static FineTuning.Options finetune(Path out, long stopAfter, double lr) {
        return FineTuning.Options.builder(PRETRAINED, List.of(corpus.resolve("finetune-train")), out).dev(corpus.resolve("dev")).steps(6)
                .batchSeconds(6).peakLr(lr).warmup(0.2).hold(0.3).freezeEncoderSteps(2).maskTime(0.2f, 3).finalDropout(0.1f).seed(7)
                .evalEvery(3).saveEvery(100).stopAfter(stopAfter).build();
    }

    static List<String> column(Path csv, String name) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        int col = List.of(lines.getFirst().split(",")).indexOf(name);
        List<String> out = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) out.add(l.split(",", -1)[col]);
        return out;
    }

    @Test
    void interruptedFineTuningResumesToTheSameModel() throws Exception {
        Path whole = tmp.resolve("ft-whole"), parts = tmp.resolve("ft-parts");
        FineTuning.Summary a = FineTuning.run(finetune(whole, 0, 1e-3));
        assertTrue(a.complete());
        FineTuning.Summary first = FineTuning.run(finetune(parts, 4, 1e-3));
        assertFalse(first.complete());
        assertTrue(Files.exists(parts.resolve("checkpoint/state.json")));
        assertFalse(Files.exists(parts.resolve("model.safetensors")), "no final model before the run ends");
        try (Wav2Vec2 paused = Wav2Vec2.load(parts.resolve("checkpoint"))) { // the checkpoint is a model folder too
            assertTrue(paused.hasCtcHead());
            assertEquals(CtcVocabulary.of(LetterTable.finnish()).size(), paused.vocabSize());
        }
        FineTuning.Summary second = FineTuning.run(finetune(parts, 0, 1e-3));
        assertTrue(second.complete());

        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")), Files.readAllBytes(parts.resolve("model.safetensors")),
                "resumed run ends with the same tensors, bit for bit");
        assertEquals(column(whole.resolve("training_log.csv"), "loss"), column(parts.resolve("training_log.csv"), "loss"));
        assertEquals(column(whole.resolve("training_log.csv"), "dev_cer"), column(parts.resolve("training_log.csv"), "dev_cer"));
        assertEquals(6, column(whole.resolve("training_log.csv"), "loss").size());

        // the output is a HF CTC model folder the inference engine reads, with the corpus's letters
        try (Wav2Vec2 m = Wav2Vec2.load(whole)) {
            assertTrue(m.hasCtcHead());
            assertEquals(CtcVocabulary.of(LetterTable.finnish()).size(), m.vocabSize());
        }
        for (String f : new String[] {"config.json", "vocab.json", "tokenizer_config.json", "preprocessor_config.json", "training.json"}) {
            assertTrue(Files.exists(whole.resolve(f)), f);
        }
        Path wav;
        try (var files = Files.walk(corpus.resolve("test"))) {
            wav = files.filter(f -> f.toString().endsWith(".wav")).findFirst().orElseThrow();
        }
        assertEquals(0, Main.execute("transcribe", "--model", whole.toString(), wav.toString()), "transcribe reads it");
    }

    /** As {@link #finetune}, with channel masks (a quarter of the channels in spans of 4) and a snapshot every keepEvery steps. */
    static FineTuning.Options channelMasked(Path out, long stopAfter, int keepEvery) {
        return finetune(out, stopAfter, 1e-3).toBuilder().maskFeature(0.25f, 4).keepEvery(keepEvery).build();
    }

    @Test
    void snapshotsAreTheModelAlongTheRunAndChannelMasksTakePart() throws Exception {
        Path kept = tmp.resolve("ft-kept"), paused = tmp.resolve("ft-paused"), plain = tmp.resolve("ft-plain");
        assertTrue(FineTuning.run(channelMasked(kept, 0, 2)).complete());
        assertFalse(FineTuning.run(channelMasked(paused, 4, 0)).complete());   // its checkpoint holds the model after step 4
        try (var names = Files.list(kept.resolve("snapshots"))) {
            assertEquals(List.of("step-000002", "step-000004"), names.map(p -> p.getFileName().toString()).sorted().toList(),
                    "every 2 steps but the last, whose model is the output folder itself");
        }
        try (var snap = wavlens.checkpoint.Weights.open(kept.resolve("snapshots/step-000004"));
             var ckpt = wavlens.checkpoint.Weights.open(paused.resolve("checkpoint"))) {
            assertEquals(ckpt.names(), snap.names());
            for (String n : ckpt.names()) assertArrayEquals(ckpt.floats(n), snap.floats(n), n);
        }
        try (Wav2Vec2 m = Wav2Vec2.load(kept.resolve("snapshots/step-000002"))) {
            assertTrue(m.hasCtcHead());
        }
        assertTrue(Files.readString(kept.resolve("config.json")).contains("\"mask_feature_prob\" : 0.25"));
        assertTrue(Files.readString(kept.resolve("training.json")).contains("\"mask_feature_length\" : 4"));

        FineTuning.run(finetune(plain, 0, 1e-3));
        assertNotEquals(column(plain.resolve("training_log.csv"), "loss"), column(kept.resolve("training_log.csv"), "loss"),
                "channel masks change the losses");
        Path mean = tmp.resolve("ft-kept-mean");
        assertEquals(0, Main.execute("average", "--out", mean.toString(), kept.resolve("snapshots/step-000004").toString(), kept.toString()),
                "a snapshot averages with the run's final model");
    }

    @Test
    void fineTuningAFineTunedModelKeepsItsHead() throws Exception {
        Path first = tmp.resolve("ft-first"), again = tmp.resolve("ft-again");
        FineTuning.run(finetune(first, 0, 1e-3));
        // one step at a negligible rate: the head that comes out is the head that went in, not a fresh random one
        FineTuning.run(FineTuning.Options.builder(first, List.of(corpus.resolve("finetune-train")), again).steps(1).batchSeconds(6).peakLr(1e-12)
                .warmup(0).hold(0).maskTime(0f, 3).dropout(0f).seed(8).evalEvery(3).saveEvery(100).build());
        try (var a = wavlens.checkpoint.Weights.open(first); var b = wavlens.checkpoint.Weights.open(again)) {
            assertArrayEquals(a.floats("lm_head.weight"), b.floats("lm_head.weight"), 1e-6f);
        }
        assertTrue(Files.readString(again.resolve("training.json")).contains("\"kept_ctc_head\" : true"));
    }

    @Test
    void speedAndEqPerturbedFineTuningRunsWithAndWithoutTheFeatureCache() throws Exception {
        for (boolean frozen : new boolean[] {true, false}) {
            Path out = tmp.resolve("ft-speed-" + frozen);
            FineTuning.Summary s = FineTuning.run(FineTuning.Options.builder(PRETRAINED, List.of(corpus.resolve("finetune-train")), out).steps(4)
                    .batchSeconds(6).peakLr(1e-3).warmup(0).hold(0.5).freezeFeatureEncoder(frozen).maskTime(0.1f, 3).seed(9).evalEvery(3)
                    .saveEvery(100).speeds(new double[] {0.9, 1.0, 1.1}).eqDb(6).build());
            assertTrue(s.complete());
            assertTrue(Double.isFinite(s.finalLoss()));
            assertTrue(Files.readString(out.resolve("training.json")).contains("speed_perturbation"));
            assertTrue(Files.readString(out.resolve("training.json")).contains("eq_perturbation_db"));
        }
    }

    @Test
    void resumingWithOtherSettingsIsRefusedByName() {
        Path out = tmp.resolve("ft-changed");
        FineTuning.run(finetune(out, 2, 1e-3));
        UserError e = assertThrows(UserError.class, () -> FineTuning.run(finetune(out, 0, 2e-3)));
        assertTrue(e.getMessage().contains("lr"), e.getMessage());
        assertTrue(e.getMessage().contains("new --out"), e.getMessage());
    }

    @Test
    void severalTrainingCorporaLoadAsOneWithDistinctIds() throws Exception {
        LetterTable table = LetterTable.finnish();
        CtcVocabulary vocab = CtcVocabulary.of(table);
        var cfg = wavlens.model.Wav2Vec2Config.read(PRETRAINED.resolve("config.json"));
        var pre = wavlens.model.Preprocessor.read(PRETRAINED, cfg);
        TrainingData a = TrainingData.load(corpus.resolve("finetune-train"), pre, cfg, vocab, table, 20, 1);
        TrainingData b = TrainingData.load(corpus.resolve("pretraining"), pre, cfg, vocab, table, 20, 1);
        TrainingData both = TrainingData.load(List.of(corpus.resolve("finetune-train"), corpus.resolve("pretraining")), pre, cfg, vocab, table, 20, 1);
        assertEquals(a.items.size() + b.items.size(), both.items.size());
        assertEquals(both.items.size(), both.items.stream().map(TrainingData.Item::id).distinct().count(), "ids stay distinct");
        assertTrue(both.items.getFirst().id().startsWith("finetune-train/"), both.items.getFirst().id());
        assertEquals(a.totalSeconds() + b.totalSeconds(), both.totalSeconds(), 1e-6);

        // the same split of two corpora: the ids take the corpus folder's name too
        Path copy = Files.createDirectories(tmp.resolve("other-corpus")).resolve("finetune-train");
        try (var files = Files.walk(corpus.resolve("finetune-train"))) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(corpus.resolve("finetune-train").relativize(f).toString()));
        }
        TrainingData twice = TrainingData.load(List.of(corpus.resolve("finetune-train"), copy), pre, cfg, vocab, table, 20, 1);
        assertEquals(2 * a.items.size(), twice.items.stream().map(TrainingData.Item::id).distinct().count(), "ids stay distinct");
        assertTrue(twice.items.getLast().id().startsWith("other-corpus/finetune-train/"), twice.items.getLast().id());
    }

    static Pretraining.Options pretrain(Path out, long stopAfter) {
        return Pretraining.Options.builder(corpus.resolve("pretraining"), out).init(PRETRAINED).steps(5).batchSeconds(6).peakLr(1e-3).warmup(0.2)
                .hold(0.2).maskTime(0.5f, 3).negatives(10).crossNegatives(4).featurePenalty(10).seed(11).saveEvery(100).maxSeconds(20)
                .stopAfter(stopAfter).build();
    }

    @Test
    void interruptedPretrainingResumesToTheSameModel() throws Exception {
        Path whole = tmp.resolve("pt-whole"), parts = tmp.resolve("pt-parts");
        Pretraining.Summary a = Pretraining.run(pretrain(whole, 0));
        assertTrue(a.complete());
        assertTrue(Double.isFinite(a.finalLoss()));
        assertFalse(Pretraining.run(pretrain(parts, 2)).complete());
        try (Wav2Vec2 paused = Wav2Vec2.load(parts.resolve("checkpoint"))) { // a model folder while paused
            assertFalse(paused.hasCtcHead());
        }
        assertTrue(Pretraining.run(pretrain(parts, 0)).complete());
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")), Files.readAllBytes(parts.resolve("model.safetensors")));
        assertEquals(column(whole.resolve("training_log.csv"), "loss"), column(parts.resolve("training_log.csv"), "loss"));
        // a Wav2Vec2ForPreTraining folder: the engine reads it and ignores the quantizer
        try (Wav2Vec2 m = Wav2Vec2.load(whole)) {
            assertFalse(m.hasCtcHead());
        }
    }
}
