package wavlens.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.cli.Main;
import wavlens.io.Json;
import wavlens.store.FeatureStore;

/**
 * spark extract on local[2] in this JVM against single-machine `wavlens extract` on the same
 * corpus and options: compacted, every file byte for byte; as Parquet, the same rows and vectors;
 * resumed after a cancelled job, the same again; and the faults that must be one line.
 */
class SparkExtractTest {
    static final String MODEL = TestCorpus.MODEL.toString();

    static String[] extractArgs(Path corpus, Path out) {
        return new String[] {"--model", MODEL, "--corpus", corpus.toString(), "--out", out.toString(), "--max-frames", "30", "--seed", "3"};
    }

    static String[] sparkArgs(Path corpus, Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("extract", "--master", "local[2]", "--shard-utterances", "2",
                "--conf", "spark.ui.enabled=false"));
        a.addAll(List.of(extractArgs(corpus, out)));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void compactedIsByteIdenticalToExtractAndParquetHoldsTheSameRows(@TempDir Path tmp) throws Exception {
        Path corpus = TestCorpus.make(tmp.resolve("corpus"), 5);
        Path single = tmp.resolve("single"), sharded = tmp.resolve("sharded"), compact = tmp.resolve("compact");
        List<String> ex = new java.util.ArrayList<>(List.of("extract"));
        ex.addAll(List.of(extractArgs(corpus, single)));
        assertEquals(0, Main.execute(ex.toArray(String[]::new)));
        assertEquals(0, SparkMain.execute(sparkArgs(corpus, sharded, "--parquet")));
        assertEquals(3, Json.read(sharded.resolve("store.json")).path("shards").size(), "6 planned utterances in shards of 2");
        assertEquals(0, Main.execute("store", "compact", sharded.toString(), "--out", compact.toString()));
        Map<String, byte[]> want = TestCorpus.files(single), got = TestCorpus.files(compact);
        assertEquals(want.keySet(), got.keySet());
        for (String f : want.keySet()) assertArrayEquals(want.get(f), got.get(f), f + " differs from wavlens extract's");
        String problems = Files.readString(compact.resolve("problems.csv"));
        assertEquals(1, problems.lines().filter(l -> l.contains("bad/u.flac")).count(), "the garbled FLAC is one problem line:\n" + problems);

        // Parquet, read back by Spark: one row per frame, global rows, the store's labels and vectors
        FeatureStore store = FeatureStore.open(single);
        FeatureStore.Rows frames = store.frames();
        float[] layer3 = frames.layer(3);
        int dim = frames.dim(3);
        SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            Dataset<Row> df = spark.read().parquet(sharded.resolve("parquet/frames").toString()).orderBy("row");
            List<Row> rows = df.collectAsList();
            assertEquals(frames.size(), rows.size());
            String[] utt = frames.strings("utt");
            int[] label = frames.ints("label_id");
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                assertEquals(r, row.<Long>getAs("row"));
                assertEquals(utt[r], row.getAs("utt"));
                assertEquals(label[r], (int) row.<Integer>getAs("label_id"));
                List<Float> v = row.getList(row.fieldIndex("layer_3"));
                for (int d = 0; d < dim; d++) assertEquals(layer3[r * dim + d], v.get(d), "row " + r + " dim " + d);
            }
            assertEquals(store.segments().size(), spark.read().parquet(sharded.resolve("parquet/segments").toString()).count());
        } finally {
            spark.stop();
        }
    }

    @Test
    void aCancelledJobResumesKeepingCommittedShards(@TempDir Path tmp) throws Exception {
        Path corpus = TestCorpus.make(tmp.resolve("corpus"), 5);
        Path whole = tmp.resolve("whole"), resumed = tmp.resolve("resumed");
        assertEquals(0, SparkMain.execute(sparkArgs(corpus, whole)));
        // the command takes this session (getOrCreate); one task slot, cancelled once the first shard is in
        SparkContext spark = context("local[1]");
        spark.addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                spark.cancelAllJobs();
            }
        });
        TestCorpus.Run first = TestCorpus.capture(() -> SparkMain.execute(sparkArgs(corpus, resumed)));
        assertNotEquals(0, first.code(), "the cancelled job fails");
        assertFalse(Json.read(resumed.resolve("store.json")).path("complete").asBoolean());
        long committed;
        try (var s = Files.list(resumed.resolve("shards"))) {
            committed = s.filter(p -> p.getFileName().toString().startsWith("part-")).count();
        }
        assertTrue(committed >= 1 && committed < 3, committed + " shards committed before the cancel");
        Path kept = resumed.resolve("shards/part-00000/frames/layer_3.npy");
        long before = Files.exists(kept) ? Files.getLastModifiedTime(kept).toMillis() : -1;
        assertEquals(0, SparkMain.execute(sparkArgs(corpus, resumed)));
        if (before >= 0) assertEquals(before, Files.getLastModifiedTime(kept).toMillis(), "a committed shard is kept, not recomputed");
        Map<String, byte[]> want = TestCorpus.files(whole), got = TestCorpus.files(resumed);
        assertEquals(want.keySet(), got.keySet());
        for (String f : want.keySet()) assertArrayEquals(want.get(f), got.get(f), f);
        // finished: a third run computes nothing
        TestCorpus.Run again = TestCorpus.capture(() -> SparkMain.execute(sparkArgs(corpus, resumed)));
        assertEquals(0, again.code(), again.err());

        // other parameters over a finished store: refused in one line, replaced with --overwrite
        String[] fewer = {"extract", "--master", "local[2]", "--shard-utterances", "2", "--conf", "spark.ui.enabled=false", "--model", MODEL,
                "--corpus", corpus.toString(), "--out", whole.toString(), "--max-frames", "10", "--seed", "3"};
        TestCorpus.Run other = TestCorpus.capture(() -> SparkMain.execute(fewer));
        assertEquals(2, other.code());
        assertOneLine(other.err(), "--overwrite");
        String[] replace = java.util.Arrays.copyOf(fewer, fewer.length + 1);
        replace[fewer.length] = "--overwrite";
        assertEquals(0, SparkMain.execute(replace));
        assertEquals(10, Json.read(whole.resolve("store.json")).path("parameters").path("max_per_label").asInt());
    }

    @Test
    void unreadableModelAndUnreachableMasterAreOneLineAtOnce(@TempDir Path tmp) throws Exception {
        Path corpus = TestCorpus.make(tmp.resolve("corpus"), 2);
        // on the driver
        TestCorpus.Run noModel = TestCorpus.capture(() -> SparkMain.execute("extract", "--master", "local[2]", "--model", tmp.resolve("nope").toString(),
                "--corpus", corpus.toString(), "--out", tmp.resolve("a").toString()));
        assertEquals(2, noModel.code());
        assertOneLine(noModel.err(), tmp.resolve("nope").toString());
        // a master nobody listens on: one line naming the URL within seconds
        long t0 = System.nanoTime();
        TestCorpus.Run noMaster = TestCorpus.capture(() -> SparkMain.execute("extract", "--master", "spark://127.0.0.1:9", "--model", MODEL,
                "--corpus", corpus.toString(), "--out", tmp.resolve("b").toString()));
        assertEquals(2, noMaster.code());
        assertOneLine(noMaster.err(), "spark://127.0.0.1:9");
        assertTrue((System.nanoTime() - t0) / 1e9 < 20, "at once");
        // readable on the driver, gone when the executors open it
        Path model = tmp.resolve("model");
        copyTree(TestCorpus.MODEL, model);
        Path moved = tmp.resolve("model-moved");
        SparkContext spark = context("local[2]");
        spark.addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                try {
                    Files.move(model, moved);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        TestCorpus.Run lost = TestCorpus.capture(() -> SparkMain.execute("extract", "--master", "local[2]", "--model", model.toString(),
                "--corpus", corpus.toString(), "--out", tmp.resolve("c").toString(), "--shard-utterances", "1"));
        assertEquals(2, lost.code(), lost.err());
        assertOneLine(lost.err(), model.toString());
        assertTrue(lost.err().contains("on executor"), lost.err());
    }

    /** A context for the command to take over (it calls getOrCreate), so the test can listen to its jobs. */
    static SparkContext context(String master) {
        return SparkContext.getOrCreate(new SparkConf().setMaster(master).setAppName("wavlens-test").set("spark.ui.enabled", "false"));
    }

    static void assertOneLine(String err, String mustName) {
        List<String> lines = err.lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING:") && !l.contains("Using Spark's default log4j")
                && !l.contains("NativeCodeLoader")).toList();
        assertEquals(1, lines.size(), "one line, got:\n" + err);
        assertTrue(lines.get(0).startsWith("wavlens: ") && lines.get(0).contains(mustName), lines.get(0));
    }

    static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }
}
