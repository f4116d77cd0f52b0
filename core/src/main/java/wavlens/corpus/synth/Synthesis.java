package wavlens.corpus.synth;

import java.util.List;

/**
 * What a synthesizer produced for one sentence: 16-bit mono audio at its own rate and the phones
 * it spoke, in time order, each tagged with the index of the sentence word it belongs to (see
 * {@link FinnishText#words}). Pauses are not phones: they are the gaps between phones.
 */
public record Synthesis(short[] samples, int sampleRate, List<Phone> phones) {

    /** One spoken phone: the synthesizer's own symbol, its word, and [start, end) in samples. */
    public record Phone(String name, int word, double start, double end) {}
}
