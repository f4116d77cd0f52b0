package wavlens.corpus;

/**
 * One labelled stretch of time in seconds, [start, end). In a point tier (Praat TextTier) an item
 * is a point: start == end is its time and text is its mark.
 */
public record Interval(double start, double end, String text) {
    public double duration() {
        return end - start;
    }
}
