package wavlens.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import wavlens.corpus.Columns;

/**
 * The column flags of the commands that take a corpus: which metadata column of a Common Voice
 * TSV, Hugging Face Parquet shard, audiofolder metadata file or FLEURS TSV holds the transcript,
 * speaker, gender, age and audio (unset ones are detected, see {@link Columns}). They reach
 * every {@code Corpus.open} the command makes, through {@link Columns#GIVEN}.
 */
public final class CorpusColumnOptions {
    @Option(names = "--text-column", paramLabel = "NAME", description = "corpus column holding the transcript (default: detected: text, sentence, transcription, normalized_text, ...)")
    String text;

    @Option(names = "--speaker-column", paramLabel = "NAME", description = "corpus column holding the speaker (default: speaker_id, speaker, client_id, ...)")
    String speaker;

    @Option(names = "--gender-column", paramLabel = "NAME", description = "corpus column holding the gender (default: gender, sex)")
    String gender;

    @Option(names = "--age-column", paramLabel = "NAME", description = "corpus column holding the age (default: age)")
    String age;

    @Option(names = "--audio-column", paramLabel = "NAME", description = "Parquet column holding the audio struct {bytes, path} (default: audio, or the first such struct)")
    String audio;

    /** The columns as given (null = detect). */
    public Columns columns() {
        return new Columns(text, speaker, gender, age, audio);
    }

    /** Runs the command's body with these columns given to every corpus it opens. */
    public Integer call(Callable<Integer> body) throws Exception {
        return ScopedValue.where(Columns.GIVEN, columns()).call(body::call);
    }
}
