package wavlens.analysis;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wavlens.io.Json;
import wavlens.io.UserError;

class ClusterLabelMetricsTest {
    static final Path DIR = Path.of("../../shared/testdata/metrics");

    static Stream<Path> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            List<Path> list = files.filter(p -> p.getFileName().toString().matches("clustering_.*\\.json"))
                    .filter(p -> !p.getFileName().toString().equals("clustering_index.json"))
                    .sorted().toList();
            assertEquals(22, list.size(), "the README promises 22 cases");
            return list.stream();
        }
    }

    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asLong();
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesReferenceFile(Path file) {
        JsonNode json = Json.read(file);
        Contingency c = Contingency.of(longs(json.get("labels_true")), longs(json.get("labels_pred")));

        // The table itself.
        JsonNode table = json.get("contingency");
        assertArrayEquals(longs(table.get("rows_classes")), c.labelIds());
        assertArrayEquals(longs(table.get("cols_clusters")), c.clusterIds());
        long[][] dense = new long[c.rows()][c.cols()];
        for (int k = 0; k < c.cells(); k++) dense[c.cellRow()[k]][c.cellCol()[k]] = c.cellCount()[k];
        for (int i = 0; i < c.rows(); i++) assertArrayEquals(longs(table.get("counts").get(i)), dense[i]);
        assertEquals(json.get("n").asLong(), c.n());

        ClusterLabelMetrics.Scores s = ClusterLabelMetrics.score(c);
        Map<String, Double> ours = Map.ofEntries(
                Map.entry("nmi_arithmetic", s.nmiArithmetic()), Map.entry("nmi_geometric", s.nmiGeometric()),
                Map.entry("nmi_min", s.nmiMin()), Map.entry("nmi_max", s.nmiMax()),
                Map.entry("ami_arithmetic", s.amiArithmetic()), Map.entry("ami_geometric", s.amiGeometric()),
                Map.entry("ami_min", s.amiMin()), Map.entry("ami_max", s.amiMax()),
                Map.entry("ari", s.ari()), Map.entry("rand_index", s.randIndex()),
                Map.entry("homogeneity", s.homogeneity()), Map.entry("completeness", s.completeness()),
                Map.entry("v_measure", s.vMeasure()), Map.entry("fowlkes_mallows", s.fowlkesMallows()),
                Map.entry("mutual_info_nats", s.mutualInfo()), Map.entry("entropy_true_nats", s.entropyTrue()),
                Map.entry("entropy_pred_nats", s.entropyPred()), Map.entry("expected_mutual_info_nats", s.expectedMutualInfo()),
                Map.entry("purity", s.purity()), Map.entry("inverse_purity", s.inversePurity()),
                Map.entry("hubert_phone_purity", s.phonePurity()), Map.entry("hubert_cluster_purity", s.clusterPurity()),
                Map.entry("hubert_pnmi", s.pnmi()));

        Set<String> unstable = new HashSet<>();
        json.get("unstable_values").forEach(v -> unstable.add(v.asText()));
        Set<String> checked = new HashSet<>();
        var fields = json.get("values").fields();
        while (fields.hasNext()) {
            var e = fields.next();
            String key = e.getKey();
            if (key.equals("hubert_pnmi_fairseq_eps")) continue; // informational only (README)
            assertTrue(ours.containsKey(key), "no implementation for " + key);
            double ourValue = ours.get(key);
            if (unstable.contains(key)) {
                assertFalse(Double.isNaN(ourValue), key); // 0/0 resolved by round-off: only must not blow up
                continue;
            }
            double tol = key.startsWith("ami") || key.startsWith("expected") ? 1e-9 : 1e-12;
            assertEquals(e.getValue().asDouble(), ourValue, tol, file.getFileName() + " " + key);
            checked.add(key);
        }
        assertTrue(checked.size() >= 18, "checked only " + checked);
    }

    @Test
    void workedExampleFromReadme() {
        // labels [0,0,0,1,1,1], clusters [0,0,1,1,2,2]: the numbers worked by hand in the README.
        Contingency c = Contingency.of(new int[] {0, 0, 0, 1, 1, 1}, new int[] {0, 0, 1, 1, 2, 2});
        assertEquals((2.0 / 3) * Math.log(2), ClusterLabelMetrics.mutualInformation(c), 1e-15);
        assertEquals(8.0 / 33, ClusterLabelMetrics.ari(c), 1e-15);
        assertEquals(0.4 * Math.log(2), ClusterLabelMetrics.expectedMutualInformation(c), 1e-14);
        assertEquals(5.0 / 6, ClusterLabelMetrics.purity(c), 1e-15);
        assertEquals(2.0 / 3, ClusterLabelMetrics.randIndex(c), 1e-15);
        assertEquals(2 / Math.sqrt(18), ClusterLabelMetrics.fowlkesMallows(c), 1e-15);
    }

    @Test
    void perLabelEntropyAndPurityByHand() {
        // label 7: 2 items in cluster 0, 1 in cluster 1 → H = ln3 − (2/3)ln2; cluster 0's majority is 7 (2 vs 0),
        // cluster 1 is a tie 1:1 between 7 and 9 → counts for both; cluster 2's majority is 9 (2).
        // label 9: 1 in cluster 1, 2 in cluster 2.
        Contingency c = Contingency.of(new int[] {7, 7, 7, 9, 9, 9}, new int[] {0, 0, 1, 1, 2, 2});
        ClusterLabelMetrics.PerLabel p = ClusterLabelMetrics.perLabel(c);
        assertArrayEquals(new long[] {7, 9}, p.labelIds());
        assertArrayEquals(new long[] {3, 3}, p.sizes());
        double h = Math.log(3) - (2.0 / 3) * Math.log(2);
        assertEquals(h, p.entropyNats()[0], 1e-15);
        assertEquals(h / Math.log(3), p.entropyNormalized()[0], 1e-15);
        assertEquals(1.0, p.purity()[0], 1e-15);
        assertEquals(1.0, p.purity()[1], 1e-15);
        assertArrayEquals(new long[] {0, 2}, p.majorityCluster());

        // A label split evenly away from its majority: label 1 has 1 item in cluster 5 where label 0 has 3.
        Contingency d = Contingency.of(new int[] {0, 0, 0, 1, 1}, new int[] {5, 5, 5, 5, 6});
        ClusterLabelMetrics.PerLabel q = ClusterLabelMetrics.perLabel(d);
        assertEquals(0.0, q.entropyNats()[0]);
        assertEquals(1.0, q.purity()[0]);
        assertEquals(0.5, q.purity()[1], 1e-15);
        assertEquals(Math.log(2), q.entropyNats()[1], 1e-15);
    }

    @Test
    void singleItemLabelAndSparseIds() {
        // A label with one item and ids far apart (sort path instead of the lookup table).
        long[] labels = {2_000_000_000L, -5, -5, 17};
        long[] clusters = {1L << 40, 3, 3, 3};
        Contingency c = Contingency.of(labels, clusters);
        assertArrayEquals(new long[] {-5, 17, 2_000_000_000L}, c.labelIds());
        assertArrayEquals(new long[] {3, 1L << 40}, c.clusterIds());
        assertEquals(0.75, ClusterLabelMetrics.purity(c), 1e-15); // cluster 3 → −5 (2 of 3), cluster 2^40 → 1 of 1
        assertEquals(1.0, ClusterLabelMetrics.completeness(c), 1e-15); // each label sits in one cluster
        assertEquals(1.0, ClusterLabelMetrics.inversePurity(c), 1e-15);
    }

    @Test
    void mismatchedLengthsAndEmptyInputAreUserErrors() {
        UserError e = assertThrows(UserError.class, () -> Contingency.of(new int[] {1, 2}, new int[] {1}));
        assertTrue(e.getMessage().contains("different lengths"), e.getMessage());
        assertThrows(UserError.class, () -> Contingency.of(new int[0], new int[0]));
    }

    @Test
    void denseAndSortedTablesAgree() {
        // Same partitions, once with small ids (lookup table) and once with ids spread over 2^40.
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        int n = 3000;
        long[] a = new long[n], b = new long[n], a2 = new long[n], b2 = new long[n];
        for (int t = 0; t < n; t++) {
            a[t] = r.nextInt(40);
            b[t] = (a[t] * 7 + r.nextInt(5)) % 60;
            a2[t] = a[t] * (1L << 34) - 9;
            b2[t] = -b[t] * (1L << 35);
        }
        var s1 = ClusterLabelMetrics.score(a, b);
        var s2 = ClusterLabelMetrics.score(a2, b2);
        assertEquals(s1.nmiArithmetic(), s2.nmiArithmetic(), 1e-15);
        assertEquals(s1.amiArithmetic(), s2.amiArithmetic(), 1e-13);
        assertEquals(s1.ari(), s2.ari(), 1e-15);
        assertEquals(s1.purity(), s2.purity(), 1e-15);
    }
}
