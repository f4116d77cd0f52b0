package wavlens.corpus;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Viterbi over the CTC trellis against brute force: every frame labelling, collapsed, that spells the tokens. */
class CtcForcedAlignerTest {

    /** Best path by enumerating all vocab^frames labellings (tiny sizes only). */
    static double bruteForceBest(float[] logp, int frames, int vocab, int[] tokens, int blank, int[] bestPath) {
        double best = Double.NEGATIVE_INFINITY;
        int[] path = new int[frames];
        long total = (long) Math.pow(vocab, frames);
        for (long code = 0; code < total; code++) {
            long c = code;
            for (int t = 0; t < frames; t++) {
                path[t] = (int) (c % vocab);
                c /= vocab;
            }
            if (!spells(path, tokens, blank)) continue;
            double score = 0;
            for (int t = 0; t < frames; t++) score += logp[t * vocab + path[t]];
            if (score > best) {
                best = score;
                System.arraycopy(path, 0, bestPath, 0, frames);
            }
        }
        return best;
    }

    static boolean spells(int[] path, int[] tokens, int blank) {
        List<Integer> out = new ArrayList<>();
        int prev = -1;
        for (int p : path) {
            if (p != prev && p != blank) out.add(p);
            prev = p;
        }
        if (out.size() != tokens.length) return false;
        for (int i = 0; i < tokens.length; i++) if (out.get(i) != tokens[i]) return false;
        return true;
    }

    @Property(tries = 60)
    void viterbiFindsTheBestPath(@ForAll @IntRange(min = 1, max = 7) int frames, @ForAll @IntRange(min = 1, max = 3) int len, @ForAll long seed) {
        int vocab = 3, blank = 0;
        Random r = new Random(seed);
        int[] tokens = new int[len];
        for (int i = 0; i < len; i++) tokens[i] = 1 + r.nextInt(vocab - 1);
        float[] logits = new float[frames * vocab];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) r.nextGaussian() * 2;
        float[] logp = CtcForcedAligner.logSoftmax(logits, frames, vocab);
        int[] best = new int[frames];
        double bruteBest = bruteForceBest(logp, frames, vocab, tokens, blank, best);
        List<CtcForcedAligner.Span> spans = CtcForcedAligner.align(logp, frames, vocab, tokens, blank);
        if (bruteBest == Double.NEGATIVE_INFINITY) {
            assertNull(spans, "no path exists");
            return;
        }
        assertNotNull(spans);
        assertEquals(len, spans.size());
        // rebuild the path from the spans (blank elsewhere) and compare its score with the brute-force optimum
        int[] path = new int[frames];
        for (CtcForcedAligner.Span sp : spans) for (int t = sp.firstFrame(); t <= sp.lastFrame(); t++) path[t] = tokens[sp.token()];
        assertTrue(spells(path, tokens, blank));
        double score = 0;
        for (int t = 0; t < frames; t++) score += logp[t * vocab + path[t]];
        assertEquals(bruteBest, score, 1e-5);
    }

    @Test
    void tiersCoverTheUtteranceContiguously() {
        List<CtcForcedAligner.Span> spans = List.of(new CtcForcedAligner.Span(0, 2, 3), new CtcForcedAligner.Span(1, 5, 5), new CtcForcedAligner.Span(2, 9, 10));
        Alignment a = CtcForcedAligner.toAlignment("x", spans, List.of("o", "n", "a"), new int[] {0, 0, 1}, List.of("on", "a"), 320, 16000, 0.3);
        List<Interval> letters = a.tier("letters").items();
        // o: frames 2–3 → [0.04, 0.08); n: frame 5 → [0.10, 0.12); a: frames 9–10 → [0.18, 0.22)
        assertEquals(List.of(new Interval(0, 0.04, ""), new Interval(0.04, 0.08, "o"), new Interval(0.08, 0.1, ""), new Interval(0.1, 0.12, "n"),
                new Interval(0.12, 0.18, ""), new Interval(0.18, 0.22, "a"), new Interval(0.22, 0.3, "")), letters);
        assertEquals(List.of(new Interval(0, 0.04, ""), new Interval(0.04, 0.12, "on"), new Interval(0.12, 0.18, ""), new Interval(0.18, 0.22, "a"),
                new Interval(0.22, 0.3, "")), a.tier("words").items());
    }
}
