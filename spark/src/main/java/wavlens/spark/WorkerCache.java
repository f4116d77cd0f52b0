package wavlens.spark;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import wavlens.corpus.Columns;
import wavlens.corpus.Corpus;
import wavlens.model.Wav2Vec2;

/**
 * What an executor JVM opens once and keeps for every task it runs: the model (memory-mapped from
 * the path the job names, so its weights never pass through the driver) and the corpus index.
 */
final class WorkerCache {
    private WorkerCache() {}

    private static final ConcurrentHashMap<Path, Wav2Vec2> MODELS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Opened, Corpus> CORPORA = new ConcurrentHashMap<>();

    private record Opened(Path dir, Columns columns) {}

    static Wav2Vec2 model(Path dir) {
        return MODELS.computeIfAbsent(dir, Wav2Vec2::load);
    }

    /** The corpus as the driver opened it: with the job's column flags (--text-column, ...). */
    static Corpus corpus(Path dir, Columns columns) {
        return CORPORA.computeIfAbsent(new Opened(dir, columns), o -> ScopedValue.where(Columns.GIVEN, o.columns()).call(() -> Corpus.open(o.dir())));
    }
}
