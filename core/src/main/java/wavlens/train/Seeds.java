package wavlens.train;

import java.util.Random;

/**
 * Random sources of a training run. Each step gets its own generator, derived from (seed, step),
 * so a resumed run draws exactly what an uninterrupted one draws. java.util.Random's first draws
 * are strongly correlated for nearby seeds, so (seed, step) goes through SplitMix64's finaliser
 * (Steele, Lea &amp; Flood 2014) first.
 */
public final class Seeds {
    private Seeds() {}

    public static Random forStep(long seed, long step) {
        return new Random(mix(mix(seed) + step));
    }

    static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
