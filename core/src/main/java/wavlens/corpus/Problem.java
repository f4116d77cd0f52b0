package wavlens.corpus;

/**
 * Something wrong with one input file. The corpus readers collect these instead of stopping, so
 * one bad file never hides the rest of the corpus. {@code reason} already carries the line or
 * interval number when there is one.
 */
public record Problem(String file, String reason) {
    @Override
    public String toString() {
        return file + ": " + reason;
    }
}
