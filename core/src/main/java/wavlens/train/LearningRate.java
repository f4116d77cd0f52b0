package wavlens.train;

/**
 * The tri-stage learning-rate schedule of the wav2vec 2.0 fine-tuning recipes (fairseq's
 * tri_stage): a linear warm-up from initScale·peak to peak, a hold at peak, then an exponential
 * decay to finalScale·peak; after the last step the rate stays at finalScale·peak.
 * Stages are given as fractions of the total number of steps.
 */
public record LearningRate(double peak, long totalSteps, double warmupFraction, double holdFraction,
                           double initScale, double finalScale) {

    public LearningRate {
        if (warmupFraction < 0 || holdFraction < 0 || warmupFraction + holdFraction > 1) {
            throw new IllegalArgumentException("warm-up and hold fractions must be ≥ 0 and sum to at most 1");
        }
    }

    /** fairseq's fine-tuning defaults: 10 % warm-up from 1 %, 40 % hold, 50 % decay to 5 %. */
    public static LearningRate triStage(double peak, long totalSteps) {
        return new LearningRate(peak, totalSteps, 0.1, 0.4, 0.01, 0.05);
    }

    /** The rate for update number `step` (0-based). */
    public double at(long step) {
        long warm = Math.round(warmupFraction * totalSteps), hold = Math.round(holdFraction * totalSteps);
        long decay = Math.max(0, totalSteps - warm - hold);
        if (step < warm) return peak * (initScale + (1 - initScale) * step / (double) warm);
        if (step < warm + hold) return peak;
        if (step < warm + hold + decay) {
            double f = (step - warm - hold) / (double) decay;
            return peak * Math.exp(Math.log(finalScale) * f);
        }
        return peak * finalScale;
    }
}
