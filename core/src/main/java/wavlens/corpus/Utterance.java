package wavlens.corpus;

import java.nio.file.Path;

/**
 * One utterance of a corpus: the stretch [startSec, endSec) of audioPath (a whole file has
 * startSec 0 and endSec = its duration; a Kaldi segment a part of its recording).
 * transcript, speaker, gender, age and alignment may be null when the corpus does not say.
 * Alignment times count from startSec (see {@link Alignment}). transcriptSource names the file
 * the transcript came from, for messages.
 */
public record Utterance(String id, Path audioPath, double startSec, double endSec, String transcript,
                        String speaker, String gender, String age, Alignment alignment, String transcriptSource) {
    public double durationSec() {
        return endSec - startSec;
    }

    /** First sample of the utterance at this rate: round(startSec · sampleRate). */
    public long startSample(int sampleRate) {
        return Math.round(startSec * sampleRate);
    }

    /** Samples in the utterance at this rate: round(endSec · sr) - round(startSec · sr). */
    public long sampleCount(int sampleRate) {
        return Math.round(endSec * sampleRate) - Math.round(startSec * sampleRate);
    }
}
