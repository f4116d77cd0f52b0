package wavlens.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import wavlens.io.Json;
import wavlens.io.Npy;
import wavlens.io.UserError;

class AnalysisCommandsTest {

    /** Runs a command, returns its stdout; exceptions propagate (so UserErrors can be asserted). */
    static String run(Callable<Integer> command, String... args) throws Exception {
        new CommandLine(command).parseArgs(args);
        PrintStream old = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, command.call());
        } finally {
            System.setOut(old);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    static JsonNode lastLine(String out) throws Exception {
        String[] lines = out.strip().split("\n");
        return Json.MAPPER.readTree(lines[lines.length - 1]);
    }

    @Test
    void kmeansWritesAssignmentsCentroidsAndSummary(@TempDir Path dir) throws Exception {
        float[] x = {0, 0, 0, 1, 10, 10, 10, 11, 20, 0, 20, 1};
        Path input = dir.resolve("x.npy");
        Npy.writeFloats(input, x, 6, 2);
        Path out = dir.resolve("out");
        String printed = run(new KmeansCommand(), "--input", input.toString(), "--k", "3", "--seed", "1", "--out", out.toString());
        assertTrue(printed.contains("inertia"), printed);
        Npy.Array assignments = Npy.read(out.resolve("assignments.npy"));
        assertEquals("<i4", assignments.dtype());
        int[] a = assignments.ints();
        assertEquals(a[0], a[1]);
        assertEquals(a[2], a[3]);
        assertEquals(a[4], a[5]);
        assertArrayEquals(new int[] {3, 2}, Npy.read(out.resolve("centroids.npy")).shape());
        JsonNode summary = Json.read(out.resolve("summary.json"));
        assertEquals(6 * 0.25, summary.get("inertia").asDouble(), 1e-9); // each pair is 1 apart: 2 · 0.5² per pair
        for (String key : new String[] {"iterations", "seconds", "k", "seed", "restarts", "max_iter", "tol", "spherical", "mini_batch"}) {
            assertTrue(summary.has(key), key);
        }
    }

    @Test
    void kmeansErrorsNameTheFile(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("bad.npy");
        Npy.writeFloats(input, new float[] {0, 1, Float.NaN, 2}, 2, 2);
        UserError e = assertThrows(UserError.class, () -> run(new KmeansCommand(), "--input", input.toString(), "--k", "1", "--out", dir.toString()));
        assertTrue(e.getMessage().contains("bad.npy") && e.getMessage().contains("row 1"), e.getMessage());
        UserError tooMany = assertThrows(UserError.class, () -> run(new KmeansCommand(), "--input", input.toString(), "--k", "5", "--out", dir.toString()));
        assertTrue(tooMany.getMessage().contains("k = 5"), tooMany.getMessage());
    }

    @Test
    void scorePrintsEveryMeasure(@TempDir Path dir) throws Exception {
        Path labels = dir.resolve("l.npy"), clusters = dir.resolve("c.npy");
        Npy.writeInts(labels, new int[] {0, 0, 0, 1, 1, 1}, 6);
        Npy.writeInts(clusters, new int[] {0, 0, 1, 1, 2, 2}, 6);
        JsonNode s = lastLine(run(new ScoreCommand(), "--labels", labels.toString(), "--clusters", clusters.toString(), "--per-label"));
        // README worked example (tiny_split_merge).
        assertEquals(0.5158037429793888, s.get("nmi").asDouble(), 1e-12);
        assertEquals(8.0 / 33, s.get("ari").asDouble(), 1e-12);
        assertEquals(0.2987924581708899, s.get("ami").asDouble(), 1e-9);
        assertEquals(5.0 / 6, s.get("purity").asDouble(), 1e-12);
        assertEquals(2.0 / 3, s.get("pnmi").asDouble(), 1e-12);
        for (String key : new String[] {"nmi_geometric", "homogeneity", "completeness", "v_measure", "inverse_purity", "phone_purity", "cluster_purity"}) {
            assertTrue(s.has(key), key);
        }
        Npy.writeInts(clusters, new int[] {0, 0, 1}, 3);
        UserError e = assertThrows(UserError.class, () -> run(new ScoreCommand(), "--labels", labels.toString(), "--clusters", clusters.toString()));
        assertTrue(e.getMessage().contains("3 items"), e.getMessage());
    }

    /** Labels read from a feature store's rows.csv: the label_id column, and the store's names per label. */
    @Test
    void scoreReadsTheLabelsOfAFeatureStoresRows(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store"), rows = store.resolve("frames/rows.csv"), clusters = dir.resolve("c.npy");
        Files.createDirectories(rows.getParent());
        Files.writeString(store.resolve("store.json"), "{\"parameters\": {\"labels\": [\"<sil>\", \"k\", \"ä\"]}, \"complete\": true}");
        Files.writeString(rows, "row,utt,frame,time,label,label_id\n0,u,0,0.01,k,1\n1,u,1,0.03,k,1\n2,u,2,0.05,k,1\n"
                + "3,u,3,0.07,ä,2\n4,u,4,0.09,ä,2\n5,u,5,0.11,ä,2\n");
        Npy.writeInts(clusters, new int[] {0, 0, 1, 1, 1, 2}, 6);
        String out = run(new ScoreCommand(), "--labels", rows.toString(), "--clusters", clusters.toString(), "--per-label");
        assertEquals(5.0 / 6, lastLine(out).get("purity").asDouble(), 1e-12);   // majorities 2 + 2 + 1 of 6
        // k: 2 of its 3 frames in cluster 0, where it is the majority (the third in cluster 1, where ä is); ä: all 3 in clusters 1 and 2
        assertTrue(out.lines().anyMatch(l -> l.startsWith("1\t3\t") && l.endsWith("\tk") && l.contains("\t0.666667\t")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("2\t3\t") && l.endsWith("\tä") && l.contains("\t1.000000\t")), out);

        Files.writeString(rows, "row,utt,label\n0,u,k\n");
        UserError e = assertThrows(UserError.class, () -> run(new ScoreCommand(), "--labels", rows.toString(), "--clusters", clusters.toString()));
        assertTrue(e.getMessage().contains("label_id"), e.getMessage());
        Path loose = Files.writeString(dir.resolve("rows.csv"), "row,label_id\n0,1\n");
        UserError notStore = assertThrows(UserError.class, () -> run(new ScoreCommand(), "--labels", loose.toString(), "--clusters", clusters.toString()));
        assertTrue(notStore.getMessage().contains("feature store"), notStore.getMessage());
    }

    @Test
    void ckaStreamsBigFloat32FilesAndAgreesWithTheDoublePath(@TempDir Path dir) throws Exception {
        // n·p² above Cka.DOUBLE_LIMIT: the command maps both files and streams over them once.
        int n = 2500, pa = 700, pb = 660;
        assertFalse(wavlens.analysis.Cka.exactInDouble(n, pa, pb));
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        float[] x = new float[n * pa], y = new float[n * pb];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() + 3);
        for (int t = 0; t < n; t++) for (int f = 0; f < pb; f++) y[t * pb + f] = x[t * pa + (f * 5) % pa] + (float) (1.5 * r.nextGaussian());
        Path a = dir.resolve("a.npy"), b = dir.resolve("b.npy");
        Npy.writeFloats(a, x, n, pa);
        Npy.writeFloats(b, y, n, pb);
        double[] xd = new double[x.length], yd = new double[y.length];
        for (int i = 0; i < x.length; i++) xd[i] = x[i];
        for (int i = 0; i < y.length; i++) yd[i] = y[i];
        wavlens.analysis.Cka.Result exact = wavlens.analysis.Cka.linear(xd, pa, yd, pb, n);
        JsonNode got = lastLine(run(new CkaCommand(), "--a", a.toString(), "--b", b.toString()));
        assertEquals(exact.cka(), got.get("cka").asDouble(), 1e-6);
        assertEquals(exact.ckaDebiased(), got.get("cka_debiased").asDouble(), 1e-6);
        assertTrue(exact.cka() > 0.1 && exact.cka() < 0.99, "a non-trivial value: " + exact.cka());
    }

    @Test
    void ckaPrintsBothVariants(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.npy"), b = dir.resolve("b.npy");
        float[] x = {1, 2, 3, 1, 0, 5, 2, 2, 7, 4, 1, 1};
        float[] scaled = new float[x.length];
        for (int i = 0; i < x.length; i++) scaled[i] = 3 * x[i] + 1; // isotropic scaling + shift: CKA 1
        Npy.writeFloats(a, x, 4, 3);
        Npy.writeFloats(b, scaled, 4, 3);
        JsonNode r = lastLine(run(new CkaCommand(), "--a", a.toString(), "--b", b.toString()));
        assertEquals(1.0, r.get("cka").asDouble(), 1e-12);
        assertEquals(1.0, r.get("cka_debiased").asDouble(), 1e-12);
        Npy.writeFloats(b, new float[] {1, 2, 3}, 1, 3);
        UserError e = assertThrows(UserError.class, () -> run(new CkaCommand(), "--a", a.toString(), "--b", b.toString()));
        assertTrue(e.getMessage().contains("rows"), e.getMessage());
    }

    @Test
    void benchRunsAtATinyScale(@TempDir Path dir) throws Exception {
        JsonNode r = lastLine(run(new BenchAnalysisCommand(), "--scale", "0.002", "--data", dir.toString(), "--json"));
        assertTrue(r.get("kmeans_seconds").asDouble() > 0);
        assertTrue(r.has("cka") && r.has("nmi") && r.has("ami"));
        assertTrue(Files.exists(dir.resolve("kmeans_X.npy")) && Files.exists(dir.resolve("wavlens_results.json")));
    }
}
