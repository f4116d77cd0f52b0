package wavlens.analysis;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import wavlens.io.Json;
import wavlens.io.UserError;

class CkaTest {
    static final Path DIR = Path.of("../../shared/testdata/metrics");

    static Stream<Path> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            List<Path> list = files.filter(p -> p.getFileName().toString().matches("cka_.*\\.json"))
                    .filter(p -> !p.getFileName().toString().equals("cka_index.json")).sorted().toList();
            assertEquals(10, list.size());
            return list.stream();
        }
    }

    static double[] flatten(JsonNode rows) {
        int n = rows.size(), p = rows.get(0).size();
        double[] out = new double[n * p];
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) out[i * p + j] = rows.get(i).get(j).asDouble();
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesReferenceFile(Path file) {
        JsonNode json = Json.read(file);
        int n = json.get("n").asInt();
        int px = json.get("x_shape").get(1).asInt(), py = json.get("y_shape").get(1).asInt();
        Cka.Result r = Cka.linear(flatten(json.get("X")), px, flatten(json.get("Y")), py, n);
        assertEquals(json.get("cka_linear").asDouble(), r.cka(), 1e-10);
        assertEquals(json.get("cka_linear_debiased").asDouble(), r.ckaDebiased(), 1e-10);
        JsonNode in = json.get("intermediates");
        assertEquals(1.0, r.hsicXY() / in.get("hsic_xy_unnormalized").asDouble(), 1e-12);
        assertEquals(1.0, r.normXtX() / in.get("norm_xtx").asDouble(), 1e-12);
        assertEquals(1.0, r.normYtY() / in.get("norm_yty").asDouble(), 1e-12);
        assertEquals(in.get("hsic1_xx_times_n_nminus3").asDouble(), r.hXX(), 1e-9 * Math.abs(r.hXX()));
        assertEquals(in.get("hsic1_yy_times_n_nminus3").asDouble(), r.hYY(), 1e-9 * Math.abs(r.hYY()));
    }

    /** Brute force with n×n Gram matrices: HSIC = tr(KHLH), HSIC₁ from Song et al. 2012 eq. 5. */
    static double[] gramReference(double[] x, int px, double[] y, int py, int n) {
        double[][] k = gram(x, px, n), l = gram(y, py, n);
        double hsic = centredInner(k, l, n) / Math.sqrt(centredInner(k, k, n) * centredInner(l, l, n));
        double unbiased = hsic1(k, l, n) / Math.sqrt(hsic1(k, k, n) * hsic1(l, l, n));
        return new double[] {hsic, unbiased};
    }

    static double[][] gram(double[] x, int p, int n) {
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) for (int f = 0; f < p; f++) k[i][j] += x[i * p + f] * x[j * p + f];
        return k;
    }

    /** tr(K H L H), H = I − 11ᵀ/n: double-centre K and take ⟨HKH, L⟩. */
    static double centredInner(double[][] k, double[][] l, int n) {
        double[] rowMean = new double[n];
        double all = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) rowMean[i] += k[i][j] / n;
            all += rowMean[i] / n;
        }
        double s = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) s += (k[i][j] - rowMean[i] - rowMean[j] + all) * l[i][j];
        return s;
    }

    /** Unbiased HSIC on Grams of centred features with zeroed diagonals (the README's recipe). */
    static double hsic1(double[][] k0, double[][] l0, int n) {
        double[][] k = centreFeaturesGram(k0, n), l = centreFeaturesGram(l0, n);
        for (int i = 0; i < n; i++) k[i][i] = l[i][i] = 0;
        double trace = 0, sumK = 0, sumL = 0, oneKL1 = 0;
        double[] kRow = new double[n], lCol = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
            trace += k[i][j] * l[j][i];
            sumK += k[i][j];
            sumL += l[i][j];
            kRow[j] += k[i][j];
            lCol[i] += l[i][j];
        }
        for (int j = 0; j < n; j++) oneKL1 += kRow[j] * lCol[j];
        return (trace + sumK * sumL / ((n - 1.0) * (n - 2)) - 2.0 / (n - 2) * oneKL1) / (n * (n - 3.0));
    }

    /** Gram of centred features = H K H. */
    static double[][] centreFeaturesGram(double[][] k, int n) {
        double[] rowMean = new double[n];
        double all = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) rowMean[i] += k[i][j] / n;
            all += rowMean[i] / n;
        }
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) out[i][j] = k[i][j] - rowMean[i] - rowMean[j] + all;
        return out;
    }

    @Test
    void agreesWithExplicitGramMatrices() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 40, px = 7, py = 5;
        double[] x = new double[n * px], y = new double[n * py];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian() + 3;
        for (int t = 0; t < n; t++) for (int f = 0; f < py; f++) y[t * py + f] = x[t * px + f] * (f + 1) + r.nextGaussian();
        double[] ref = gramReference(x, px, y, py, n);
        Cka.Result got = Cka.linear(x, px, y, py, n);
        assertEquals(ref[0], got.cka(), 1e-12);
        assertEquals(ref[1], got.ckaDebiased(), 1e-12);
    }

    @Test
    void floatPathAgreesWithDoublePath() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 5000, px = 48, py = 32; // > one block of rows, so blocks are summed
        float[] x = new float[n * px], y = new float[n * py];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() + 10); // offset: centring matters
        for (int t = 0; t < n; t++) for (int f = 0; f < py; f++) y[t * py + f] = x[t * px + f] + (float) (2 * r.nextGaussian());
        Cka.Result exact = Cka.linear(new Cka.Layer(x, null, n, px, true), new Cka.Layer(y, null, n, py, true));
        Cka.Result fast = Cka.linear(new Cka.Layer(x, null, n, px, false), new Cka.Layer(y, null, n, py, false));
        assertEquals(exact.cka(), fast.cka(), 1e-5);
        assertEquals(exact.ckaDebiased(), fast.ckaDebiased(), 1e-5);
        assertTrue(exact.cka() > 0.1 && exact.cka() < 0.99, "a non-trivial value: " + exact.cka());
    }

    /** float32 values in native memory, as a memory-mapped .npy file gives them. */
    static java.lang.foreign.MemorySegment nativeFloats(java.lang.foreign.Arena arena, double[] values) {
        java.lang.foreign.MemorySegment m = arena.allocate(4L * values.length, 64);
        for (int i = 0; i < values.length; i++) m.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) values[i]);
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void streamedMatchesReferenceFile(Path file) {
        JsonNode json = Json.read(file);
        int n = json.get("n").asInt();
        int px = json.get("x_shape").get(1).asInt(), py = json.get("y_shape").get(1).asInt();
        try (var arena = java.lang.foreign.Arena.ofShared()) {
            Cka.Result r = Cka.linearStreamed(nativeFloats(arena, flatten(json.get("X"))), px, nativeFloats(arena, flatten(json.get("Y"))), py, n);
            // float32 inputs and arithmetic: the reference (float64) to about 1e-6
            assertEquals(json.get("cka_linear").asDouble(), r.cka(), 2e-6);
            assertEquals(json.get("cka_linear_debiased").asDouble(), r.ckaDebiased(), 2e-6);
            JsonNode in = json.get("intermediates");
            assertEquals(1.0, r.normXtX() / in.get("norm_xtx").asDouble(), 2e-6);
            assertEquals(1.0, r.normYtY() / in.get("norm_yty").asDouble(), 2e-6);
        }
    }

    @Test
    void streamedAgreesWithDoublePathWhenTheMeanDrifts() {
        // Three blocks of rows; after the first block (which gives the provisional centre) the offset
        // moves, so the exact correction for the residual mean is what makes the values right.
        SplittableRandom r = new SplittableRandom(6);
        int n = 2 * Cka.STREAM_ROWS + 777, px = 40, py = 24;
        double[] x = new double[n * px], y = new double[n * py];
        for (int t = 0; t < n; t++) {
            double offset = t < Cka.STREAM_ROWS ? 10 : 13;
            for (int f = 0; f < px; f++) x[t * px + f] = (float) (r.nextGaussian() * (1 + f % 3) + offset);
            for (int f = 0; f < py; f++) y[t * py + f] = (float) (0.8 * x[t * px + f] - 0.3 * x[t * px + f + 7] + 2 * r.nextGaussian() - offset);
        }
        Cka.Result exact = Cka.linear(x, px, y, py, n);
        try (var arena = java.lang.foreign.Arena.ofShared()) {
            Cka.Result got = Cka.linearStreamed(nativeFloats(arena, x), px, nativeFloats(arena, y), py, n);
            assertEquals(exact.cka(), got.cka(), 1e-6);
            assertEquals(exact.ckaDebiased(), got.ckaDebiased(), 1e-6);
            assertEquals(1.0, got.hsicXY() / exact.hsicXY(), 1e-5);
            assertEquals(1.0, got.hXY() / exact.hXY(), 1e-5);
            assertEquals(1.0, got.hXX() / exact.hXX(), 1e-5);
            assertEquals(1.0, got.hYY() / exact.hYY(), 1e-5);
            assertTrue(exact.cka() > 0.1 && exact.cka() < 0.99, "a non-trivial value: " + exact.cka());
        }
    }

    @Test
    void streamedNamesTheBadValue() {
        double[] x = {1, 2, 3, 4, 5, Double.NaN, 7, 8}, y = {1, 0, 2, 5};
        try (var arena = java.lang.foreign.Arena.ofShared()) {
            UserError e = assertThrows(UserError.class, () -> Cka.linearStreamed(nativeFloats(arena, x), 2, nativeFloats(arena, y), 1, 4));
            assertTrue(e.getMessage().contains("row 2, column 1 of A"), e.getMessage());
        }
    }

    @Test
    void matrixReusesLayersAndMatchesPairwise() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 30;
        float[] a0 = new float[n * 4], a1 = new float[n * 6], b0 = new float[n * 3];
        for (float[] m : List.of(a0, a1, b0)) for (int i = 0; i < m.length; i++) m[i] = (float) r.nextGaussian();
        Cka.Result[][] m = Cka.matrix(List.of(a0, a1), List.of(b0, a1), n);
        assertEquals(Cka.linear(a0, 4, b0, 3, n).cka(), m[0][0].cka(), 1e-14);
        assertEquals(Cka.linear(a1, 6, b0, 3, n).ckaDebiased(), m[1][0].ckaDebiased(), 1e-14);
        assertEquals(1.0, m[1][1].cka(), 1e-14); // a layer with itself
        assertEquals(1.0, m[1][1].ckaDebiased(), 1e-14);
        assertEquals(Cka.linear(a0, 4, a1, 6, n).cka(), m[0][1].cka(), 1e-14);
    }

    @Test
    void badInputs() {
        float[] x = new float[12], y = new float[10];
        assertThrows(UserError.class, () -> Cka.linear(x, 3, y, 2, 4)); // y holds 5 rows, not 4
        float[] nan = new float[12];
        nan[7] = Float.NaN;
        UserError e = assertThrows(UserError.class, () -> Cka.linear(nan, 3, x, 3, 4));
        assertTrue(e.getMessage().contains("row 2"), e.getMessage());
        // Constant columns carry no variance: fine as long as some column varies.
        float[] c = {1, 5, 1, 6, 1, 7, 1, 9};
        float[] d = {2, 0, 4, 0, 6, 0, 8, 0};
        // Centred: (−1.75, −0.75, 0.25, 2.25) vs (−3, −1, 1, 3) → CKA = (xᵀy)²/(‖x‖²‖y‖²) = 13²/(8.75·20).
        assertEquals(169 / (8.75 * 20), Cka.linear(c, 2, d, 2, 4).cka(), 1e-14);
        // n < 4: plain CKA defined, debiased not.
        assertTrue(Double.isNaN(Cka.linear(new float[] {0, 1, 3}, 1, new float[] {1, 2, 2}, 1, 3).ckaDebiased()));
    }
}
