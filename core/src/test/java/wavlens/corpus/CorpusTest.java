package wavlens.corpus;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.io.UserError;

class CorpusTest {
    static final Path FIXTURES = Path.of("src/test/resources/corpus");

    /** A 16 kHz mono 16-bit PCM WAV (44-byte header) of n samples of a quiet 200 Hz tone. */
    static void wav(Path file, int samples) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * samples).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(16000).putInt(32000)
                .putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(2 * samples);
        for (int i = 0; i < samples; i++) b.putShort((short) (1000 * Math.sin(2 * Math.PI * 200 * i / 16000.0)));
        Files.createDirectories(file.getParent());
        Files.write(file, b.array());
    }

    /** Copies a fixture folder to dir (the WAVs are made by each test). */
    static Path copy(String fixture, Path dir) throws IOException {
        Path from = FIXTURES.resolve(fixture), to = dir.resolve(fixture);
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
        return to;
    }

    static Utterance byId(Corpus c, String id) {
        return c.utterances().stream().filter(u -> u.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no utterance " + id));
    }

    static void assertProblem(Corpus c, Path file, String reasonPart) {
        for (Problem p : c.problems()) {
            if (p.file().equals(file.toString()) && p.reason().contains(reasonPart)) return;
        }
        fail("no problem for " + file + " containing '" + reasonPart + "' in " + c.problems());
    }

    // ------------------------------------------------------------ MFA-style folder

    static Path mfaCorpus(Path dir) throws IOException {
        Path root = copy("mfa", dir);
        wav(root.resolve("spk1/a.wav"), 16000); // 1 s
        wav(root.resolve("spk1/b.wav"), 8000);  // 0.5 s
        wav(root.resolve("spk2/c.wav"), 16000); // 1 s, but c.TextGrid is 2 s long
        wav(root.resolve("spk2/d.wav"), 12000); // 0.75 s, d.TextGrid is damaged
        wav(root.resolve("f.wav"), 4000);       // 0.25 s, no speaker folder, no transcript
        Files.writeString(root.resolve("spk2/broken.wav"), "not audio at all");
        return root;
    }

    @Test
    void mfaFolder(@TempDir Path dir) throws IOException {
        Path root = mfaCorpus(dir);
        Corpus c = Corpus.open(root);
        assertEquals("folder", c.layout());
        assertEquals(List.of("f", "spk1/a", "spk1/b", "spk2/c", "spk2/d"), c.utterances().stream().map(Utterance::id).toList());
        assertEquals(1 + 0.5 + 1 + 0.75 + 0.25, c.totalSeconds(), 1e-12);
        assertEquals(List.of("spk1", "spk2"), c.speakers());

        Utterance a = byId(c, "spk1/a");
        assertEquals("spk1", a.speaker());
        assertEquals("Hyvää huomenta.", a.transcript());
        assertEquals(root.resolve("spk1/a.lab").toString(), a.transcriptSource());
        assertEquals(0.0, a.startSec());
        assertEquals(1.0, a.endSec());
        assertEquals(16000, a.sampleCount(16000));
        assertEquals(List.of("words", "phones"), List.copyOf(a.alignment().tiers().keySet()));
        assertEquals("huomenta", a.alignment().tier("words").items().get(2).text());

        assertNull(byId(c, "spk1/b").alignment());
        assertNotNull(byId(c, "spk1/a").alignment());
        assertNull(byId(c, "f").speaker());
        assertNull(byId(c, "f").transcript());
        assertNull(byId(c, "spk2/c").alignment(), "alignment longer than its audio is not used");
        assertEquals("Kolme 3", byId(c, "spk2/d").transcript(), ".txt is a transcript too");
        assertNull(byId(c, "spk2/d").alignment());

        assertProblem(c, root.resolve("spk2/c.TextGrid"), "tier 'words' interval 1 (\"kiitos\") ends at 1.500 s, beyond the audio (1.000 s); alignment not used");
        assertProblem(c, root.resolve("spk2/d.TextGrid"), "line 17: expected a number (xmax of tier 'words' interval 1 of 1), found the string \"kolme\"");
        assertProblem(c, root.resolve("spk2/e.lab"), "no audio file with the same name");
        assertProblem(c, root.resolve("spk2/broken.wav"), "not an audio file");
        assertEquals(4, c.problems().size(), c.problems().toString());
    }

    /** Corpora are often assembled from links: a linked corpus folder and linked speaker folders read as the real ones. */
    @Test
    void symbolicLinksAreFollowed(@TempDir Path dir) throws IOException {
        Path real = dir.resolve("real");
        wav(real.resolve("anna/a.wav"), 16000);
        Files.writeString(real.resolve("anna/a.lab"), "hei");
        Path assembled = Files.createDirectories(dir.resolve("assembled"));
        Files.createSymbolicLink(assembled.resolve("anna"), real.resolve("anna"));
        Path linkedRoot = Files.createSymbolicLink(dir.resolve("linked"), real);
        for (Path root : List.of(linkedRoot, assembled)) {
            Corpus c = Corpus.open(root);
            assertEquals(List.of("anna/a"), c.utterances().stream().map(Utterance::id).toList(), root + ": " + c.problems());
            assertEquals("anna", c.utterances().getFirst().speaker());
            assertEquals("hei", c.utterances().getFirst().transcript());
        }
    }

    /** Seconds of a PCM WAV from its chunks: data bytes / (rate · block align). */
    static double wavSeconds(Path wav) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
        int rate = 0, blockAlign = 0;
        for (int pos = 12; pos + 8 <= b.limit(); ) {
            String id = new String(b.array(), pos, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            int size = b.getInt(pos + 4);
            if (id.equals("fmt ")) {
                rate = b.getInt(pos + 12);
                blockAlign = b.getShort(pos + 20);
            }
            if (id.equals("data")) return (double) size / blockAlign / rate;
            pos += 8 + size + (size & 1);
        }
        throw new AssertionError("no data chunk in " + wav);
    }

    @Test
    void flacFilesAreUtterancesToo(@TempDir Path dir) throws IOException {
        Path audioFixtures = Path.of("src/test/resources/audio");
        Files.createDirectories(dir.resolve("anna"));
        Files.copy(audioFixtures.resolve("mono16_44k.flac"), dir.resolve("anna/x.flac"));
        Files.writeString(dir.resolve("anna/x.lab"), "hei");
        Corpus c = Corpus.open(dir);
        assertEquals(1, c.utterances().size(), c.problems().toString());
        assertEquals("anna", c.utterances().get(0).speaker());
        // flac --decode of the same file is the reference
        assertEquals(wavSeconds(audioFixtures.resolve("mono16_44k.ref.wav")), c.totalSeconds(), 1e-9);
    }

    // ------------------------------------------------------------ Kaldi

    @Test
    void kaldiFolderWithSegmentsAndUtteranceCtm(@TempDir Path dir) throws IOException {
        Path root = copy("kaldi", dir);
        wav(root.resolve("rec1.wav"), 40000); // 2.5 s
        Corpus c = Corpus.open(root);
        assertEquals("kaldi", c.layout());
        assertEquals(List.of("u1", "u2", "u3"), c.utterances().stream().map(Utterance::id).toList());
        assertEquals(2.5, c.totalSeconds(), 1e-12);

        Utterance u1 = byId(c, "u1");
        assertEquals(root.resolve("rec1.wav").toAbsolutePath().normalize(), u1.audioPath());
        assertEquals("hyvää huomenta", u1.transcript());
        assertEquals("s1", u1.speaker());
        assertEquals("female", u1.gender());
        assertEquals("30", u1.age());
        assertEquals(List.of(new Interval(0, 0.1, ""), new Interval(0.1, 0.5, "hyvää"),
                new Interval(0.5, 0.95, "huomenta"), new Interval(0.95, 1.0, "")), round(u1.alignment().tier("words").items()));

        Utterance u3 = byId(c, "u3");
        assertEquals(2.0, u3.startSec());
        assertEquals(2.5, u3.endSec(), "end -1 means the end of the recording");
        assertEquals(32000, u3.startSample(16000));
        assertEquals(8000, u3.sampleCount(16000));
        assertEquals("female", u3.gender(), "utt2gender wins over spk2gender");
        assertNull(u3.alignment());
        assertNull(byId(c, "u2").alignment(), "a broken CTM line leaves the utterance unaligned");

        Path scp = root.resolve("wav.scp"), seg = root.resolve("segments"), ctm = root.resolve("alignment.ctm");
        assertProblem(c, scp, "line 2: piped command 'sox rec2.flac -t wav -' failed with exit code 2: sox FAIL formats: can't open input file `rec2.flac'");
        assertProblem(c, scp, "line 3: recording rec3: no such file missing.wav");
        assertProblem(c, seg, "line 4: segment u4 left out: recording rec2 cannot be read");
        assertProblem(c, seg, "line 5: segment u5 1.5–1.2 s is empty, negative or beyond the recording");
        assertProblem(c, root.resolve("text"), "utterance u9 has a transcript but no audio (not in segments)");
        assertProblem(c, ctm, "line 5: start '0.40' or duration 'xx' is not a number");
        assertProblem(c, ctm, "utterance u2: not aligned, its CTM lines above could not be read");
        assertProblem(c, ctm, "utterance u3: no entries");
        assertProblem(c, ctm, "entries for 'zz', which is neither an utterance nor a recording");
        assertEquals(9, c.problems().size(), c.problems().toString());
    }

    @Test
    void kaldiCtmPerRecordingIsShiftedToTheSegment(@TempDir Path dir) throws IOException {
        Path root = copy("kaldi", dir);
        wav(root.resolve("rec1.wav"), 40000);
        // convert_ctm.pl style: recording ids and recording times, plus a phone CTM (second tier)
        Files.writeString(root.resolve("alignment.ctm"), "rec1 A 0.10 0.40 hyvää\nrec1 A 1.05 0.30 mitä\nrec1 A 2.10 0.405 kiitos\n");
        Files.writeString(root.resolve("phones.ctm"), "rec1 A 1.05 0.10 m\nrec1 A 1.15 0.10 i\nrec1 A 2.10 0.10 k\n");
        Corpus c = Corpus.open(root);
        Alignment u2 = byId(c, "u2").alignment();
        assertEquals(List.of(new Interval(0, 0.05, ""), new Interval(0.05, 0.35, "mitä"), new Interval(0.35, 1.0, "")),
                round(u2.tier("words").items()));
        assertEquals(List.of(new Interval(0, 0.05, ""), new Interval(0.05, 0.15, "m"), new Interval(0.15, 0.25, "i"), new Interval(0.25, 1.0, "")),
                round(u2.tier("phones").items()));
        // 2.10 + 0.405 = 2.505 s: 5 ms past the recording end is CTM rounding, clipped to 0.5
        assertEquals(List.of(new Interval(0, 0.1, ""), new Interval(0.1, 0.5, "kiitos")), round(byId(c, "u3").alignment().tier("words").items()));
        // u1 has words but no phones: the missing tier is a problem, the words tier stays
        assertEquals(List.of("words"), List.copyOf(byId(c, "u1").alignment().tiers().keySet()));
        assertProblem(c, root.resolve("phones.ctm"), "utterance u1: no entries (neither under its id nor within its segment of recording rec1)");
    }

    @Test
    void ctmTokenFarBeyondTheSegmentIsAProblem(@TempDir Path dir) throws IOException {
        Path root = copy("kaldi", dir);
        wav(root.resolve("rec1.wav"), 40000);
        Files.writeString(root.resolve("alignment.ctm"), "u1 1 0.5 0.8 liian\nu2 1 0 1 ok\nu3 1 0 0.5 ok\n");
        Corpus c = Corpus.open(root);
        assertNull(byId(c, "u1").alignment());
        assertProblem(c, root.resolve("alignment.ctm"), "utterance u1: line 1: 'liian' ends at 1.3 s, beyond the audio (1 s)");
        assertNotNull(byId(c, "u2").alignment());
    }

    /** Rounds times to 1 µs: CTM times shifted by a segment start carry binary rounding. */
    static List<Interval> round(List<Interval> items) {
        return items.stream().map(i -> new Interval(Math.round(i.start() * 1e6) / 1e6, Math.round(i.end() * 1e6) / 1e6, i.text())).toList();
    }

    @Test
    void kaldiWithoutSegmentsUsesRecordingsAsUtterances(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("data/train");
        Files.createDirectories(root);
        wav(dir.resolve("wavs/r1.wav"), 16000);
        // relative to the recipe folder two levels up, as Kaldi recipes write them
        Files.writeString(root.resolve("wav.scp"), "r1 wavs/r1.wav\n");
        Files.writeString(root.resolve("text"), "r1 hei\n");
        Corpus c = Corpus.open(root);
        assertEquals(1, c.utterances().size());
        assertEquals("hei", c.utterances().get(0).transcript());
        assertEquals(dir.resolve("wavs/r1.wav").toAbsolutePath().normalize(), c.utterances().get(0).audioPath());
        assertEquals(List.of(), c.problems());
    }

    // ------------------------------------------------------------ TSV manifest

    @Test
    void manifestWithHeader(@TempDir Path dir) throws IOException {
        Path root = copy("manifest", dir);
        wav(root.resolve("clips/a.wav"), 16000);
        wav(root.resolve("clips/b.wav"), 8000);
        wav(root.resolve("clips/c.wav"), 12000);
        Corpus c = Corpus.open(root);
        assertEquals("manifest", c.layout());
        assertEquals(List.of("clips/a", "clips/b", "clips/c"), c.utterances().stream().map(Utterance::id).toList());
        Utterance a = byId(c, "clips/a");
        assertEquals("Hyvää huomenta", a.transcript());
        assertEquals("anna", a.speaker());
        assertEquals("female", a.gender());
        assertEquals("34", a.age());
        assertEquals(10, a.alignment().tier("phones").items().size());
        Utterance b = byId(c, "clips/b");
        assertEquals("ben", b.speaker());
        assertNull(b.age());
        assertNull(b.alignment());
        assertEquals(List.of(new Interval(0, 0.1, ""), new Interval(0.1, 0.6, "kiitos"), new Interval(0.6, 0.75, "")),
                round(byId(c, "clips/c").alignment().tier("words").items()));
        assertEquals(List.of("anna", "ben"), c.speakers());
        Path m = root.resolve("manifest.tsv");
        assertProblem(c, m, "line 1: column 'notes' is not used");
        assertProblem(c, m, "line 4: no such audio file clips/missing.wav");
        assertProblem(c, m, "line 6: clips/a.wav listed twice; used the first");
        assertEquals(3, c.problems().size(), c.problems().toString());
    }

    @Test
    void alignmentShorterThanItsAudioIsKeptWithAProblem(@TempDir Path dir) throws IOException {
        wav(dir.resolve("a.wav"), 19200); // 1.2 s, the TextGrid covers 1 s
        Files.copy(FIXTURES.resolve("mfa/spk1/a.TextGrid"), dir.resolve("a.TextGrid"));
        Corpus c = Corpus.open(dir);
        assertNotNull(c.utterances().get(0).alignment());
        assertEquals(List.of(new Problem(dir.resolve("a.TextGrid").toString(), "ends at 1.000 s, the audio at 1.200 s; the rest counts as silence")), c.problems());
    }

    @Test
    void manifestWithoutHeaderIsPathTranscriptAlignment(@TempDir Path dir) throws IOException {
        wav(dir.resolve("x.wav"), 1600);
        Path m = dir.resolve("list.tsv");
        Files.writeString(m, "x.wav\tHei maailma\n\n# a comment\nx.wav\n");
        Corpus c = Corpus.open(m);
        assertEquals(1, c.utterances().size());
        assertEquals("manifest", c.layout());
        assertEquals("Hei maailma", c.utterances().get(0).transcript());
        assertEquals(0.1, c.totalSeconds(), 1e-12);
        assertProblem(c, m, "line 4: x.wav listed twice");
    }

    @Test
    void notACorpus(@TempDir Path dir) throws IOException {
        assertEquals(dir.resolve("nope") + ": no such file or folder", assertThrows(UserError.class, () -> Corpus.open(dir.resolve("nope"))).getMessage());
        Path f = dir.resolve("x.json");
        Files.writeString(f, "{}");
        assertTrue(assertThrows(UserError.class, () -> Corpus.open(f)).getMessage().contains("not a corpus"));
        assertEquals(0, Corpus.open(dir).utterances().size()); // an empty folder is an empty corpus
    }
}
