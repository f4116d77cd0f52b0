package wavlens.audio;

/**
 * A peaking equaliser: a second-order IIR filter that raises or lowers a band around one
 * frequency by a gain in dB and leaves frequencies far from it as they were. Coefficients from
 * R. Bristow-Johnson's "Audio EQ Cookbook" (peakingEQ): A = 10^(dB/40), w0 = 2 pi f0 / fs,
 * alpha = sin(w0) / 2Q; b = (1 + alpha A, -2 cos w0, 1 - alpha A), a = (1 + alpha/A, -2 cos w0, 1 - alpha/A).
 * The gain at f0 is A^2 = 10^(dB/20); Q sets the bandwidth (Q = f0 / bandwidth).
 */
public record PeakingFilter(double sampleRate, double hz, double q, double db) {
    public PeakingFilter {
        if (!(hz > 0 && hz < sampleRate / 2)) throw new IllegalArgumentException("centre frequency must be between 0 and Nyquist: " + hz);
        if (!(q > 0)) throw new IllegalArgumentException("Q must be positive: " + q);
    }

    /** The filtered signal (a new array; direct form I in double precision). */
    public float[] apply(float[] x) {
        double a = Math.pow(10, db / 40), w0 = 2 * Math.PI * hz / sampleRate, cos = Math.cos(w0), alpha = Math.sin(w0) / (2 * q);
        double a0 = 1 + alpha / a;
        double b0 = (1 + alpha * a) / a0, b1 = -2 * cos / a0, b2 = (1 - alpha * a) / a0, a1 = -2 * cos / a0, a2 = (1 - alpha / a) / a0;
        float[] y = new float[x.length];
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int n = 0; n < x.length; n++) {
            double out = b0 * x[n] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1;
            x1 = x[n];
            y2 = y1;
            y1 = out;
            y[n] = (float) out;
        }
        return y;
    }
}
