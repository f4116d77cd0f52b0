package wavlens.audio;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Band-limited sample-rate conversion by any rational ratio: a polyphase windowed-sinc filter
 * with a Kaiser window (J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh
 * window function", 1974; design formulas as in Oppenheim &amp; Schafer, Discrete-Time Signal
 * Processing, 3rd ed., section 7.6).
 *
 * <p><b>Time convention.</b> Input sample j is the signal at time j / inRate and output sample i
 * is the signal at time i / outRate, both starting at t = 0: there is no delay and no half-sample
 * shift (the filter is symmetric, linear phase, and is centred on each output instant). The
 * signal is taken as zero before the first and after the last input sample, so the first and
 * last ~{@code halfWidthSeconds()} of the output are faded by the filter's edge.
 *
 * <p><b>Length.</b> The outputs are the instants i / outRate inside the input's span
 * [0, n / inRate): {@code ceil(n * outRate / inRate)} samples (torchaudio's rule).
 *
 * <p><b>Filter.</b> With fN = min(inRate, outRate) / 2 (the lower Nyquist frequency), the
 * passband reaches {@value #PASSBAND} fN and the stopband starts at fN itself, with at least
 * {@value #STOPBAND_DB} dB attenuation (Kaiser design target), so nothing aliases into the
 * output band. The sinc's cutoff is the middle of the transition band. Each polyphase branch is
 * normalised to sum 1, so a constant signal passes with gain exactly 1. Equal rates copy the input.
 *
 * <p><b>Cost.</b> The rates are reduced by their gcd to up / down (44100 -&gt; 16000 is
 * 160 / 441); the table holds up branches of {@link #tapsPerOutput()} taps, and each output
 * sample is one dot product of that length (about 530 taps for 44.1 or 48 kHz -&gt; 16 kHz).
 * Instances are immutable and may be shared between threads.
 */
public final class Resampler {
    /** Passband edge as a fraction of the lower Nyquist frequency. */
    public static final double PASSBAND = 0.94;
    /** Stopband attenuation the Kaiser window is designed for. */
    public static final double STOPBAND_DB = 90;

    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;

    private final int inRate;
    private final int outRate;
    private final int up;        // outRate / gcd: polyphase branches
    private final int down;      // inRate / gcd: input samples advanced per `up` outputs
    private final int lead;      // input samples before the output instant that the taps reach back
    private final int taps;      // taps per branch, a multiple of the vector length (extra taps are 0)
    private final float[] table; // branch p, tap m: weight of input n0 - lead + m for output at n0 + p / up
    private final double halfWidth; // filter half-length in input samples

    public Resampler(int inRate, int outRate) {
        if (inRate <= 0 || outRate <= 0) throw new IllegalArgumentException("sample rates must be positive: " + inRate + " -> " + outRate);
        this.inRate = inRate;
        this.outRate = outRate;
        int g = gcd(inRate, outRate);
        this.up = outRate / g;
        this.down = inRate / g;

        // Kaiser design, frequencies in cycles per input sample.
        double lowerNyquist = Math.min(inRate, outRate) / 2.0;
        double passEdge = PASSBAND * lowerNyquist / inRate;
        double stopEdge = lowerNyquist / inRate;
        double cutoff = (passEdge + stopEdge) / 2;
        double transitionRadians = 2 * Math.PI * (stopEdge - passEdge);
        // Order M = (A - 8) / (2.285 * delta omega) (O&S eq. 7.63); beta = 0.1102 (A - 8.7) for A > 50 (eq. 7.62).
        double order = Math.ceil((STOPBAND_DB - 8) / (2.285 * transitionRadians));
        double beta = 0.1102 * (STOPBAND_DB - 8.7);
        this.halfWidth = order / 2;

        // Output at input time n0 + phase (0 <= phase < 1) needs inputs n0 + k with |phase - k| <= halfWidth,
        // i.e. k from -floor(halfWidth) to floor(halfWidth) + 1.
        this.lead = (int) Math.floor(halfWidth);
        int needed = 2 * lead + 2;
        this.taps = (needed + LANES.length() - 1) / LANES.length() * LANES.length();
        if ((long) up * taps > 32L << 20) { // 128 MB of floats; common rates need well under 1 MB
            throw new IllegalArgumentException("rate pair " + inRate + " -> " + outRate + " needs a polyphase table of " + (long) up * taps + " taps (too large)");
        }
        this.table = new float[up * taps];
        double i0Beta = besselI0(beta);
        for (int p = 0; p < up; p++) {
            double phase = p / (double) up;
            double[] h = new double[taps];
            double sum = 0;
            for (int m = 0; m < needed; m++) {
                double t = phase - (m - lead); // distance from the output instant, in input samples
                if (Math.abs(t) > halfWidth) continue;
                double r = t / halfWidth;
                double window = besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
                h[m] = 2 * cutoff * sinc(2 * cutoff * t) * window;
                sum += h[m];
            }
            for (int m = 0; m < taps; m++) table[p * taps + m] = (float) (h[m] / sum);
        }
    }

    /** Resamples x from inRate to outRate (see the class comment for the conventions). */
    public static float[] resample(float[] x, int inRate, int outRate) {
        return new Resampler(inRate, outRate).process(x);
    }

    /** ceil(n * outRate / inRate): the output instants inside the input's span. */
    public static int outputLength(int n, int inRate, int outRate) {
        long length = ((long) n * outRate + inRate - 1) / inRate;
        if (length > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("output too long: " + length + " samples");
        return (int) length;
    }

    public float[] process(float[] x) {
        if (inRate == outRate) return x.clone();
        int n = x.length;
        int outLength = outputLength(n, inRate, outRate);
        // Zeros before and after the signal, so every dot product reads inside the array.
        float[] padded = new float[lead + n + taps];
        System.arraycopy(x, 0, padded, lead, n);
        float[] y = new float[outLength];
        int n0 = 0;    // floor(i * down / up): the input sample at or before output i
        int phase = 0; // (i * down) mod up: the branch
        for (int i = 0; i < outLength; i++) {
            y[i] = dot(padded, n0, table, phase * taps, taps);
            phase += down;
            n0 += phase / up;
            phase %= up;
        }
        return y;
    }

    /** Taps per output sample (the dot-product length, rounded up to the SIMD width). */
    public int tapsPerOutput() {
        return taps;
    }

    /** Half the filter's length in seconds: how far from the edges the output is affected by the zero padding. */
    public double halfWidthSeconds() {
        return halfWidth / inRate;
    }

    /**
     * Dot product of two float ranges whose length is a multiple of the vector width: one
     * partial sum per lane, then the lanes added in order. (reduceLanes(ADD) would leave the
     * order to the JIT, and the same input could round differently before and after warm-up.)
     */
    private static float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        FloatVector acc = FloatVector.zero(LANES);
        for (int m = 0; m < length; m += LANES.length()) {
            acc = FloatVector.fromArray(LANES, a, aOffset + m).fma(FloatVector.fromArray(LANES, b, bOffset + m), acc);
        }
        // Lanes summed in a fixed order: reduceLanes(ADD) leaves the float summation order open,
        // and the interpreter and C2 then differ in the last bit, which breaks byte-identical output.
        float sum = 0;
        for (int lane = 0; lane < LANES.length(); lane++) sum += acc.lane(lane);
        return sum;
    }

    static double sinc(double x) {
        if (x == 0) return 1;
        return Math.sin(Math.PI * x) / (Math.PI * x);
    }

    /** Modified Bessel function of the first kind, order 0: sum over k of ((x/2)^k / k!)^2. */
    static double besselI0(double x) {
        double term = 1, sum = 1, halfX = x / 2;
        for (int k = 1; term > 1e-17 * sum; k++) {
            term *= (halfX / k) * (halfX / k);
            sum += term;
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /**
     * Prints the conversion speed for the common rates to 16 kHz (input samples per second,
     * single thread): {@code java --add-modules jdk.incubator.vector -cp target/classes wavlens.audio.Resampler}.
     */
    public static void main(String[] args) {
        int seconds = 60;
        for (int rate : new int[] {8000, 22050, 44100, 48000}) {
            float[] x = new float[rate * seconds];
            java.util.Random random = new java.util.Random(1);
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian() * 0.1f;
            Resampler r = new Resampler(rate, 16000);
            r.process(x); // warm-up
            long t0 = System.nanoTime();
            r.process(x);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%6d -> 16000 Hz: %d taps/output, %.1f M input samples/s, %.0fx real time%n",
                    rate, r.tapsPerOutput(), x.length / s / 1e6, seconds / s);
        }
    }
}
