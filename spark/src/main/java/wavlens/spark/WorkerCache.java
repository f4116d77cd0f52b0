package wavlens.spark;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import wavlens.corpus.Corpus;
import wavlens.model.Wav2Vec2;

/**
 * What an executor JVM opens once and keeps for every task it runs: the model (memory-mapped from
 * the path the job names, so its weights never pass through the driver) and the corpus index.
 */
final class WorkerCache {
    private WorkerCache() {}

    private static final ConcurrentHashMap<Path, Wav2Vec2> MODELS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Path, Corpus> CORPORA = new ConcurrentHashMap<>();

    static Wav2Vec2 model(Path dir) {
        return MODELS.computeIfAbsent(dir, Wav2Vec2::load);
    }

    static Corpus corpus(Path dir) {
        return CORPORA.computeIfAbsent(dir, Corpus::open);
    }
}
