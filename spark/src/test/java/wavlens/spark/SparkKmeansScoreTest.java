package wavlens.spark;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wavlens.corpus.Alignment;
import wavlens.corpus.Interval;
import wavlens.corpus.TextGrid;
import wavlens.corpus.Tier;
import wavlens.io.Json;
import wavlens.io.Npy;

/**
 * spark kmeans and spark score on local[2] against the single-machine commands on the same
 * store: `wavlens extract` makes it (the tiny ctc-base checkpoint over a hand-aligned corpus),
 * then `wavlens kmeans` / `wavlens score` and their Spark twins run on it.
 */
class SparkKmeansScoreTest {
    static final Path CASE = Path.of("../../shared/testdata/wav2vec2/ctc-base");
    static SparkSession spark;
    @TempDir static Path tmp;
    static Path store;

    @BeforeAll
    static void startSparkAndExtract() throws Exception {
        System.setProperty("wavlens.quiet", "true");
        spark = SparkSession.builder().master("local[2]").appName("wavlens-test").config("spark.ui.enabled", "false").getOrCreate();
        // Four speakers: speech_fi.wav and synthetic.wav, each labelled a | b | c | silence by hand.
        Path corpus = tmp.resolve("corpus");
        int s = 0;
        for (String wav : new String[] {"speech_fi.wav", "synthetic.wav", "speech_fi.wav", "synthetic.wav"}) {
            Path d = Files.createDirectories(corpus.resolve("s" + s++));
            Files.copy(CASE.resolve("inputs").resolve(wav), d.resolve("u.wav"));
            double end = wavlens.audio.AudioFile.read(d.resolve("u.wav")).durationSeconds();
            double third = end / 4;
            Tier letters = new Tier("letters", false, 0, end, List.of(new Interval(0, third, "a"), new Interval(third, 2 * third, "b"),
                    new Interval(2 * third, 3 * third, "c"), new Interval(3 * third, end, "")));
            TextGrid.write(d.resolve("u.TextGrid"), new Alignment("u.TextGrid", 0, end, Map.of("letters", letters)));
            Files.writeString(d.resolve("u.lab"), "abc");
        }
        store = tmp.resolve("store");
        assertEquals(0, wavlens.cli.Main.execute("extract", "--model", CASE.toString(), "--corpus", corpus.toString(), "--out", store.toString(), "--layers", "0,2"));
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) spark.stop();
    }

    /** Runs a command line (core or spark) and returns what it printed; fails on a non-zero exit. */
    static String run(boolean sparkCli, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = sparkCli ? SparkMain.execute(args) : wavlens.cli.Main.execute(args);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, String.join(" ", args) + "\n" + out);
        return out;
    }

    static JsonNode lastLine(String out) throws Exception {
        List<String> lines = out.lines().toList();
        return Json.MAPPER.readTree(lines.get(lines.size() - 1));
    }

    @Test
    void withEveryRowInTheSeedSampleItIsCoresClustering() throws Exception {
        for (boolean spherical : new boolean[] {false, true}) {
            String sph = spherical ? "--spherical" : "";
            Path core = tmp.resolve("core-" + spherical), all = tmp.resolve("spark-all-" + spherical);
            List<String> common = List.of("--k", "6", "--seed", "3", "--tol", "0");
            run(false, args("kmeans", "--input", store.resolve("frames/layer_2.npy").toString(), "--out", core.toString(), sph, common));
            run(true, args("kmeans", "--master", "local[2]", "--store", store.toString(), "--layer", "2", "--out", all.toString(),
                    "--rows-per-partition", "70", sph, common));
            JsonNode c = Json.read(core.resolve("summary.json")), a = Json.read(all.resolve("summary.json"));
            assertTrue(a.get("partitions").asInt() >= 4, "several partitions: " + a);
            assertEquals(c.get("n").asInt(), a.get("n").asInt());
            // All rows in the sample: core's seeding exactly, the same Lloyd steps; only the order of the sums differs.
            assertEquals(c.get("inertia").asDouble(), a.get("inertia").asDouble(), 1e-6 * c.get("inertia").asDouble(), "spherical " + spherical);
            assertEquals(c.get("iterations").asInt(), a.get("iterations").asInt());
            assertArrayEquals(Npy.read(core.resolve("assignments.npy")).asLongs(), Npy.read(all.resolve("assignments.npy")).asLongs());
            float[] cc = Npy.read(core.resolve("centroids.npy")).asFloats(), ac = Npy.read(all.resolve("centroids.npy")).asFloats();
            for (int i = 0; i < cc.length; i++) assertEquals(cc[i], ac[i], 1e-5 * (1 + Math.abs(cc[i])));
        }
    }

    /**
     * Clustered data that fits one machine (4000 × 16, 8 overlapping Gaussian clusters, through
     * `wavlens store import`): seeded from a sample of 400 rows, the inertia is within 1 % of
     * `wavlens kmeans` (greedy k-means++ on all rows) with the same k.
     */
    @Test
    void seededFromASampleTheInertiaIsWithinOnePercentOfCore() throws Exception {
        Path data = tmp.resolve("gauss");
        GaussianClusters.write(data, 4000, 16, 8, 1.0, 11);
        Path gaussStore = tmp.resolve("gauss-store");
        run(false, "store", "import", "--rows", data.resolve("rows.csv").toString(), "--layer", "0=" + data.resolve("X.npy"), "--out", gaussStore.toString());
        for (boolean spherical : new boolean[] {false, true}) {
            String sph = spherical ? "--spherical" : "";
            Path core = tmp.resolve("gauss-core-" + spherical), sampled = tmp.resolve("gauss-spark-" + spherical);
            run(false, args("kmeans", "--input", data.resolve("X.npy").toString(), "--k", "8", "--out", core.toString(), sph));
            run(true, args("kmeans", "--master", "local[2]", "--store", gaussStore.toString(), "--layer", "0", "--k", "8",
                    "--seed-sample", "400", "--out", sampled.toString(), sph));
            JsonNode c = Json.read(core.resolve("summary.json")), p = Json.read(sampled.resolve("summary.json"));
            assertEquals(400, p.get("seed_sample").asInt());
            double rel = Math.abs(p.get("inertia").asDouble() - c.get("inertia").asDouble()) / c.get("inertia").asDouble();
            assertTrue(rel < 0.01, "spherical " + spherical + ": spark " + p.get("inertia") + " vs core " + c.get("inertia"));
            assertEquals(4000, Npy.read(sampled.resolve("assignments.npy")).size());
        }
    }

    /**
     * Three distinct values among ten rows and k = 4: k-means++ must repeat a centre, a cluster
     * comes out empty and takes the farthest point (lowest row on a tie), as core does; every row
     * then sits on a centre, so the inertia is exactly 0.
     */
    @Test
    void anEmptyClusterIsReseededAsCoreReseedsIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dups"));
        float[] x = {5, 5, 5, 0, 0, 9, 9, 9, 9, 0};
        Npy.writeFloats(dir.resolve("x.npy"), x, 10, 1);
        StringBuilder rows = new StringBuilder("utt,label\n");
        for (float v : x) rows.append("u,").append(v == 0 ? "a" : v == 5 ? "b" : "c").append('\n');
        Files.writeString(dir.resolve("rows.csv"), rows);
        Path dupStore = dir.resolve("store"), core = dir.resolve("core"), distributed = dir.resolve("spark");
        run(false, "store", "import", "--rows", dir.resolve("rows.csv").toString(), "--layer", "0=" + dir.resolve("x.npy"), "--out", dupStore.toString());
        run(false, "kmeans", "--input", dir.resolve("x.npy").toString(), "--k", "4", "--tol", "0", "--out", core.toString());
        run(true, "kmeans", "--master", "local[2]", "--store", dupStore.toString(), "--layer", "0", "--k", "4", "--tol", "0",
                "--rows-per-partition", "3", "--out", distributed.toString());
        assertEquals(0.0, Json.read(distributed.resolve("summary.json")).get("inertia").asDouble(), 0.0);
        assertEquals(0.0, Json.read(core.resolve("summary.json")).get("inertia").asDouble(), 0.0);
        assertArrayEquals(Npy.read(core.resolve("assignments.npy")).asLongs(), Npy.read(distributed.resolve("assignments.npy")).asLongs());
        float[] centres = Npy.read(distributed.resolve("centroids.npy")).asFloats();
        assertArrayEquals(Npy.read(core.resolve("centroids.npy")).asFloats(), centres);
        java.util.Set<Float> values = new java.util.HashSet<>();
        for (float c : centres) values.add(c);
        assertEquals(java.util.Set.of(0f, 5f, 9f), values);
    }

    /** The bench at a tiny size, MLlib left out: its many small jobs took two minutes here even at 600 rows (the full bench runs it). */
    @Test
    void benchRunsAtATinyScale() throws Exception {
        JsonNode r = lastLine(run(true, "bench", "kmeans", "--master", "local[2]", "--rows", "600", "--dim", "8", "--k", "4", "--iterations", "3", "--skip-mllib", "--json"));
        assertFalse(r.has("mllib_fit_seconds"));
        for (String m : new String[] {"core", "spark"}) {
            assertTrue(r.get(m + "_fit_seconds").asDouble() > 0, m);
            assertTrue(r.get(m + "_peak_heap_mb").asDouble() > 0, m);
            assertTrue(r.get(m + "_iterations").asInt() >= 1 && r.get(m + "_iterations").asInt() <= 3, m);
        }
        // Four clusters: both find them, so the inertias agree closely.
        assertEquals(1.0, r.get("spark_inertia_vs_core").asDouble(), 0.02);
    }

    @Test
    void sparkScorePrintsWhatScorePrintsForTheSameStoreAndClusters() throws Exception {
        Path km = tmp.resolve("for-score");
        run(true, "kmeans", "--master", "local[2]", "--store", store.toString(), "--layer", "0", "--k", "5", "--out", km.toString(), "--rows-per-partition", "100");
        String core = run(false, "score", "--clusters", km.resolve("assignments.npy").toString(), "--labels", store.resolve("frames/rows.csv").toString(), "--per-label");
        String distributed = run(true, "score", "--master", "local[2]", "--store", store.toString(), "--clusters", km.toString(), "--per-label");
        JsonNode a = lastLine(core), b = lastLine(distributed);
        assertEquals(a.size(), b.size());
        for (var it = a.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            assertEquals(a.get(key).asDouble(), b.get(key).asDouble(), 1e-9, key);
        }
        assertEquals(core, distributed);   // the per-label lines (with the store's names) too
        assertTrue(core.contains("\tb\n"), core);
    }

    /**
     * A sharded store (the extractor's driver and worker halves that spark extract distributes, run
     * here shard after shard, one utterance each) and its `wavlens store compact`: spark kmeans
     * clusters both the same way, and spark score on the shards prints what wavlens score prints on
     * the compacted store.
     */
    @Test
    void aShardedStoreClustersAndScoresAsItsCompactedStore() throws Exception {
        Path sharded = tmp.resolve("sharded"), compact = tmp.resolve("compact");
        wavlens.store.Extractor.Options o = new wavlens.store.Extractor.Options(CASE, tmp.resolve("corpus"), sharded, "0,2", 0,
                wavlens.store.Extractor.Pool.BOTH, false, null, 7, false, false, false, 0, null, null);
        try (wavlens.model.Wav2Vec2 m = wavlens.model.Wav2Vec2.load(CASE)) {
            wavlens.corpus.Corpus c = wavlens.corpus.Corpus.open(tmp.resolve("corpus"));
            wavlens.store.ShardedStore.extract(o, m, 1, pending -> {
                for (wavlens.store.ShardedStore.PendingShard p : pending) wavlens.store.ShardedStore.writeShard(o, m, c, p, "attempt-0");
            });
        }
        assertEquals(4, Json.read(sharded.resolve("store.json")).get("shards").size());
        run(false, "store", "compact", sharded.toString(), "--out", compact.toString());
        Path a = tmp.resolve("km-sharded"), b = tmp.resolve("km-compact");
        for (Path[] io : new Path[][] {{sharded, a}, {compact, b}}) {
            run(true, "kmeans", "--master", "local[2]", "--store", io[0].toString(), "--layer", "2", "--k", "5", "--seed-sample", "100",
                    "--rows-per-partition", "50", "--out", io[1].toString());
        }
        assertTrue(Json.read(a.resolve("summary.json")).get("partitions").asInt() >= 8, "a slice never spans two shards");
        double inertia = Json.read(b.resolve("summary.json")).get("inertia").asDouble();
        assertEquals(inertia, Json.read(a.resolve("summary.json")).get("inertia").asDouble(), 1e-9 * inertia);   // other slices: only the order of the sums differs
        assertArrayEquals(Npy.read(b.resolve("assignments.npy")).asLongs(), Npy.read(a.resolve("assignments.npy")).asLongs());
        String core = run(false, "score", "--clusters", a.resolve("assignments.npy").toString(), "--labels", compact.resolve("frames/rows.csv").toString(), "--per-label");
        String distributed = run(true, "score", "--master", "local[2]", "--store", sharded.toString(), "--clusters", a.toString(), "--per-label");
        assertEquals(core, distributed);
    }

    @Test
    void badInputIsOneLineNamingTheProblem() throws Exception {
        Path out = tmp.resolve("bad");
        assertError("has no layer 7", "kmeans", "--master", "local[2]", "--store", store.toString(), "--layer", "7", "--k", "2", "--out", out.toString());
        assertError("is more than the number of rows", "kmeans", "--master", "local[2]", "--store", store.toString(), "--layer", "2", "--k", "100000", "--out", out.toString());
        Path shortIds = tmp.resolve("short.npy");
        Npy.writeInts(shortIds, new int[] {0, 1, 0}, 3);
        assertError("short.npy: has 3 entries but the store", "score", "--master", "local[2]", "--store", store.toString(), "--clusters", shortIds.toString());
        assertError("is not a feature store", "score", "--master", "local[2]", "--store", tmp.toString(), "--clusters", shortIds.toString());
        long t0 = System.nanoTime();
        assertError("spark://127.0.0.1:9: cannot reach the Spark master", "kmeans", "--master", "spark://127.0.0.1:9", "--store", store.toString(), "--layer", "2", "--k", "2", "--out", out.toString());
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "an unreachable master fails fast");
        assertFalse(Files.exists(out.resolve("assignments.npy")));
    }

    static void assertError(String expected, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = SparkMain.execute(args);
        } finally {
            System.setErr(old);
        }
        String err = buf.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, err);
        List<String> ours = err.lines().filter(l -> l.startsWith("wavlens: ")).toList();
        assertEquals(1, ours.size(), err);
        assertTrue(ours.get(0).contains(expected), err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
    }

    static String[] args(String command, Object... parts) {
        List<String> out = new java.util.ArrayList<>(List.of(command));
        for (Object p : parts) {
            if (p instanceof List<?> l) l.forEach(x -> out.add(x.toString()));
            else if (!p.toString().isEmpty()) out.add(p.toString());
        }
        return out.toArray(String[]::new);
    }
}
