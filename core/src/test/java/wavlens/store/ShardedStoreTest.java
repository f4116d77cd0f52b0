package wavlens.store;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.cli.Main;
import wavlens.corpus.Corpus;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;
import wavlens.model.Wav2Vec2;

/**
 * A sharded store (the driver and worker halves that `wavlens spark extract` distributes, run here
 * one shard after another in this JVM) against single-machine `wavlens extract` on the same corpus:
 * read as it is, it gives the same rows, labels and layers; compacted, the same files byte for byte.
 * (The Spark module's tests run the same halves on Spark.)
 */
class ShardedStoreTest {
    static final Path CASE = ExtractorTest.CASE;

    /**
     * Speakers s1, s2, s4, s5 saying speech_fi.wav with ExtractorTest's TextGrid; s3's WAV is truncated
     * (a planning problem: its alignment runs past the audio); s6's FLAC has an intact header but
     * garbled frames, so it fails only when a worker decodes it.
     */
    static Path corpus(Path dir) throws Exception {
        ExtractorTest.corpus(dir, true);
        for (String spk : new String[] {"s4", "s5"}) {
            Path d = Files.createDirectories(dir.resolve(spk));
            Files.copy(dir.resolve("s1/u.wav"), d.resolve("u.wav"));
            Files.copy(dir.resolve("s1/u.TextGrid"), d.resolve("u.TextGrid"));
            Files.copy(dir.resolve("s1/u.lab"), d.resolve("u.lab"));
        }
        Path d = Files.createDirectories(dir.resolve("s6"));
        byte[] flac = Files.readAllBytes(Path.of("src/test/resources/audio/wasted16_16k.flac"));
        for (int i = 200; i < flac.length; i++) flac[i] = (byte) (i * 31 + 7);   // frames garbled, STREAMINFO kept
        Files.write(d.resolve("u.flac"), flac);
        double end = wavlens.audio.AudioFile.durationSeconds(d.resolve("u.flac"));
        wavlens.corpus.Tier letters = new wavlens.corpus.Tier("letters", false, 0, end, List.of(new wavlens.corpus.Interval(0, end, "a")));
        wavlens.corpus.TextGrid.write(d.resolve("u.TextGrid"), new wavlens.corpus.Alignment("u.TextGrid", 0, end, Map.of("letters", letters)));
        return dir;
    }

    static Extractor.Options options(Path corpus, Path out) {
        return ExtractorTest.options(corpus, out, 20, 0);
    }

    /** The sharded extraction with the shards written in this JVM, one after another. */
    static ShardedStore.Result sharded(Wav2Vec2 m, Path corpus, Path out, int shardUtterances, int stopAfter) {
        Extractor.Options o = options(corpus, out);
        Corpus c = Corpus.open(corpus);
        return ShardedStore.extract(o, m, shardUtterances, pending -> {
            int n = 0;
            for (ShardedStore.PendingShard s : pending) {
                if (n++ == stopAfter) throw new IllegalStateException("stopped on purpose");
                ShardedStore.writeShard(o, m, c, s, "attempt-0");
            }
        });
    }

    static Map<String, byte[]> files(Path root) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (var s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(f).toString(), Files.readAllBytes(f));
        }
        return out;
    }

    @Test
    void shardedReadsAsTheSingleStoreAndCompactsToItByteForByte(@TempDir Path tmp) throws Exception {
        Path corpus = corpus(tmp.resolve("corpus"));
        Path single = tmp.resolve("single"), shards = tmp.resolve("sharded"), compact = tmp.resolve("compact");
        try (Wav2Vec2 m = Wav2Vec2.load(CASE)) {
            new Extractor(options(corpus, single)).run(m);
            ShardedStore.Result r = sharded(m, corpus, shards, 2, -1);
            assertEquals(5, r.utterances());
            assertEquals(3, r.shards(), "5 planned utterances in runs of 2");
        }
        FeatureStore a = FeatureStore.open(single), b = FeatureStore.open(shards);
        assertTrue(b.sharded());
        assertEquals(3, b.shardRoots().size());
        assertEquals(a.labels(), b.labels());
        assertArrayEquals(a.frames().strings("row"), b.frames().strings("row"), "rows renumbered globally");
        assertArrayEquals(a.frames().ints("label_id"), b.frames().ints("label_id"));
        assertArrayEquals(a.frames().strings("utt"), b.frames().strings("utt"));
        assertArrayEquals(a.segments().ints("label_id"), b.segments().ints("label_id"));
        assertArrayEquals(a.frames().layer(3), b.frames().layer(3));
        assertArrayEquals(a.segments().layer(-1), b.segments().layer(-1));
        assertEquals(a.utterances(), b.utterances());
        assertEquals(a.problems(), b.problems());
        assertTrue(b.problems().toString().contains("s3"), "the truncated audio is a problem line: " + b.problems());
        List<List<String>> problems = b.problems();
        assertEquals(1, problems.stream().filter(p -> p.get(0).endsWith("s6/u.flac")).count(), "the garbled FLAC is one problem line: " + problems);
        assertEquals(List.of("skipped"), b.utterances().stream().filter(u -> u.get(0).startsWith("s6")).map(u -> u.get(11)).toList(), "s6 is listed as skipped");
        // streaming access: each shard's layer file and row count, adding up to the whole
        List<FeatureStore.LayerPart> parts = b.frames().layerParts(3);
        assertEquals(3, parts.size());
        assertEquals(a.frames().size(), parts.stream().mapToInt(FeatureStore.LayerPart::rows).sum());
        // commands that take a matrix file read the sharded store's layer by its single-file name
        assertArrayEquals(Npy.read(single.resolve("frames/layer_3.npy")).asFloats(), FeatureStore.readMatrix(shards.resolve("frames/layer_3.npy")).asFloats());

        assertEquals(0, Main.execute("store", "compact", shards.toString(), "--out", compact.toString()));
        Map<String, byte[]> want = files(single), got = files(compact);
        assertEquals(want.keySet(), got.keySet());
        for (String f : want.keySet()) assertArrayEquals(want.get(f), got.get(f), f + " differs");
    }

    @Test
    void halfFinishedJobResumesKeepingCommittedShards(@TempDir Path tmp) throws Exception {
        Path corpus = corpus(tmp.resolve("corpus"));
        Path whole = tmp.resolve("whole"), resumed = tmp.resolve("resumed");
        try (Wav2Vec2 m = Wav2Vec2.load(CASE)) {
            sharded(m, corpus, whole, 2, -1);
            assertThrows(IllegalStateException.class, () -> sharded(m, corpus, resumed, 2, 2));   // dies before the third shard
            assertFalse(JsonComplete(resumed));
            assertThrows(UserError.class, () -> FeatureStore.open(resumed), "an unfinished store is refused");
            long before = Files.getLastModifiedTime(ShardedStore.shard(resumed, 0).resolve("frames/layer_3.npy")).toMillis();
            ShardedStore.Result r = sharded(m, corpus, resumed, 2, -1);
            assertEquals(1, r.shardsWritten());
            assertEquals(2, r.shardsResumed());
            assertEquals(before, Files.getLastModifiedTime(ShardedStore.shard(resumed, 0).resolve("frames/layer_3.npy")).toMillis(), "kept, not rewritten");
            ShardedStore.Result again = sharded(m, corpus, resumed, 2, 0);   // finished: nothing runs (the runner would throw)
            assertTrue(again.alreadyComplete());
            assertThrows(UserError.class, () -> sharded(m, corpus, resumed, 3, -1), "another shard size is refused");
        }
        assertEquals(files(whole).keySet(), files(resumed).keySet());
        for (var e : files(whole).entrySet()) assertArrayEquals(e.getValue(), files(resumed).get(e.getKey()), e.getKey());
    }

    @Test
    void aSecondAttemptOfACommittedShardIsDiscarded(@TempDir Path tmp) throws Exception {
        Path corpus = corpus(tmp.resolve("corpus"));
        Path out = tmp.resolve("store");
        try (Wav2Vec2 m = Wav2Vec2.load(CASE)) {
            Extractor.Options o = options(corpus, out);
            Corpus c = Corpus.open(corpus);
            List<ShardedStore.PendingShard> seen = new ArrayList<>();
            ShardedStore.extract(o, m, 2, pending -> {
                seen.addAll(pending);
                for (ShardedStore.PendingShard s : pending) ShardedStore.writeShard(o, m, c, s, "attempt-0");
            });
            Map<String, byte[]> before = files(out);
            // a speculative duplicate of shard 1 finishing late: its rename fails, its folder is removed
            Path late = ShardedStore.attempt(out, 1, "attempt-1");
            new Extractor(new Extractor.Options(CASE, corpus, late, "all", 20, Extractor.Pool.BOTH, false, null, 7, false, false, false, 0, null, null))
                    .extractShard(m, c, seen.get(1).spec());
            assertFalse(ShardedStore.commitShard(late, ShardedStore.shard(out, 1)));
            assertFalse(Files.exists(late));
            Map<String, byte[]> after = files(out);
            assertEquals(before.keySet(), after.keySet());
            for (String f : before.keySet()) assertArrayEquals(before.get(f), after.get(f), f);
        }
        JsonNode json = Json.read(out.resolve("store.json"));
        assertEquals("sharded", json.path("layout").asText());
        assertEquals(List.of("shards/part-00000", "shards/part-00001", "shards/part-00002"),
                List.of(json.path("shards").get(0).asText(), json.path("shards").get(1).asText(), json.path("shards").get(2).asText()));
    }

    private static boolean JsonComplete(Path store) {
        return Json.read(store.resolve("store.json")).path("complete").asBoolean(false);
    }
}
