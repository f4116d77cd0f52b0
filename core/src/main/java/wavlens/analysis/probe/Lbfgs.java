package wavlens.analysis.probe;

/**
 * Limited-memory BFGS for smooth unconstrained minimisation (Nocedal & Wright, Numerical
 * Optimization, 2nd ed.: two-loop recursion = Alg. 7.4, L-BFGS = Alg. 7.5), with a line search that
 * finds a step satisfying the strong Wolfe conditions (bracketing = Alg. 3.5, zoom with cubic
 * interpolation = Alg. 3.6, cubic minimiser = eq. 3.59).
 *
 * <p>Stopping rules follow scipy's L-BFGS-B as used by scikit-learn, so the two can be compared at
 * equal iteration counts: stop when max|g_i| ≤ gradientTolerance, when the relative decrease
 * (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ relativeDecreaseTolerance, when the line search finds
 * no acceptable step, or after maxIterations iterations (one iteration = one accepted step).
 */
public final class Lbfgs {
    private Lbfgs() {}

    /** A smooth function: returns f(x) and writes ∇f(x) into gradient. */
    @FunctionalInterface
    public interface Objective {
        double valueAndGradient(double[] x, double[] gradient);
    }

    /**
     * @param memory                    number of (s, y) pairs kept (m; 10 as in scikit-learn)
     * @param maxIterations             accepted steps at most
     * @param gradientTolerance         stop when the largest |gradient component| is at most this
     * @param relativeDecreaseTolerance stop when the relative decrease of f is at most this
     *                                  (scikit-learn passes 64·machine epsilon)
     */
    public record Settings(int memory, int maxIterations, double gradientTolerance, double relativeDecreaseTolerance) {
        public static Settings defaults() {
            return new Settings(10, 200, 1e-4, 64 * Math.ulp(1.0));
        }
    }

    public enum Stop { GRADIENT_SMALL, DECREASE_SMALL, MAX_ITERATIONS, LINE_SEARCH_FAILED }

    /** The minimiser found, f and gradient there, and how the search went. */
    public record Result(double[] x, double value, double[] gradient, int iterations, int evaluations, Stop stop) {}

    // Wolfe constants: c1 (sufficient decrease) and c2 (curvature) as recommended for quasi-Newton
    // methods in Nocedal & Wright section 3.1.
    private static final double C1 = 1e-4, C2 = 0.9;
    private static final int MAX_LINE_SEARCH_EVALUATIONS = 50; // scipy's maxls for scikit-learn

    public static Result minimize(Objective f, double[] x0, Settings settings) {
        int n = x0.length, m = settings.memory();
        double[] x = x0.clone();
        double[] g = new double[n];
        double fx = f.valueAndGradient(x, g);
        int evaluations = 1;

        double[][] s = new double[m][n], y = new double[m][n];
        double[] rho = new double[m], alpha = new double[m];
        int stored = 0, newest = -1;
        double[] direction = new double[n];
        double[] xNew = new double[n], gNew = new double[n];

        int iteration = 0;
        Stop stop = Stop.MAX_ITERATIONS;
        while (true) {
            if (maxAbs(g) <= settings.gradientTolerance()) {
                stop = Stop.GRADIENT_SMALL;
                break;
            }
            if (iteration >= settings.maxIterations()) break;

            // Two-loop recursion: direction = −H·g, H0 = γI with γ = sᵀy / yᵀy of the newest pair (eq. 7.20).
            for (int i = 0; i < n; i++) direction[i] = -g[i];
            for (int k = 0; k < stored; k++) {
                int j = Math.floorMod(newest - k, m);
                alpha[j] = rho[j] * dot(s[j], direction);
                axpy(-alpha[j], y[j], direction);
            }
            double initialStep = 1;
            if (stored > 0) {
                double gamma = dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
                for (int i = 0; i < n; i++) direction[i] *= gamma;
            } else {
                // First step: a steepest-descent step of length 1 at most, as in L-BFGS-B.
                initialStep = Math.min(1.0, 1.0 / Math.sqrt(dot(g, g)));
            }
            for (int k = stored - 1; k >= 0; k--) {
                int j = Math.floorMod(newest - k, m);
                double beta = rho[j] * dot(y[j], direction);
                axpy(alpha[j] - beta, s[j], direction);
            }

            double slope = dot(g, direction);
            if (slope >= 0) {
                // Not a descent direction (only after numerical trouble): restart from steepest descent.
                for (int i = 0; i < n; i++) direction[i] = -g[i];
                slope = dot(g, direction);
                stored = 0;
                initialStep = Math.min(1.0, 1.0 / Math.sqrt(dot(g, g)));
            }

            LineSearch ls = new LineSearch(f, x, fx, g, direction, slope, xNew, gNew);
            double step = ls.search(initialStep);
            evaluations += ls.evaluations;
            if (Double.isNaN(step)) {
                stop = Stop.LINE_SEARCH_FAILED;
                break;
            }
            iteration++;
            double fNew = ls.valueAtStep;

            // New curvature pair; skip it when sᵀy is not safely positive (keeps H positive definite).
            int slot = (newest + 1) % m;
            double sy = 0, yy = 0;
            for (int i = 0; i < n; i++) {
                s[slot][i] = xNew[i] - x[i];
                y[slot][i] = gNew[i] - g[i];
                sy += s[slot][i] * y[slot][i];
                yy += y[slot][i] * y[slot][i];
            }
            if (sy > 1e-10 * yy) {
                rho[slot] = 1 / sy;
                newest = slot;
                stored = Math.min(stored + 1, m);
            }

            double decrease = (fx - fNew) / Math.max(Math.max(Math.abs(fx), Math.abs(fNew)), 1);
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            fx = fNew;
            if (decrease <= settings.relativeDecreaseTolerance()) {
                stop = Stop.DECREASE_SMALL;
                break;
            }
        }
        return new Result(x, fx, g, iteration, evaluations, stop);
    }

    /** φ(α) = f(x + α·d); finds α with φ(α) ≤ φ(0) + c1·α·φ'(0) and |φ'(α)| ≤ c2·|φ'(0)|. */
    private static final class LineSearch {
        final Objective f;
        final double[] x, direction, xTrial, gTrial;
        final double f0, slope0;
        int evaluations;
        double valueAtStep;
        // The last evaluated point is left in xTrial/gTrial; remember which α that was.
        double evaluatedStep = Double.NaN;

        LineSearch(Objective f, double[] x, double f0, double[] g0, double[] direction, double slope0, double[] xTrial, double[] gTrial) {
            this.f = f;
            this.x = x;
            this.f0 = f0;
            this.direction = direction;
            this.slope0 = slope0;
            this.xTrial = xTrial;
            this.gTrial = gTrial;
        }

        /** Evaluates φ at α; returns {φ(α), φ'(α)}. */
        double[] phi(double step) {
            for (int i = 0; i < x.length; i++) xTrial[i] = x[i] + step * direction[i];
            double value = f.valueAndGradient(xTrial, gTrial);
            evaluations++;
            evaluatedStep = step;
            return new double[]{value, dot(gTrial, direction)};
        }

        /** Alg. 3.5: returns the accepted step (xTrial/gTrial hold that point) or NaN. */
        double search(double step) {
            double previousStep = 0, previousValue = f0, previousSlope = slope0;
            for (int i = 0; evaluations < MAX_LINE_SEARCH_EVALUATIONS; i++) {
                double[] p = phi(step);
                double value = p[0], slope = p[1];
                if (!Double.isFinite(value)) {
                    // Overflow far out along d: come back towards the last good point.
                    step = previousStep + 0.1 * (step - previousStep);
                    continue;
                }
                if (value > f0 + C1 * step * slope0 || (i > 0 && value >= previousValue)) {
                    return zoom(previousStep, previousValue, previousSlope, step, value, slope);
                }
                if (Math.abs(slope) <= -C2 * slope0) return accept(step, value);
                if (slope >= 0) return zoom(step, value, slope, previousStep, previousValue, previousSlope);
                previousStep = step;
                previousValue = value;
                previousSlope = slope;
                step *= 2;
            }
            return Double.NaN;
        }

        /** Alg. 3.6: lo satisfies sufficient decrease and has the lower value; the minimiser lies between lo and hi. */
        double zoom(double lo, double fLo, double dLo, double hi, double fHi, double dHi) {
            while (evaluations < MAX_LINE_SEARCH_EVALUATIONS) {
                if (Math.abs(hi - lo) <= 1e-16 * Math.max(Math.abs(lo), Math.abs(hi))) break;
                double step = cubicMinimizer(lo, fLo, dLo, hi, fHi, dHi);
                // Keep the trial well inside the interval so the bracket shrinks (safeguard).
                double a = Math.min(lo, hi), b = Math.max(lo, hi), margin = 0.1 * (b - a);
                if (!(step >= a + margin && step <= b - margin)) step = 0.5 * (lo + hi);
                double[] p = phi(step);
                double value = p[0], slope = p[1];
                if (!Double.isFinite(value) || value > f0 + C1 * step * slope0 || value >= fLo) {
                    hi = step;
                    fHi = value;
                    dHi = slope;
                } else {
                    if (Math.abs(slope) <= -C2 * slope0) return accept(step, value);
                    if (slope * (hi - lo) >= 0) {
                        hi = lo;
                        fHi = fLo;
                        dHi = dLo;
                    }
                    lo = step;
                    fLo = value;
                    dLo = slope;
                }
            }
            // Budget used up: take lo if it improves f (sufficient decrease holds there), as scipy does.
            if (lo > 0 && fLo < f0) {
                if (evaluatedStep != lo) phi(lo);
                return accept(lo, fLo);
            }
            return Double.NaN;
        }

        double accept(double step, double value) {
            valueAtStep = value;
            return step;
        }
    }

    /** Minimiser of the cubic through (a, fa, da) and (b, fb, db) — Nocedal & Wright eq. 3.59; NaN if none. */
    static double cubicMinimizer(double a, double fa, double da, double b, double fb, double db) {
        double d1 = da + db - 3 * (fa - fb) / (a - b);
        double disc = d1 * d1 - da * db;
        if (!(disc >= 0) || !Double.isFinite(disc)) return Double.NaN;
        double d2 = Math.copySign(Math.sqrt(disc), b - a);
        return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum;
    }

    static void axpy(double alpha, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) y[i] += alpha * x[i];
    }

    static double maxAbs(double[] a) {
        double max = 0;
        for (double v : a) max = Math.max(max, Math.abs(v));
        return max;
    }
}
