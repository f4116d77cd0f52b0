package wavlens.corpus;

import static org.junit.jupiter.api.Assertions.*;
import static wavlens.corpus.CorpusTest.assertProblem;
import static wavlens.corpus.CorpusTest.byId;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus layouts as people download them, each on a small folder laid out (and headed) as
 * the release ships it: what every utterance's id, split, speaker, transcript, gender, age,
 * accent, locale and duration must be is written here by hand from the fixture, and every bad
 * row is one problem naming the file and line (or row) while the rest is still read.
 * Durations: speech_fi has 31508 samples at 16 kHz (1.96925 s), synthetic 20800 (1.3 s).
 */
class CorpusLayoutsTest {
    static final Path SHARED = Path.of("../../shared/testdata/wav2vec2/ctc-base/inputs");
    static final Path SPEECH = SHARED.resolve("speech_fi.wav"), SYNTHETIC = SHARED.resolve("synthetic.wav");
    static final Path FLAC = CorpusTest.FIXTURES.resolve("speech_fi.flac");
    static final Path MP3 = CorpusTest.FIXTURES.resolve("speech_fi.mp3"), OPUS = CorpusTest.FIXTURES.resolve("speech_fi.opus");
    static final double SPEECH_SEC = 31508 / 16000.0, SYNTHETIC_SEC = 20800 / 16000.0;

    static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
    }

    // ------------------------------------------------------------------ Common Voice

    /** A newer release (sentence_id, sentence_domain, accents, variant; gender male_masculine ...). */
    static Path commonVoice(Path dir) throws Exception {
        Path root = dir.resolve("cv-corpus-20.0-2024-12-06/fi");
        copy(SPEECH, root.resolve("clips/common_voice_fi_1.wav"));
        copy(SYNTHETIC, root.resolve("clips/common_voice_fi_2.wav"));
        copy(FLAC, root.resolve("clips/common_voice_fi_3.flac"));
        copy(SPEECH, root.resolve("clips/common_voice_fi_4.wav"));
        String header = "client_id\tpath\tsentence_id\tsentence\tsentence_domain\tup_votes\tdown_votes\tage\tgender\taccents\tvariant\tlocale\tsegment\n";
        Files.writeString(root.resolve("train.tsv"), header
                + "c0ffee01\tcommon_voice_fi_1.wav\tab12\tHyvää huomenta!\t\t2\t0\ttwenties\tfemale_feminine\tSavo\t\tfi\t\n"
                + "c0ffee02\tcommon_voice_fi_2.wav\tab13\tMitä  kuuluu?\t\t3\t1\tfourties\tmale_masculine\t\t\tfi\t\n");
        Files.writeString(root.resolve("dev.tsv"), header
                + "c0ffee01\tcommon_voice_fi_3.flac\tab14\tKiitos.\t\t2\t0\ttwenties\tfemale_feminine\tSavo\t\tfi\t\n");
        Files.writeString(root.resolve("test.tsv"), header
                + "c0ffee03\tcommon_voice_fi_9.wav\tab15\tPuuttuva.\t\t2\t0\t\t\t\t\tfi\t\n");
        Files.writeString(root.resolve("validated.tsv"), header
                + "c0ffee01\tcommon_voice_fi_1.wav\tab12\tHyvää huomenta!\t\t2\t0\ttwenties\tfemale_feminine\tSavo\t\tfi\t\n"
                + "c0ffee02\tcommon_voice_fi_2.wav\tab13\tMitä  kuuluu?\t\t3\t1\tfourties\tmale_masculine\t\t\tfi\t\n"
                + "c0ffee01\tcommon_voice_fi_3.flac\tab14\tKiitos.\t\t2\t0\ttwenties\tfemale_feminine\tSavo\t\tfi\t\n"
                + "c0ffee04\tcommon_voice_fi_4.wav\tab16\tTerve.\t\t2\t0\tthirties\tdo_not_wish_to_say\t\t\tfi\t\n");
        Files.writeString(root.resolve("other.tsv"), header
                + "c0ffee05\tcommon_voice_fi_5.mp3\tab17\tYksi.\t\t0\t0\t\t\t\t\tfi\t\n"
                + "c0ffee05\tcommon_voice_fi_6.mp3\tab18\tKaksi.\t\t0\t0\t\t\t\t\tfi\t\n");
        Files.writeString(root.resolve("invalidated.tsv"), header
                + "c0ffee06\tcommon_voice_fi_7.mp3\tab19\tKolme.\t\t0\t2\t\t\t\t\tfi\t\n");
        return root;
    }

    @Test
    void commonVoiceReleaseGivesSplitsSpeakersAndNormalisedMetadata(@TempDir Path dir) throws Exception {
        Path root = commonVoice(dir);
        Corpus c = Corpus.open(root);
        assertEquals("commonvoice", c.layout());
        assertEquals(List.of("common_voice_fi_1", "common_voice_fi_2", "common_voice_fi_3", "common_voice_fi_4"),
                c.utterances().stream().map(Utterance::id).toList());
        Utterance u1 = byId(c, "common_voice_fi_1");
        assertEquals("train", u1.split());
        assertEquals("c0ffee01", u1.speaker());
        assertEquals("Hyvää huomenta!", u1.transcript());
        assertEquals("female", u1.gender());
        assertEquals("twenties", u1.age());
        assertEquals(Map.of("accent", "Savo", "locale", "fi"), u1.extra());
        assertEquals(SPEECH_SEC, u1.durationSec(), 1e-9);
        Utterance u2 = byId(c, "common_voice_fi_2");
        assertEquals("Mitä kuuluu?", u2.transcript(), "runs of spaces collapse");
        assertEquals("male", u2.gender());
        assertEquals("fourties", u2.age(), "age as the release bins (and spells) it");
        assertEquals(Map.of("locale", "fi"), u2.extra());
        assertEquals(SYNTHETIC_SEC, u2.durationSec(), 1e-9);
        Utterance u3 = byId(c, "common_voice_fi_3");
        assertEquals("dev", u3.split());
        assertEquals(SPEECH_SEC, u3.durationSec(), 1e-9, "the FLAC clip's header");
        Utterance u4 = byId(c, "common_voice_fi_4");
        assertEquals("validated", u4.split(), "validated but in no split");
        assertEquals("do_not_wish_to_say", u4.gender());
        assertEquals(List.of("c0ffee01", "c0ffee02", "c0ffee04"), c.speakers());

        assertProblem(c, root.resolve("test.tsv"), "line 2: clip common_voice_fi_9.wav not found in " + root.resolve("clips"));
        assertProblem(c, root.resolve("other.tsv"), "2 clips not used (not yet validated)");
        assertProblem(c, root.resolve("invalidated.tsv"), "1 clips not used (voted invalid)");
        assertEquals(3, c.problems().size(), c.problems().toString());
    }

    @Test
    void olderCommonVoiceHeaderAndASingleTsvGivenAlone(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("cv-corpus-5.1-2020-06-22/fi");
        copy(SPEECH, root.resolve("clips/common_voice_fi_1.wav"));
        Files.writeString(root.resolve("test.tsv"), "client_id\tpath\tsentence\tup_votes\tdown_votes\tage\tgender\taccent\tlocale\tsegment\n"
                + "aa11\tcommon_voice_fi_1.wav\tTerve vaan\t2\t0\tsixties\tmale\tother\tfi\t\n");
        Files.writeString(root.resolve("clip_durations.tsv"), "clip\tduration[ms]\ncommon_voice_fi_1.wav\t1969\n");
        Corpus c = Corpus.open(root);
        Utterance u = byId(c, "common_voice_fi_1");
        assertEquals("test", u.split());
        assertEquals("male", u.gender());
        assertEquals("sixties", u.age());
        assertEquals("Terve vaan", u.transcript());
        assertEquals(Map.of("accent", "other", "locale", "fi"), u.extra());
        assertEquals(1.969, u.durationSec(), 1e-12, "clip_durations.tsv (ms) rather than the header");

        Corpus alone = Corpus.open(root.resolve("test.tsv"));
        assertEquals("commonvoice", alone.layout());
        assertEquals("test", byId(alone, "common_voice_fi_1").split());
    }

    @Test
    void givenColumnsOverrideDetectionAndAMissingOneIsNamed(@TempDir Path dir) throws Exception {
        Path root = commonVoice(dir);
        Corpus c = ScopedValue.where(Columns.GIVEN, new Columns("sentence_id", "locale", null, null, null)).call(() -> Corpus.open(root));
        assertEquals("ab12", byId(c, "common_voice_fi_1").transcript());
        assertEquals("fi", byId(c, "common_voice_fi_1").speaker());
        Corpus bad = ScopedValue.where(Columns.GIVEN, new Columns("text_normalised", null, null, null, null)).call(() -> Corpus.open(root));
        assertProblem(bad, root.resolve("train.tsv"), "line 1: --text-column text_normalised is not a column (columns: client_id, path, sentence_id");
        assertNull(byId(bad, "common_voice_fi_1").transcript());
    }

    /** Common Voice as it ships: MP3 clips; a cut clip and a clip that is not audio are each one problem naming it. */
    @Test
    void commonVoiceMp3Clips(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("cv/fi");
        copy(MP3, root.resolve("clips/common_voice_fi_1.mp3"));
        byte[] mp3 = Files.readAllBytes(MP3);
        Files.write(root.resolve("clips/common_voice_fi_2.mp3"), java.util.Arrays.copyOf(mp3, 1500));
        Files.writeString(root.resolve("clips/common_voice_fi_3.mp3"), "<html>403 Forbidden</html>");
        String header = "client_id\tpath\tsentence\tup_votes\tdown_votes\tage\tgender\taccents\tlocale\tsegment\n";
        Files.writeString(root.resolve("train.tsv"), header + "a\tcommon_voice_fi_1.mp3\thyvää huomenta\t2\t0\t\t\t\tfi\t\n"
                + "b\tcommon_voice_fi_2.mp3\tkiitos\t2\t0\t\t\t\tfi\t\n" + "c\tcommon_voice_fi_3.mp3\tterve\t2\t0\t\t\t\tfi\t\n");
        Corpus c = Corpus.open(root);
        Utterance u = byId(c, "common_voice_fi_1");
        // ffmpeg decodes the clip to 32832 samples at 16 kHz (ffmpeg -i speech_fi.mp3 -f s16le -ac 1 - | wc -c → 65664 bytes):
        // duration and decoded length agree with it to within one MPEG-2 layer III frame (576 samples)
        assertEquals(32832 / 16000.0, u.durationSec(), 576 / 16000.0);
        assertEquals(32832, u.readAudio().samples().length, 576);
        Path clips = root.resolve("clips");
        assertTrue(c.problems().stream().anyMatch(p -> p.file().equals(clips.resolve("common_voice_fi_3.mp3").toString())), c.problems().toString());
        // the cut clip: named when listed (its header promises more frames than it has) or when its audio is read
        boolean listed = c.problems().stream().anyMatch(p -> p.file().equals(clips.resolve("common_voice_fi_2.mp3").toString()));
        if (!listed) {
            wavlens.io.UserError e = assertThrows(wavlens.io.UserError.class, () -> byId(c, "common_voice_fi_2").readAudio());
            assertTrue(e.getMessage().startsWith(clips.resolve("common_voice_fi_2.mp3").toString()), e.getMessage());
        }
    }

    /** A bare folder of MP3 clips (Common Voice's clips/ alone) is read as clips without transcripts; a folder of no audio says what it holds. */
    @Test
    void folderOfClipsAndAFolderWithNothingRecognised(@TempDir Path dir) throws Exception {
        Path clips = dir.resolve("clips");
        copy(MP3, clips.resolve("common_voice_fi_1.mp3"));
        copy(OPUS, clips.resolve("common_voice_fi_2.opus"));
        Corpus c = Corpus.open(clips);
        assertEquals("folder", c.layout());
        assertEquals(List.of("common_voice_fi_1", "common_voice_fi_2"), c.utterances().stream().map(Utterance::id).toList());
        assertNull(c.utterances().getFirst().transcript());

        Path other = dir.resolve("downloads");
        Files.createDirectories(other);
        Files.writeString(other.resolve("notes.txt"), "x");
        Files.writeString(other.resolve("talk.mp4"), "x");
        Files.writeString(other.resolve("README.md"), "x");
        Corpus none = Corpus.open(other);
        assertEquals(0, none.utterances().size());
        assertProblem(none, other, "no corpus layout recognised and no audio files (.wav, .flac, .mp3, .ogg, .opus, .webm, .m4a) below it; found .md: 1, .mp4: 1, .txt: 1 files");
        assertEquals(1, none.problems().size());
    }

    // ------------------------------------------------------------------ LibriSpeech, MLS, FLEURS

    @Test
    void libriSpeechSubsetsChaptersAndSpeakerGenders(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("LibriSpeech");
        copy(FLAC, root.resolve("dev-clean/84/121123/84-121123-0000.flac"));
        copy(FLAC, root.resolve("dev-clean/84/121123/84-121123-0001.flac"));
        copy(FLAC, root.resolve("test-other/1688/142285/1688-142285-0000.flac"));
        Files.writeString(root.resolve("dev-clean/84/121123/84-121123.trans.txt"),
                "84-121123-0000 GO DO YOU HEAR\n84-121123-0001 BUT IN LESS THAN FIVE MINUTES\n84-121123-0002 MISSING AUDIO\n");
        Files.writeString(root.resolve("test-other/1688/142285/1688-142285.trans.txt"), "1688-142285-0000 THERE'S IRON THEY SAY\n");
        Files.writeString(root.resolve("SPEAKERS.TXT"), "; Some comments\n;ID  |SEX| SUBSET           |MINUTES| NAME\n"
                + "84   | F | dev-clean        |  8.02 | Christie Nowak\n1688 | M | test-other       |  8.24 | Tim Bulkeley\n");
        Corpus c = Corpus.open(root);
        assertEquals("librispeech", c.layout());
        assertEquals(List.of("dev-clean/84-121123-0000", "dev-clean/84-121123-0001", "test-other/1688-142285-0000"),
                c.utterances().stream().map(Utterance::id).toList());
        Utterance u = byId(c, "dev-clean/84-121123-0001");
        assertEquals("dev-clean", u.split());
        assertEquals("84", u.speaker());
        assertEquals("female", u.gender());
        assertEquals("BUT IN LESS THAN FIVE MINUTES", u.transcript());
        assertEquals(SPEECH_SEC, u.durationSec(), 1e-9);
        assertEquals("male", byId(c, "test-other/1688-142285-0000").gender());
        assertProblem(c, root.resolve("dev-clean/84/121123/84-121123.trans.txt"), "line 3: no audio 84-121123-0002.flac beside it");
        assertEquals(1, c.problems().size(), c.problems().toString());
        // one subset folder alone: split from its name
        Corpus sub = Corpus.open(root.resolve("dev-clean"));
        assertEquals("librispeech", sub.layout());
        assertEquals("dev-clean", byId(sub, "dev-clean/84-121123-0000").split());
    }

    @Test
    void multilingualLibriSpeechTranscriptsAudioTreeAndMetainfo(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("mls_finnish");
        copy(FLAC, root.resolve("test/audio/1234/567/1234_567_000001.flac"));
        copy(OPUS, root.resolve("dev/audio/88/9/88_9_000002.opus"));
        Files.writeString(root.resolve("test/transcripts.txt"), "1234_567_000001\thyvää huomenta\n1234_567_000009\tei ääntä\nbad-id\tx\n");
        Files.writeString(root.resolve("test/segments.txt"), "1234_567_000001\thttp://example.invalid/x.mp3\t1.0\t3.0\n");
        Files.writeString(root.resolve("dev/transcripts.txt"), "88_9_000002\tkiitos\n");
        Files.writeString(root.resolve("metainfo.txt"), "SPEAKER   |   GENDER   | PARTITION  |  MINUTES   |  BOOK ID   |  TITLE  |  CHAPTER\n"
                + "  1234    |     F      |    test    |   10.0     |    567     |  Kirja  |  1\n  88    |     M      |    dev    |   10.0     |    9     |  Kirja  |  1\n");
        Corpus c = Corpus.open(root);
        assertEquals("mls", c.layout());
        assertEquals(List.of("dev/88_9_000002", "test/1234_567_000001"), c.utterances().stream().map(Utterance::id).sorted().toList());
        Utterance u = byId(c, "test/1234_567_000001");
        assertEquals("test", u.split());
        assertEquals("1234", u.speaker());
        assertEquals("female", u.gender());
        assertEquals("hyvää huomenta", u.transcript());
        assertEquals(SPEECH_SEC, u.durationSec(), 1e-9);
        assertEquals("male", byId(c, "dev/88_9_000002").gender());
        assertEquals(SPEECH_SEC, byId(c, "dev/88_9_000002").durationSec(), 1e-3, "the Opus release: granule position less pre-skip");
        assertProblem(c, root.resolve("test/transcripts.txt"), "line 2: no audio 1234_567_000009.flac or .opus in");
        assertProblem(c, root.resolve("test/transcripts.txt"), "line 3: id 'bad-id' is not SPEAKER_BOOK_NUMBER");
        assertEquals(2, c.problems().size(), c.problems().toString());
    }

    @Test
    void fleursTsvsWithoutHeaderAndTheirAudioFolders(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("fi_fi");
        copy(SPEECH, root.resolve("audio/test/10004088536354799741.wav"));
        copy(SYNTHETIC, root.resolve("audio/dev/1234.wav"));
        Files.writeString(root.resolve("test.tsv"),
                "1701\t10004088536354799741.wav\tHyvää huomenta, Suomi!\thyvää huomenta suomi\th y v ä ä | h u o m e n t a\t31508\tFEMALE\n"
                + "1702\tmissing.wav\tEi.\tei\te i\t100\tMALE\n");
        Files.writeString(root.resolve("dev.tsv"), "1703\t1234.wav\tKiitos.\tkiitos\tk i i t o s\t20800\tMALE\n");
        Corpus c = Corpus.open(root);
        assertEquals("fleurs", c.layout());
        Utterance u = byId(c, "test/10004088536354799741");
        assertEquals("test", u.split());
        assertEquals("hyvää huomenta suomi", u.transcript(), "the normalised transcription by default");
        assertEquals("female", u.gender());
        assertNull(u.speaker(), "FLEURS names no speaker");
        assertEquals(SPEECH_SEC, u.durationSec(), 1e-9);
        assertEquals("male", byId(c, "dev/1234").gender());
        assertProblem(c, root.resolve("test.tsv"), "line 2: audio missing.wav not found in " + root.resolve("audio/test"));
        assertEquals(1, c.problems().size(), c.problems().toString());
        Corpus raw = ScopedValue.where(Columns.GIVEN, new Columns("raw_transcription", null, null, null, null)).call(() -> Corpus.open(root));
        assertEquals("Hyvää huomenta, Suomi!", byId(raw, "test/10004088536354799741").transcript());
    }

    // ------------------------------------------------------------------ Hugging Face

    @Test
    void audiofolderCsvWithQuotedFieldsInSplitFolders(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("my_dataset");
        copy(SPEECH, root.resolve("train/a.wav"));
        copy(SYNTHETIC, root.resolve("train/sub/b.wav"));
        copy(FLAC, root.resolve("test/c.flac"));
        Files.writeString(root.resolve("train/metadata.csv"), "file_name,transcription,speaker_id,gender,age\n"
                + "a.wav,\"Hyvää huomenta, sanoi hän \"\"heti\"\"\",s1,F,30\n"
                + "sub/b.wav,kiitos,s2,M,41\n"
                + "gone.wav,ei ole,s3,M,50\n"
                + "a.wav,too,many,fields,here,x\n");
        Files.writeString(root.resolve("test/metadata.jsonl"), "{\"file_name\": \"c.flac\", \"text\": \"terve\", \"speaker_id\": 7, \"gender\": \"female\"}\n{not json\n");
        Corpus c = Corpus.open(root);
        assertEquals("audiofolder", c.layout());
        assertEquals(List.of("test/c", "train/a", "train/sub/b"), c.utterances().stream().map(Utterance::id).toList());
        Utterance a = byId(c, "train/a");
        assertEquals("Hyvää huomenta, sanoi hän \"heti\"", a.transcript());
        assertEquals("train", a.split());
        assertEquals("s1", a.speaker());
        assertEquals("female", a.gender());
        assertEquals("30", a.age());
        Utterance t = byId(c, "test/c");
        assertEquals("test", t.split());
        assertEquals("7", t.speaker(), "a JSON number as text");
        assertEquals(SPEECH_SEC, t.durationSec(), 1e-9);
        assertProblem(c, root.resolve("train/metadata.csv"), "line 4: audio gone.wav not found");
        assertProblem(c, root.resolve("train/metadata.csv"), "line 5: 6 fields, the header has 5");
        assertProblem(c, root.resolve("test/metadata.jsonl"), "line 2: not valid JSON");
        assertEquals(3, c.problems().size(), c.problems().toString());
    }

    @Test
    void parquetShardsWithAudioStructsSnappyZstdAndClassLabels(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("common_voice_fi");
        copy(CorpusTest.FIXTURES.resolve("hf/data/train-00000-of-00001.parquet"), root.resolve("data/train-00000-of-00001.parquet"));
        copy(CorpusTest.FIXTURES.resolve("hf/data/test-00000-of-00001.parquet"), root.resolve("data/test-00000-of-00001.parquet"));
        Corpus c = Corpus.open(root);
        assertEquals("parquet", c.layout());
        assertEquals(List.of("test/fi_3", "train/common_voice_fi_1", "train/common_voice_fi_2"), c.utterances().stream().map(Utterance::id).toList());
        Utterance u1 = byId(c, "train/common_voice_fi_1");
        assertEquals("train", u1.split());
        assertEquals("hyvää huomenta", u1.transcript());
        assertEquals("spk_a", u1.speaker());
        assertEquals("female", u1.gender());
        assertEquals("twenties", u1.age());
        assertEquals(Map.of("accent", "Savo", "locale", "fi"), u1.extra());
        assertEquals(SPEECH_SEC, u1.durationSec(), 1e-9);
        assertEquals(SYNTHETIC_SEC, byId(c, "train/common_voice_fi_2").durationSec(), 1e-9);
        assertEquals("male", byId(c, "train/common_voice_fi_2").gender());
        Utterance t = byId(c, "test/fi_3");
        assertEquals("female", t.gender(), "gender 1 named by the shard's ClassLabel [male, female, other]");
        assertEquals("terve", t.transcript());
        assertTrue(c.problems().isEmpty(), c.problems().toString());
        // the audio is read from the shard's bytes only when asked: the same samples as the WAV they were made from
        float[] fromShard = u1.readAudio().samples();
        float[] fromFile = wavlens.audio.AudioFile.read(SPEECH).samples();
        assertArrayEquals(fromFile, fromShard);
    }

    @Test
    void parquetShardWithoutAudioColumnAndARowWithoutBytesAreNamed(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("bad");
        copy(CorpusTest.FIXTURES.resolve("hf/bad/train-00000-of-00002.parquet"), root.resolve("train-00000-of-00002.parquet"));
        copy(CorpusTest.FIXTURES.resolve("hf/bad/train-00001-of-00002.parquet"), root.resolve("train-00001-of-00002.parquet"));
        Files.writeString(root.resolve("broken-00000-of-00001.parquet"), "not parquet at all");
        // a relative path, as typed: the committed fixtures' folder (ids then name the shard and row)
        Corpus relative = Corpus.open(CorpusTest.FIXTURES.resolve("hf"));
        assertEquals(List.of("train/a", "test/fi_3", "train/common_voice_fi_1", "train/common_voice_fi_2"),
                relative.utterances().stream().map(Utterance::id).toList());
        assertEquals(2, relative.problems().size(), relative.problems().toString());
        Corpus c = Corpus.open(root);
        assertEquals(List.of("train/a"), c.utterances().stream().map(Utterance::id).toList());
        assertEquals("yksi", byId(c, "train/a").transcript());
        assertProblem(c, root.resolve("train-00000-of-00002.parquet"), "no audio column (a struct of bytes and path) among its columns text, speaker_id; its 1 rows not read");
        assertProblem(c, root.resolve("train-00001-of-00002.parquet"), "row 2: no audio bytes in column audio (path b.wav");
        assertProblem(c, root.resolve("broken-00000-of-00001.parquet"), "cannot read as Parquet");
        assertEquals(3, c.problems().size(), c.problems().toString());
    }

    // ------------------------------------------------------------------ Kaldi pipes

    @Test
    void kaldiPipesRunWithATimeLimitAndEveryFailureIsOneLine(@TempDir Path dir) throws Exception {
        Path recipe = dir.resolve("s5");
        Path data = Files.createDirectories(recipe.resolve("data/test"));
        copy(SPEECH, recipe.resolve("audio/rec1.wav"));
        copy(FLAC, recipe.resolve("audio/rec2.flac"));
        // paths in the commands are relative to the recipe folder, where Kaldi runs them
        Files.writeString(data.resolve("wav.scp"), String.join("\n",
                "rec1 sox audio/rec1.wav -t wav - |",
                "rec2 sox audio/rec2.flac -t wav -r 16000 - |",
                "rec3 wavlens-no-such-program -d audio/rec3.flac |",
                "rec4 sox audio/missing.wav -t wav - |",
                "rec5 sleep 30 |", ""));
        Files.writeString(data.resolve("segments"), "u1 rec1 0.0 1.0\nu2 rec1 1.0 -1\nu3 rec2 0 1.5\n");
        Files.writeString(data.resolve("text"), "u1 hyvää\nu2 huomenta\nu3 kiitos\n");
        Files.writeString(data.resolve("utt2spk"), "u1 s1\nu2 s1\nu3 s2\n");
        Files.writeString(data.resolve("spk2gender"), "s1 f\ns2 m\n");
        Files.writeString(data.resolve("reco2dur"), "rec2 1.96925\n");
        String saved = System.getProperty("wavlens.pipeTimeoutSeconds");
        System.setProperty("wavlens.pipeTimeoutSeconds", "2");
        Corpus c;
        long start = System.nanoTime();
        try {
            c = Corpus.open(data);
        } finally {
            if (saved == null) System.clearProperty("wavlens.pipeTimeoutSeconds");
            else System.setProperty("wavlens.pipeTimeoutSeconds", saved);
        }
        assertTrue((System.nanoTime() - start) / 1e9 < 15, "the sleeping pipe was killed at its time limit");
        assertEquals(List.of("u1", "u2", "u3"), c.utterances().stream().map(Utterance::id).toList());
        Utterance u2 = byId(c, "u2");
        assertEquals(1.0, u2.startSec());
        assertEquals(SPEECH_SEC, u2.endSec(), 1e-9, "-1: to the end of the pipe's audio, measured from its output");
        assertEquals("female", u2.gender());
        assertEquals("male", byId(c, "u3").gender());
        Path scp = data.resolve("wav.scp");
        assertProblem(c, scp, "line 3: piped command needs program 'wavlens-no-such-program', which is not installed");
        assertProblem(c, scp, "line 4: piped command 'sox audio/missing.wav -t wav -' failed with exit code 2");
        assertProblem(c, scp, "line 5: piped command 'sleep 30' did not finish within 2 s");
        assertEquals(3, c.problems().size(), c.problems().toString());
        // reading the audio runs the pipe: the segment is the file's samples 16000 ... end
        float[] whole = wavlens.audio.AudioFile.read(SPEECH).samples();
        float[] piped = u2.readAudio().samples();
        assertArrayEquals(whole, piped);
        assertArrayEquals(wavlens.audio.AudioFile.read(FLAC).samples(), byId(c, "u3").readAudio().samples());
    }

    // ------------------------------------------------------------------ streaming

    /** 100 000 rows over three reused clips: listed in seconds, with the heap holding rows, never audio. */
    @Test
    void hundredThousandClipsAreListedFromHeadersInBoundedTimeAndMemory(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("cv/fi");
        String[] clips = {"a.wav", "b.wav", "c.flac"};
        copy(SPEECH, root.resolve("clips/a.wav"));
        copy(SYNTHETIC, root.resolve("clips/b.wav"));
        copy(FLAC, root.resolve("clips/c.flac"));
        // a clip per row, as in a real release: 100k symbolic links to the three files
        int n = 100_000;
        StringBuilder tsv = new StringBuilder("client_id\tpath\tsentence\tup_votes\tdown_votes\tage\tgender\taccents\tlocale\tsegment\n");
        double expected = 0;
        for (int i = 0; i < n; i++) {
            String clip = clips[i % 3];
            String name = "common_voice_fi_" + i + clip.substring(clip.indexOf('.'));
            Files.createSymbolicLink(root.resolve("clips").resolve(name), Path.of(clip));
            tsv.append("spk").append(i % 500).append('\t').append(name).append("\tlause ").append(i).append("\t2\t0\tthirties\t")
                    .append(i % 2 == 0 ? "female_feminine" : "male_masculine").append("\t\tfi\t\n");
            expected += i % 3 == 1 ? SYNTHETIC_SEC : SPEECH_SEC;
        }
        Files.writeString(root.resolve("train.tsv"), tsv);
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long before = rt.totalMemory() - rt.freeMemory();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long start = System.nanoTime(), cpuStart = os.getProcessCpuTime();
        Corpus c = Corpus.open(root);
        double seconds = (System.nanoTime() - start) / 1e9, cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
        System.gc();
        long heapMb = (rt.totalMemory() - rt.freeMemory() - before) >> 20;
        assertEquals(n, c.utterances().size());
        assertEquals(expected, c.totalSeconds(), 1e-6 * expected);
        assertEquals(500, c.speakers().size());
        // CPU time, not wall time, is bounded: the test machines are shared (wall time is printed)
        assertTrue(cpu < 30, "listing took " + cpu + " s of CPU");
        // 100k rows of metadata (id, path, transcript, speaker, ...) ≈ 100 MB at most; 100k clips' audio would be 6 GB
        assertTrue(heapMb < 200, "the listing holds " + heapMb + " MB");
        System.out.printf("100k-clip Common Voice listing: %.2f s (%.2f s CPU), %d MB retained%n", seconds, cpu, heapMb);
    }
}
