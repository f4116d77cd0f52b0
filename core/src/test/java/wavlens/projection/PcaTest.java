package wavlens.projection;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import wavlens.io.Json;

class PcaTest {
    static final Path CASES = Path.of("../../shared/testdata/metrics/pca_cases.json");

    static double[] flat(JsonNode rows) {
        int r = rows.size(), c = rows.get(0).size();
        double[] out = new double[r * c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++) out[i * c + j] = rows.get(i).get(j).asDouble();
        return out;
    }

    static double[] vector(JsonNode values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i).asDouble();
        return out;
    }

    @Test
    void matchesReferenceCasesWithSklearnSignRule() {
        for (JsonNode c : Json.read(CASES).get("cases")) {
            String name = c.get("name").asText();
            JsonNode xRows = c.get("X");
            int n = xRows.size(), d = xRows.get(0).size();
            Pca.Result r = Pca.fit(flat(xRows), n, d, d);

            double[] mean = vector(c.get("mean"));
            double[] variance = vector(c.get("explained_variance"));
            double[] ratio = vector(c.get("explained_variance_ratio"));
            double[] axes = flat(c.get("components_sklearn_sign"));
            double[] scores = flat(c.get("scores_sklearn_sign"));
            for (int j = 0; j < d; j++) assertEquals(mean[j], r.mean()[j], 1e-12 * (1 + Math.abs(mean[j])), name + " mean");
            for (int j = 0; j < d; j++) {
                assertEquals(variance[j], r.explainedVariance()[j], 1e-10 * variance[j], name + " variance " + j);
                assertEquals(ratio[j], r.explainedVarianceRatio()[j], 1e-10 * ratio[j], name + " ratio " + j);
            }
            // With distinct eigenvalues the axes are unique up to sign, and the sign rule fixes it.
            for (int i = 0; i < d * d; i++) assertEquals(axes[i], r.components()[i], 1e-8, name + " axis entry " + i);
            for (int i = 0; i < n * d; i++) assertEquals(scores[i], r.scores()[i], 1e-8 * (1 + Math.abs(scores[i])), name + " score " + i);
        }
    }

    @Test
    void eigenSolverReconstructsRandomSymmetricMatrix() {
        Random random = new Random(3);
        int d = 40;
        double[] a = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j <= i; j++) a[i * d + j] = a[j * d + i] = random.nextGaussian();
        SymmetricEigen.Decomposition e = SymmetricEigen.decompose(a, d);
        // A·v = λ·v for each eigenpair, vectors orthonormal, values descending.
        for (int c = 0; c < d; c++) {
            if (c > 0) assertTrue(e.values()[c] <= e.values()[c - 1]);
            for (int i = 0; i < d; i++) {
                double av = 0;
                for (int j = 0; j < d; j++) av += a[i * d + j] * e.vectors()[c * d + j];
                assertEquals(e.values()[c] * e.vectors()[c * d + i], av, 1e-11);
            }
            for (int c2 = 0; c2 < d; c2++) {
                double dot = 0;
                for (int j = 0; j < d; j++) dot += e.vectors()[c * d + j] * e.vectors()[c2 * d + j];
                assertEquals(c == c2 ? 1 : 0, dot, 1e-12);
            }
        }
    }

    @Test
    void floatInputGivesSameAxesAsDouble() {
        Random random = new Random(5);
        int n = 300, d = 7;
        float[] xf = new float[n * d];
        double[] xd = new double[n * d];
        for (int i = 0; i < n * d; i++) xd[i] = xf[i] = (float) (random.nextGaussian() * (1 + i % d));
        Pca.Result a = Pca.fit(xf, n, d, 2), b = Pca.fit(xd, n, d, 2);
        for (int i = 0; i < 2 * d; i++) assertEquals(b.components()[i], a.components()[i], 1e-12);
        assertEquals(2, a.scores().length / n);
    }
}
