package wavlens.corpus.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopClosuresTest {
    @Test
    void stopStartMovesBackToTheStartOfTheZeroRun() {
        // a: 0-300 with speech until 200, then 100 exact zeros (the closure), burst of t at 300.
        short[] samples = new short[500];
        Arrays.fill(samples, 0, 200, (short) 1000);
        Arrays.fill(samples, 300, 500, (short) 1000);
        List<Synthesis.Phone> phones = List.of(new Synthesis.Phone("a", 0, 0, 300), new Synthesis.Phone("t", 0, 300, 400),
                new Synthesis.Phone("a", 0, 400, 500));
        List<Synthesis.Phone> out = StopClosures.correct(phones, samples);
        assertEquals(new Synthesis.Phone("a", 0, 0, 200), out.get(0));
        assertEquals(new Synthesis.Phone("t", 0, 200, 400), out.get(1));
        assertEquals(phones.get(2), out.get(2));
    }

    @Test
    void noCorrectionAfterAPauseForShortRunsOrForNonStops() {
        short[] samples = new short[600];
        Arrays.fill(samples, (short) 500);
        Arrays.fill(samples, 100, 200, (short) 0);  // before the t that follows a pause (gap 150-200)
        Arrays.fill(samples, 280, 300, (short) 0);  // 20 zeros (< 44): a zero crossing, not a closure
        Arrays.fill(samples, 350, 400, (short) 0);  // before an s: not a stop
        List<Synthesis.Phone> phones = List.of(new Synthesis.Phone("a", 0, 0, 150), new Synthesis.Phone("t", 1, 200, 300),
                new Synthesis.Phone("k", 1, 300, 400), new Synthesis.Phone("s", 1, 400, 500));
        assertEquals(phones, StopClosures.correct(phones, samples));
    }
}
