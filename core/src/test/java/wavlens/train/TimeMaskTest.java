package wavlens.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Time masks and negatives against the rules of HF's _compute_mask_indices and _sample_negative_indices. */
class TimeMaskTest {
    @Property(tries = 200)
    void spansHaveTheDrawnCountAndStayInsideEachUtterance(@ForAll @IntRange(min = 1, max = 400) int t1,
                                                           @ForAll @IntRange(min = 1, max = 400) int t2, @ForAll long seed) {
        int[] frames = {t1, t2};
        boolean[][] mask = TimeMask.sample(frames, 0.65f, 10, 2, new Random(seed));
        for (int b = 0; b < 2; b++) {
            assertEquals(frames[b], mask[b].length);
            int masked = 0;
            for (boolean m : mask[b]) if (m) masked++;
            if (frames[b] < 10) {
                assertEquals(0, masked, "no span of 10 fits into " + frames[b] + " frames");
                continue;
            }
            // n = max(2, ⌊0.65·T/10 + ε⌋) spans (capped to fit) of 10 frames, possibly overlapping
            int nMax = Math.min(Math.max(2, (int) (0.65 * frames[b] / 10 + 1)), Math.min(frames[b] / 10, frames[b] - 9));
            assertTrue(masked >= 10 && masked <= 10 * nMax, masked + " masked of " + frames[b]);
        }
    }

    @Test
    void expectedMaskedSpanCountIsPTimesTOverL() {
        // over many draws, the number of span starts averages p·T/L (ε spreads the rounding), here 0.65·200/10 = 13
        Random rng = new Random(3);
        double starts = 0;
        int draws = 4000;
        for (int i = 0; i < draws; i++) {
            boolean[][] m = TimeMask.sample(new int[] {200}, 0.65f, 1, 0, rng);   // length 1: every start is one frame
            for (boolean x : m[0]) if (x) starts++;
        }
        assertEquals(0.65 * 200, starts / draws, 0.3);
    }

    @Test
    void negativesAreOtherMaskedFramesOfTheSameUtteranceDrawnUniformly() {
        boolean[][] mask = {{true, false, true, true, false, true}, {false, true, false}, {true, true}};
        int[] frames = {6, 3, 2};
        int[][][] neg = PretrainingHead.sampleNegatives(frames, mask, 3000, new Random(9));
        int[] counts = new int[6];
        for (int t = 0; t < 6; t++) {
            if (!mask[0][t]) {
                assertNull(neg[0][t]);
                continue;
            }
            for (int n : neg[0][t]) {
                assertNotEquals(t, n, "never the frame itself");
                assertTrue(mask[0][n], "only masked frames");
                if (t == 0) counts[n]++;
            }
        }
        // frame 0's negatives: frames 2, 3, 5 with probability 1/3 each
        for (int n : new int[] {2, 3, 5}) assertEquals(1000, counts[n], 100);
        assertNull(neg[1][1], "one masked frame: no negatives possible");
        for (int n : neg[2][0]) assertEquals(1, n);
    }

    @Test
    void crossNegativesAreOtherMaskedFramesOfTheWholeBatchAsPackedRows() {
        boolean[][] mask = {{true, false, true, true, false, true}, {false, true, false}, {true, true}};
        int[] frames = {6, 3, 2};
        // packed rows: utterance 0 at 0…5, utterance 1 at 6…8, utterance 2 at 9…10 → masked rows 0, 2, 3, 5, 7, 9, 10
        int[][][] neg = PretrainingHead.sampleCrossNegatives(frames, mask, 6000, new Random(4));
        int[] counts = new int[11];
        for (int n : neg[1][1]) {
            assertNotEquals(7, n, "never the frame itself");
            counts[n]++;
        }
        for (int row : new int[] {0, 2, 3, 5, 9, 10}) assertEquals(1000, counts[row], 120, "row " + row);
        for (int row : new int[] {1, 4, 6, 7, 8}) assertEquals(0, counts[row], "row " + row + " is unmasked or the frame itself");
        assertNull(neg[0][1], "unmasked frames get none");
        assertEquals(6000, neg[2][1].length);
    }

    @Test
    void stepSeedsAreDecorrelated() {
        // the first draw of consecutive steps' generators must not move together (java.util.Random seeded with
        // s and s + 1 gives nearly equal first doubles)
        double sum = 0, sumSq = 0, cross = 0;
        double prev = Seeds.forStep(1, 0).nextDouble();
        int n = 2000;
        for (int s = 1; s <= n; s++) {
            double x = Seeds.forStep(1, s).nextDouble();
            cross += (x - 0.5) * (prev - 0.5);
            sum += x;
            sumSq += (x - 0.5) * (x - 0.5);
            prev = x;
        }
        assertEquals(0.5, sum / n, 0.03);
        assertEquals(0, cross / sumSq, 0.08, "lag-1 correlation of the steps' first draws");
    }
}
