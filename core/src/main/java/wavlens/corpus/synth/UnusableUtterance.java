package wavlens.corpus.synth;

/**
 * A synthesized sentence that cannot go into the corpus (phones that do not spell the
 * transcript, a synthesizer that substituted silence for a missing diphone, ...), with the
 * reason; the corpus reports and skips it.
 */
public final class UnusableUtterance extends Exception {
    public UnusableUtterance(String message) {
        super(message);
    }
}
