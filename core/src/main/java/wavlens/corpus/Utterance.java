package wavlens.corpus;

import java.nio.file.Path;
import java.util.Map;
import wavlens.audio.Audio;

/**
 * One utterance of a corpus: the stretch [startSec, endSec) of its audio (a whole file has
 * startSec 0 and endSec = its duration; a Kaldi segment a part of its recording).
 * transcript, speaker, gender, age, split and alignment may be null when the corpus does not say.
 * Alignment times count from startSec (see {@link Alignment}). transcriptSource names the file
 * the transcript came from, for messages. audioPath is the file to name in messages and in the
 * store's rows; {@code source} says how the audio is read (a file, a Kaldi pipe, a cell of a
 * Parquet shard). {@code extra} holds further metadata a layout gives, e.g. Common Voice's
 * accent and locale.
 */
public record Utterance(String id, Path audioPath, double startSec, double endSec, String transcript,
                        String speaker, String gender, String age, Alignment alignment, String transcriptSource,
                        String split, Map<String, String> extra, AudioSource source) {
    public Utterance {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
        if (source == null) source = new AudioSource.File(audioPath);
    }

    /** An utterance of a whole or part of an audio file, with no split or extra metadata. */
    public Utterance(String id, Path audioPath, double startSec, double endSec, String transcript,
                     String speaker, String gender, String age, Alignment alignment, String transcriptSource) {
        this(id, audioPath, startSec, endSec, transcript, speaker, gender, age, alignment, transcriptSource, null, null, null);
    }

    /** The utterance's whole audio file (or pipe output, or Parquet cell), decoded; slice with {@link #startSample}. */
    public Audio readAudio() {
        return source.read();
    }

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
