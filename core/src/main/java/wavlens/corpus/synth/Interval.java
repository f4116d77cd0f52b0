package wavlens.corpus.synth;

/** A labelled stretch of time in seconds; the empty label means silence. */
public record Interval(double start, double end, String label) {}
