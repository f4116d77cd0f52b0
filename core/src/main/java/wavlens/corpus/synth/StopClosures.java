package wavlens.corpus.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * espeak-ng's event for a stop (p, t, k, ...) marks the burst; the silent closure before it — a
 * run of exactly zero samples, 20–200 ms — is counted in the previous phone. Acoustically and for
 * any aligner the closure belongs to the stop, so the boundary is moved back to where the run of
 * zeros begins. (Variants with echo fill the closure and must not be used; see
 * {@link EspeakNg#VARIANTS}.)
 */
final class StopClosures {
    private StopClosures() {}

    static final Set<String> STOPS = Set.of("p", "t", "k", "b", "d", "g", "q");

    /**
     * Shortest zero run taken as a closure: 2 ms at 22050 Hz. Zero crossings of voiced speech give
     * single zero samples; 44 in a row only occur in synthesized silence.
     */
    static final int MIN_CLOSURE_SAMPLES = 44;

    /**
     * The phones with each stop's start moved back over the zero run before it. Only a stop that
     * directly follows another phone is corrected: after a pause (or at the start) the zeros are
     * the pause, and the previous phone always keeps part of its own time.
     */
    static List<Synthesis.Phone> correct(List<Synthesis.Phone> phones, short[] samples) {
        List<Synthesis.Phone> out = new ArrayList<>(phones);
        for (int i = 1; i < out.size(); i++) {
            Synthesis.Phone stop = out.get(i), previous = out.get(i - 1);
            if (!STOPS.contains(stop.name()) || previous.end() != stop.start()) continue;
            int burst = (int) stop.start();
            int zeroStart = burst;
            while (zeroStart > 0 && samples[zeroStart - 1] == 0) zeroStart--;
            if (burst - zeroStart < MIN_CLOSURE_SAMPLES || zeroStart <= previous.start()) continue;
            out.set(i - 1, new Synthesis.Phone(previous.name(), previous.word(), previous.start(), zeroStart));
            out.set(i, new Synthesis.Phone(stop.name(), stop.word(), zeroStart, stop.end()));
        }
        return out;
    }
}
