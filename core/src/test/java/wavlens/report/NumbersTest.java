package wavlens.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The numeric helpers behind the figures, against hand-computed and analytic values. */
class NumbersTest {

    @Test
    void viridisEndsAndMidpointMatchTheTable() {
        assertEquals(256, Palettes.viridisSize());
        assertEquals("#440154", Palettes.hex(Palettes.viridis(0)));    // 0.267004 0.004874 0.329415 × 255
        assertEquals("#fde725", Palettes.hex(Palettes.viridis(1)));    // 0.993248 0.906157 0.143936 × 255
        assertEquals("#440154", Palettes.hex(Palettes.viridis(-3)));   // clamped
        // t = 0.5 sits halfway between entries 127 and 128: mean of the two rows, × 255, rounded
        Color mid = Palettes.viridis(0.5);
        assertEquals(Math.round((0.128729 + 0.127568) / 2 * 255), mid.getRed());
        assertEquals(Math.round((0.563265 + 0.566949) / 2 * 255), mid.getGreen());
        assertEquals(Math.round((0.551229 + 0.550556) / 2 * 255), mid.getBlue());
    }

    @Test
    void smallSetsAreOkabeItoAndLargeSetsStayApart() {
        Color[] four = Palettes.categorical(4);
        for (int i = 0; i < 4; i++) assertSame(Palettes.OKABE_ITO[i], four[i]);
        Color[] thirty = Palettes.categorical(30);
        for (int i = 0; i < 7; i++) assertEquals(Palettes.OKABE_ITO[i], thirty[i], "the long list starts with Okabe–Ito");
        double minNormal = Double.POSITIVE_INFINITY, minDeutan = Double.POSITIVE_INFINITY;
        for (int i = 0; i < 30; i++) {
            for (int j = i + 1; j < 30; j++) {
                minNormal = Math.min(minNormal, Palettes.labDistance(thirty[i], thirty[j]));
                minDeutan = Math.min(minDeutan, Palettes.deutanDistance(thirty[i], thirty[j]));
            }
        }
        // ΔE*ab ≈ 2.3 is a just-noticeable difference; 30 colours on white stay well above it
        assertTrue(minNormal > 10, "smallest ΔE between 30 colours " + minNormal);
        assertTrue(minDeutan > 5, "smallest ΔE under deuteranopia " + minDeutan);
        assertEquals(Palettes.Marker.CIRCLE, Palettes.marker(7, 30));
        assertEquals(Palettes.Marker.SQUARE, Palettes.marker(8, 30));
        assertEquals(Palettes.Marker.DIAMOND, Palettes.marker(29, 30));
        assertEquals(Palettes.Marker.CIRCLE, Palettes.marker(5, 6));
    }

    @Test
    void niceTicksUseOneTwoFiveSteps() {
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, Plot.niceTicks(0, 1, 6), 1e-12);
        assertArrayEquals(new double[] {0.2, 0.25, 0.3, 0.35, 0.4}, Plot.niceTicks(0.18, 0.41, 6), 1e-12);
        assertArrayEquals(new double[] {-10, 0, 10, 20}, Plot.niceTicks(-13, 27, 5), 1e-12);
        assertEquals("0.25", Plot.tickLabel(0.25, 0.05));
        assertEquals("20", Plot.tickLabel(20, 10));
    }

    @Test
    void studentTAgainstClosedFormsAndTables() {
        // ν = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π
        for (double t : new double[] {-3, -0.5, 0, 0.7, 2, 10}) assertEquals(0.5 + Math.atan(t) / Math.PI, StudentT.cdf(t, 1), 1e-12);
        // ν = 2: F(t) = 1/2 + t / (2 √(2 + t²))
        for (double t : new double[] {-2, 0.3, 1.5, 4}) assertEquals(0.5 + t / (2 * Math.sqrt(2 + t * t)), StudentT.cdf(t, 2), 1e-12);
        assertEquals(12.706205, StudentT.quantile(0.975, 1), 1e-5); // tan(0.475 π)
        assertEquals(4.302653, StudentT.quantile(0.975, 2), 1e-5);
        assertEquals(2.570582, StudentT.quantile(0.975, 5), 1e-5);
        assertEquals(2.228139, StudentT.quantile(0.975, 10), 1e-5);
        assertEquals(2.048407, StudentT.quantile(0.975, 28), 1e-5);
        assertEquals(-2.228139, StudentT.quantile(0.025, 10), 1e-5);
        assertEquals(Math.log(24), StudentT.logGamma(5), 1e-12);
        assertEquals(0.5 * Math.log(Math.PI), StudentT.logGamma(0.5), 1e-12);
    }

    @Test
    void linearFitByHand() {
        // x̄ = 3, ȳ = 4, Sxx = 10, Sxy = 6, Syy = 6 → slope 0.6, intercept 2.2, r = 6/√60,
        // SSE = Syy − b·Sxy = 2.4, s = √(2.4/3), band at x̄ = t(0.975, 3) · s · √(1/5)
        LinearFit f = LinearFit.of(new double[] {1, 2, 3, 4, 5, Double.NaN}, new double[] {2, 4, 5, 4, 5, 7});
        assertEquals(5, f.n());
        assertEquals(0.6, f.slope(), 1e-12);
        assertEquals(2.2, f.intercept(), 1e-12);
        assertEquals(6 / Math.sqrt(60), f.r(), 1e-12);
        assertEquals(Math.sqrt(0.8), f.residualSd(), 1e-12);
        assertEquals(3.182446 * Math.sqrt(0.8) * Math.sqrt(0.2), f.bandHalfWidth(3), 1e-5);
        // away from the mean the band widens: + (x − x̄)²/Sxx under the root
        assertEquals(3.182446 * Math.sqrt(0.8) * Math.sqrt(0.2 + 4 / 10.0), f.bandHalfWidth(5), 1e-5);
        assertEquals(3.182446 * Math.sqrt(0.8) / Math.sqrt(10), f.slopeHalfWidth(), 1e-5);
    }

    @Test
    void majorityOrderPutsClustersUnderTheirLetterPurestFirst() {
        // rows = letters a, b; columns = clusters. Majorities: c0 → b (0.6), c1 → a (0.9), c2 → b (0.8), c3 → a (0.7)
        double[][] table = {{4, 9, 2, 7}, {6, 1, 8, 3}};
        assertArrayEquals(new int[] {1, 3, 2, 0}, Seriation.byMajority(table));
    }

    @Test
    void hierarchicalOrderRecoversShuffledBlocks() {
        Random random = new Random(5);
        int blocks = 4, size = 6, n = blocks * size;
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < n; i++) perm.add(i);
        Collections.shuffle(perm, random);
        int[] blockOf = new int[n];
        double[][] rows = new double[n][n];
        for (int i = 0; i < n; i++) blockOf[perm.get(i)] = i / size;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) rows[i][j] = (blockOf[i] == blockOf[j] ? 0.8 : 0.1) + 0.05 * random.nextDouble();
        }
        int[] order = Seriation.hierarchical(rows);
        assertEquals(n, java.util.Arrays.stream(order).distinct().count());
        // each block is one contiguous run in the order: the block changes exactly blocks − 1 times
        int changes = 0;
        for (int k = 1; k < n; k++) if (blockOf[order[k]] != blockOf[order[k - 1]]) changes++;
        assertEquals(blocks - 1, changes);
    }

    @Test
    void rowNormalisation() {
        double[][] p = Seriation.rowNormalised(new double[][] {{1, 3}, {0, 0}});
        assertArrayEquals(new double[] {0.25, 0.75}, p[0], 1e-15);
        assertArrayEquals(new double[] {0, 0}, p[1], 1e-15);
    }
}
