package wavlens.report;

/**
 * Student's t distribution: CDF through the regularised incomplete beta function,
 * P(T ≤ t) = 1 − ½ I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0 (Abramowitz &amp; Stegun 26.7.1 / 26.5.27), and the
 * quantile by bisection on it. I_x(a, b) is evaluated with its continued fraction (A&amp;S 26.5.8)
 * by the modified Lentz method; ln Γ with the Lanczos approximation (g = 7, 9 terms).
 */
final class StudentT {
    private StudentT() {}

    static double cdf(double t, double dof) {
        double x = dof / (dof + t * t);
        double tail = 0.5 * regularizedBeta(x, dof / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /** The p-quantile, p ∈ (0, 1): bisection to double precision on a bracket that always holds it. */
    static double quantile(double p, double dof) {
        if (!(p > 0 && p < 1)) throw new IllegalArgumentException("p must be in (0, 1): " + p);
        if (p == 0.5) return 0;
        if (p < 0.5) return -quantile(1 - p, dof);
        double lo = 0, hi = 1;
        while (cdf(hi, dof) < p) hi *= 2; // the bracket grows until it holds the quantile
        for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
            double mid = 0.5 * (lo + hi);
            if (cdf(mid, dof) < p) lo = mid;
            else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b));
        // the continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise
        if (x < (a + 1) / (a + b + 2)) return front * continuedFraction(x, a, b) / a;
        return 1 - front * continuedFraction(1 - x, b, a) / b;
    }

    private static double continuedFraction(double x, double a, double b) {
        final double tiny = 1e-300, eps = 1e-15;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        if (Math.abs(d) < tiny) d = tiny;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 300; m++) {
            int m2 = 2 * m;
            // even step: d_{2m} = m (b − m) x / ((a + 2m − 1)(a + 2m))
            double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + num * d;
            if (Math.abs(d) < tiny) d = tiny;
            c = 1 + num / c;
            if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            // odd step: d_{2m+1} = −(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
            num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + num * d;
            if (Math.abs(d) < tiny) d = tiny;
            c = 1 + num / c;
            if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < eps) break;
        }
        return h;
    }

    private static double logBeta(double a, double b) {
        return logGamma(a) + logGamma(b) - logGamma(a + b);
    }

    private static final double[] LANCZOS = {0.99999999999980993, 676.5203681218851, -1259.1392167224028,
            771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7};

    static double logGamma(double z) {
        if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z); // reflection
        z -= 1;
        double sum = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
        double t = z + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
    }
}
