package wavlens.corpus.synth;

import java.util.SplittableRandom;

/**
 * Additive noise at a set signal-to-noise ratio: white (Gaussian) or pink (Gaussian through Paul
 * Kellet's three-pole "economy" filter, about -3 dB per octave over the speech band). The noise is
 * scaled with its own measured power, so the SNR is exact:
 * SNR = 10 log10(P_signal / P_noise), with P the mean square over the speech span.
 */
final class Noise {
    private Noise() {}

    /**
     * Adds noise to all of x (in place); the signal power is measured over [speechFrom, speechTo),
     * the stretch between the first and the last word, so leading and trailing silence do not
     * lower it.
     */
    static void add(float[] x, int speechFrom, int speechTo, double snrDb, String color, long seed) {
        speechFrom = Math.max(0, speechFrom);
        speechTo = Math.min(x.length, speechTo);
        double signalPower = 0;
        for (int i = speechFrom; i < speechTo; i++) signalPower += (double) x[i] * x[i];
        signalPower /= Math.max(1, speechTo - speechFrom);

        double[] noise = color.equals("pink") ? pink(x.length, seed) : white(x.length, seed);
        double noisePower = 0;
        for (double v : noise) noisePower += v * v;
        noisePower /= Math.max(1, noise.length);
        if (noisePower == 0 || signalPower == 0) return;
        // Scale so that signalPower / (gain^2 * noisePower) = 10^(snr/10).
        double gain = Math.sqrt(signalPower / (noisePower * Math.pow(10, snrDb / 10)));
        for (int i = 0; i < x.length; i++) x[i] += (float) (gain * noise[i]);
    }

    static double[] white(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = gaussian(random);
        return w;
    }

    /** Paul Kellet's economy pink filter (pole/gain constants from his 1999 music-dsp posting). */
    static double[] pink(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] p = new double[n];
        double b0 = 0, b1 = 0, b2 = 0;
        for (int i = 0; i < n; i++) {
            double white = gaussian(random);
            b0 = 0.99765 * b0 + white * 0.0990460;
            b1 = 0.96300 * b1 + white * 0.2965164;
            b2 = 0.57000 * b2 + white * 1.0526913;
            p[i] = b0 + b1 + b2 + white * 0.1848;
        }
        return p;
    }

    /** Standard normal by Box–Muller, with StrictMath so the stream is bit-identical for a seed everywhere. */
    private static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble(); // (0, 1], so the log is finite
        double u2 = random.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
    }
}
